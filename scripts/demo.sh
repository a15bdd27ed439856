#!/usr/bin/env bash
# The README's demo: train models/mlp.eq (handwritten digits, 64 → 128 → 10)
# and score the saved weights.
set -euo pipefail
build=${1:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$build/cli/eqc" train models/mlp.eq -o "$out/mlp.safetensors"
"$build/cli/eqc" eval models/mlp.eq -w "$out/mlp.safetensors"
