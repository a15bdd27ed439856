#!/bin/bash
# End-to-end tests of eqc train on several processes (mpirun -np 2, and
# --ranks 2, which starts mpirun itself).
# usage: mpi_cli_test.sh EQC MPIRUN WEIGHTS_DIFF SOURCE_DIR WORK_DIR SCENARIO
# ctest gives Open MPI its consent to run as root in this test's
# environment; --ranks gives it by itself.
set -u
EQC=$1 MPIRUN=$2 DIFF=$3 SRC=$4 WORK=$5 SCENARIO=$6
rm -rf "$WORK" && mkdir -p "$WORK/data" && cd "$WORK" || exit 1
cp "$SRC/models/mlp.eq" . && cp "$SRC/models/data/digits.csv" data/
head -c 6000 "$SRC/models/data/tinyshakespeare.txt" > data/t.txt
# A small LSTM on the text: 5 streams (shares of 2 and 3), f64.
sed -e 's/^dim H = 128/dim H = 16/' -e 's|data/tinyshakespeare.txt|data/t.txt|' \
    -e 's/batch     = 32/batch     = 5/' -e 's/window    = 50/window    = 10/' \
    -e 's/validate  = 0.05/validate  = 0.1\n  dtype = f64/' "$SRC/models/lstm.eq" > lstm.eq
mpi2() { "$MPIRUN" -np 2 --oversubscribe "$@"; }

fail() { echo "FAIL: $*"; exit 1; }
# A job started in the background ($job) never outlives a failed scenario
# (the scenarios that find its ranks set a trap of their own for them too).
job=
trap '[ -n "$job" ] && kill -9 $job 2>/dev/null' EXIT
run() { "$@" >out.txt 2>err.txt || fail "$* failed: $(cat err.txt)"; }
close() { "$DIFF" "$1" "$2" "$3" || fail "$1 and $2 differ"; }
# Bounds on time are EQ_TIME_SCALE times longer under the sanitizers
# (tests/train/CMakeLists.txt).
scale=${EQ_TIME_SCALE:-1}
ended_within() {  # SECONDS PID: the process ended within SECONDS (scaled); its status in $status
  # Wall-clock time (counting sleeps undercounted: each poll takes more than 0.1 s).
  local limit=$(($1 * scale)) p=$2 start=${EPOCHREALTIME/./}
  while kill -0 "$p" 2>/dev/null; do
    sleep 0.1
    [ $((${EPOCHREALTIME/./} - start)) -le $((limit * 1000000)) ] ||
      { kill -9 "$p"; fail "still running after $limit s"; }
  done
  wait "$p"
  status=$?
}
# The pid of rank $1 among the descendants of process $2, once it has started.
rank_pid() {
  local want=$1 root=$2 p
  for _ in $(seq $((100 * scale))); do
    for p in $(pgrep -P "$root") $(for c in $(pgrep -P "$root"); do pgrep -P "$c"; done); do
      if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$want"; then
        echo "$p"
        return
      fi
    done
    sleep 0.1
  done
}

