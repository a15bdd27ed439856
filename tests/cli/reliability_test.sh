#!/bin/bash
# End-to-end tests of issue 17 ("Reliability II"): no input makes eqc abort,
# every write is checked, and messages stay readable.
# usage: reliability_test.sh EQC SOURCE_DIR WORK_DIR SCENARIO
# Each scenario checks exit codes, files and error text; it fails with a
# message naming what differed.
set -u
EQC=$1 SRC=$2 WORK=$3 SCENARIO=$4
rm -rf "$WORK" && mkdir -p "$WORK/data" && cd "$WORK" || exit 1
cp "$SRC/models/logreg.eq" "$SRC/models/linreg.eq" "$SRC/models/mlp.eq" "$SRC/models/rnn.eq" .
cp "$SRC/models/data/iris.csv" "$SRC/models/data/diabetes.csv" "$SRC/models/data/digits.csv" data/

fail() { echo "FAIL: $*"; exit 1; }
# A run started in the background ($pid) never outlives a failed scenario:
# one left running took a core from everything after it for hours.
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null' EXIT
# expect_error "exact stderr" CODE cmd...: runs cmd, compares exit code and stderr.
expect_error() {
  local want=$1 code=$2; shift 2
  "$@" >/dev/null 2>err.txt
  local rc=$?
  [ "$rc" = "$code" ] || fail "$* exited $rc, expected $code; stderr: $(head -c 2000 err.txt)"
  [ "$(cat err.txt)" = "$want" ] || fail "$*: stderr differs:
--- got
$(head -c 2000 err.txt)
--- expected
$want"
}
# expect_clean_failure CODE cmd...: exits CODE, says something, never aborts.
expect_clean_failure() {
  local code=$1; shift
  "$@" >/dev/null 2>err.txt
  local rc=$?
  [ "$rc" = "$code" ] || fail "$* exited $rc, expected $code; stderr: $(head -c 2000 err.txt)"
  [ -s err.txt ] || fail "$*: no message"
  ! grep -q 'terminate called' err.txt || fail "$*: $(cat err.txt)"
}
run() { "$@" >out.txt 2>err.txt || fail "$* failed: $(cat err.txt)"; }
# A .npy header for DESCR and SHAPE, padded to 128 bytes in all, with no data.
npy_header() {
  local h="{'descr': '$1', 'fortran_order': False, 'shape': $2, }"
  while [ $(( (${#h} + 11) % 64 )) != 0 ]; do h="$h "; done
  printf '\x93NUMPY\x01\x00'
  printf "\\x$(printf %02x $(( (${#h} + 1) % 256 )))\\x00"
  printf '%s\n' "$h"
}

case $SCENARIO in
aborts)  # item 5: inputs that made eqc abort (exit 134) are errors (exit 1)
  run "$EQC" train logreg.eq --epochs 1 --quiet -o w.safetensors
  # A 20-byte safetensors file whose header holds a number no double can.
  { printf '\x0c\x00\x00\x00\x00\x00\x00\x00'; printf '{"a":1e400} '; } > big_number.safetensors
  [ "$(wc -c < big_number.safetensors)" = 20 ] || fail "the file should be 20 bytes"
  expect_error "big_number.safetensors: header is not valid JSON (the number 1e400 is out of range)" 1 \
    "$EQC" run big_number.safetensors --data data/iris.csv
  # A 128-byte .npy declaring 2^30 × 64 floats: refused before allocating.
  npy_header '<f4' '(1073741824, 64)' > big.npy
  [ "$(wc -c < big.npy)" = 128 ] || fail "big.npy should be 128 bytes"
  expect_error "big.npy: data is truncated: <f4 (1073741824, 64) needs 274877906944 bytes but the file has 0 after the header" 1 \
    "$EQC" train logreg.eq --data 'npy(x = "big.npy", y = "big.npy")'
  # /dev/zero never ends: as data, weights or model it is refused, not read.
  zero="/dev/zero: cannot read: not a regular file (a character device)"
  expect_error "$zero" 1 "$EQC" train logreg.eq --data /dev/zero
  expect_error "$zero" 1 "$EQC" eval logreg.eq -w /dev/zero
  expect_error "$zero" 1 "$EQC" train /dev/zero
  expect_error "$zero" 1 "$EQC" check /dev/zero
  expect_error "$zero" 1 "$EQC" ir /dev/zero
  expect_error "$zero" 1 "$EQC" eval /dev/zero -w w.safetensors
  expect_error "data: cannot read: Is a directory" 1 "$EQC" check data
  expect_error "data: cannot read: Is a directory" 1 "$EQC" train data
  # A --threads value past its bound is a usage error (exit 2), not a wrap.
  threads="eqc: --threads takes a whole number from 1 to 1024; got '2147483648'"
  expect_error "$threads" 2 "$EQC" train logreg.eq --threads 2147483648
  expect_error "$threads" 2 "$EQC" eval logreg.eq -w w.safetensors --threads 2147483648
  ;;
out_of_memory)  # items 3 and 5: a model larger than memory is an error with the figure
  # 2^40 × 4 floats of W₁ are 16 TiB: the allocation fails, cleanly.
  # -D takes at most 2^31 - 1, so the dims are written in the model.
  sed 's/^dim H = 128/dim H = 1099511627776/' mlp.eq > big.eq
  expect_clean_failure 1 "$EQC" train big.eq --epochs 1
  grep -q "not enough memory for training big.eq" err.txt || fail "no estimate: $(cat err.txt)"
  # Sizes past 2^63 are refused before anything is allocated.
  sed 's/^dim H = 128/dim H = 4611686018427387904/' mlp.eq > huge.eq
  expect_clean_failure 1 "$EQC" train huge.eq --epochs 1
  grep -q "is larger than this machine can address" err.txt || fail "no figure: $(cat err.txt)"
  ;;
writes)  # item 12: every write is checked; predictions are written atomically
  run "$EQC" train logreg.eq --epochs 1 --quiet -o w.safetensors
  # Item 8: every output path is checked before the data is read and the
  # first step taken (1000 epochs would run for a while before failing): the
  # log, opened just before the first step, is never created.
  nope="the directory nope does not exist"
  expect_error "nope/w.safetensors: cannot write: $nope" 1 \
    "$EQC" train logreg.eq --epochs 1000 --quiet --log l8.csv -o nope/w.safetensors
  expect_error "nope/ck.safetensors: cannot write: $nope" 1 \
    "$EQC" train logreg.eq --epochs 1000 --quiet --log l8.csv -o w8.safetensors \
    --checkpoint-every 5 --checkpoint nope/ck.safetensors
  expect_error "nope/r.html: cannot write: $nope" 1 \
    "$EQC" train logreg.eq --epochs 1000 --quiet --log l8.csv -o w8.safetensors --report nope/r.html
  [ ! -e l8.csv ] && [ ! -e w8.safetensors ] || fail "a run refused for an output path started"
  mkdir -p ro && chmod 555 ro
  if [ "$(id -u)" != 0 ]; then  # root writes anywhere
    expect_error "ro/w.safetensors: cannot write: Permission denied" 1 \
      "$EQC" train logreg.eq --epochs 1000 --quiet -o ro/w.safetensors
  fi
  full="standard output: cannot write: No space left on device"
  expect_error "$full" 1 sh -c "\"$EQC\" eval logreg.eq -w w.safetensors > /dev/full"
  expect_error "$full" 1 sh -c "\"$EQC\" predict logreg.eq -w w.safetensors > /dev/full"
  expect_error "$full" 1 sh -c "\"$EQC\" run w.safetensors --data data/iris.csv > /dev/full"
  expect_error "$full" 1 sh -c "\"$EQC\" ir logreg.eq > /dev/full"
  # Output past stdio's buffer: the first failure is in a flush mid-run.
  cp "$SRC/models/lstm.eq" .
  [ "$("$EQC" ir lstm.eq -D V=10 --grad | wc -c)" -gt 4096 ] || fail "ir lstm.eq is too short for this test"
  expect_error "$full" 1 sh -c "\"$EQC\" ir lstm.eq -D V=10 --grad > /dev/full"
  expect_error "$full" 1 sh -c "\"$EQC\" tape logreg.eq > /dev/full"
  expect_error "$full" 1 sh -c "\"$EQC\" graph logreg.eq > /dev/full"
  expect_error "$full" 1 sh -c "\"$EQC\" train logreg.eq --epochs 1 -o w2.safetensors > /dev/full"
  expect_error "$full" 1 sh -c "\"$EQC\" --help > /dev/full"
  expect_error "$full" 1 sh -c "\"$EQC\" --version > /dev/full"
  # A character model for sample.
  for i in $(seq 40); do echo "to be or not to be, that is the question"; done > data/t.txt
  run "$EQC" train rnn.eq --data 'text("data/t.txt")' -D H=8 --batch 2 --window 5 --steps 2 --quiet -o r.safetensors
  expect_error "$full" 1 sh -c "\"$EQC\" sample rnn.eq -w r.safetensors -n 20 > /dev/full"
  # A vocabulary edited in the file (item 1): out of order, or one character
  # short of the model's symbols (same byte length, so the header still fits).
  grep -q 'abehinoqrstu"' r.safetensors || fail "r.safetensors: the vocabulary is not as expected"
  sed 's/abehinoqrstu"/baehinoqrstu"/' r.safetensors > unsorted.safetensors
  expect_error "unsorted.safetensors: metadata 'eq.vocabulary' is not in code point order: character 5 (U+0061) comes after U+0062; was the file changed after eqc wrote it?" 1 \
    "$EQC" sample rnn.eq -w unsorted.safetensors -n 20
  sed 's/abehinoqrstu"/abehinoqrs\xc3\xbc"/' r.safetensors > short.safetensors
  expect_error "short.safetensors: the saved vocabulary has 14 symbols but the model's input takes 15" 1 \
    "$EQC" sample rnn.eq -w short.safetensors -n 20
  # Weights of a model not trained on text: named as another model's first
  # (it said "no vocabulary"), and without a vocabulary under --force.
  expect_error "w.safetensors: these weights were trained with another model: the source saved in them (logreg.eq) differs from rnn.eq:" 1 \
    bash -c 'set -o pipefail; "$0" sample rnn.eq -w w.safetensors -n 20 2>&1 | head -1 >&2' "$EQC"
  expect_error "w.safetensors: the weights carry no vocabulary: they were not trained on text" 1 \
    "$EQC" sample logreg.eq -w w.safetensors -n 20
  # --log on a full disk: the run still saves its weights, says what failed, exits 1.
  expect_error "/dev/full: cannot write: No space left on device (logged 0 epochs; the weights were saved to w3.safetensors)" 1 \
    "$EQC" train logreg.eq --epochs 3 --quiet --log /dev/full -o w3.safetensors
  [ -s w3.safetensors ] || fail "--log failure: no weights"
  ln -s /dev/full full.csv
  expect_error "full.csv: cannot write: No space left on device (logged 0 epochs; the weights were saved to w4.safetensors)" 1 \
    "$EQC" train logreg.eq --epochs 3 --quiet --log full.csv -o w4.safetensors
  # predict -o: a failed write (file size limit) leaves the old file whole.
  # linreg's 442 predictions are numbers, some 4 KB: past a limit of 1 KiB.
  run "$EQC" train linreg.eq --epochs 1 --quiet -o lin.safetensors
  printf 'old predictions\n' > p.csv
  chmod 640 p.csv
  ( ulimit -f 1; trap '' XFSZ; exec "$EQC" predict linreg.eq -w lin.safetensors -o p.csv ) >/dev/null 2>err.txt
  [ $? = 1 ] || fail "predict past the size limit: $(cat err.txt)"
  [ "$(cat err.txt)" = "p.csv: cannot write: File too large" ] || fail "predict -o: $(cat err.txt)"
  [ "$(cat p.csv)" = "old predictions" ] || fail "predict -o truncated the old file"
  [ -z "$(ls -A | grep '^\.p\.csv\.tmp')" ] || fail "a temporary was left: $(ls -A)"
  run "$EQC" predict linreg.eq -w lin.safetensors -o p.csv
  [ "$(wc -l < p.csv)" = 443 ] || fail "predict -o: $(wc -l < p.csv) lines"
  [ "$(stat -c %a p.csv)" = 640 ] || fail "predict -o changed the mode to $(stat -c %a p.csv)"
  ;;
saves)  # items 10 and 11: stale temporaries go; links and devices are respected
  # A temporary left by a killed writer (a pid no process has) goes at the next save.
  sh -c 'exit 0' & dead=$!; wait $dead
  head -c 100000 /dev/urandom > ".w.safetensors.tmp-$dead-0"
  run "$EQC" train logreg.eq --epochs 1 --quiet -o w.safetensors
  [ ! -e ".w.safetensors.tmp-$dead-0" ] || fail "the stale temporary is still there"
  # -o through a link writes the link's target.
  mkdir runs && ln -s runs/latest.safetensors latest.safetensors
  run "$EQC" train logreg.eq --epochs 1 --quiet -o latest.safetensors
  [ -L latest.safetensors ] || fail "the link was replaced"
  [ -s runs/latest.safetensors ] || fail "the link's target was not written"
  # A device is not replaced.
  ln -s /dev/null null.safetensors
  expect_error "null.safetensors: cannot write: its target /dev/null is not a regular file (a character device)" 1 \
    "$EQC" train logreg.eq --epochs 1 --quiet -o null.safetensors
  [ -L null.safetensors ] && [ -c /dev/null ] || fail "the link or /dev/null changed"
  ;;
messages)  # item 14
  # A 1 MB field: the message shows one screen width of it, not the line.
  { printf 'a,b,c,d,label\n1,2,'; head -c 1000000 /dev/zero | tr '\0' 'q'; printf ',4,x\n'; } > data/long.csv
  expect_clean_failure 1 "$EQC" train logreg.eq --data data/long.csv
  [ "$(wc -c < err.txt)" -lt 400 ] || fail "the message is $(wc -c < err.txt) bytes"
  head -1 err.txt | grep -q "^data/long.csv:2:5: error: 'qqqq*…' is not a number (column 'c')$" ||
    fail "long line: $(head -c 400 err.txt)"
  # A NUL byte is shown, and the message goes on after it.
  printf 'a,b,c,d,label\n1,2,3\0,4,x\n' > data/nul.csv
  expect_error "data/nul.csv:2:5: error: '3␀' is not a number (column 'c')
