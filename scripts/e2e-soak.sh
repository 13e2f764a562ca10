#!/usr/bin/env bash
# Runs the end-to-end suite N times and prints, per test, how often it passed: a suite that fails
# now and then rejects good work at random, so `make test` needs one that passes every time.
#   scripts/e2e-soak.sh N [--load] [--bench] [-- TEST_FILTER...]
#     --load   a CPU-heavy job beside it, one busy process per core (as a busy CI machine is)
#     --bench  also run the app-start benchmark N times (needs the release app: make bench builds it)
# Builds the app and the specs first (as make test does). Each failed run keeps its output and the
# screens the harness saved under target/e2e-soak/run-K/; the last line is the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 N [--load] [--bench] [-- TEST_FILTER...]" >&2; exit 2; }
shift
load=false bench=false filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --load) load=true ;;
    --bench) bench=true ;;
    --) shift; filter=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

npm --prefix ui run build >/dev/null
cargo build --bin m365-onboard-app
cargo build -p m365-sim --bin m365-sim-browser
cargo test -p onboard-e2e --no-run
mapfile -t tests < <(cargo test -q -p onboard-e2e --test wizard -- --list "${filter[@]}" 2>/dev/null |
  sed -n 's/: test$//p')
[ ${#tests[@]} -gt 0 ] || { echo "no end-to-end test matches ${filter[*]}" >&2; exit 2; }

out=target/e2e-soak
rm -rf "$out"
mkdir -p "$out"
burners=()
stop_load() { [ ${#burners[@]} -eq 0 ] || kill "${burners[@]}" 2>/dev/null || true; }
trap stop_load EXIT
if $load; then
  for _ in $(seq "$(nproc)"); do
    bash -c 'while :; do :; done' &
    burners+=($!)
  done
  echo "soak: ${#burners[@]} busy processes beside the suite"
fi

declare -A passed
for t in "${tests[@]}"; do passed[$t]=0; done
bench_ok=0 started=$SECONDS
for k in $(seq "$runs"); do
  log="$out/run-$k.log"
  rm -rf target/e2e-screenshots
  run_started=$SECONDS
  tests/with-session.sh --display cargo test -q -p onboard-e2e --test wizard -- --test-threads=1 \
    "${filter[@]}" >"$log" 2>&1 || true
  # libtest lists the failed tests after "failures:"; every other test of the list passed.
  mapfile -t failed < <(sed -n '/^failures:$/,/^test result/p' "$log" | sed -n 's/^    \([a-z0-9_]*\)$/\1/p')
  for t in "${tests[@]}"; do
    [[ " ${failed[*]} " == *" $t "* ]] || passed[$t]=$((passed[$t] + 1))
  done
  if ! grep -q '^test result: ok' "$log"; then
    mkdir -p "$out/run-$k" && mv "$log" "$out/run-$k/"
    [ -d target/e2e-screenshots ] && cp target/e2e-screenshots/*failed* "$out/run-$k/" 2>/dev/null || true
    [ ${#failed[@]} -gt 0 ] || failed=("(no test result: see $out/run-$k/)")
    echo "soak: run $k failed ($((SECONDS - run_started)) s): ${failed[*]}"
  else
    rm -f "$log"
    echo "soak: run $k passed ($((SECONDS - run_started)) s)"
  fi
  if $bench; then
    if tests/with-session.sh --display cargo bench -q -p onboard --bench app_start >"$out/bench-$k.log" 2>&1; then
      bench_ok=$((bench_ok + 1))
      rm -f "$out/bench-$k.log"
    else
      echo "soak: app-start bench $k failed: $(tail -1 "$out/bench-$k.log")"
    fi
  fi
done

echo
echo "| test | passed | of |"
echo "|---|---:|---:|"
all=true
for t in "${tests[@]}"; do
  echo "| $t | ${passed[$t]} | $runs |"
  [ "${passed[$t]}" -eq "$runs" ] || all=false
done
if $bench; then
  echo "| app-start bench | $bench_ok | $runs |"
  [ "$bench_ok" -eq "$runs" ] || all=false
fi
echo
load_note=""
$load && load_note=" beside $(nproc) busy processes"
if $all; then
  echo "soak: all $runs runs passed$load_note in $((SECONDS - started)) s"
else
  echo "soak: FAILED: some runs$load_note failed (logs in $out/)"
  exit 1
fi
