#!/usr/bin/env bash
# Installs the Debian packages eq needs to build and test, and only those that
# are missing. Silent when everything is already there; safe to run any number
# of times. Packages for benchmark peers (python3-torch) are not installed
# here: `make bench-deps` does that, since the tests do not need them.
# `--fuzz` adds clang and its libFuzzer runtime, for `make fuzz`.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make
  bison re2c libicu-dev libopenblas-dev
  catch2 nlohmann-json3-dev libbenchmark-dev libmuparser-dev
)
# The training report's tests: Graphviz draws the graph, headless Chromium
# renders the page (tests/report/; they skip without these).
packages+=(graphviz chromium)
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3-torch)
fi
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
