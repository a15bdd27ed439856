#!/usr/bin/env bash
# One training step of models/transformer.eq's block (T = 64, D = E = 128,
# F = 512, batch 32, Adam) in eq and in PyTorch — the same equations written
# out with tensor ops, and with torch's fused layer_norm / cross_entropy — in
# one run, at 1 and 2 threads (or the thread counts given). Prints each time
# and the ratios.
# Usage: bash bench/transformer_compare.sh [BUILD] [THREADS...]
set -euo pipefail
build=${1:-build}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 2)
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3  # Debian's python3, which has python3-torch
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
ms() { sed -E 's/^[^:]*: ([0-9.]+) ms.*/\1/' <<<"$1"; }
for threads in "${counts[@]}"; do
  export OPENBLAS_NUM_THREADS=$threads
  echo "-- $threads thread(s)"
  eq_line=$("$build/bench/transformer_bench" "$here/../models/transformer.eq" 20)
  echo "$eq_line"
  eqs_line=$("$py" "$here/torch_transformer.py" --mode eqs --threads "$threads" --steps 20)
  echo "$eqs_line"
  nn_line=$("$py" "$here/torch_transformer.py" --mode nn --threads "$threads" --steps 20)
  echo "$nn_line"
  awk -v e="$(ms "$eq_line")" -v w="$(ms "$eqs_line")" -v n="$(ms "$nn_line")" -v t="$threads" 'BEGIN {
    printf "%d thread(s): eq / torch written out = %.3f, eq / torch fused ops = %.3f  (target ≤ 0.6)\n", t, e / w, e / n
  }'
done
