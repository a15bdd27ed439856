#!/bin/bash
# End-to-end tests of eqc train / eval / predict / run over models/.
# usage: train_cli_test.sh EQC SOURCE_DIR WORK_DIR SCENARIO
# Each scenario checks exit codes, files and exact error text; it fails with
# a message naming what differed.
set -u
EQC=$1 SRC=$2 WORK=$3 SCENARIO=$4
rm -rf "$WORK" && mkdir -p "$WORK/data" && cd "$WORK" || exit 1
cp "$SRC/models/logreg.eq" "$SRC/models/linreg.eq" "$SRC/models/mlp.eq" .
cp "$SRC/models/data/iris.csv" "$SRC/models/data/diabetes.csv" "$SRC/models/data/digits.csv" data/

fail() { echo "FAIL: $*"; exit 1; }
# expect_error "exact stderr" CODE cmd...: runs cmd, compares exit code and stderr.
expect_error() {
  local want=$1 code=$2; shift 2
  "$@" >/dev/null 2>err.txt
  local rc=$?
  [ "$rc" = "$code" ] || fail "$* exited $rc, expected $code; stderr: $(cat err.txt)"
  [ "$(cat err.txt)" = "$want" ] || fail "$*: stderr differs:
--- got
$(cat err.txt)
--- expected
$want"
}
run() { "$@" >out.txt 2>err.txt || fail "$* failed: $(cat err.txt)"; }

case $SCENARIO in
train_eval_predict_run)
  run "$EQC" train logreg.eq --epochs 30 --quiet -o w.safetensors
  [ ! -s out.txt ] || fail "--quiet printed: $(cat out.txt)"
  run "$EQC" eval logreg.eq -w w.safetensors
  grep -Eq '^examples 150  loss 0\.[0-9]+  accuracy (9[3-9]|100)\.[0-9]+%$' out.txt || fail "eval: $(cat out.txt)"
  run "$EQC" predict logreg.eq -w w.safetensors -o p.csv
  [ "$(head -1 p.csv)" = "y" ] || fail "predict header: $(head -1 p.csv)"
  [ "$(wc -l < p.csv)" = 151 ] || fail "predict rows: $(wc -l < p.csv)"
  # At least 93% of the predicted labels equal the data's labels.
  right=$(paste -d, <(tail -n +2 p.csv) <(tail -n +2 data/iris.csv | cut -d, -f5) | awk -F, '$1==$2' | wc -l)
  [ "$right" -ge 140 ] || fail "predict: only $right of 150 right"
  # run needs no .eq file: the same predictions from the weights alone.
  mkdir elsewhere && cp w.safetensors elsewhere/ && cd elsewhere
  run "$EQC" run w.safetensors --data ../data/iris.csv -o p2.csv
  cmp -s p2.csv ../p.csv || fail "run and predict differ"
  cd ..
  # Progress lines and the CSV log.
  run "$EQC" train logreg.eq --epochs 3 --log log.csv -o w.safetensors
  [ "$(grep -c '^epoch [123]  loss .*  accuracy .*  val_loss .*  val_accuracy ' out.txt)" = 3 ] || fail "progress: $(cat out.txt)"
  [ "$(head -1 log.csv)" = "epoch,step,loss,accuracy,val_loss,val_accuracy,seconds,lr" ] || fail "log header"
  [ "$(cut -d, -f8 log.csv | tail -1)" = "0.05" ] || fail "log lr: logreg.eq trains with adam(lr = 0.05): $(cat log.csv)"
  [ "$(wc -l < log.csv)" = 4 ] || fail "log rows: $(cat log.csv)"
  [ "$(cut -d, -f1,2 log.csv | tail -1)" = "3,24" ] || fail "log: 120 examples / batch 16 = 8 steps an epoch: $(cat log.csv)"
  ;;
resume)
  # 8 steps an epoch (120 training examples, batch 16, the last batch partial at 8).
  run "$EQC" train logreg.eq --steps 20 --quiet -o full.safetensors
  for stop in 5 8 13; do
    rm -f half.ckpt.safetensors
    run "$EQC" train logreg.eq --steps $stop --checkpoint-every $stop --quiet -o half.safetensors
    [ -f half.ckpt.safetensors ] || fail "no checkpoint at step $stop"
    run "$EQC" train logreg.eq --steps 20 --resume half.ckpt.safetensors --quiet -o resumed.safetensors
    cmp -s full.safetensors resumed.safetensors || fail "resumed at step $stop: weights differ from an uninterrupted run"
  done
  # --init starts from given weights: 0 more steps of sgd(lr = 0)-like training keeps them.
  run "$EQC" train logreg.eq --init full.safetensors --optimizer "sgd(lr = 1e-30)" --epochs 1 --quiet -o init.safetensors
  run "$EQC" eval logreg.eq -w init.safetensors
  a=$(cat out.txt); run "$EQC" eval logreg.eq -w full.safetensors
  [ "$a" = "$(cat out.txt)" ] || fail "--init: $a vs $(cat out.txt)"
  ;;
loader_errors)
  printf 'a,b,c,d,label\n1,2,3,4,x\n1,2,oops,4,y\n' > data/bad.csv
  expect_error "data/bad.csv:3:5: error: 'oops' is not a number (column 'c')