1,2,3␀,4,x
    ^~" 1 "$EQC" train logreg.eq --data data/nul.csv
  # A -D value past int64 is too large, not negative.
  expect_error "eqc: -D H=99999999999999999999: a dim is at most 2147483647" 2 \
    "$EQC" ir mlp.eq -D H=99999999999999999999
  # A file whose lines end in a lone CR is not an empty model.
  printf '# a model saved with CR line ends\rinput x : [4]\rparam W : [3, 4] ~ 0\routput y\ry = W·x\r' > cr.eq
  expect_clean_failure 1 "$EQC" check cr.eq
  head -1 err.txt | grep -q "^cr.eq:1:34: error: a carriage return (CR) without a line feed" ||
    fail "CR-only: $(head -1 err.txt)"
  printf 'input x : [4]\r\nparam W : [3, 4] ~ 0\r\ny = W·x\r\noutput y\r\n' > crlf.eq
  run "$EQC" check crlf.eq
  # Errors about a text file name it.
  printf 'abcabc' > data/short.txt
  expect_clean_failure 1 "$EQC" train rnn.eq --data 'text("data/short.txt")' -D H=8
  grep -q "^data/short.txt: the text is too short" err.txt || fail "too short: $(cat err.txt)"
  # A checkpoint whose random-generator state was tampered with names the file.
  run "$EQC" train logreg.eq --steps 3 --checkpoint-every 3 --quiet -o k.safetensors
  sed 's/xoshiro256\*\*:/xoshiro256**;/' k.ckpt.safetensors > bad.ckpt.safetensors
  cmp -s k.ckpt.safetensors bad.ckpt.safetensors && fail "the tampering did not apply"
  expect_clean_failure 1 "$EQC" train logreg.eq --steps 6 --resume bad.ckpt.safetensors --quiet
  grep -q "^bad.ckpt.safetensors: metadata 'eq.rng': not a saved random-generator state" err.txt ||
    fail "rng: $(cat err.txt)"
  ;;
