#!/usr/bin/python3
"""The digits MLP of models/mlp.eq in PyTorch, for the epoch-time comparison.

Same architecture (64 -> 128 relu -> 10 softmax, cross-entropy), same batch
(32), same optimizer (Adam, lr 1e-3), same min-max scaling and the same
80/20 split size; prints one line per epoch: "epoch <n> <seconds>" where the
seconds cover the training steps only (as eqc's --log column does).
"""
import argparse
import csv
import time

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    with open(args.data) as f:
        rows = list(csv.reader(f))[1:]
    data = np.array(rows, dtype=np.float64)
    x, y = data[:, :64], data[:, 64].astype(np.int64)
    perm = np.random.RandomState(0).permutation(len(x))
    n_val = int(0.2 * len(x))
    tr = np.sort(perm[n_val:])
    lo, hi = x[tr].min(0), x[tr].max(0)
    x = (x - lo) / np.where(hi > lo, hi - lo, 1)
    xt = torch.tensor(x[tr], dtype=torch.float32)
    yt = torch.tensor(y[tr])

    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(0)
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        order = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), 32):
            idx = order[i:i + 32]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        print(f"epoch {epoch} {time.perf_counter() - t0:.6f} {loss.item():.4f}", flush=True)


if __name__ == "__main__":
    main()
