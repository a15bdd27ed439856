#!/bin/bash
# End-to-end tests of `eqc export` over one model of models/.
# usage: export_test.sh EQC EXPORT_REFERENCE SOURCE_DIR WORK_DIR MODEL.eq STAGE NPM_DIR
#   prepare  train the model briefly, export it both ways (with the .eq file
#            and from the weights alone: the same bytes)
#   checker  onnx.checker (Debian's python3-onnx) accepts the model
#   ort      ONNX Runtime (onnxruntime-web under node) runs it to 1e-5 of eq
# A stage whose tools are missing prints why and exits 77 (ctest: skipped).
set -u
EQC=$1 REF=$2 SRC=$3 WORK=$4 MODEL_PATH=$5 STAGE=$6 NPM_DIR=$7
MODEL=$(basename "$MODEL_PATH" .eq)
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
run() { "$@" >out.txt 2>err.txt || fail "$* failed: $(cat err.txt)"; }

case $STAGE in
prepare)
  rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
  cp "$MODEL_PATH" . && ln -s "$SRC/models/data" data
  run "$EQC" train "$MODEL.eq" --steps 20 --quiet -o w.safetensors
  run "$EQC" export "$MODEL.eq" -w w.safetensors -o model.onnx
  run "$EQC" export w.safetensors -o alone.onnx
  cmp -s model.onnx alone.onnx || fail "export from the weights alone differs from export with $MODEL.eq"
  ;;
checker)
  cd "$WORK" || exit 1
  PY=/usr/bin/python3
  [ -x $PY ] || PY=python3
  $PY -c 'import onnx' 2>/dev/null || skip "python3-onnx is not installed (scripts/install-deps.sh)"
  $PY -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' model.onnx \
    || fail "onnx.checker rejects $MODEL's export"
  echo "onnx.checker accepts $MODEL.onnx"
  ;;
ort)
  cd "$WORK" || exit 1
  command -v node >/dev/null || skip "node is not installed (scripts/install-deps.sh)"
  [ -d "$NPM_DIR/node_modules/onnxruntime-web" ] ||
    skip "onnxruntime-web is not in $NPM_DIR (scripts/install-deps.sh)"
  run "$REF" "$MODEL.eq" w.safetensors model.onnx spec.json 100
  if ! grep -q '"symbols"' spec.json; then
    run "$EQC" predict "$MODEL.eq" -w w.safetensors --values -o predict.csv
  fi
  NODE_PATH="$NPM_DIR/node_modules" node "$SRC/tests/export/ort_check.js" model.onnx spec.json predict.csv ||
    fail "ONNX Runtime and eq differ on $MODEL"
  ;;
*) fail "unknown stage $STAGE" ;;
esac
