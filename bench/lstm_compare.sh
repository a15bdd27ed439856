#!/usr/bin/env bash
# One char-LSTM training step (H = 128, window 50, batch 32, Adam, clip 5) in
# eq and in PyTorch — the equations written out by hand, and torch.nn.LSTM —
# in one run, with the same thread count. Prints each time and the ratios.
# Usage: bash bench/lstm_compare.sh [BUILD] [THREADS]
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3  # Debian's python3, which has python3-torch
export OPENBLAS_NUM_THREADS=$threads
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, $threads threads, $(date -u +%F)"
eq_line=$("$build/bench/lstm_bench" "$here/../models/lstm.eq" 20)
echo "$eq_line"
eqs_line=$("$py" "$here/torch_lstm.py" --mode eqs --threads "$threads" --steps 10)
echo "$eqs_line"
nn_line=$("$py" "$here/torch_lstm.py" --mode nn --threads "$threads" --steps 10)
echo "$nn_line"
ms() { sed -E 's/^[^:]*: ([0-9.]+) ms.*/\1/' <<<"$1"; }
awk -v e="$(ms "$eq_line")" -v w="$(ms "$eqs_line")" -v n="$(ms "$nn_line")" 'BEGIN {
  printf "eq / torch written out = %.3f  (target ≤ 0.5)\n", e / w
  printf "eq / torch.nn.LSTM     = %.3f  (target ≤ 1)\n", e / n
}'
