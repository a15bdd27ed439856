#!/usr/bin/env bash
# Checks that every C++ file of the tree is as .clang-format lays it out
# (`make format` applies it). Generated code is not in the tree; the re2c and
# Bison sources (.re, .y) are not C++ files and keep their own layout.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$fmt" ]; then
  echo "check-format: clang-format is missing (bash scripts/install-deps.sh --format installs it)" >&2
  exit 1
fi
mode=${1:---check}
files=$(git ls-files '*.cc' '*.hpp' '*.h')
if [ "$mode" = "--fix" ]; then
  echo "$files" | xargs "$fmt" -i
  exit 0
fi
if ! echo "$files" | xargs "$fmt" --dry-run -Werror 2>/tmp/check-format.$$; then
  grep -E '^[^ ].*: error:' /tmp/check-format.$$ | cut -d: -f1 | sort -u | sed 's/^/  not formatted: /' >&2
  echo "check-format: run \`make format\` (clang-format over the tree) and commit the result" >&2
  rm -f /tmp/check-format.$$
  exit 1
fi
rm -f /tmp/check-format.$$
