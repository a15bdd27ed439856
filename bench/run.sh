#!/usr/bin/env bash
# Runs eq's benchmarks from a build folder: bash bench/run.sh BUILD [flags...]
# Extra flags go to both Google Benchmark programs (e.g. --benchmark_filter=1024).
# `make bench` calls this after building.
set -euo pipefail
build=${1:-build}
shift || true

echo "bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}," \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}"
if [ ! -x "$build/bench/sgemm_bench" ]; then
  echo "bench: $build/bench/sgemm_bench was not built (Google Benchmark missing?" \
       "bash scripts/install-deps.sh installs libbenchmark-dev)" >&2
  exit 1
fi
"$build/bench/sgemm_bench" "$@"
echo
"$build/bench/kernels_bench" "$@"
