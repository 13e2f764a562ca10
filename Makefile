# The two commands: `make run` opens the wizard, `make test` runs every check CI runs.
# Both install what is missing first (scripts/setup.sh) and are safe to repeat.
SHELL := /bin/bash
.PHONY: run test setup setup-test setup-fuzz ui types deb bench fuzz

run: setup ui
	cargo run --bin m365-onboard-app

test: setup-test ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo deny --offline --locked check licenses bans sources
	npm --prefix ui run check
	tests/with-session.sh cargo test --workspace --exclude onboard-e2e
	npm --prefix ui test
	cargo build --bin m365-onboard-app
	cargo build -p m365-sim --bin m365-sim-browser
	tests/with-session.sh --display cargo test -p onboard-e2e -- --test-threads=1

setup:
	scripts/setup.sh run

setup-test:
	scripts/setup.sh test

setup-fuzz:
	scripts/setup.sh fuzz

# The front end, built into ui/dist, which the app embeds at compile time.
ui:
	npm --prefix ui run build

# Regenerate ui/src/lib/bindings.ts from the Rust types.
types:
	UPDATE_BINDINGS=1 cargo test -p onboard --lib bindings

# The Debian package, under target/release/bundle/deb/ (the front end is built first, by `ui`).
deb: setup ui
	npx --yes @tauri-apps/cli@2 build --bundles deb

# Every benchmark (README.md, "Benchmarks"), each printing a markdown table: the preview, archive
# counts and folder tree over Graph and IMAP with 40 ms of round-trip time added to both (needs
# root and Dovecot), parse throughput beside Ruby's mail gem and Python's email, and the release
# app's start under Xvfb.
bench:
	scripts/setup.sh bench
	npm --prefix ui run build
	cargo build --release --bin m365-onboard-app
	tests/with-session.sh --display cargo bench -p onboard --bench '*'

# Each fuzz target of the core (src-tauri/crates/onboard/fuzz) for FUZZ_SECONDS, on nightly.
# It starts from the committed seeds; what it finds new goes to fuzz/corpus/ and a crash to
# fuzz/artifacts/ (both git-ignored). `make test` replays the seeds on stable.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := message sanitize_html channel_config loopback_callback id_token
fuzz: setup-fuzz
	cd src-tauri/crates/onboard && for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t && \
	  cargo +nightly fuzz run $$t fuzz/corpus/$$t fuzz/seeds/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done