metadata)  # items 1 and 13: what a weights file says is checked against the model
  edit() { python3 "$SRC/tests/cli/safetensors_edit.py" "$@" || fail "safetensors_edit.py $*"; }
  # A model whose classes the data sets (dim V), trained on labels 0–4.
  printf 'dim V\ninput  x : [2]\ntarget y : onehot[V]\nparam W : [V, 2] ~ 0\nparam b : [V] ~ 0\n' > m.eq
  printf 'ŷ = softmax(W·x + b)\nloss = -Σ(y*log(ŷ))\noutput ŷ\ntrain {\n  data = csv("five.csv", x = 0:2, y = 2)\n  epochs = 2\n}\n' >> m.eq
  { echo a,b,c; for i in $(seq 0 49); do echo "0.$i,0.$((i * 7 % 50)),$((i % 5))"; done; } > five.csv
  { echo a,b,c; for i in $(seq 0 49); do echo "0.$i,0.$((i * 7 % 50)),$((i % 10))"; done; } > ten.csv
  run "$EQC" train m.eq --quiet -o w.safetensors
  # Data with more classes than the model was trained with: located in the data.
  expect_clean_failure 1 "$EQC" eval m.eq -w w.safetensors --data 'csv("ten.csv", x = 0:2, y = 2)'
  head -1 err.txt | grep -q "^ten.csv:7:[0-9]*: error: '5' is not one of the model's classes (0, 1, 2, 3, 4)$" ||
    fail "ten classes: $(cat err.txt)"
  # eq.labels changed: more classes than the target has, a target the model
  # lacks, a label twice. Every command that reads the file refuses it.
  edit w.safetensors l10.safetensors meta eq.labels '{"y":["0","1","2","3","4","5","6","7","8","9"]}'
  l10="l10.safetensors: metadata 'eq.labels' names 10 classes of y, but the model's y is onehot[5]; was the file changed after eqc wrote it?"
  expect_error "$l10" 1 "$EQC" predict m.eq -w l10.safetensors --data 'csv("five.csv", x = 0:2, y = 2)' --proba
  expect_error "$l10" 1 "$EQC" run l10.safetensors --data 'csv("ten.csv", x = 0:2, y = 2)'
  expect_error "$l10" 1 "$EQC" eval m.eq -w l10.safetensors --data 'csv("ten.csv", x = 0:2, y = 2)'
  edit w.safetensors lz.safetensors meta eq.labels '{"z":["a","b"]}'
  expect_error "lz.safetensors: metadata 'eq.labels' holds classes of 'z', which is not a one-hot input or target of m.eq; was the file changed after eqc wrote it?" 1 \
    "$EQC" run lz.safetensors --data 'csv("five.csv", x = 0:2, y = 2)'
  edit w.safetensors l2.safetensors meta eq.labels '{"y":["0","1","1"]}'
  expect_error "l2.safetensors: metadata 'eq.labels' names the class '1' of y twice; was the file changed after eqc wrote it?" 1 \
    "$EQC" predict m.eq -w l2.safetensors --data 'csv("five.csv", x = 0:2, y = 2)'
  edit w.safetensors d0.safetensors meta eq.dims '{"V":-5}'
  expect_error "d0.safetensors: metadata 'eq.dims' gives V = -5; a dim is a positive whole number" 1 \
    "$EQC" run d0.safetensors --data 'csv("five.csv", x = 0:2, y = 2)'
  # eq.scale changed: a factor shorter than the offset, an input the model
  # lacks, the wrong number of features.
  run "$EQC" train logreg.eq --epochs 2 --quiet -o s.safetensors
  edit s.safetensors s1.safetensors meta eq.scale '{"x":{"offset":[1,2,3,4],"factor":[1]}}'
  s1="s1.safetensors: metadata 'eq.scale': the factor of x has 1 values, but the input has 4 features; was the file changed after eqc wrote it?"
  expect_error "$s1" 1 "$EQC" predict logreg.eq -w s1.safetensors
  expect_error "$s1" 1 "$EQC" run s1.safetensors --data data/iris.csv
  expect_error "$s1" 1 "$EQC" eval logreg.eq -w s1.safetensors
  if "$EQC" export s.safetensors -o s.onnx >/dev/null 2>&1; then  # built with ONNX
    expect_error "$s1" 1 "$EQC" export s1.safetensors -o s1.onnx
  fi
  edit s.safetensors s2.safetensors meta eq.scale '{"x":{"offset":[1,2,3],"factor":[1,1,1]}}'
  expect_error "s2.safetensors: metadata 'eq.scale': the offset of x has 3 values, but the input has 4 features; was the file changed after eqc wrote it?" 1 \
    "$EQC" predict logreg.eq -w s2.safetensors
  edit s.safetensors s3.safetensors meta eq.scale '{"q":{"offset":[1],"factor":[1]}}'
  expect_error "s3.safetensors: metadata 'eq.scale' scales 'q', which is not an input of numbers of logreg.eq; was the file changed after eqc wrote it?" 1 \
    "$EQC" predict logreg.eq -w s3.safetensors
  # Weights that are NaN or infinite: an error naming the tensor, not class 0 for every row.
  edit s.safetensors nan.safetensors value W 5 nan
  nan="nan.safetensors: tensor 'W' holds NaN (element 5 of [3, 4]): these weights cannot be used; were they saved from a run that diverged?"
  expect_error "$nan" 1 "$EQC" predict logreg.eq -w nan.safetensors
  expect_error "$nan" 1 "$EQC" eval logreg.eq -w nan.safetensors
  expect_error "$nan" 1 "$EQC" run nan.safetensors --data data/iris.csv
  edit s.safetensors inf.safetensors value b 2 -inf
  expect_error "inf.safetensors: tensor 'b' holds -inf (element 2 of [3]): these weights cannot be used; were they saved from a run that diverged?" 1 \
    "$EQC" predict logreg.eq -w inf.safetensors
  # --threads past 2^32 does not wrap to 1.
  expect_error "eqc: --threads takes a whole number from 1 to 1024; got '4294967297'" 2 \
    "$EQC" predict logreg.eq -w s.safetensors --threads 4294967297
  expect_error "eqc: --threads takes a whole number from 1 to 1024; got '4294967297'" 2 \
    "$EQC" train logreg.eq --threads 4294967297
  # Resuming with another optimizer says that the saved state is dropped.
  run "$EQC" train logreg.eq --steps 4 --checkpoint-every 4 --quiet -o k.safetensors
  run "$EQC" train logreg.eq --steps 8 --resume k.ckpt.safetensors --quiet -o k2.safetensors
  [ ! -s err.txt ] || fail "resume with the same optimizer: $(cat err.txt)"
  run "$EQC" train logreg.eq --steps 8 --resume k.ckpt.safetensors --optimizer 'adam(lr = 0.01)' --quiet -o k2.safetensors
  [ ! -s err.txt ] || fail "resume with another learning rate: $(cat err.txt)"
  run "$EQC" train logreg.eq --steps 8 --resume k.ckpt.safetensors --optimizer sgd --quiet -o k3.safetensors
  [ "$(cat err.txt)" = "warning: k.ckpt.safetensors was saved by adam(lr = 0.05, β₁ = 0.9, β₂ = 0.999, ε = 1e-8), this run uses sgd(lr = 0.01, momentum = 0, nesterov = false): the saved optimizer state is dropped, and sgd starts afresh at step 4" ] ||
    fail "adam resumed as sgd: $(cat err.txt)"
  run "$EQC" train logreg.eq --steps 4 --checkpoint-every 4 --optimizer sgd --quiet -o g.safetensors
  run "$EQC" train logreg.eq --steps 8 --resume g.ckpt.safetensors --quiet -o g2.safetensors
  grep -q "^warning: g.ckpt.safetensors was saved by sgd(.*), this run uses adam(.*): the saved optimizer state is dropped, and adam starts afresh at step 4$" err.txt ||
    fail "sgd resumed as adam: $(cat err.txt)"
  ;;
