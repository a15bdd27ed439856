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
  # -o - is standard output (as `check -` reads standard input), not a file named -.
  run "$EQC" run w.safetensors --data ../data/iris.csv -o -
  cmp -s out.txt ../p.csv || fail "run -o - did not print the predictions"
  [ ! -e ./- ] || fail "run -o - wrote a file named -"
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
  # The log of a resumed run has the figures of the uninterrupted one for
  # every epoch it ends, the one it resumed in the middle of too (it had
  # the loss and accuracy of the resumed steps alone).
  run "$EQC" train logreg.eq --steps 20 --quiet --log full.csv -o full.safetensors
  for stop in 5 8 13; do
    rm -f half.ckpt.safetensors
    run "$EQC" train logreg.eq --steps $stop --checkpoint-every $stop --quiet -o half.safetensors
    [ -f half.ckpt.safetensors ] || fail "no checkpoint at step $stop"
    run "$EQC" train logreg.eq --steps 20 --resume half.ckpt.safetensors --quiet --log resumed.csv -o resumed.safetensors
    cmp -s full.safetensors resumed.safetensors || fail "resumed at step $stop: weights differ from an uninterrupted run"
    # epoch,step,loss,accuracy,val_loss,val_accuracy (not the seconds)
    [ "$(cut -d, -f1-6 resumed.csv)" = "$(grep -v "^[0-9]*,[0-9]*,.*" full.csv | cut -d, -f1-6; awk -F, -v s=$stop 'NR > 1 && $2 > s' full.csv | cut -d, -f1-6)" ] ||
      fail "resumed at step $stop: the log differs from an uninterrupted run's:
$(cat resumed.csv)
---
$(cat full.csv)"
  done
  # The header says where a run resumes; a checkpoint at or past the end
  # asked for has nothing to train, and nothing is written.
  run "$EQC" train logreg.eq --steps 20 --resume half.ckpt.safetensors -o resumed.safetensors
  grep -q '^training logreg.eq: .*, 20 steps, from step 13 of half.ckpt.safetensors$' out.txt ||
    fail "resume header: $(head -1 out.txt)"
  for end in 13 6; do
    what="past where"; [ $end = 13 ] && what="where"
    expect_error "half.ckpt.safetensors: the checkpoint is at step 13, $what this run ends (step $end): nothing is left to train; ask for more than 13 steps (--steps N) or more epochs to go on" 1 \
      "$EQC" train logreg.eq --steps $end --resume half.ckpt.safetensors -o past.safetensors
  done
  [ ! -e past.safetensors ] || fail "a resume with nothing to train wrote weights"
  # On a terminal, the progress line counts the steps each epoch runs: to
  # where --steps ends the run (13 = 8 + 5), not the epoch's 8.
  if command -v script >/dev/null; then
    script -qc "\"$EQC\" train logreg.eq --steps 13 -o tty.safetensors" /dev/null > tty.txt
    tr '\r' '\n' < tty.txt | grep -q 'epoch 1/2  step 8/8  ' || fail "progress, epoch 1: $(tr '\r' '\n' < tty.txt)"
    tr '\r' '\n' < tty.txt | grep -q 'epoch 2/2  step 5/5  ' || fail "progress, epoch 2: $(tr '\r' '\n' < tty.txt)"
  fi
  # --window on a model without time says it goes unused.
  run "$EQC" train logreg.eq --steps 1 --window 10 --quiet -o past.safetensors
  [ "$(cat err.txt)" = "warning: --window 10 is for time models (with hₜ and hₜ₋₁); no equation of this model reads an earlier step, so it is not used" ] ||
    fail "--window on logreg: $(cat err.txt)"
  rm -f past.safetensors
  # --checkpoint alone would write none: it asks for --checkpoint-every.
  expect_error "eqc: --checkpoint c.safetensors says where checkpoints go, but not how often: add --checkpoint-every N (steps)" 2 \
    "$EQC" train logreg.eq --steps 2 --checkpoint c.safetensors -o past.safetensors
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
  # --data FILE.csv on a model whose file has no train block: which columns?
  sed '/^train {/,$d' logreg.eq > noblock.eq
  # The hint is read off the file: the last column (by its header name) the
  # target, the ones before it the input.
  expect_error "data/iris.csv: which columns are the model's inputs and targets? Bind them: csv(\"data/iris.csv\", x = 0:4, y = \"label\") (column numbers, ranges or header names), in the train block's data or --data" 1 \
    "$EQC" train noblock.eq --data data/iris.csv
  tail -n +2 data/iris.csv | cut -d, -f2- > bare.csv
  expect_error "bare.csv: which columns are the model's inputs and targets? Bind them: csv(\"bare.csv\", x = 0:3, y = 3) (column numbers, ranges or header names), in the train block's data or --data" 1 \
    "$EQC" train noblock.eq --data bare.csv
  expect_error "nothere.csv: cannot read: No such file or directory" 1 "$EQC" train noblock.eq --data nothere.csv
  # Several inputs take the widths their shapes give (found in review: it
  # suggested x₁ = 0, x₂ = 1:4 for two inputs of [2]).
  printf 'input x₁ : [2]\ninput x₂ : [2]\ntarget y : [1]\nparam a : [1, 2] ~ 0\nparam b : [1, 2] ~ 0\nŷ = a·x₁ + b·x₂\nloss = Σ((ŷ - y)²)\n' > two.eq
  printf 'a,b,c,d,e\n1,2,3,4,5\n2,3,4,5,6\n' > two.csv
  expect_error "two.csv: which columns are the model's inputs and targets? Bind them: csv(\"two.csv\", x₁ = 0:2, x₂ = 2:4, y = \"e\") (column numbers, ranges or header names), in the train block's data or --data" 1 \
    "$EQC" train two.eq --data two.csv
  # ... a dim's value too (it fell back to one column each).
  sed 's/^input x₁ : \[2\]$/dim D = 2\ninput x₁ : [D]/' two.eq > twod.eq
  expect_error "two.csv: which columns are the model's inputs and targets? Bind them: csv(\"two.csv\", x₁ = 0:2, x₂ = 2:4, y = \"e\") (column numbers, ranges or header names), in the train block's data or --data" 1 \
    "$EQC" train twod.eq --data two.csv
  grep -q '^dim D = 2' twod.eq || fail "twod.eq: the edit did not apply"
  # No data at all: what to write, with the model's own names and columns
  # (it said "add … to the train block" to a model without one, x = 0:4, y = 4).
  expect_error "noblock.eq: no data: the model has no train block: give --data, or add \`train { data = csv(\"FILE.csv\", x = 0:4, y = 4) }\`" 1 \
    "$EQC" train noblock.eq
  sed '/^  data/d' linreg.eq > nodata.eq
  expect_error "$(printf 'nodata.eq:13:1: error: no data: add `data = csv("FILE.csv", x = 0:10, y = 10)` to the train block, or give --data\ntrain {\n^~~~~')" 1 \
    "$EQC" train nodata.eq
  sed '/^train {/,$d' "$SRC/models/rnn.eq" > textnoblock.eq
  expect_error "textnoblock.eq: no data: the model has no train block: give --data, or add \`train { data = text(\"FILE.txt\") }\`" 1 \
    "$EQC" train textnoblock.eq
  # A model without a loss says what to write.
  printf 'input x : [4]\nparam w : [4] ~ 0\ny = Σ(w*x)\noutput y\n' > noloss.eq
  expect_error "noloss.eq: the model has no \`loss\` equation to minimise: write one, the loss of one example, as in \`loss = -Σ(y*log(ŷ))\` (docs/language.md §5)" 1 \
    "$EQC" train noloss.eq --data 'csv("data/iris.csv", x = 0:4)'
  # ... and a time model without lossₜ the loss of one step.
  sed '/^lossₜ/d' "$SRC/models/rnn.eq" > nolossₜ.eq
  printf 'to be or not to be, that is the question\n' > data/q.txt
  expect_error "nolossₜ.eq: the model has no \`lossₜ\` equation to minimise: write one, the loss of one step, as in \`lossₜ = -Σ(yₜ*log(ŷₜ))\` (docs/language.md §5)" 1 \
    "$EQC" train nolossₜ.eq --steps 2 --data 'text("data/q.txt")'
  # check takes -D as train does (it had none: a model could not be checked
  # with the dims it is trained with).
  run "$EQC" check -D H=16 mlp.eq
  expect_error "-D Hx=3: the model has no dim 'Hx'; did you mean 'H'? (its dims: H)" 1 "$EQC" check -D Hx=3 mlp.eq
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
  # Squares within f32 whose sum over the batch is not: named at the loss
  # equation (it was a nameless "error: … sum").
  printf 'input x : [1]\ntarget y : [1]\nparam w : [1, 1] ~ 1\nŷ = w·x\nloss = Σ((ŷ - y)²)\noutput ŷ\n' > big.eq
  printf 'x,y\n1e19,0\n1e19,0\n1e19,0\n1e19,0\n' > big.csv
  expect_error "training stopped at step 1: the loss is infinite; the first non-finite value:
