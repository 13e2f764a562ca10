#!/usr/bin/env bash
# Installs what `make run` (setup.sh run), `make test` (setup.sh test), `make fuzz`
# (setup.sh fuzz) or `make bench` (setup.sh bench) needs on Debian 12.
# Idempotent: each step is skipped when its result is already there. Needs root (or sudo) only
# when Debian packages are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

# Dovecot, curl and openssl make the sandbox's real IMAP/SMTP server.
# python3-venv: the emailproxy export is checked against the real email-oauth2-proxy (PyPI);
# python3-pip: MSAL and the Graph SDK, Microsoft's clients the simulator is tested with.
run_pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev libdbus-1-dev
  gnome-keyring dbus-daemon dovecot-imapd dovecot-submissiond openssl curl)
test_pkgs=(xvfb webkit2gtk-driver at-spi2-core libsecret-tools python3-venv python3-pip)
# The bench's parse peers (ruby-mail: the parser Zammad uses; Python's email), and Xvfb and xwd
# for the app's start.
bench_pkgs=(ruby-mail python3 xvfb x11-apps)
pkgs=("${run_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")
[ "$mode" = bench ] && pkgs+=("${bench_pkgs[@]}")
command -v node >/dev/null || pkgs+=(nodejs npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing; install it with rustup (https://rustup.rs) and run again" >&2
  exit 1
fi

# A cargo subcommand (`cargo-fuzz`, `cargo-deny`) at exactly the version named, built from
# crates.io with its own lock file unless that version is there already.
cargo_tool() {
  [ "$(cargo "${1#cargo-}" --version 2>/dev/null)" = "$1 $2" ] && return
  echo "setup: installing $1 $2"
  cargo install "$1" --version "$2" --locked
}
if [ "$mode" = test ]; then
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
  # Microsoft's own client libraries, to prove the simulator speaks their protocols (tests/msal):
  # MSAL for Python and the Graph SDK for Python (on azure-identity and Kiota).
  if ! python3 -c 'import msal, msgraph, azure.identity' 2>/dev/null; then
    echo "setup: installing MSAL and the Graph SDK for Python"
    # Debian's Python is "externally managed"; these are test tools, not the product's.
    PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check \
      'msal>=1.28,<2' 'msgraph-sdk>=1,<2' 'azure-identity>=1.15,<2'
  fi
  if ! command -v tauri-driver >/dev/null; then
    echo "setup: installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked
  fi
  # The dependency policy (deny.toml): licences, bans, sources. cargo-deny runs offline over
  # every platform's crates (Windows' and macOS' too), which a Linux build never downloads.
  cargo_tool cargo-deny 0.20.2
  cargo fetch --locked --quiet
fi
if [ "$mode" = fuzz ]; then
  # cargo fuzz builds with nightly-only compiler flags (sanitizer, coverage instrumentation).
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "setup: \`make fuzz\` needs a nightly toolchain, and there is none:" \
      "install it with \`rustup toolchain install nightly\` and run again" >&2
    exit 1
  fi
  cargo_tool cargo-fuzz 0.13.2
  exit 0 # the fuzz targets need no npm packages
fi

# Front-end packages, exactly as locked; reinstalled only when the lock file changed.
if [ ! -f ui/node_modules/.installed ] || [ ui/package-lock.json -nt ui/node_modules/.installed ]; then
  echo "setup: installing npm packages"
  npm --prefix ui ci --no-audit --no-fund
  touch ui/node_modules/.installed
fi