nesting)  # item 4: deep nesting is bounded with a located error; long sums work
  # Each shape: generated, then checked and lowered (the model's IR printed),
  # then trained or taken through autodiff. Before the bound they
  # overflowed the stack (SIGSEGV) in checking, lowering or printing.
  deep() {  # deep FILE EXPR: a model computing EXPR from x
    printf 'input x : [4]\ntarget t : [4]\ny = %s\nloss = Σ((y - t)²)\noutput y\n' "$2" > "$1"
  }
  deep calls.eq "$(printf 'tanh(%.0s' $(seq 10000))x$(printf ')%.0s' $(seq 10000))"
  deep neg.eq "$(head -c 50000 /dev/zero | tr '\0' '-')x"
  deep sum.eq "x$(printf ' + x%.0s' $(seq 49999))"
  for f in calls neg sum; do
    run "$EQC" check $f.eq
    "$EQC" ir $f.eq --grad > ir.txt 2>err.txt || fail "ir --grad $f.eq: $(head -c 400 err.txt)"
    [ "$(grep -c . ir.txt)" -gt 1 ] || fail "ir --grad $f.eq printed nothing"
  done
  # Deeper than the bound (100,000 levels): a located error, whatever the shape.
  deep pow.eq "x$(printf '^x%.0s' $(seq 100000))"
  expect_clean_failure 1 "$EQC" check pow.eq
  head -1 err.txt | grep -q "^pow.eq:3:200005: error: this expression nests deeper than 100000 levels; name some of its parts in equations of their own$" ||
    fail "pow: $(head -c 400 err.txt)"
  deep calls2.eq "$(printf 'exp(%.0s' $(seq 100001))x$(printf ')%.0s' $(seq 100001))"
  expect_clean_failure 1 "$EQC" ir calls2.eq
  head -1 err.txt | grep -q "^calls2.eq:3:400005: error: this expression nests deeper than 100000 levels" ||
    fail "calls: $(head -c 400 err.txt)"
  deep neg2.eq "$(head -c 1000000 /dev/zero | tr '\0' '-')x"
  expect_clean_failure 1 "$EQC" train neg2.eq
  head -1 err.txt | grep -q "^neg2.eq:3:100005: error: this expression nests deeper than 100000 levels" ||
    fail "neg: $(head -c 400 err.txt)"
  ;;
