#!/usr/bin/env bash
# Fuzz smoke for CI (.ci/run calls this when it is executable): build every cargo-fuzz target
# on the stable toolchain without a sanitizer, then run each one briefly over its committed
# seeds. A crash, a timeout or a build failure fails the script. Budget: ~6 minutes on 2 cores
# (build ~3-4 min from scratch, then ${FUZZ_SECONDS:-10} s per target).
#
#   FUZZ_SECONDS=30 fuzz/ci.sh        # longer runs
#   FUZZ_TARGETS="wire_backend" fuzz/ci.sh
set -euo pipefail
cd "$(dirname "$0")"

seconds=${FUZZ_SECONDS:-10}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
cargo fuzz --version

# `-s none`: the sanitizers need nightly (cargo-fuzz passes -Z flags for them).
# Debug assertions and overflow checks stay on (cargo-fuzz's default for fuzz builds).
echo "--- building all fuzz targets"
build_start=$(date +%s)
cargo fuzz build -s none
echo "built in $(( $(date +%s) - build_start )) s"

targets=${FUZZ_TARGETS:-$(cargo fuzz list)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dict_for() {
  case $1 in
    wire_* | probe_* | coordinator_*) echo dict/wire.dict ;;
    scram_*) echo dict/scram.dict ;;
    conninfo_*) echo dict/conninfo.dict ;;
    *) echo "" ;;
  esac
}

failed=()
for t in $targets; do
  mkdir -p "$work/$t"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
  d=$(dict_for "$t")
  [ -n "$d" ] && [ -f "$d" ] && args+=(-dict="$d")
  corpus=()
  [ -d "corpus/$t" ] && corpus=("corpus/$t")
  echo "--- $t (${seconds} s)"
  # New inputs go to a scratch directory; the committed seeds are only read.
  if cargo fuzz run -s none "$t" "$work/$t" "${corpus[@]}" -- "${args[@]}" >"$work/$t.log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$work/$t.log" | tr '\n' ' '
    echo
  else
    echo "FAILED: $t"
    tail -n 60 "$work/$t.log"
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz smoke failed: ${failed[*]} (reproduce: cd fuzz && cargo fuzz run -s none <target> artifacts/<target>/<file>)"
  exit 1
fi
echo "fuzz smoke: all targets ran ${seconds} s without a crash"
