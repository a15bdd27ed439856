#!/usr/bin/python3
"""Runs the digits MLP epoch in eq and in PyTorch, one after the other in one
run, with the same threads, and prints both median epoch times and the ratio.

usage: bench/mlp_digits_bench.py [--eqc build/cli/eqc] [--threads 1] [--epochs 30]
The first 2 epochs of each are warm-up and not counted.
"""
import argparse
import csv
import os
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eqc", default=os.path.join(ROOT, "build", "cli", "eqc"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "log.csv")
        subprocess.run([args.eqc, "train", os.path.join(ROOT, "models", "mlp.eq"), "--quiet",
                        "--threads", str(args.threads), "--epochs", str(args.epochs),
                        "--log", log, "-o", os.path.join(tmp, "w.safetensors")], check=True)
        with open(log) as f:
            rows = list(csv.DictReader(f))
        eq_times = [float(r["seconds"]) for r in rows][2:]
        eq_acc = float(rows[-1]["val_accuracy"])
    out = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "torch_mlp_digits.py"),
                          "--data", os.path.join(ROOT, "models", "data", "digits.csv"),
                          "--threads", str(args.threads), "--epochs", str(args.epochs)],
                         check=True, capture_output=True, text=True).stdout
    torch_times = [float(line.split()[2]) for line in out.splitlines()][2:]
    eq_t, torch_t = statistics.median(eq_times), statistics.median(torch_times)
    print(f"digits MLP 64-128-10, batch 32, adam, {args.threads} thread(s), "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"eq      median epoch {eq_t * 1e3:8.3f} ms   (final val accuracy {100 * eq_acc:.2f}%)")
    print(f"pytorch median epoch {torch_t * 1e3:8.3f} ms")
    print(f"ratio eq / pytorch   {eq_t / torch_t:.3f}")


if __name__ == "__main__":
    main()
