#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60), from its
# committed seed corpus (and fuzz/NAME.dict when there is one): `make fuzz`,
# and CI (.ci/run). FUZZ_JOBS targets run at once (default: the core count),
# so CI spends SECONDS × targets / cores, not SECONDS × targets.
# usage: fuzz/run.sh BUILD_DIR [SECONDS]
# New inputs go to BUILD_DIR/fuzz-corpus/NAME (the seeds are only read), each
# target's log to BUILD_DIR/fuzz-NAME.log. A finding (crash, sanitizer
# report, uncaught exception, timeout, memory past 2 GB) is saved as
# BUILD_DIR/fuzz-findings/NAME-crash-… and fails the run; reproduce it with
# `BUILD_DIR/fuzz/fuzz_NAME FILE`.
set -uo pipefail
build=$(cd "$1" && pwd)
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${FUZZ_JOBS:-$(nproc)}
mkdir -p "$build/fuzz-findings"

# One target; its report (one line, or the finding) is printed whole when it
# ends, and BUILD_DIR/fuzz-NAME.ok marks a clean run.
fuzz() {  # NAME BINARY SEED_DIR
  local name=$1 binary=$2 seeds=$3
  local log="$build/fuzz-$name.log"
  local dict=()
  [ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
  mkdir -p "$build/fuzz-corpus/$name"
  rm -f "$build/fuzz-$name.ok"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       "${dict[@]}" -artifact_prefix="$build/fuzz-findings/$name-" "$build/fuzz-corpus/$name" \
       "$seeds" >"$log" 2>&1; then
    local runs
    runs=$(grep -o 'number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$')
    echo "fuzz $name: $runs runs, no finding"
    touch "$build/fuzz-$name.ok"
  else
    # Gathered first and printed at once, so another target's line does not
    # land inside it.
    local report
    report=$(grep -A30 -m1 -E '^==[0-9]+==|ERROR|terminate called|deadly signal' "$log" | head -40)
    printf 'fuzz %s: FINDING (log: %s)\n%s\n' "$name" "$log" "$report"
  fi
}

# NAME BINARY SEEDS per line.
targets=("parse $build/grammar/fuzz_parse $root/tests/grammar/cases")
for name in safetensors csv npy text lower; do
  targets+=("$name $build/fuzz/fuzz_$name $root/fuzz/corpus/$name")
done
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  # shellcheck disable=SC2086  # the line is three words by construction
  fuzz $t &
done
wait
status=0
for t in "${targets[@]}"; do
  [ -f "$build/fuzz-${t%% *}.ok" ] || status=1
done
exit $status
