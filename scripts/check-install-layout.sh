#!/usr/bin/env bash
# Checks an installed eq (the prefix of `cmake --install`) for what lets a
# program include it without collisions: the package puts the prefix's
# include/ on the include path (never include/eq), and every installed header
# includes eq's own headers as "eq/…", so none of eq's folder names
# (runtime/, compiler/, …) can pick up a program's header of the same name.
set -euo pipefail
prefix=${1:?usage: check-install-layout.sh PREFIX}
status=0
if grep -rnE '^#include "(runtime|grammar|compiler|train|report)/' "$prefix/include/eq"; then
  echo "check-install-layout: the headers above include eq's folders without eq/" >&2
  status=1
fi
targets=$(find "$prefix" -name 'eqTargets.cmake' | head -1)
if [ -z "$targets" ]; then
  echo "check-install-layout: no eqTargets.cmake under $prefix" >&2
  exit 1
fi
if grep -n 'INTERFACE_INCLUDE_DIRECTORIES.*include/eq' "$targets"; then
  echo "check-install-layout: the package puts include/eq on the include path ($targets)" >&2
  status=1
fi
exit $status
