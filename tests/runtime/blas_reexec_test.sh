#!/usr/bin/env bash
# The re-exec of runtime/blas_core.hpp, end to end: it happens exactly once
# when advised, never when the user set OPENBLAS_CORETYPE or a re-exec has
# already happened, and eqc does what the probe does.
# Usage: blas_reexec_test.sh PROBE EQC
set -euo pipefail
probe=$1 eqc=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
clean=(env -u OPENBLAS_CORETYPE -u EQ_BLAS_REEXEC)
dynamic=0
"$eqc" --version | grep -q '^blas: .*DYNAMIC_ARCH' && dynamic=1

# Advised (forced): two starts, the second with the variable and the marker.
out=$("${clean[@]}" "$probe" --pretend-prescott)
[ "$(grep -c '^start' <<<"$out")" -eq 2 ] || fail "expected two starts:"$'\n'"$out"
[ "$(sed -n 1p <<<"$out")" = "start - - SkylakeX" ] || fail "first start: $out"
[ "$(sed -n 2p <<<"$out")" = "start SkylakeX Prescott keep" ] || fail "second start: $out"
[ $dynamic -eq 0 ] || grep -qx 'core SkylakeX' <<<"$out" || fail "kernels after re-exec: $out"

# The user's variable wins: one start, their core.
out=$("${clean[@]}" OPENBLAS_CORETYPE=Haswell "$probe" --pretend-prescott)
[ "$(grep '^start' <<<"$out")" = "start Haswell - keep" ] || fail "user's variable: $out"
[ $dynamic -eq 0 ] || grep -qx 'core Haswell' <<<"$out" || fail "user's core: $out"

# The marker alone stops a second re-exec.
out=$("${clean[@]}" EQ_BLAS_REEXEC=Prescott "$probe" --pretend-prescott)
[ "$(grep -c '^start' <<<"$out")" -eq 1 ] || fail "re-executed despite the marker:"$'\n'"$out"

# This machine, as it is: eqc ends on the core the probe was advised.
out=$("${clean[@]}" "$probe")
first=$(sed -n 1p <<<"$out")
core=$(sed -n 's/^core //p' <<<"$out")
version=$("${clean[@]}" "$eqc" --version)
grep -qx "core: $core (.*)" <<<"$version" || fail "eqc --version core differs from $core:"$'\n'"$version"
if [ "${first##* }" = keep ]; then
  [ "$(grep -c '^start' <<<"$out")" -eq 1 ] || fail "re-executed without advice:"$'\n'"$out"
  grep -q "^core: $core (chosen by OpenBLAS" <<<"$version" || fail "eqc --version: $version"
else
  [ "$(grep -c '^start' <<<"$out")" -eq 2 ] || fail "expected two starts:"$'\n'"$out"
  [ "$core" = "${first##* }" ] || fail "advised ${first##* }, runs $core"
  grep -q "^core: $core (set by eq at start-up; OpenBLAS alone picked " <<<"$version" ||
    fail "eqc --version: $version"
fi
echo "ok: $first -> core $core"