case $SCENARIO in
one_writer)
  # 20 steps, batch 33 (shares 16 + 17): rank 0 alone prints and writes; the
  # weights and the validation figures are one process's.
  run "$EQC" train mlp.eq --steps 20 --batch 33 --log one.csv -o one.safetensors
  run mpi2 "$EQC" train mlp.eq --steps 20 --batch 33 --log two.csv --checkpoint-every 10 -o two.safetensors
  [ "$(grep -c '^training mlp.eq: .* on 2 processes$' out.txt)" = 1 ] || fail "header: $(cat out.txt)"
  [ "$(grep -c '^epoch 1 ' out.txt)" = 1 ] || fail "one epoch line: $(cat out.txt)"
  [ "$(grep -c '^saved two.safetensors$' out.txt)" = 1 ] || fail "one saved line: $(cat out.txt)"
  [ ! -s err.txt ] || fail "stderr: $(cat err.txt)"
  [ -f two.ckpt.safetensors ] || fail "no checkpoint"
  ls | grep -q '\.tmp' && fail "temporary files left: $(ls)"
  close two.safetensors one.safetensors 1e-5
  [ "$(wc -l < two.csv)" = 2 ] || fail "log: $(cat two.csv)"
  # A mistake on the command line is every rank's: said once, by rank 0.
  mpi2 "$EQC" train mlp.eq --bacth 3 >out.txt 2>err.txt && fail "--bacth ran"
  [ "$(grep -c "^eqc: unknown option '--bacth'" err.txt)" = 1 ] || fail "said by each rank: $(cat err.txt)"
  # loss, accuracy, val_loss, val_accuracy (columns 3-6): the same to 1e-5.
  paste -d, <(tail -1 one.csv | cut -d, -f3-6) <(tail -1 two.csv | cut -d, -f3-6) |
    awk -F, '{ for (i = 1; i <= 4; i++) { d = $i - $(i + 4); if (d < 0) d = -d;
               if (d > 1e-5 * ($i < 0 ? -$i : $i)) exit 1 } }' ||
    fail "validation figures differ: $(tail -1 one.csv) / $(tail -1 two.csv)"
  # --ranks 2 starts the same run (without the consent variables: it sets them for mpirun).
  env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
    "$EQC" train mlp.eq --steps 20 --batch 33 --ranks 2 --quiet -o ranks.safetensors >out.txt 2>err.txt ||
    fail "--ranks 2: $(cat err.txt)"
  [ ! -s out.txt ] || fail "--quiet printed: $(cat out.txt)"
  cmp -s ranks.safetensors two.safetensors || fail "--ranks 2 and mpirun -np 2 differ"
  ;;
resume)
  # A checkpoint of 2 processes resumed on 1, and of 1 resumed on 2, end
  # where uninterrupted runs do: an example model and a time model (f64).
  for model in mlp lstm; do
    opts="--steps 20 --dtype f64" && [ $model = mlp ] && opts="$opts --batch 33"
    run "$EQC" train $model.eq $opts --quiet -o whole.safetensors
    run mpi2 "$EQC" train $model.eq $opts --steps 7 --checkpoint-every 7 --quiet -o half2.safetensors
    run "$EQC" train $model.eq $opts --resume half2.ckpt.safetensors --quiet -o rest1.safetensors
    close rest1.safetensors whole.safetensors 1e-12
    run "$EQC" train $model.eq $opts --steps 7 --checkpoint-every 7 --quiet -o half1.safetensors
    run mpi2 "$EQC" train $model.eq $opts --resume half1.ckpt.safetensors --quiet -o rest2.safetensors
    close rest2.safetensors whole.safetensors 1e-12
  done
  ;;
data_error)
  # Rank 1 reads a bad copy of the data (as if its machine had one): every
  # process stops within 10 s with rank 1's message, and the checkpoint of
  # an earlier run still loads.
  run "$EQC" train mlp.eq --steps 3 --checkpoint-every 3 --quiet -o k.safetensors
  sed '17s/^[0-9]*,/x,/' data/digits.csv > data/bad.csv
  "$MPIRUN" -np 1 "$EQC" train mlp.eq --steps 50 --checkpoint-every 1 -o k.safetensors : \
            -np 1 "$EQC" train mlp.eq --steps 50 --checkpoint-every 1 -o k.safetensors --data data/bad.csv \
            >out.txt 2>err.txt &
  ended_within 10 $!
  [ "$status" != 0 ] || fail "a bad rank exited 0"
  grep -q "^rank 1: data/bad.csv:17:1: error: 'x' is not a number (column 'p00')$" err.txt || fail "message: $(cat err.txt)"
  run "$EQC" eval mlp.eq -w k.ckpt.safetensors
  # An error of one rank alone during training (rank 0 cannot write its
  # checkpoint) ends every process at once with its message.
  mpi2 "$EQC" train mlp.eq --steps 50 --checkpoint-every 5 --checkpoint nodir/k.safetensors >out.txt 2>err.txt &
  ended_within 10 $!
  [ "$status" != 0 ] || fail "a failed checkpoint exited 0"
  grep -q "^rank 0: nodir/k.safetensors: cannot write" err.txt || fail "message: $(cat err.txt)"
  # A command-line mistake every rank finds: said once, exit 2 as in one process.
  mpi2 "$EQC" train mlp.eq --steps 5 -o mlp.eq >out.txt 2>err.txt
  status=$?
  [ "$status" = 2 ] || fail "-o mlp.eq: exit $status: $(cat err.txt)"
  [ "$(grep -c 'source: writing there' err.txt)" = 1 ] &&
    [ "$(head -1 err.txt)" = "eqc: -o mlp.eq is the model's source: writing there would destroy it; choose another file" ] ||
    fail "-o mlp.eq: message: $(cat err.txt)"
  ;;
