#!/usr/bin/env bash
# Installs the Debian packages eq needs to build and test, and only those that
# are missing. Silent when everything is already there; safe to run any number
# of times. python3-torch is here for the test that reads eq's weights in
# PyTorch; it is also the benchmarks' peer.
# `--fuzz` adds clang and its libFuzzer runtime, for `make fuzz`.
# The ONNX export and its tests need libonnx-dev and libprotobuf-dev (to
# build), python3-onnx (onnx.checker), python3-torch (weights read by
# PyTorch), and node with npm's onnxruntime-web, which goes into
# ${EQ_NPM_DIR:-~/.cache/eq/npm} (tests/export/CMakeLists.txt looks there).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make
  bison re2c libicu-dev libopenblas-dev
  catch2 nlohmann-json3-dev libbenchmark-dev libmuparser-dev
  openmpi-bin libopenmpi-dev
  libonnx-dev libprotobuf-dev python3-onnx python3-torch
)
# node and npm as commands: a node from elsewhere (nodesource's nodejs
# carries its own npm, which Debian's npm package conflicts with) will do.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
# The training report's tests: Graphviz draws the graph, headless Chromium
# renders the page (tests/report/; they skip without these).
packages+=(graphviz chromium)
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev)
fi

# onnxruntime-web for the ONNX Runtime tests: npm's package, pinned.
npm_dir=${EQ_NPM_DIR:-$HOME/.cache/eq/npm}
install_ort() {
  [ -d "$npm_dir/node_modules/onnxruntime-web" ] && return 0
  command -v npm >/dev/null || return 0
  echo "install-deps: installing onnxruntime-web into $npm_dir" >&2
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --no-audit --no-fund --silent onnxruntime-web@1.20.1 >/dev/null ||
    echo "install-deps: npm could not install onnxruntime-web; the ONNX Runtime tests will skip" >&2
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  install_ort
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_ort
