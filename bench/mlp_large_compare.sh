#!/usr/bin/env bash
# The large MLP step (issue 15): eq against its 8 sgemm calls (interleaved in
# one process) and against PyTorch, with the same thread count.
# Usage: bash bench/mlp_large_compare.sh [BUILD] [THREADS]
set -euo pipefail
build=${1:-build}
threads=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
export OPENBLAS_NUM_THREADS=$threads
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, $threads threads, $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
eq_out=$("$build/bench/mlp_large_bench" 15)
echo "$eq_out"
torch_line=$(/usr/bin/python3 "$here/torch_mlp_large.py" --threads "$threads" --steps 15)
echo "$torch_line"
ms() { sed -E 's/^[^:]*: ([0-9.]+) ms.*/\1/' <<<"$1"; }
awk -v e="$(ms "$(tail -1 <<<"$eq_out")")" -v t="$(ms "$torch_line")" \
  'BEGIN { printf "eq / torch = %.3f  (target ≤ 0.95)\n", e / t }'
