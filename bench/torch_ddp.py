"""Data-parallel training throughput in PyTorch, to set against eq's
(bench/scaling.sh, issue 14): the char-LSTM of models/lstm.eq and the large
MLP of bench/mlp_large.eq, on 1 process (no DDP) or on N processes under
DistributedDataParallel with the gloo backend, one thread each.

  --model lstm  V = 65, H = 128, window 50, batch 32 streams (split over the
                processes), Adam (lr 2e-3), gradient clipping at 5, state
                carried between windows; synthetic symbols
  --model mlp   1024 → 4096 → 4096 → 10, batch 256 (split), SGD (lr 0.01,
                momentum 0.9); synthetic data
Prints one line: the whole job's examples (or symbols) per second over
--steps steps after 3 warm-up steps. Run with Debian's python3.
"""
import argparse
import os
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

V, H, T, STREAMS = 65, 128, 50, 32
MLP_BATCH = 256


class CharLstm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(V, H)
        self.out = torch.nn.Linear(H, V)

    def forward(self, x, h, c):
        hs, (h, c) = self.lstm(x, (h, c))
        return self.out(hs), h, c


def lstm_job(rank, world, steps):
    torch.manual_seed(0)
    B = STREAMS // world + (1 if rank < STREAMS % world else 0)
    net = CharLstm()
    model = torch.nn.parallel.DistributedDataParallel(net) if world > 1 else net
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    x = torch.randint(0, V, (T, B))
    y = torch.randint(0, V, (T, B))
    onehot = F.one_hot(x, V).float()
    h = torch.zeros(1, B, H)
    c = torch.zeros(1, B, H)

    def step(h, c):
        opt.zero_grad()
        logits, h, c = model(onehot, h, c)
        loss = F.cross_entropy(logits.reshape(T * B, V), y.reshape(T * B))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
        return h.detach(), c.detach()

    return run(step, (h, c), steps, STREAMS * T, world)


def mlp_job(rank, world, steps):
    torch.manual_seed(0)
    B = MLP_BATCH // world + (1 if rank < MLP_BATCH % world else 0)
    net = torch.nn.Sequential(torch.nn.Linear(1024, 4096), torch.nn.ReLU(), torch.nn.Linear(4096, 4096),
                              torch.nn.ReLU(), torch.nn.Linear(4096, 10))
    model = torch.nn.parallel.DistributedDataParallel(net) if world > 1 else net
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(B, 1024)
    y = torch.randint(0, 10, (B,))

    def step(state):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        return state

    return run(step, None, steps, MLP_BATCH, world)


def run(step, state, steps, per_step, world):
    for _ in range(3):
        state = step(*state) if isinstance(state, tuple) else step(state)
    if world > 1:
        dist.barrier()
    t0 = time.perf_counter()
    for _ in range(steps):
        state = step(*state) if isinstance(state, tuple) else step(state)
    if world > 1:
        dist.barrier()
    return steps * per_step / (time.perf_counter() - t0)


def worker(rank, world, model, steps, port):
    torch.set_num_threads(1)
    if world > 1:
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", world_size=world, rank=rank)
    rate = (lstm_job if model == "lstm" else mlp_job)(rank, world, steps)
    if rank == 0:
        unit = "symbols/s" if model == "lstm" else "examples/s"
        print(f"torch-{model}: {rate:.1f} {unit} on {world} process(es) "
              f"(torch {torch.__version__}, {'DDP gloo' if world > 1 else 'no DDP'}, 1 thread each)", flush=True)
    if world > 1:
        dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["lstm", "mlp"], required=True)
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    port = 29500 + os.getpid() % 1000
    if args.procs == 1:
        worker(0, 1, args.model, args.steps, port)
    else:
        mp.spawn(worker, args=(args.procs, args.model, args.steps, port), nprocs=args.procs, join=True)


if __name__ == "__main__":
    main()