big.eq:5:8: error: infinity produced by sum (element 0 of [])" 1 \
    "$EQC" train big.eq --data 'csv("big.csv", x = 0, y = 1)' --optimizer "sgd(lr = 0)" --batch 4 --validate 0 --quiet -o big.safetensors
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
  # Weights of another model: what does not fit, and where the sources part.
  run "$EQC" train mlp.eq --epochs 1 --quiet -D H=16 -o mlp16.safetensors
  expect_error "mlp16.safetensors: metadata 'eq.labels' names 10 classes of y, but the model's y is onehot[3]
mlp16.safetensors: these weights were trained with another model: the source saved in them (mlp.eq) differs from logreg.eq:
  saved:  dim H = 128   (line 2)
  given:  input  x : [4]           # sepal and petal length and width, cm   (line 2)" 1 \
    "$EQC" train logreg.eq --init mlp16.safetensors
  ;;
time_models)
  # eval / predict / run on a time model (issue 11 item 1), after a short run
  # on 3000 lowercase letters (no symbol needs CSV quoting).
  head -c 20000 "$SRC/models/data/tinyshakespeare.txt" | tr 'A-Z' 'a-z' | tr -cd 'a-z' | head -c 3000 > data/s.txt
  sed -e 's#data/tinyshakespeare.txt#data/s.txt#' -e 's/window    = 50/window    = 20/' \
      -e 's/batch     = 32/batch     = 4/' -e 's/epochs    = 6/epochs    = 2/' \
      -e 's/validate  = 0.05/validate  = 0.1/' "$SRC/models/lstm.eq" > t.eq
  run "$EQC" train t.eq -D H=16 --log log.csv --quiet -o w.safetensors
  # eval scores the held-out share as training's validation did: the last 300
  # symbols in 4 streams of 75, each 3 whole windows of 20 steps: 240 symbols.
  val=$(tail -1 log.csv | cut -d, -f5,6)
  run "$EQC" eval t.eq -w w.safetensors
  grep -Eq '^symbols 240  loss [0-9.]+  accuracy [0-9.]+%$' out.txt || fail "eval: $(cat out.txt)"
  awk -v v="$val" '{split(v, a, ","); l = $4; acc = $6; sub("%", "", acc)
    if ((l - a[1])^2 > 1e-10 || (acc - 100 * a[2])^2 > 1e-4) exit 1}' out.txt ||
    fail "eval $(cat out.txt) differs from training's last val_loss, val_accuracy $val"
  # The whole text in one stream: 149 windows of 20 (2999 steps read a next symbol).
  run "$EQC" eval t.eq -w w.safetensors --data data/s.txt --batch 1
  grep -Eq '^symbols 2980  loss [0-9.]+  accuracy [0-9.]+%$' out.txt || fail "eval --data: $(cat out.txt)"
  read -r _ _ _ loss _ acc < out.txt
  # predict steps the model one symbol at a time (a second implementation of
  # the unrolled scorer): its probabilities of the actual next symbols over
  # the same 2980 steps give eval's loss and accuracy.
  run "$EQC" predict t.eq -w w.safetensors --data data/s.txt --proba -o proba.csv
  [ "$(wc -l < proba.csv)" = 3001 ] || fail "predict --proba rows: $(wc -l < proba.csv)"
  awk -F, -v n=2980 -v want="$loss" -v want_acc="${acc%\%}" '
    NR == 1 { if ($1 != "t" || $2 != "symbol" || $3 != "a") exit 2
              for (i = 3; i <= NF; i++) col[$i] = i; next }
    NR > 2 && NR - 2 <= n {
      loss -= log(prev[col[$2]]); best = 3
      for (i = 4; i <= NF; i++) if (prev[i] > prev[best]) best = i
      if (best == col[$2]) right++ }
    NR > 1 { total = 0; for (i = 3; i <= NF; i++) { prev[i] = $i; total += $i }
             if ((total - 1)^2 > 1e-10) exit 3 }
    END { if ((loss / n - want)^2 > 1e-10 || (100 * right / n - want_acc)^2 > 1e-4) {
            printf "predict gives loss %.6f accuracy %.2f%%\n", loss / n, 100 * right / n; exit 1 } }
  ' proba.csv || fail "predict --proba against eval ($loss, $acc): $(head -c 300 proba.csv)"
  # The likeliest next symbol, and the top 3, agree with the probabilities.
  run "$EQC" predict t.eq -w w.safetensors --data data/s.txt -o p.csv
  [ "$(head -1 p.csv)" = "t,symbol,next,p" ] || fail "predict header: $(head -1 p.csv)"
  [ "$(sed -n 2p p.csv | cut -d, -f1,2)" = "0,$(head -c 1 data/s.txt)" ] || fail "predict row 0: $(sed -n 2p p.csv)"
  paste -d, p.csv proba.csv | awk -F, 'NR == 1 { for (i = 7; i <= NF; i++) name[i] = $i; next }
    { best = 7; for (i = 8; i <= NF; i++) if ($i > $best) best = i
      if ($3 != name[best] || $4 != $best) exit 1 }' || fail "predict's next is not the likeliest symbol"
  run "$EQC" predict t.eq -w w.safetensors --data data/s.txt --top 3 -o top.csv
  [ "$(head -1 top.csv)" = "t,symbol,next1,p1,next2,p2,next3,p3" ] || fail "--top header: $(head -1 top.csv)"
  paste -d, p.csv top.csv | awk -F, 'NR > 1 && ($3 != $7 || $4 != $8 || $8 < $10 || $10 < $12 || $7 == $9) { exit 1 }' ||
    fail "--top 3 is not the three likeliest in order"
  # run needs the weights file alone.
  mkdir elsewhere && cp w.safetensors data/s.txt elsewhere/ && cd elsewhere
  run "$EQC" run w.safetensors --data s.txt -o p2.csv
  cmp -s p2.csv ../p.csv || fail "run and predict differ"
  # -o - is standard output (as `check -` reads standard input), not a file named -.
  run "$EQC" run w.safetensors --data s.txt -o -
  cmp -s out.txt ../p.csv || fail "run -o - did not print the predictions"
  [ ! -e ./- ] || fail "run -o - wrote a file named -"
  cd ..
  # What cannot be done exits non-zero and says why.
  expect_error "eqc: --top 30 asks for more than the 24 symbols of the vocabulary" 1 \
    "$EQC" predict t.eq -w w.safetensors --data data/s.txt --top 30
  printf 'abcQ' > data/q.txt
  expect_error "data/q.txt:1:4: error: character 'Q' (U+0051) is not in the model's vocabulary