killed)
  # A rank killed with SIGKILL ends the job within 10 s with a message;
  # the last checkpoint loads and resumes. Under mpirun, and under --ranks.
  for how in mpirun ranks; do
    rm -f k.ckpt.safetensors
    if [ $how = mpirun ]; then
      mpi2 "$EQC" train mlp.eq --epochs 1000 --checkpoint-every 1 --quiet -o k.safetensors >out.txt 2>err.txt &
    else
      "$EQC" train mlp.eq --ranks 2 --epochs 1000 --checkpoint-every 1 --quiet -o k.safetensors >out.txt 2>err.txt &
    fi
    job=$!
    for _ in $(seq $((100 * scale))); do [ -f k.ckpt.safetensors ] && break; sleep 0.1; done
    [ -f k.ckpt.safetensors ] || fail "$how: no checkpoint after $((10 * scale)) s: $(cat err.txt)"
    victim=$(rank_pid 1 $job)
    [ -n "$victim" ] || fail "$how: rank 1 not found"
    kill -9 "$victim"
    ended_within 10 $job
    [ "$status" != 0 ] || fail "$how: exited 0 after a rank was killed"
    # mpirun's SIGTERM to the ranks left is no stop that saves: no rank says it is.
    grep -q "stopping" err.txt && fail "$how: a promise to save: $(cat err.txt)"
    if [ $how = mpirun ]; then
      grep -q "exited on signal 9 (Killed)" err.txt || fail "$how: message: $(cat err.txt)"
    else
      grep -q "^eqc: a process of the 2 ended by signal 9 (Killed); the others were stopped$" err.txt ||
        fail "$how: message: $(cat err.txt)"
    fi
    run "$EQC" eval mlp.eq -w k.ckpt.safetensors
    run "$EQC" train mlp.eq --resume k.ckpt.safetensors --epochs 1000 --steps 2000 --quiet -o r.safetensors
  done
  ;;
interrupt)
  # SIGINT to a rank stops the job after the step in progress (every rank
  # agrees on the stop after the same step), with the weights and a
  # checkpoint saved, rank 0's message and exit 130, as in one process
  # (tests/cli/reliability_test.sh). Ranks run in process groups of their own,
  # so this is what a signal to them does; SIGINT to mpirun is Open MPI's to
  # handle (it sends SIGTERM, then SIGKILL 1 s later: docs/scaling.md).
  set -m  # background jobs in their own process group: SIGINT is not ignored
  mpi2 "$EQC" train mlp.eq --epochs 100000 --checkpoint-every 7 --log l.csv --quiet -o w.safetensors >out.txt 2>err.txt &
  job=$!
  for _ in $(seq $((600 * scale))); do [ -f l.csv ] && [ "$(grep -c . l.csv)" -ge 2 ] && break; sleep 0.1; done
  rank0=$(rank_pid 0 $job) rank1=$(rank_pid 1 $job)
  [ -n "$rank0" ] && [ -n "$rank1" ] || { kill -9 $job $rank0 $rank1; fail "ranks not found"; }
  trap 'kill -9 $rank0 $rank1 2>/dev/null' EXIT  # none left behind when this fails
  [ "$(grep -c . l.csv 2>/dev/null)" -ge 2 ] || fail "no epoch within $((60 * scale)) s: $(cat err.txt)"
  kill -INT "$rank0"
  ended_within 20 $job
  [ "$status" = 130 ] || fail "exit $status: $(cat err.txt)"
  grep -q "^eqc: SIGINT: stopped after step [0-9]* of [0-9]*; the weights were saved to w.safetensors and a checkpoint to w.ckpt.safetensors (continue with --resume w.ckpt.safetensors)$" err.txt ||
    fail "message: $(cat err.txt)"
  [ "$(grep -c "^eqc: stopping to save the run; interrupt again to exit at once without saving$" err.txt)" = 1 ] ||
    fail "not one word when the ranks agreed to stop: $(cat err.txt)"
  step=$(sed -n "s/^eqc: SIGINT: stopped after step \([0-9]*\) .*/\1/p" err.txt)
  grep -q "\"eq.step\":\"$step\"" w.ckpt.safetensors || fail "the checkpoint is not of step $step"
  run "$EQC" eval mlp.eq -w w.safetensors
  run mpi2 "$EQC" train mlp.eq --resume w.ckpt.safetensors --steps $((step + 2)) --quiet -o w2.safetensors
  ;;
