#!/usr/bin/env bash
# The README's demo: until `eqc train` exists, a small tensor + BLAS example.
set -euo pipefail
build=${1:-build}
"$build/bench/blas_demo"