abcQ
   ^" 1 \
    "$EQC" eval t.eq -w w.safetensors --data data/q.txt
  printf 'abcde' > data/short.txt
  expect_error "data/short.txt: 5 symbols, fewer than one window of 20 steps (the train block's \`window\`) plus one: eval scores whole windows; give more text" 1 \
    "$EQC" eval t.eq -w w.safetensors --data data/short.txt
  # A time model over the rows of a CSV (docs/language.md §9.7) predicts one
  # forecast per row, read in order (tests/train/series_test.cc checks the
  # values against the unrolled training graph).
  run "$EQC" train "$SRC/models/forecast.eq" --epochs 2 --quiet -o fc.safetensors
  run "$EQC" predict "$SRC/models/forecast.eq" -w fc.safetensors -o fc.csv
  [ "$(head -1 fc.csv)" = "ŷₜ" ] || fail "series predict header: $(head -1 fc.csv)"
  [ "$(wc -l < fc.csv)" = 309 ] || fail "series predict rows: $(wc -l < fc.csv)"
  tail -n +2 fc.csv | grep -Evq '^-?[0-9.]+(e-?[0-9]+)?$' && fail "series predict: $(head -3 fc.csv)"
  ;;
binary_targets)
  # A σ output for a 0/1 target (issue 11 item 6): eval prints an accuracy
  # (p ≥ 0.5 is class 1), predict writes 0/1 or, with --proba, p(y=1); both
  # agree with eval's figures recomputed from the probabilities.
  awk -F, 'NR == 1 { print "a,b,c,d,y"; next } { print $1","$2","$3","$4","($5 == 1) }' data/iris.csv > data/bin.csv
  cat > bin.eq <<'END'
# Is an iris versicolor? Not linearly separable: some are wrong after 3 epochs.
input  x : [4]
target y : [1]

param w : [1, 4] ~ 0
param b : [1]    ~ 0

p = σ(w·x + b)
loss = -Σ(y*log(p) + (1 - y)*log(1 - p))

output p

train {
  data      = csv("data/bin.csv", x = 0:4, y = "y")
  optimizer = adam(lr = 0.05)
  scale     = standard
  batch     = 16
  epochs    = 3
  seed      = 0
}
END
  run "$EQC" train bin.eq --quiet -o b.safetensors
  run "$EQC" eval bin.eq -w b.safetensors
  grep -Eq '^examples 150  loss [0-9.]+  accuracy [0-9.]+%$' out.txt || fail "eval: $(cat out.txt)"
  read -r _ _ _ loss _ acc < out.txt
  run "$EQC" predict bin.eq -w b.safetensors -o labels.csv
  run "$EQC" predict bin.eq -w b.safetensors --proba -o proba.csv
  [ "$(head -1 labels.csv)" = "y" ] || fail "predict header: $(head -1 labels.csv)"
  [ "$(head -1 proba.csv)" = "p(y=1)" ] || fail "predict --proba header: $(head -1 proba.csv)"
  [ "$(wc -l < proba.csv)" = 151 ] || fail "predict --proba rows: $(wc -l < proba.csv)"
  paste -d, proba.csv labels.csv <(cut -d, -f5 data/bin.csv) | awk -F, -v want="$loss" -v want_acc="${acc%\%}" '
    NR > 1 { y = $3; loss -= y * log($1) + (1 - y) * log(1 - $1); right += ($2 == y)
             if (($1 >= 0.5) != $2 || ($2 != 0 && $2 != 1)) exit 2 }
    END { n = NR - 1; a = 100 * right / n
          if ((loss / n - want)^2 > 1e-10 || (a - want_acc)^2 > 1e-4 || a == 100) {
            printf "from predict: loss %.6f accuracy %.2f%%\n", loss / n, a; exit 1 } }' ||
    fail "predict against eval ($loss, $acc)"
  expect_error "eqc: --top needs more than two classes; use --proba for p(y=1)" 1 \
    "$EQC" predict bin.eq -w b.safetensors --top 1
  # One-hot targets: --proba heads each class's column with its label.
  run "$EQC" train logreg.eq --epochs 2 --quiet -o w.safetensors
  run "$EQC" eval logreg.eq -w w.safetensors
  read -r _ _ _ loss _ < out.txt
  run "$EQC" predict logreg.eq -w w.safetensors -o labels.csv
  run "$EQC" predict logreg.eq -w w.safetensors --proba -o proba.csv
  [ "$(head -1 proba.csv)" = "0,1,2" ] || fail "logreg --proba header: $(head -1 proba.csv)"
  paste -d, proba.csv labels.csv <(cut -d, -f5 data/iris.csv) | awk -F, -v want="$loss" '
    NR > 1 { if (($1 + $2 + $3 - 1)^2 > 1e-10) exit 2
             best = $1 >= $2 && $1 >= $3 ? 0 : $2 >= $3 ? 1 : 2; if (best != $4) exit 3
             loss -= log($($5 + 1)) }
    END { if ((loss / (NR - 1) - want)^2 > 1e-10) { printf "loss %.6f\n", loss / (NR - 1); exit 1 } }' ||
    fail "logreg --proba against predict and eval ($loss)"
  expect_error "eqc: give --top or --proba, not both" 1 "$EQC" predict logreg.eq -w w.safetensors --top 2 --proba
  ;;
