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
  nope="No such file or directory"
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
*) fail "unknown scenario $SCENARIO" ;;
esac
echo "ok: $SCENARIO"
