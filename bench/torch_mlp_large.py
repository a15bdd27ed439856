#!/usr/bin/python3
"""The large MLP of bench/mlp_large_bench.cc in PyTorch: 1024 -> 4096 relu ->
4096 relu -> 10, cross-entropy, batch 256, SGD lr 1e-3, on random inputs.
Prints "torch: <ms> ms per training step (median of N)" for
bench/mlp_large_compare.sh.
"""
import argparse
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1024, 4096), torch.nn.ReLU(), torch.nn.Linear(4096, 4096),
                                torch.nn.ReLU(), torch.nn.Linear(4096, 10))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(256, 1024)
    y = torch.randint(0, 10, (256,))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    step()
    ms = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        ms.append(1e3 * (time.perf_counter() - t0))
    ms.sort()
    print("torch: %.3f ms per training step (median of %d)" % (ms[len(ms) // 2], args.steps))


if __name__ == "__main__":
    main()