dims_and_memory)
  # -D names a dim (issue 11 item 3): anything else is an error naming the nearest.
  expect_error "-D h=3: 'h' is defined by an equation, not a dim; did you mean 'H'? (its dims: H)" 1 \
    "$EQC" train mlp.eq -D h=3 --steps 1
  expect_error "-D W₁=3: 'W₁' is a param, not a dim (its dims: H)" 1 "$EQC" train mlp.eq -D W₁=3 --steps 1
  expect_error "-D HH=3: the model has no dim 'HH'; did you mean 'H'? (its dims: H)" 1 \
    "$EQC" train mlp.eq -D HH=3 --steps 1
  expect_error "-D Hidden=3: the model has no dim 'Hidden' (its dims: H)" 1 "$EQC" train mlp.eq -D Hidden=3 --steps 1
  expect_error "eqc: -D H=0: a dim is at least 1" 2 "$EQC" train mlp.eq -D H=0 --steps 1
  # A plan too large for the machine is refused before the first step (item 7),
  # with the figures: adam keeps 2 f32 values for each of the 75·H + 10
  # parameters, 8 bytes × 75·10⁹ = 6·10¹¹ bytes = 559 GiB.
  "$EQC" train mlp.eq -D H=1000000000 --steps 1 -o huge.safetensors >/dev/null 2>err.txt
  rc=$?
  [ "$rc" = 1 ] || fail "-D H=10⁹ exited $rc: $(cat err.txt)"
  grep -Eq '^not enough memory for training mlp.eq: it needs about [0-9.]+ TiB \(the training program [0-9.]+ GiB, the optimizer state 559 GiB, the validation program [0-9.]+ TiB\) but [0-9.]+ [KMGT]iB are available; lower the batch or a dim \(-D NAME=VALUE\)$' err.txt ||
    fail "-D H=10⁹: $(cat err.txt)"
  [ ! -e huge.safetensors ] || fail "a refused run wrote weights"
  ;;
weights_source)
  # Weights of another model (issue 11 item 5): the saved source differs, so
  # eval and predict say where and stop, unless --force.
  run "$EQC" train logreg.eq --epochs 2 --quiet -o w.safetensors
  sed 's/ŷ = softmax(W·x + b)/ŷ = softmax(W·x - b)/' logreg.eq > other.eq
  differs="w.safetensors: these weights were trained with another model: the source saved in them (logreg.eq) differs from other.eq:
  saved:  ŷ = softmax(W·x + b)   (line 8)
  given:  ŷ = softmax(W·x - b)   (line 8)
pass --force to use them anyway"
  expect_error "$differs" 1 "$EQC" eval other.eq -w w.safetensors
  expect_error "$differs" 1 "$EQC" predict other.eq -w w.safetensors
  run "$EQC" eval other.eq -w w.safetensors --force
  grep -Eq '^examples 150  loss [0-9.]+  accuracy [0-9.]+%$' out.txt || fail "eval --force: $(cat out.txt)"
  # export says the same, and takes the --force it suggests (unless this eqc
  # was built without ONNX, which it says).
  if "$EQC" export logreg.eq -w w.safetensors -o same.onnx >/dev/null 2>err.txt; then
    expect_error "$differs" 1 "$EQC" export other.eq -w w.safetensors -o other.onnx
    run "$EQC" export other.eq -w w.safetensors -o other.onnx --force
    [ -s other.onnx ] || fail "export --force wrote nothing"
  else
    grep -q "this eqc was built without ONNX" err.txt || fail "export: $(cat err.txt)"
  fi
  # Forced onto a model they do not fit, the weights are said to be another
  # model's, not a file changed after eqc wrote it.
  run "$EQC" train mlp.eq --steps 2 --quiet -o digits.safetensors
  expect_error "digits.safetensors: metadata 'eq.labels' names 10 classes of y, but the model's y is onehot[3]; --force used the weights of another model, and they do not fit" 1 \
    "$EQC" eval logreg.eq -w digits.safetensors --force
  # Another file by --data is read with the block's bindings: a mismatch shows them.
  expect_error "data/iris.csv: columns 0:64 are out of range: the file has 5 columns (0 to 4)
mlp.eq:19:15: note: --data data/iris.csv is read with the bindings of the train block
  data      = csv(\"data/digits.csv\", x = 0:64, y = \"label\")
              ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~" 1 \
    "$EQC" eval mlp.eq -w digits.safetensors --data data/iris.csv
  # Comments and the train block are not the model.
  sed -e 's/# the species/# iris species/' -e 's/epochs    = 100/epochs    = 7/' logreg.eq > same.eq
  run "$EQC" eval same.eq -w w.safetensors
  # A file that is not safetensors at all.
  expect_error "logreg.eq: not a safetensors file (it does not start with a header length and a JSON header)" 1 \
    "$EQC" eval logreg.eq -w logreg.eq
  # Files of another kind where a source, a log or CSV data goes say what they are.
  expect_error "w.safetensors: this is a weights file (safetensors), not a model's source: eval, predict and export take it with -w (eqc eval MODEL.eq -w w.safetensors), and eqc run w.safetensors uses the source saved in it" 1 \
    "$EQC" check w.safetensors
  expect_error "data/iris.csv: this is a CSV data file, not a model's source: a train block reads it (data = csv(\"data/iris.csv\", …)), or --data data/iris.csv gives it to a command" 1 \
    "$EQC" train data/iris.csv
  expect_error "w.safetensors: this is a weights file (safetensors), not the log of a run (eqc train --log FILE.csv)" 1 \
    "$EQC" report w.safetensors
  expect_error "eqc: run takes a weights file, which holds its model's source; logreg.eq is a source: eqc predict logreg.eq -w W.safetensors predicts with it" 2 \
    "$EQC" run logreg.eq --data data/iris.csv
  "$EQC" eval logreg.eq -w w.safetensors --data w.safetensors >/dev/null 2>err.txt
  grep -q "w.safetensors: this is a weights file (safetensors), not CSV data" err.txt || fail "--data w.safetensors: $(cat err.txt)"
  ;;
check_train_block)
  # eqc check rejects what train would before its first step (issue 11
  # item 4), located on the train block; several mistakes, all reported.
  sed -e 's/  epochs    = 100/  epoch = 100/' -e 's/adam(lr = 0.05)/adan(lr = 0.05)/' logreg.eq > keys.eq
  expect_error "keys.eq:15:15: error: unknown optimizer 'adan'; did you mean 'adam'?
  optimizer = adan(lr = 0.05)
              ^~~~