ranks_interrupt)
  # A signal to `eqc train --ranks 2` itself (kill, a scheduler) reaches its
  # mpirun, which stops the ranks with SIGTERM and gives them time to save:
  # the weights and a checkpoint of one step, eqc's exit 130 as in one process.
  set -m
  "$EQC" train mlp.eq --ranks 2 --epochs 100000 --checkpoint-every 7 --log l.csv --quiet -o w.safetensors >out.txt 2>err.txt &
  job=$!
  for _ in $(seq $((600 * scale))); do [ -f l.csv ] && [ "$(grep -c . l.csv)" -ge 2 ] && break; sleep 0.1; done
  rank0=$(rank_pid 0 $job) rank1=$(rank_pid 1 $job)
  trap 'kill -9 $job $rank0 $rank1 2>/dev/null' EXIT  # none left behind when this fails
  [ -n "$rank0" ] && [ -n "$rank1" ] || fail "ranks not found"
  [ "$(grep -c . l.csv 2>/dev/null)" -ge 2 ] || fail "no epoch within $((60 * scale)) s: $(cat err.txt)"
  kill -INT "$job"
  ended_within 20 $job
  [ "$status" = 130 ] || fail "exit $status: $(cat err.txt)"
  # (A rank that mpirun left to init may stay a zombie a while: ended all the same.)
  for r in "$rank0" "$rank1"; do
    [ -e /proc/$r ] && [ "$(awk '{ print $3 }' /proc/$r/stat 2>/dev/null)" != Z ] &&
      fail "rank $r still runs after eqc ended"
  done
  # mpirun's SIGTERM reaches the ranks one after the other: when rank 1's
  # stops the job before rank 0's has come, rank 0 names "another rank".
  grep -Eq "^eqc: (SIGTERM|a signal to another rank): stopped after step [0-9]* of [0-9]*; the weights were saved to w.safetensors and a checkpoint to w.ckpt.safetensors \(continue with --resume w.ckpt.safetensors\)$" err.txt ||
    fail "message: $(cat err.txt)"
  step=$(sed -n "s/^eqc: .*: stopped after step \([0-9]*\) .*/\1/p" err.txt)
  grep -q "\"eq.step\":\"$step\"" w.ckpt.safetensors || fail "the checkpoint is not of step $step"
  run "$EQC" eval mlp.eq -w w.safetensors
  run "$EQC" train mlp.eq --resume w.ckpt.safetensors --steps $((step + 2)) --quiet -o w2.safetensors
  # The same signal to eqc's whole process group (a scheduler, `timeout`,
  # `kill -- -PGID`): mpirun, in a group of its own, has it once, from eqc.
  # It had it twice, killed the ranks at once, and nothing was saved.
  rm -f l.csv
  "$EQC" train mlp.eq --ranks 2 --epochs 100000 --checkpoint-every 7 --log l.csv --quiet -o w3.safetensors >out.txt 2>err.txt &
  job=$!
  trap 'kill -9 -- -$job 2>/dev/null; pkill -9 -f "eqc train mlp.eq --epochs 100000" 2>/dev/null' EXIT
  for _ in $(seq $((600 * scale))); do [ -f l.csv ] && [ "$(grep -c . l.csv)" -ge 2 ] && break; sleep 0.1; done
  [ "$(grep -c . l.csv 2>/dev/null)" -ge 2 ] || fail "no epoch within $((60 * scale)) s: $(cat err.txt)"
  kill -TERM -- -"$job"
  ended_within 20 $job
  [ "$status" = 130 ] || fail "group signal: exit $status: $(cat err.txt)"
  [ -f w3.safetensors ] || fail "group signal: the weights were not saved: $(cat err.txt)"
  grep -q "stopped after step" err.txt || fail "group signal: message: $(cat err.txt)"
  ;;
*) fail "unknown scenario $SCENARIO" ;;
esac
echo "ok: $SCENARIO"