interrupt)  # item 7: Ctrl-C and SIGTERM save the run; a second signal exits at once
  set -m  # background runs in their own process group: SIGINT is not ignored
  # start_run LOG ARGS...: eqc train in the background; waits until the log
  # shows a finished epoch (training is under way).
  start_run() {
    local log=$1; shift
    "$EQC" train mlp.eq --epochs 100000 --log "$log" "$@" > run_out.txt 2> run_err.txt &
    pid=$!
    for _ in $(seq 600); do
      [ -f "$log" ] && [ "$(grep -c . "$log")" -ge 2 ] && return
      kill -0 $pid 2>/dev/null || fail "the run ended early: $(cat run_err.txt)"
      sleep 0.1
    done
    fail "the run did not start within 60 s"
  }
  finish() { wait $pid; rc=$?; }
  start_run l1.csv --checkpoint-every 7 -o w1.safetensors --quiet
  kill -INT $pid; finish
  [ $rc = 130 ] || fail "SIGINT: exit $rc: $(cat run_err.txt)"
  grep -q "^eqc: SIGINT: stopped after step [0-9]* of [0-9]*; the weights were saved to w1.safetensors and a checkpoint to w1.ckpt.safetensors (continue with --resume w1.ckpt.safetensors)$" run_err.txt ||
    fail "SIGINT: $(cat run_err.txt)"
  step=$(sed -n 's/^eqc: SIGINT: stopped after step \([0-9]*\) .*/\1/p' run_err.txt)
  grep -q "\"eq.step\":\"$step\"" w1.ckpt.safetensors || fail "the checkpoint is not of step $step"
  # Both files load: the weights predict, the checkpoint continues two steps.
  run "$EQC" eval mlp.eq -w w1.safetensors
  run "$EQC" train mlp.eq --resume w1.ckpt.safetensors --steps $((step + 2)) --quiet -o w1b.safetensors
  # SIGTERM, without checkpoints: the weights, and how to keep a checkpoint next time.
  start_run l2.csv -o w2.safetensors --quiet
  kill -TERM $pid; finish
  [ $rc = 130 ] || fail "SIGTERM: exit $rc: $(cat run_err.txt)"
  grep -q "^eqc: SIGTERM: stopped after step [0-9]* of [0-9]*; the weights were saved to w2.safetensors (to continue an interrupted run later, train with --checkpoint-every N)$" run_err.txt ||
    fail "SIGTERM: $(cat run_err.txt)"
  [ -s w2.safetensors ] && [ ! -e w2.ckpt.safetensors ] || fail "SIGTERM: files: $(ls)"
  run "$EQC" eval mlp.eq -w w2.safetensors
  grep -q "^eqc: stopping after the step in progress to save the run; interrupt again to exit at once without saving$" run_err.txt ||
    fail "SIGTERM: no word when it came: $(cat run_err.txt)"
  # A second signal exits at once, without saving. (Two of the same signal
  # sent at once may arrive as one: SIGINT, then SIGTERM.)
  start_run l3.csv -o w3.safetensors --quiet
  kill -INT $pid; kill -TERM $pid; finish
  [ $rc = 130 ] || fail "two SIGINTs: exit $rc: $(cat run_err.txt)"
  grep -q "^eqc: interrupted again: exiting without saving$" run_err.txt || fail "two SIGINTs: $(cat run_err.txt)"
  ;;