keys.eq:18:3: error: unknown train key 'epoch'; did you mean 'epochs'?
  epoch = 100
  ^~~~~" 1 "$EQC" check keys.eq
  sed 's#data/iris.csv#data/nope.csv#' logreg.eq > nofile.eq
  expect_error 'nofile.eq:14:15: error: data/nope.csv: cannot read: No such file or directory
  data      = csv("data/nope.csv", x = 0:4, y = "label")
              ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~' 1 "$EQC" check nofile.eq
  run "$EQC" check --no-data nofile.eq
  sed 's#x = 0:4#x = 0:3#' logreg.eq > columns.eq
  expect_error 'columns.eq:14:15: error: data/iris.csv: columns 0:3 give 3 features per example but input x is declared [4]
  data      = csv("data/iris.csv", x = 0:3, y = "label")
              ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~' 1 "$EQC" check columns.eq
  sed '5s/,0$/,rose/' data/iris.csv > data/iris4.csv
  sed 's#data/iris.csv#data/iris4.csv#' logreg.eq > labels.eq
  # The label beyond the declared classes, at its line (iris's labels sort
  # before 'rose'), and the train block's data entry as a note.
  labels="data/iris4.csv:5:17: error: column 'label' holds label 'rose', class 4 of 4, but target y is declared onehot[3] (indices 0 to 2)
4.6,3.1,1.5,0.2,rose
                ^~~~
labels.eq:14:15: note: in the data of the train block
  data      = csv(\"data/iris4.csv\", x = 0:4, y = \"label\")
              ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"
  expect_error "$labels" 1 "$EQC" check labels.eq
  expect_error "$labels" 1 "$EQC" train labels.eq  # train says the same
  run "$EQC" check logreg.eq
  [ ! -s err.txt ] || fail "check of a clean model printed: $(cat err.txt)"
  # A dim with a bad value is reported once, not at each use.
  printf 'dim H = 0\ninput x : [H]\nparam w : [H] ~ 0\ny = w·x\noutput y\n' > h0.eq
  expect_error "h0.eq:1:9: error: dim H must be a positive whole number; got 0
dim H = 0
        ^" 1 "$EQC" check h0.eq
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
threads)
  # --threads 2 on batches of 256 of a 1024-wide MLP (128 rows × 76,810
  # weights a share: enough work to split): two threads, each on its half of
  # every batch; the same bits on every run; its checkpoint resumes on 1 thread.
  wide=(-D H=1024 --batch 256)
  run "$EQC" train mlp.eq "${wide[@]}" --steps 12 --threads 2 --validate 0.2 -o t2.safetensors
  grep -q '^training mlp.eq: .*, on 2 threads, each on its share of the batch$' out.txt ||
    fail "header: $(cat out.txt)"
  grep -Eq '^epoch 1  loss [0-9.]+  accuracy [0-9.]+%  val_loss [0-9.]+  val_accuracy [0-9.]+%  ' out.txt ||
    fail "epoch line: $(cat out.txt)"
  run "$EQC" train mlp.eq "${wide[@]}" --steps 12 --threads 2 --validate 0.2 --quiet -o again.safetensors
  cmp -s t2.safetensors again.safetensors || fail "two runs on 2 threads differ"
  # Batches of 8, and the digits MLP's own batches of 32 (16 rows × 9,610
  # weights a share: too little work), are not split: the 2 threads go to BLAS.
  for small in "--batch 8" ""; do
    # shellcheck disable=SC2086
    run "$EQC" train mlp.eq --steps 3 --threads 2 $small -o b8.safetensors
    grep -q '^training mlp.eq: ' out.txt && ! grep -q 'threads' out.txt ||
      fail "header with '$small': $(cat out.txt)"
  done
  # Without --threads (or OPENBLAS_NUM_THREADS, which ctest sets), a run on
  # 2 cores or more splits as well when the split pays; --profile keeps one
  # share, so that the profile is the whole batch's.
  if [ "$(nproc)" -ge 2 ]; then
    run env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS "$EQC" train mlp.eq "${wide[@]}" --steps 3 -o d.safetensors
    grep -q '^training mlp.eq: .*, on [0-9]* threads, each on its share of the batch$' out.txt ||
      fail "default header: $(cat out.txt)"
    run env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS "$EQC" train mlp.eq "${wide[@]}" --steps 3 --profile -o d.safetensors
    grep -q '^training mlp.eq: ' out.txt && ! grep -q 'threads' out.txt ||
      fail "--profile header: $(cat out.txt)"
  fi
  run "$EQC" train mlp.eq "${wide[@]}" --steps 8 --threads 2 --checkpoint-every 4 --quiet -o c.safetensors
  run "$EQC" train mlp.eq "${wide[@]}" --resume c.ckpt.safetensors --steps 12 --threads 1 --quiet -o r.safetensors
  run "$EQC" eval mlp.eq -w r.safetensors
  grep -q '^examples 1797  loss' out.txt || fail "resumed on 1 thread: $(cat out.txt)"
  ;;