1,2,oops,4,y
    ^~~~" 1 "$EQC" train logreg.eq --data data/bad.csv
  expect_error "data/iris.csv: no column 'labl' (did you mean 'label'?)" 1 \
    "$EQC" train logreg.eq --data 'csv("data/iris.csv", x = 0:4, y = "labl")'
  expect_error "data/iris.csv: columns 0:3 give 3 features per example but input x is declared [4]" 1 \
    "$EQC" train logreg.eq --data 'csv("data/iris.csv", x = 0:3, y = "label")'
  expect_error "nothing.csv: cannot read: No such file or directory" 1 "$EQC" train logreg.eq --data nothing.csv
  printf 'garbage' > bad.npy
  expect_error 'bad.npy: not a .npy file (no \x93NUMPY magic)' 1 "$EQC" train logreg.eq --data 'npy(x = "bad.npy", y = "bad.npy")'
  # Hand-made .npy files: version 1.0 header padded to 64 bytes, then the data.
  npy() {  # npy FILE DESCR FORTRAN SHAPE DATA_BYTES
    local h="{'descr': '$2', 'fortran_order': $3, 'shape': $4, }"
    while [ $(( (${#h} + 11) % 64 )) != 0 ]; do h="$h "; done
    { printf '\x93NUMPY\x01\x00'; printf "\\x$(printf %02x $(( (${#h} + 1) % 256 )))\\x00"; printf '%s\n' "$h"; head -c "$5" /dev/zero; } > "$1"
  }
  npy f.npy '<f8' True '(3, 4)' 96
  npy y.npy '<i4' False '(3,)' 12
  npy t.npy '<f4' False '(3, 4)' 45
  expect_error "f.npy: Fortran-ordered arrays are not supported; save with np.ascontiguousarray" 1 \
    "$EQC" train logreg.eq --data 'npy(x = "f.npy", y = "y.npy")'
  expect_error "t.npy: data is truncated: <f4 (3, 4) needs 48 bytes but the file has 45 after the header" 1 \
    "$EQC" train logreg.eq --data 'npy(x = "t.npy", y = "y.npy")'
  ;;
config_errors)
  sed 's/  epochs    = 100/  epoch = 100/' logreg.eq > bad.eq
  expect_error "bad.eq:18:3: error: unknown train key 'epoch'; did you mean 'epochs'?
  epoch = 100
  ^~~~~" 1 "$EQC" train bad.eq
  # An override's mistake is shown in the option's own text.
  expect_error "--optimizer:1:1: error: unknown optimizer 'adan'; did you mean 'adam'?
adan(lr = 1)
^~~~" 1 "$EQC" train logreg.eq --optimizer 'adan(lr = 1)'
  expect_error "--batch:1:1: error: batch takes a whole number ≥ 1
0
^" 1 "$EQC" train logreg.eq --batch 0
  "$EQC" train logreg.eq --epoch 3 >/dev/null 2>err.txt; [ $? = 2 ] || fail "--epoch: exit code"
  [ "$(head -1 err.txt)" = "eqc: unknown option '--epoch'; did you mean '--epochs'?" ] || fail "--epoch: $(head -1 err.txt)"
  # A diverging run stops at the step, names the equation, and writes nothing.
  expect_error "training stopped at step 5: the loss is infinite; the first non-finite value:
linreg.eq:9:10: error: infinity produced by square (element 0 of [32, 1])" 1 \
    "$EQC" train linreg.eq --optimizer "sgd(lr = 1)" --scale none --quiet -o nan.safetensors
  [ ! -e nan.safetensors ] || fail "a diverged run wrote its weights"
  ;;
weights_errors)
  run "$EQC" train logreg.eq --epochs 1 --quiet -o w.safetensors
  head -c 300 w.safetensors > trunc.safetensors
  expect_error "trunc.safetensors: header length 968 is larger than the rest of the file (292 bytes)" 1 \
    "$EQC" eval logreg.eq -w trunc.safetensors
  # Change W's shape in the header from [3,4] to [5,4]: the offsets no longer fit.
  sed 's/"shape":\[3,4\]/"shape":[5,4]/' w.safetensors > corrupt.safetensors
  cmp -s w.safetensors corrupt.safetensors && fail "the corruption did not apply"
  expect_error "corrupt.safetensors: tensor 'W': data_offsets [0, 48] hold 48 bytes but F32 [5, 4] needs 80" 1 \
    "$EQC" eval logreg.eq -w corrupt.safetensors
  # Weights of another model.
  run "$EQC" train mlp.eq --epochs 1 --quiet -D H=16 -o mlp16.safetensors
  expect_error "mlp16.safetensors: no tensor 'W' (the model's parameters are W, b)" 1 \
    "$EQC" train logreg.eq --init mlp16.safetensors
  ;;
killed_run)
  # A run killed at random moments while it writes a checkpoint every step
  # never leaves a broken file: the last checkpoint always loads.
  run "$EQC" train mlp.eq --steps 2 --checkpoint-every 1 --quiet -o k.safetensors
  for delay in 0.3 0.5 0.7; do
    "$EQC" train mlp.eq --epochs 1000 --checkpoint-every 1 --quiet -o k.safetensors >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid
    wait $pid 2>/dev/null
    run "$EQC" eval mlp.eq -w k.ckpt.safetensors
    grep -q '^examples 1797  loss' out.txt || fail "after kill: $(cat out.txt)"
    run "$EQC" train mlp.eq --resume k.ckpt.safetensors --steps 2000 --quiet -o r.safetensors
  done
  ;;
*) fail "unknown scenario $SCENARIO" ;;
esac
echo "ok: $SCENARIO"
