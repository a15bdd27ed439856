#!/usr/bin/env bash
# Golden files of eqc's text forms for every model in models/, so that a
# change to lowering or to the passes shows up as a reviewable diff:
#   tests/golden/MODEL.ir     eqc ir models/MODEL.eq --grad
#   tests/golden/MODEL.tape   eqc tape models/MODEL.eq --batch 32
# with the options of tests/golden/flags.txt (dims that the data would set).
# ctest compares each one byte for byte (tests/golden/CMakeLists.txt).
#
#   scripts/update-golden.sh [EQC]                    rewrite them all (EQC: build/cli/eqc)
#   scripts/update-golden.sh --check EQC MODEL KIND   compare one (KIND: ir or tape)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
golden=$root/tests/golden

# eqc's output for MODEL (a name in models/) and KIND, run from the root so
# that source locations read models/MODEL.eq:line:col.
render() {
  local eqc=$1 model=$2 kind=$3 flags
  flags=$(awk -v m="$model.eq" '$1 == m { $1 = ""; print }' "$golden/flags.txt")
  case $kind in
    ir) (cd "$root" && "$eqc" ir "models/$model.eq" --grad $flags) ;;
    tape) (cd "$root" && "$eqc" tape "models/$model.eq" --batch 32 $flags) ;;
    *) echo "update-golden: unknown kind '$kind' (ir or tape)" >&2; return 2 ;;
  esac
}

if [ "${1:-}" = "--check" ]; then
  [ $# -eq 4 ] || { echo "usage: $0 --check EQC MODEL KIND" >&2; exit 2; }
  eqc=$2 model=$3 kind=$4
  want=$golden/$model.$kind
  got=$(mktemp)
  trap 'rm -f "$got"' EXIT
  render "$eqc" "$model" "$kind" > "$got"
  if [ ! -f "$want" ]; then
    echo "no golden file tests/golden/$model.$kind: run scripts/update-golden.sh" >&2
    exit 1
  fi
  if ! cmp -s "$want" "$got"; then
    diff -u --label "tests/golden/$model.$kind" --label "eqc $kind (now)" "$want" "$got" >&2 || true
    echo "eqc $kind of models/$model.eq differs from its golden file; if the change is" \
         "intended, run scripts/update-golden.sh and commit the diff" >&2
    exit 1
  fi
  exit 0
fi

eqc=$(realpath "${1:-$root/build/cli/eqc}")
for eq_file in "$root"/models/*.eq; do
  model=$(basename "$eq_file" .eq)
  for kind in ir tape; do
    if ! render "$eqc" "$model" "$kind" > "$golden/$model.$kind.tmp"; then
      rm -f "$golden/$model.$kind.tmp"
      echo "update-golden: eqc $kind failed on models/$model.eq (a dim its data sets?" \
           "give it in tests/golden/flags.txt)" >&2
      exit 1
    fi
    mv "$golden/$model.$kind.tmp" "$golden/$model.$kind"
  done
done
git -C "$root" status --short -- tests/golden