checkpoint_failure)  # item 9: a checkpoint that cannot be written does not end the run
  # Every checkpoint fails (larger than the file size limit; the weights fit):
  # each failure is reported, training goes on, the weights are written, and
  # the run ends with the last checkpoint's error (exit 1).
  run "$EQC" train mlp.eq --steps 1 --quiet -o small.safetensors
  [ "$(wc -c < small.safetensors)" -lt 60000 ] || fail "the weights are too large for this test"
  ( ulimit -f 64; trap '' XFSZ; exec "$EQC" train mlp.eq --steps 6 --checkpoint-every 2 --quiet -o w.safetensors ) >/dev/null 2>err.txt
  rc=$?
  [ $rc = 1 ] || fail "exit $rc: $(cat err.txt)"
  [ "$(grep -c "^eqc: checkpoint of step [246] not saved: w.ckpt.safetensors: cannot write: File too large; training goes on, and the next checkpoint tries again$" err.txt)" = 3 ] ||
    fail "not three reports: $(cat err.txt)"
  [ "$(tail -1 err.txt)" = "w.ckpt.safetensors: cannot write: File too large (the last checkpoint; the weights were saved to w.safetensors)" ] ||
    fail "last line: $(tail -1 err.txt)"
  [ -s w.safetensors ] && [ ! -e w.ckpt.safetensors ] || fail "files: $(ls -A)"
  run "$EQC" eval mlp.eq -w w.safetensors
  # A folder that goes away and comes back: the next checkpoint after its
  # return is saved. The run is stopped by SIGTERM (item 7) once it is.
  set -m
  mkdir ck
  "$EQC" train mlp.eq --epochs 100000 --checkpoint-every 3 --checkpoint ck/c.safetensors --quiet -o v.safetensors 2> run_err.txt &
  pid=$!
  wait_for() {  # wait_for WHAT COMMAND...: polls for 60 s
    local what=$1; shift
    for _ in $(seq 600); do "$@" && return; kill -0 $pid 2>/dev/null || fail "the run ended: $(cat run_err.txt)"; sleep 0.1; done
    fail "no $what within 60 s: $(cat run_err.txt)"
  }
  wait_for "first checkpoint" test -s ck/c.safetensors
  mv ck ck.away
  wait_for "failure report" grep -q "not saved: ck/c.safetensors: cannot write: the directory ck does not exist; training goes on" run_err.txt
  mv ck.away ck
  wait_for "saved report" grep -q "^eqc: checkpoint of step [0-9]* saved to ck/c.safetensors$" run_err.txt
  kill -TERM $pid; wait $pid; rc=$?
  [ $rc = 130 ] || fail "exit $rc: $(cat run_err.txt)"
  saved=$(sed -n 's/^eqc: checkpoint of step \([0-9]*\) saved to .*/\1/p' run_err.txt | head -1)
  failed=$(sed -n 's/^eqc: checkpoint of step \([0-9]*\) not saved.*/\1/p' run_err.txt | tail -1)
  [ "$saved" = $((failed + 3)) ] || fail "saved at $saved after failing at $failed"
  [ -s v.safetensors ] || fail "no weights"
  # The signal's checkpoint, at the step the run stopped after, goes on.
  stopped=$(sed -n 's/^eqc: SIGTERM: stopped after step \([0-9]*\) of.*/\1/p' run_err.txt)
  [ -n "$stopped" ] || fail "no stop message: $(cat run_err.txt)"
  run "$EQC" train mlp.eq --resume ck/c.safetensors --steps $((stopped + 1)) --quiet -o v2.safetensors
  ;;
*) fail "unknown scenario $SCENARIO" ;;
esac
echo "ok: $SCENARIO"