outputs_over_inputs)
  # An output that is one of the command's inputs, or another output, is
  # refused before anything is written (cli/files.hpp); the files stay whole.
  run "$EQC" train logreg.eq --steps 5 --quiet -o w.safetensors --log log.csv
  cp logreg.eq logreg.keep && cp data/iris.csv iris.keep && cp w.safetensors w.keep && cp log.csv log.keep
  expect_error "eqc: -o logreg.eq is the model's source: writing there would destroy it; choose another file" 2 \
    "$EQC" train logreg.eq --steps 5 --quiet -o logreg.eq
  expect_error "eqc: -o ./data/../data/iris.csv is the data file (data/iris.csv): writing there would destroy it; choose another file" 2 \
    "$EQC" train logreg.eq --steps 5 --quiet -o ./data/../data/iris.csv
  expect_error "eqc: --log and --report are one file (r.csv): give them different names" 2 \
    "$EQC" train logreg.eq --steps 5 --quiet --log r.csv --report r.csv
  expect_error "eqc: -o and --log are one file (w2.safetensors): give them different names" 2 \
    "$EQC" train logreg.eq --steps 5 --quiet -o w2.safetensors --log w2.safetensors
  expect_error "eqc: --log w.safetensors is the weights of --init: writing there would destroy it; choose another file" 2 \
    "$EQC" train logreg.eq --steps 5 --quiet --init w.safetensors --log w.safetensors
  expect_error "eqc: -o w.safetensors is the weights: writing there would destroy it; choose another file" 2 \
    "$EQC" predict logreg.eq -w w.safetensors -o w.safetensors
  ln -s data/iris.csv link.csv
  expect_error "eqc: -o link.csv is the data file (data/iris.csv): writing there would destroy it; choose another file" 2 \
    "$EQC" predict logreg.eq -w w.safetensors -o link.csv
  expect_error "eqc: -o logreg.eq is the model's source: writing there would destroy it; choose another file" 2 \
    "$EQC" predict logreg.eq -w w.safetensors -o logreg.eq
  expect_error "eqc: -o w.safetensors is the weights: writing there would destroy it; choose another file" 2 \
    "$EQC" run w.safetensors --data data/iris.csv -o w.safetensors
  expect_error "eqc: -o log.csv is the log file: writing there would destroy it; choose another file" 2 \
    "$EQC" report log.csv -o log.csv
  # `report r.csv` defaults to r.html: the training run's own page there
  # (equations, graph, kernel times) is replaced only when -o names it.
  run "$EQC" train logreg.eq --steps 5 --quiet --log tr.csv --report tr.html -o tr.safetensors
  cp tr.html tr.keep
  expect_error "eqc: tr.html is the report its training run wrote (equations, graph and time per kernel beside the curves); write these curves elsewhere with -o, or pass -o tr.html to replace it" 2 \
    "$EQC" report tr.csv
  cmp -s tr.html tr.keep || fail "report replaced the training run's page"
  run "$EQC" report tr.csv -o tr.html
  grep -q 'content="eqc report"' tr.html || fail "report -o tr.html did not replace the page"
  run "$EQC" report tr.csv  # its own page again: replaced
  if "$EQC" export --help >/dev/null 2>&1 && "$EQC" export logreg.eq -w w.safetensors -o x.onnx >/dev/null 2>&1; then
    expect_error "eqc: -o w.safetensors is the weights: writing there would destroy it; choose another file" 2 \
      "$EQC" export logreg.eq -w w.safetensors -o w.safetensors
  fi
  for f in logreg iris w log; do
    case $f in logreg) a=logreg.eq ;; iris) a=data/iris.csv ;; w) a=w.safetensors ;; log) a=log.csv ;; esac
    cmp -s "$a" "$f.keep" || fail "$a was changed"
  done
  # Training on from the weights a run started from replaces them: that is allowed.
  run "$EQC" train logreg.eq --steps 5 --quiet --init w.safetensors -o w.safetensors
  cmp -s w.safetensors w.keep && fail "--init w -o w did not write the trained weights"
  ;;
