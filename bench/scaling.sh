#!/usr/bin/env bash
# Data-parallel scaling (issue 14): training throughput of 2 processes over
# 1, one BLAS thread each, for the char-LSTM (models/lstm.eq: symbols/s) and
# a large MLP (bench/mlp_large.eq, 1024 → 4096 → 4096 → 10, batch 256, on
# synthetic data: examples/s) — eq's `eqc train` under mpirun, and PyTorch
# DDP with the gloo backend (bench/torch_ddp.py) doing the same. Prints each
# throughput and the ratios in one run; then the cost of the gradient
# allreduce alone (allreduce_bench) for docs/scaling.md.
#
# eq's throughput is read from `--log`: the seconds of each epoch's steps
# (validation is off). The MLP's first epoch (10 steps) warms up and is left
# out; the LSTM's steps are all within its first epoch.
#
# Usage: bash bench/scaling.sh [BUILD] [LSTM_STEPS] [MLP_STEPS]
# Run it when nothing else runs: 2 ranks need both cores.
set -euo pipefail
build=${1:-build}
lstm_steps=${2:-200}
mlp_steps=${3:-30}  # in epochs of 10 steps; the first one is left out
here=$(cd "$(dirname "$0")" && pwd)
eqc=$(cd "$build" && pwd)/cli/eqc
py=/usr/bin/python3  # Debian's python3, which has python3-torch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
# Open MPI runs as root only with consent; given to this script's mpirun only.
mpi() { OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun "$@"; }

echo "$(date -u +%F), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"

# The MLP's data: 2,560 examples (10 batches) of 1,024 normal features, 10 classes.
cp "$here/mlp_large.eq" "$work/"
"$py" - "$work" <<'PY'
import sys
import numpy as np
r = np.random.default_rng(0)
np.save(sys.argv[1] + "/x.npy", r.standard_normal((2560, 1024)).astype(np.float32))
np.save(sys.argv[1] + "/y.npy", r.integers(0, 10, 2560).astype(np.int32))
PY

# eqc train on $1 ranks; prints the rate from the log's seconds (from epoch $2 on).
eq_rate() {
  local ranks=$1 from=$2 per_step=$3 model=$4 steps=$5
  local run=("$eqc" train "$model" --steps "$steps" --validate 0 --threads 1 --quiet
             --log "$work/log.csv" -o "$work/w.safetensors")
  if [ "$ranks" = 1 ]; then "${run[@]}"; else mpi -np "$ranks" "${run[@]}"; fi
  awk -F, -v from="$from" -v per="$per_step" 'NR > 1 && $1 >= from { s += $7; n += $2 - last } { last = $2 }
    END { printf "%.1f", n * per / s }' "$work/log.csv"
}

rate() { sed -E 's/^[^:]*: ([0-9.]+) .*/\1/' <<<"$1"; }

echo
echo "char-LSTM (models/lstm.eq: H 128, window 50, batch 32 streams, Adam, clip 5), $lstm_steps steps, symbols/s"
e1=$(eq_rate 1 1 1600 "$here/../models/lstm.eq" "$lstm_steps")
e2=$(eq_rate 2 1 1600 "$here/../models/lstm.eq" "$lstm_steps")
t1=$(rate "$("$py" "$here/torch_ddp.py" --model lstm --procs 1 --steps "$lstm_steps")")
t2=$(rate "$("$py" "$here/torch_ddp.py" --model lstm --procs 2 --steps "$lstm_steps")")
awk -v e1="$e1" -v e2="$e2" -v t1="$t1" -v t2="$t2" 'BEGIN {
  printf "  eq       1 rank %10.0f   2 ranks %10.0f   %.2fx  (target >= 1.8x)\n", e1, e2, e2 / e1
  printf "  PyTorch  1 proc %10.0f   2 procs %10.0f   %.2fx  (DDP, gloo)\n", t1, t2, t2 / t1
  printf "  eq scales %s than DDP\n", (e2 / e1 > t2 / t1 ? "better" : "NOT better") }'
lstm_ratio=$(awk -v a="$e1" -v b="$e2" 'BEGIN { printf "%.2f", b / a }')

echo
echo "large MLP (bench/mlp_large.eq: 1024-4096-4096-10, batch 256, SGD momentum 0.9), $mlp_steps steps, examples/s"
e1=$(eq_rate 1 2 256 "$work/mlp_large.eq" "$mlp_steps")
e2=$(eq_rate 2 2 256 "$work/mlp_large.eq" "$mlp_steps")
t1=$(rate "$("$py" "$here/torch_ddp.py" --model mlp --procs 1 --steps "$((mlp_steps * 2 / 3))")")
t2=$(rate "$("$py" "$here/torch_ddp.py" --model mlp --procs 2 --steps "$((mlp_steps * 2 / 3))")")
awk -v e1="$e1" -v e2="$e2" -v t1="$t1" -v t2="$t2" 'BEGIN {
  printf "  eq       1 rank %10.1f   2 ranks %10.1f   %.2fx  (target >= 1.7x)\n", e1, e2, e2 / e1
  printf "  PyTorch  1 proc %10.1f   2 procs %10.1f   %.2fx  (DDP, gloo)\n", t1, t2, t2 / t1
  printf "  eq scales %s than DDP\n", (e2 / e1 > t2 / t1 ? "better" : "NOT better") }'

echo
echo "the gradient sum alone (build/bench/allreduce_bench, 2 ranks): the LSTM's and the MLP's gradients"
mpi -np 2 "$build/bench/allreduce_bench"
