#!/usr/bin/env bash
# The README's C++ is real code: every ```cpp block of README.md is built as
# a program against an installed eq (find_package(eq), target eq::eq, with
# -Wall -Wextra -Werror) and run from the repository root; it must exit 0.
# A block whose first line is `// examples/PATH…` is that file of the
# repository, byte for byte, so the README and the example cannot drift.
# Whatever C++ blocks the README has are picked up; there must be one.
#
# Usage: scripts/check-readme-cpp.sh PREFIX WORKDIR
#   PREFIX   where eq is installed (cmake --install build --prefix PREFIX)
#   WORKDIR  a scratch folder for the extracted blocks and their build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$(cd "$1" && pwd)
work=$2
readme="$root/README.md"
rm -rf "$work/src"
mkdir -p "$work/src"
work=$(cd "$work" && pwd)

# Block n of the README goes to src/block_n.cc (with a #line so that compiler
# messages point into README.md).
awk -v out="$work/src" '
  /^```(cpp|c\+\+|cxx)[[:space:]]*$/ { n++; inside = 1; file = sprintf("%s/block_%d.cc", out, n);
                                       printf "" > file; first[n] = NR + 1; next }
  inside && /^```[[:space:]]*$/       { inside = 0; close(file); next }
  inside                              { print >> file }
  END { for (i = 1; i <= n; i++) print i, first[i] > (out "/blocks.txt") }
' "$readme"
[ -s "$work/src/blocks.txt" ] || { echo "check-readme-cpp: README.md has no C++ code block" >&2; exit 1; }

status=0
targets=()
while read -r n line; do
  block="$work/src/block_$n.cc"
  example=$(sed -n '1s|^// \(examples/[^ :]*\).*|\1|p' "$block")
  if [ -n "$example" ]; then
    if ! cmp -s "$block" "$root/$example"; then
      echo "check-readme-cpp: README.md:$line: the block differs from $example:" >&2
      diff -u "$root/$example" "$block" >&2 || true
      status=1
    fi
  fi
  { echo "#line $line \"$readme\""; cat "$block"; } > "$block.tmp" && mv "$block.tmp" "$block"
  targets+=("block_$n")
done < "$work/src/blocks.txt"

{
  echo 'cmake_minimum_required(VERSION 3.25)'
  echo 'project(eq_readme_cpp LANGUAGES CXX)'
  echo 'set(CMAKE_CXX_STANDARD 20)'
  echo 'set(CMAKE_CXX_STANDARD_REQUIRED ON)'
  echo 'find_package(eq REQUIRED)'
  for t in "${targets[@]}"; do
    echo "add_executable($t $t.cc)"
    echo "target_link_libraries($t PRIVATE eq::eq)"
    echo "target_compile_options($t PRIVATE -Wall -Wextra -Werror)"
  done
} > "$work/src/CMakeLists.txt"

cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/build" -- -k 0 || status=1
for t in "${targets[@]}"; do
  [ -x "$work/build/$t" ] || continue
  if (cd "$root" && timeout 300 "$work/build/$t" >"$work/$t.out" 2>&1); then
    echo "check-readme-cpp: $t (README.md:$(awk -v n="${t#block_}" '$1 == n { print $2 }' "$work/src/blocks.txt")) ran"
  else
    echo "check-readme-cpp: $t failed:" >&2
    cat "$work/$t.out" >&2
    status=1
  fi
done
exit $status
