#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60), from its
# committed seed corpus (and fuzz/NAME.dict when there is one): `make fuzz`,
# and CI (.ci/run).
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
mkdir -p "$build/fuzz-findings"
status=0

fuzz() {  # NAME BINARY SEED_DIR
  local name=$1 binary=$2 seeds=$3
  local log="$build/fuzz-$name.log"
  local dict=()
  [ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
  mkdir -p "$build/fuzz-corpus/$name"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       "${dict[@]}" -artifact_prefix="$build/fuzz-findings/$name-" "$build/fuzz-corpus/$name" \
       "$seeds" >"$log" 2>&1; then
    local runs
    runs=$(grep -o 'number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$')
    echo "fuzz $name: $runs runs, no finding"
  else
    echo "fuzz $name: FINDING (log: $log)"
    grep -A30 -m1 -E '^==[0-9]+==|ERROR|terminate called|deadly signal' "$log" | head -40
    status=1
  fi
}

fuzz parse "$build/grammar/fuzz_parse" "$root/tests/grammar/cases"
for name in safetensors csv npy text lower; do
  fuzz "$name" "$build/fuzz/fuzz_$name" "$root/fuzz/corpus/$name"
done
exit $status
