#!/usr/bin/env python3
"""Cuts a text into windows of characters for models/nplm.eq (docs/language.md §9.7).

Each row of the CSV is one example: the class indices of `context` characters
(columns c0, c1, …, an input `onehot[T, V]`) and of the character after them
(column `next`, a target `onehot[V]`). A character's index is its place in the
sorted vocabulary of the whole text — the numbering eq gives a text read with
text(…) (runtime/text.cc: code points, sorted) — so the indices agree with the
text models of models/. Rows start at every character of the first `--chars`
characters (overlapping windows, as an n-gram model counts them).

usage: scripts/make-windows.py [TEXT] [CSV] [--context 3] [--chars 100003]
  (default: models/data/tinyshakespeare.txt → models/data/tinyshakespeare_windows.csv)
"""
import argparse
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("text", nargs="?", default=root / "models/data/tinyshakespeare.txt")
parser.add_argument("csv", nargs="?", default=root / "models/data/tinyshakespeare_windows.csv")
parser.add_argument("--context", type=int, default=3)
parser.add_argument("--chars", type=int, default=100003)
args = parser.parse_args()

text = pathlib.Path(args.text).read_text(encoding="utf-8")
if text.startswith("\ufeff"):  # eq skips a leading BOM too
    text = text[1:]
index = {c: i for i, c in enumerate(sorted(set(text)))}
part = text[: args.chars]
rows = [",".join([f"c{j}" for j in range(args.context)] + ["next"])]
for start in range(len(part) - args.context):
    window = part[start : start + args.context + 1]
    rows.append(",".join(str(index[c]) for c in window))
pathlib.Path(args.csv).write_text("\n".join(rows) + "\n", encoding="ascii")
print(f"{args.csv}: {len(rows) - 1} windows of {args.context} characters, V = {len(index)}")
