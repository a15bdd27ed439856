#!/usr/bin/env bash
# Issue 15's comparisons in one sitting, each contender in the same run:
#   1. the kernels eqc runs with when OPENBLAS_CORETYPE is unset, and the
#      char-LSTM's step then against the step with the variable set by hand
#      to that core (instruction time of `eqc train --profile`, 60 steps);
#   2. the char-LSTM step at 1 thread against PyTorch (bench/lstm_compare.sh);
#   3. 2 threads: the char-LSTM and the digits MLP at 2 threads against 1, as
#      `eqc train --threads 2` runs them (threads_bench), and PyTorch's
#      char-LSTM step at 2 threads;
#   4. the large MLP step against its 8 sgemm calls and PyTorch
#      (bench/mlp_large_compare.sh).
# Needs both cores to itself. Usage: bash bench/issue15.sh [BUILD]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$here/..
py=/usr/bin/python3 # Debian's python3, which has python3-torch
echo "== issue 15, $(date -u '+%F %H:%M'), load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"

echo "-- 1. kernels with OPENBLAS_CORETYPE unset"
core=$(env -u OPENBLAS_CORETYPE "$build/cli/eqc" --version | sed -n 's/^core: \([A-Za-z0-9]*\).*/\1/p')
env -u OPENBLAS_CORETYPE "$build/cli/eqc" --version | grep -E '^(core|cpu):'
step_ms() { # instruction time a step of 60 steps of the char-LSTM, 1 thread
  "$@" "$build/cli/eqc" train "$root/models/lstm.eq" --steps 60 --threads 1 --validate 0 \
    --profile -o /tmp/eq_issue15.safetensors 2>&1 |
    sed -n 's/^time per kernel over 60 steps (\([0-9.]*\) s in instructions):$/\1/p' |
    awk '{ printf "%.3f", $1 * 1000 / 60 }'
}
unset_ms=$(step_ms env -u OPENBLAS_CORETYPE)
set_ms=$(step_ms env OPENBLAS_CORETYPE="$core")
awk -v u="$unset_ms" -v s="$set_ms" -v c="$core" 'BEGIN {
  printf "char-LSTM step: %.3f ms unset, %.3f ms with OPENBLAS_CORETYPE=%s; ratio %.3f (target within 10 %%)\n", u, s, c, u / s }'

echo "-- 2. char-LSTM step at 1 thread"
bash "$here/lstm_compare.sh" "$build" 1

echo "-- 3. two threads"
lstm=$("$build/bench/threads_bench" "$root/models/lstm.eq" 20 11 2 | tail -1)
echo "char-LSTM:  $lstm"
digits=$("$build/bench/threads_bench" "$root/models/mlp.eq" 300 11 2 | tail -1)
echo "digits MLP: $digits"
two=$(sed -E 's/^2 thread\(s\): ([0-9.]+) ms.*/\1/' <<<"$lstm")
for mode in eqs nn; do
  line=$("$py" "$here/torch_lstm.py" --mode $mode --threads 2 --steps 10)
  echo "$line"
  awk -v e="$two" -v t="$(sed -E 's/^[^:]*: ([0-9.]+) ms.*/\1/' <<<"$line")" -v m=$mode \
    'BEGIN { printf "eq (2 threads) / torch-%s (2 threads) = %.3f  (target < 1)\n", m, e / t }'
done

echo "-- 4. the large MLP step at 1 thread"
bash "$here/mlp_large_compare.sh" "$build" 1
