"""One char-LSTM training step in PyTorch, to set against bench/lstm_bench.

Same model as models/lstm.eq: V = 65, H = 128, window 50, batch 32, Adam
(lr 2e-3), gradient clipping at 5, state carried between windows.
  --mode eqs   the equations written out by hand (W·x as a column lookup)
  --mode nn    torch.nn.LSTM on one-hot inputs plus a linear output layer
Prints milliseconds per step (median). Run with Debian's python3.
"""
import argparse
import time

import torch
import torch.nn.functional as F


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["eqs", "nn"], required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    V, H, T, B = 65, 128, 50, 32
    x = torch.randint(0, V, (T, B))
    y = torch.randint(0, V, (T, B))

    if args.mode == "eqs":
        def mat(*shape):
            return torch.nn.Parameter(torch.randn(*shape) * 0.1)
        W = {g: mat(H, V) for g in "ifoc"}
        U = {g: mat(H, H) for g in "ifoc"}
        Bv = {g: torch.nn.Parameter(torch.zeros(H)) for g in "ifoc"}
        Wy, By = mat(V, H), torch.nn.Parameter(torch.zeros(V))
        params = list(W.values()) + list(U.values()) + list(Bv.values()) + [Wy, By]

        def window(h, c):
            loss = 0.0
            for t in range(T):
                xt = x[t]
                i = torch.sigmoid(W["i"].t()[xt] + h @ U["i"].t() + Bv["i"])
                f = torch.sigmoid(W["f"].t()[xt] + h @ U["f"].t() + Bv["f"])
                o = torch.sigmoid(W["o"].t()[xt] + h @ U["o"].t() + Bv["o"])
                cc = torch.tanh(W["c"].t()[xt] + h @ U["c"].t() + Bv["c"])
                c = f * c + i * cc
                h = o * torch.tanh(c)
                yhat = torch.softmax(h @ Wy.t() + By, dim=1)
                loss = loss - (F.one_hot(y[t], V) * torch.log(yhat)).sum(dim=1).mean()
            return loss / T, h, c
    else:
        lstm = torch.nn.LSTM(V, H)
        out = torch.nn.Linear(H, V)
        params = list(lstm.parameters()) + list(out.parameters())
        onehot = F.one_hot(x, V).float()

        def window(h, c):
            hs, (hn, cn) = lstm(onehot, (h.unsqueeze(0), c.unsqueeze(0)))
            logits = out(hs)
            loss = F.cross_entropy(logits.reshape(T * B, V), y.reshape(T * B))
            return loss, hn[0], cn[0]

    opt = torch.optim.Adam(params, lr=2e-3)
    h = torch.zeros(B, H)
    c = torch.zeros(B, H)

    def step(h, c):
        opt.zero_grad()
        loss, h, c = window(h, c)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        return loss.item(), h.detach(), c.detach()

    loss, h, c = step(h, c)
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss, h, c = step(h, c)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"torch-{args.mode}: {times[len(times) // 2]:.3f} ms per training step "
          f"(median of {args.steps}; loss {loss:.4f}; torch {torch.__version__}, {args.threads} threads)")


if __name__ == "__main__":
    main()
