#!/usr/bin/env bash
# Trains every model of models/ with its own train block and keeps its
# training report (eqc train --report) in docs/reports/NAME.html, then
# renders the mlp's report with headless Chromium into docs/report.png, the
# screenshot in the README. models/README.md links the reports. The text
# models train for 2 epochs of their 4-6 (set TEXT_EPOCHS to change it), so
# that the reports take minutes, not a quarter of an hour.
# usage: scripts/make-reports.sh [BUILD_DIR] [MODEL...]   (default: build, all)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
eqc=$build/cli/eqc
[ -x "$eqc" ] || { echo "make-reports: no $eqc; build first" >&2; exit 1; }
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(xor linreg logreg mlp attention transformer dropout_mlp vae forecast rnn gru lstm)
mkdir -p docs/reports
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in "${models[@]}"; do
  echo "make-reports: $m" >&2
  extra=()
  case $m in rnn|gru|lstm) extra=(--epochs "${TEXT_EPOCHS:-2}") ;; esac
  "$eqc" train "models/$m.eq" --quiet --threads 1 "${extra[@]}" -o "$tmp/$m.safetensors" \
    --report "docs/reports/$m.html"
done
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ] && [ -f docs/reports/mlp.html ]; then
  sandbox=()
  [ "$(id -u)" -ne 0 ] || sandbox=(--no-sandbox)
  HOME=$tmp "$browser" "${sandbox[@]}" --headless --disable-gpu --hide-scrollbars --no-first-run \
    --window-size=1000,700 --screenshot="$PWD/docs/report.png" "file://$PWD/docs/reports/mlp.html" 2>/dev/null
else
  echo "make-reports: no chromium; docs/report.png not updated" >&2
fi
ls -l docs/reports docs/report.png >&2
