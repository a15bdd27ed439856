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
# This machine runs in faster and slower phases (the same run 1.4× slower a
# few minutes later), so eq's 1-rank and 2-rank runs take turns, PAIRS times
# (PyTorch's, slower to start, half as many), and each pair gives a ratio
# of its own, seconds apart: the script prints their median and range.
#
# Usage: bash bench/scaling.sh [BUILD] [LSTM_STEPS] [MLP_STEPS] [PAIRS]
# Run it when nothing else runs: 2 ranks need both cores.
set -euo pipefail
build=${1:-build}
lstm_steps=${2:-200}
mlp_steps=${3:-30}  # in epochs of 10 steps; the first one is left out
pairs=${4:-5}
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

# pairs N CMD1 CMD2: runs CMD1 and CMD2 (each prints a rate) in turn N
# times; prints "median-rate-1 median-rate-2 median-ratio min-ratio max-ratio".
pairs() {
  local n=$1 one=$2 two=$3 a b out=""
  for _ in $(seq "$n"); do
    a=$(eval "$one") b=$(eval "$two")
    out+="$a $b"$'\n'
  done
  awk 'function med(v, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
         if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
         return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
       NF == 2 { n++; a[n] = $1; b[n] = $2; r[n] = $2 / $1; lo = (n == 1 || r[n] < lo) ? r[n] : lo
                 hi = (n == 1 || r[n] > hi) ? r[n] : hi }
       END { printf "%s %s %s %s %s\n", med(a, n), med(b, n), med(r, n), lo, hi }' <<<"$out"
}

report() {  # NAME TARGET eq-pairs-line torch-pairs-line
  awk -v target="$2" -v e="$3" -v t="$4" 'BEGIN {
    split(e, E, " "); split(t, T, " ")
    printf "  eq       1 rank %10.1f   2 ranks %10.1f   %.2fx  (pairs %.2f-%.2fx; target >= %sx)\n", E[1], E[2], E[3], E[4], E[5], target
    printf "  PyTorch  1 proc %10.1f   2 procs %10.1f   %.2fx  (pairs %.2f-%.2fx; DDP, gloo)\n", T[1], T[2], T[3], T[4], T[5]
    printf "  eq scales %s than DDP\n", (E[3] > T[3] ? "better" : "NOT better") }'
}
tpairs=$(((pairs + 1) / 2))

echo
echo "char-LSTM (models/lstm.eq: H 128, window 50, batch 32 streams, Adam, clip 5), $lstm_steps steps, symbols/s, $pairs pairs"
lstm=$here/../models/lstm.eq
e=$(pairs "$pairs" 'eq_rate 1 1 1600 "$lstm" "$lstm_steps"' 'eq_rate 2 1 1600 "$lstm" "$lstm_steps"')
t=$(pairs "$tpairs" 'rate "$("$py" "$here/torch_ddp.py" --model lstm --procs 1 --steps "$lstm_steps")"' \
  'rate "$("$py" "$here/torch_ddp.py" --model lstm --procs 2 --steps "$lstm_steps")"')
report lstm 1.8 "$e" "$t"

echo
echo "large MLP (bench/mlp_large.eq: 1024-4096-4096-10, batch 256, SGD momentum 0.9), $mlp_steps steps, examples/s, $pairs pairs"
mlp=$work/mlp_large.eq
e=$(pairs "$pairs" 'eq_rate 1 2 256 "$mlp" "$mlp_steps"' 'eq_rate 2 2 256 "$mlp" "$mlp_steps"')
t=$(pairs "$tpairs" 'rate "$("$py" "$here/torch_ddp.py" --model mlp --procs 1 --steps "$((mlp_steps * 2 / 3))")"' \
  'rate "$("$py" "$here/torch_ddp.py" --model mlp --procs 2 --steps "$((mlp_steps * 2 / 3))")"')
report mlp 1.7 "$e" "$t"

echo
echo "the gradient sum alone (build/bench/allreduce_bench, 2 ranks): the LSTM's and the MLP's gradients"
mpi -np 2 "$build/bench/allreduce_bench"