read_back)
  # What train saves, every command that reads it back can use (defects
  # found in an audit of 2026-12-01).
  # A one-hot input from a column of labels: its labels are saved with the
  # weights, and eval, predict and run map them as training did (they refused
  # the file: "not a one-hot target").
  printf 'color,y\nred,0\nblue,1\ngreen,0\nred,1\nblue,1\ngreen,0\n' > c.csv
  printf 'input c : onehot[3]\ntarget y : onehot[2]\nparam G : [2, 3] ~ 0\nŷ = softmax(G·c)\nloss = -Σ(y*log(ŷ))\noutput ŷ\ntrain {\n  data = csv("c.csv", c = "color", y = "y")\n  optimizer = sgd(lr = 1)\n  steps = 40\n  batch = 6\n}\n' > lab.eq
  run "$EQC" train lab.eq --quiet -o lab.safetensors
  run "$EQC" eval lab.eq -w lab.safetensors
  grep -q '^examples 6  loss ' out.txt || fail "eval of a labelled input: $(cat out.txt)"
  printf 'color\nblue\ngreen\n' > q.csv
  run "$EQC" predict lab.eq -w lab.safetensors --data 'csv("q.csv", c = "color")'
  # blue is always 1, green always 0: trained, the model says so.
  [ "$(cat out.txt)" = "$(printf 'y\n1\n0')" ] || fail "predict of a labelled input: $(cat out.txt)"
  run "$EQC" run lab.safetensors --data 'csv("q.csv", c = "color")'
  [ "$(cat out.txt)" = "$(printf 'y\n1\n0')" ] || fail "run of a labelled input: $(cat out.txt)"
  printf 'color\npurple\n' > r.csv
  expect_error "$(printf "r.csv:2:1: error: 'purple' is not one of the model's classes (blue, green, red)\npurple\n^~~~~~")" 1 \
    "$EQC" predict lab.eq -w lab.safetensors --data 'csv("r.csv", c = "color")'
  # Training on from weights (--init) reads the data with their labels: a
  # file without blue keeps green and red at the indices they were trained
  # with (they became 0 and 1), and a colour they never saw is refused.
  printf 'color,y\nred,0\ngreen,0\nred,1\ngreen,0\n' > c2.csv
  run "$EQC" train lab.eq --data 'csv("c2.csv", c = "color", y = "y")' --init lab.safetensors --steps 1 --batch 4 --quiet -o lab2.safetensors
  head -c 600 lab2.safetensors | grep -q '"eq.labels":"{\\"c\\":\[\\"blue\\",\\"green\\",\\"red\\"\]' ||
    fail "--init: the labels of the weights were not kept: $(head -c 600 lab2.safetensors | tr -c '[:print:]' ' ')"
  printf 'color,y\nred,0\npurple,1\n' > c3.csv
  expect_error "$(printf "c3.csv:3:1: error: 'purple' is not one of the model's classes (blue, green, red)\npurple,1\n^~~~~~")" 1 \
    "$EQC" train lab.eq --data 'csv("c3.csv", c = "color", y = "y")' --init lab.safetensors --steps 1 --batch 2 --quiet -o lab3.safetensors
  # ... and with their input scaling: 60 rows of the diabetes data keep the
  # offsets and factors fitted to all of it (they were fitted anew).
  run "$EQC" train linreg.eq --epochs 2 --quiet -o lin.safetensors
  head -61 data/diabetes.csv > data/d60.csv
  run "$EQC" train linreg.eq --data 'csv("data/d60.csv", x = 0:10, y = "label")' --init lin.safetensors --epochs 2 --quiet -o lin60.safetensors
  scale() { head -c 4000 "$1" | grep -ao '"eq.scale":"[^}]*}[^}]*}'; }
  [ -n "$(scale lin.safetensors)" ] && [ "$(scale lin.safetensors)" = "$(scale lin60.safetensors)" ] ||
    fail "--init: the input scaling was not kept: $(scale lin.safetensors) / $(scale lin60.safetensors)"
  # The weights' scaling wins over the run's scale, with a warning when they
  # disagree (it was silent).
  run "$EQC" train linreg.eq --data 'csv("data/d60.csv", x = 0:10, y = "label")' --init lin.safetensors --epochs 2 --quiet --scale none -o lin60n.safetensors
  [ "$(cat err.txt)" = "warning: lin.safetensors was trained on scaled inputs, and this run scales them as it did (scale = none is not applied)" ] ||
    fail "--init --scale none: $(cat err.txt)"
  [ "$(scale lin.safetensors)" = "$(scale lin60n.safetensors)" ] || fail "--init --scale none: the scaling changed"
  # An input the edited model added is scaled as a fresh run would scale it
  # (a second review found it left unscaled, unsaid).
  sed -e 's/^input  x : \[10\]/input  z : [1]\ninput  x : [10]/' -e 's/^ŷ = w·x + b$/ŷ = w·x + b + 0.1*Σ(z)/' \
      -e 's/x = 0:10, y = "label"/x = 0:10, z = 0, y = "label"/' linreg.eq > linz.eq
  grep -q 'z = 0' linz.eq || fail "linz.eq: the edit did not apply"
  run "$EQC" train linz.eq --init lin.safetensors --epochs 1 --quiet -o linz.safetensors
  head -c 4000 linz.safetensors | grep -aq 'z\\":{\\"factor' || fail "--init of an edited model: its new input z is not scaled"
  # A warm start of an edited model (another dim, the same parameters) is
  # allowed: its dims are the weights' shapes, checked as they are set (it
  # was refused: "eq.dims gives D = 4, but logreg.eq has no dim D").
  sed 's/^input  x : \[4\]/dim D = 4\ninput  x : [D]/' logreg.eq > logd.eq
  grep -q '^dim D = 4' logd.eq || fail "logd.eq: the edit did not apply"
  run "$EQC" train logd.eq --epochs 1 --quiet -o logd.safetensors
  run "$EQC" train logreg.eq --init logd.safetensors --epochs 1 --quiet -o logd2.safetensors
  # An output that reads a target: refused where it reads it (predict said
  # "input 'y' was never given a value: call let() on it before run()").
  sed 's/^output ŷ$/r = ŷ*y\noutput r/' lab.eq > tgt.eq
  expect_error "$(printf 'tgt.eq:6:5: error: the output '\''r'\'' reads the target y, which predictions do not have: an `output` may depend on inputs and parameters only\nr = ŷ*y\n    ^~~')" 1 \
    "$EQC" predict tgt.eq -w lab.safetensors --data 'csv("q.csv", c = "color")' --force
  # ... and by check and train, before a run scores the answer against itself.
  for cmd in check train; do
    expect_error "$(printf 'tgt.eq:6:5: error: the output '\''r'\'' reads the target y, which predictions do not have: an `output` may depend on inputs and parameters only\nr = ŷ*y\n    ^~~')" 1 \
      "$EQC" $cmd tgt.eq
  done
  # An output of the parameters alone (no batch axis) is the same row for
  # every example (predict read past its buffer).
  sed 's/^output ŷ$/k = 2*G\noutput k, ŷ/' lab.eq > unb.eq
  printf 'color\nblue\ngreen\nred\nblue\n' > q4.csv
  run "$EQC" predict unb.eq -w lab.safetensors --data 'csv("q4.csv", c = "color")' --force
  [ "$(sed -n 2p out.txt)" = "$(sed -n 5p out.txt)" ] && [ "$(wc -l < out.txt)" = 5 ] ||
    fail "an output of the parameters alone: $(cat out.txt)"
  # predict --values of a text model: the output's values, a column each
  # (it printed the likeliest next symbol, as without --values).
  printf 'abcabcabcabcabcabcabcabcabcabcabcabcabcabc' > t.txt
  printf 'dim V\ninput xₜ : onehot[V]\ntarget yₜ : onehot[V]\nparam W : [V, V] ~ glorot\nparam U : [V, V] ~ glorot\nhₜ = tanh(W·xₜ + U·hₜ₋₁)\nŷₜ = softmax(hₜ)\nlossₜ = -Σ(yₜ*log(ŷₜ))\noutput ŷₜ\ntrain {\n  data = text("t.txt")\n  batch = 2\n  window = 5\n  steps = 3\n}\n' > txt.eq
  run "$EQC" train txt.eq --quiet -o txt.safetensors
  printf 'cab' > p.txt
  run "$EQC" predict txt.eq -w txt.safetensors --data p.txt --values
  [ "$(head -1 out.txt)" = "t,symbol,ŷₜ[0],ŷₜ[1],ŷₜ[2]" ] || fail "predict --values of text: $(cat out.txt)"
  awk -F, 'NR > 1 { s = $3 + $4 + $5; if (NF != 5 || s < 0.999 || s > 1.001) bad = 1 } END { exit bad }' out.txt ||
    fail "predict --values of text: a row is not the softmax's three values: $(cat out.txt)"
  # An input text data does not give: said at its declaration (it failed at
  # the first step with "call let() on it before run()", an API message).
  sed 's/^input xₜ : onehot\[V\]$/input xₜ : onehot[V]\ninput zₜ : [V]/; s/W·xₜ + U·hₜ₋₁/W·xₜ + zₜ + U·hₜ₋₁/' txt.eq > extra.eq
  expect_error "$(printf 'extra.eq:3:7: error: input zₜ has no data: text data gives a time model one one-hot input (the symbol at t, xₜ) and one one-hot target (the symbol at t+1, yₜ); compute zₜ from them, or make it a param\ninput zₜ : [V]\n      ^~')" 1 \
    "$EQC" train extra.eq --quiet -o extra.safetensors
  # Over rows, a second timed input is named as such, not as one without
  # data (found in review: "input xₜ has no data" though the data bound it).
  cp "$SRC/models/data/sunspots.csv" data/
  sed -e 's/^input  xₜ : \[1\]/input  qₜ : [1]\ninput  xₜ : [1]/' \
      -e 's/x = "sunspots", y = "next"/x = "sunspots", q = "sunspots", y = "next"/' "$SRC/models/forecast.eq" > fq.eq
  expect_error "$(printf 'fq.eq:6:8: error: input qₜ: a time model over rows reads one input (xₜ) and one target (yₜ) a step; make the inputs one input over their columns (`input xₜ : [2]`, data x = 0:2), or compute qₜ from the others\ninput  qₜ : [1]\n       ^~\nfq.eq:26:1: note: in the data of the train block\ntrain {\n^~~~~')" 1 \
    "$EQC" check fq.eq
  # --init and --resume read new text with the weights' vocabulary: text
  # without an 'a' trains on (it had one symbol fewer than the model), and
  # text of other symbols is refused at the first (it trained, reshuffled).
  printf 'bcbcbccbbcbcbcbcbbcbcbcbcbbcbcbcbcbcbcbc' > nb.txt
  run "$EQC" train txt.eq --data 'text("nb.txt")' --init txt.safetensors --quiet -o nb.safetensors
  head -c 600 nb.safetensors | grep -q '"eq.vocabulary":"abc"' || fail "--init: the vocabulary was not kept"
  printf 'xyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyz' > xyz.txt
  expect_error "$(printf "xyz.txt:1:1: error: character 'x' (U+0078) is not in the model's vocabulary\nxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyz\n^")" 1 \
    "$EQC" train txt.eq --data 'text("xyz.txt")' --init txt.safetensors --quiet -o xyz.safetensors
  # ... an edited model's too (a review found it read the text afresh).
  sed 's/^ŷₜ = softmax(hₜ)$/ŷₜ = softmax(2*hₜ)/' txt.eq > txt_edit.eq
  grep -q '2\*hₜ' txt_edit.eq || fail "txt_edit.eq: the edit did not apply"
  expect_error "$(printf "xyz.txt:1:1: error: character 'x' (U+0078) is not in the model's vocabulary\nxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyz\n^")" 1 \
    "$EQC" train txt_edit.eq --data 'text("xyz.txt")' --init txt.safetensors --quiet -o xyz.safetensors
  run "$EQC" train txt.eq --quiet --checkpoint-every 1 -o txt2.safetensors
  expect_error "$(printf "xyz.txt:1:1: error: character 'x' (U+0078) is not in the model's vocabulary\nxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyz\n^")" 1 \
    "$EQC" train txt.eq --data 'text("xyz.txt")' --resume txt2.ckpt.safetensors --steps 5 --quiet -o xyz.safetensors
  # A learnt start h₀ trains, and a run resumed mid-epoch ends where an
  # uninterrupted one does (the reset flag goes back to its window).
  { for i in $(seq 1 12); do printf 'abcabcbbacab'; done; } > t2.txt
  printf 'dim V\ndim H = 3\ninput xₜ : onehot[V]\ntarget yₜ : onehot[V]\nparam W : [H, V] ~ glorot\nparam U : [H, H] ~ glorot\nparam h₀ : [H] ~ 0.5\nstate hₜ : [H] = h₀\nparam Wy : [V, H] ~ glorot\nhₜ = tanh(W·xₜ + U·hₜ₋₁)\nŷₜ = softmax(Wy·hₜ)\nlossₜ = -Σ(yₜ*log(ŷₜ))\ntrain {\n  data = text("t2.txt")\n  optimizer = sgd(lr = 1)\n  batch = 2\n  window = 3\n  validate = 0\n}\n' > h0.eq
  run "$EQC" train h0.eq --steps 30 --quiet -o h0_full.safetensors
  run "$EQC" train h0.eq --steps 13 --quiet --checkpoint-every 13 --checkpoint h0_ck.safetensors -o h0_part.safetensors
  run "$EQC" train h0.eq --steps 30 --quiet --resume h0_ck.safetensors -o h0_resumed.safetensors
  cmp -s h0_full.safetensors h0_resumed.safetensors || fail "a learnt start resumed mid-epoch differs from an uninterrupted run"
  if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - h0_full.safetensors <<'PY' || fail "h₀ did not train (still 0.5 everywhere)"
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
e = json.loads(b[8:8 + n])['h₀']['data_offsets']
v = struct.unpack('<3f', b[8 + n + e[0]:8 + n + e[1]])
sys.exit(0 if all(abs(x - 0.5) > 1e-4 for x in v) else 1)
PY
  fi
  # A series model whose loss reads yₜ₋₁ predicts and exports without
  # targets: only the states its output needs are carried (both said "the
  # prediction is the target yₜ").
  { echo x,y; for i in $(seq 1 40); do echo "$((i % 7)),$(((i + 1) % 7))"; done; } > s.csv
  printf 'dim H = 3\ninput xₜ : [1]\ntarget yₜ : [1]\nparam W : [H, 1] ~ glorot\nparam U : [H, H] ~ glorot\nparam V : [1, H] ~ glorot\nhₜ = tanh(W·xₜ + U·hₜ₋₁)\nŷₜ = V·hₜ\nlossₜ = Σ((yₜ₋₁ + yₜ - 2ŷₜ)²)\noutput ŷₜ\ntrain {\n  data = csv("s.csv", x = "x", y = "y")\n  batch = 2\n  window = 4\n  steps = 3\n}\n' > lag.eq
  run "$EQC" train lag.eq --quiet -o lag.safetensors
  run "$EQC" predict lag.eq -w lag.safetensors --data 'csv("s.csv", x = "x")'
  [ "$(wc -l < out.txt)" = 41 ] || fail "predict of a model whose loss reads yₜ₋₁: $(cat out.txt err.txt)"
  # Text data for a model with no recurrence: said so (was "the data has no examples").
  printf 'dim V\ninput xₜ : onehot[V]\ntarget yₜ : onehot[V]\nparam W : [V, V] ~ 0\nŷₜ = softmax(W·xₜ)\nlossₜ = -Σ(yₜ*log(ŷₜ))\ntrain {\n  data = text("t.txt")\n}\n' > flat.eq
  "$EQC" train flat.eq -o flat.safetensors >/dev/null 2>err.txt && fail "text data trained a model without recurrence"
  head -1 err.txt | grep -q '^flat.eq:8:10: error: t.txt: text data is one long sequence, for a time model' ||
    fail "text data without recurrence: $(cat err.txt)"
  # A broken source saved in the weights is named as the weights' (it was
  # blamed on the .eq path recorded in them).
  run "$EQC" train logreg.eq --steps 2 --quiet -o w.safetensors
  python=/usr/bin/python3
  if [ -x $python ]; then
    $python - w.safetensors bad.safetensors <<'PY'
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
h['__metadata__']['eq.source'] = 'garbage ((('
t = json.dumps(h).encode()
t += b' ' * (-len(t) % 8)
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(t)) + t + b[8 + n:])
PY
    # Weights with a NaN: export refuses them as predict does (it wrote
    # them into the ONNX file).
    $python - w.safetensors nan.safetensors <<'PY'
import json, struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
n = struct.unpack('<Q', b[:8])[0]
at = 8 + n + json.loads(b[8:8 + n])['W']['data_offsets'][0]
b[at:at + 4] = struct.pack('<f', float('nan'))
open(sys.argv[2], 'wb').write(b)
PY
    if "$EQC" export --help >/dev/null 2>&1 && "$EQC" export w.safetensors -o ok.onnx >/dev/null 2>&1; then
      expect_error "nan.safetensors: tensor 'W' holds NaN (element 0 of [3, 4]): these weights cannot be used; were they saved from a run that diverged?" 1 \
        "$EQC" export nan.safetensors -o nan.onnx
      [ ! -e nan.onnx ] || fail "export wrote weights holding NaN"
    fi
    "$EQC" run bad.safetensors --data data/iris.csv >/dev/null 2>err.txt && fail "a broken saved source ran"
    head -1 err.txt | grep -q "^bad.safetensors: the source saved in it (as logreg.eq) has an error:$" ||
      fail "a broken saved source: $(cat err.txt)"
  fi
  ;;
*) fail "unknown scenario $SCENARIO" ;;
esac
echo "ok: $SCENARIO"
