"""One training step of models/transformer.eq's block in PyTorch, to set
against bench/transformer_bench.

The same model, equation for equation: T = 64 rows of D = 128 features,
width E = 128, feed-forward F = 512 (gelu, erf form), C = 10 classes, batch
32, Adam (lr 3e-3); pre-norm — layer norm (learned gain and bias) before the
attention and the feed-forward, each added back to its input, a final norm —
then the mean over the rows and a softmax classifier. Written out with
tensor ops as the .eq file writes it (layer norm with mean(…, dim=-1), the
loss as −Σ y·log ŷ over the batch mean); --mode nn uses torch's fused
F.layer_norm and F.cross_entropy instead, to show what torch's own kernels
buy. Synthetic data, as the eq side. Prints milliseconds per step (median).
Run with Debian's python3 (python3-torch 1.13).
"""
import argparse
import math
import time

import torch
import torch.nn.functional as F


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["eqs", "nn"], default="eqs")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    B, T, D, E, FF, C = 32, 64, 128, 128, 512, 10
    eps = 1e-5
    x = torch.rand(B, T, D) * 16
    y = torch.randint(0, C, (B,))
    onehot = F.one_hot(y, C).float()

    def glorot(r, c):
        a = math.sqrt(6.0 / (r + c))
        return torch.nn.Parameter(torch.empty(r, c).uniform_(-a, a))

    def vec(n, value):
        return torch.nn.Parameter(torch.full((n,), float(value)))

    W_e, P = glorot(D, E), torch.nn.Parameter(torch.randn(T, E) * 0.1)
    g = [vec(E, 1) for _ in range(3)]
    b = [vec(E, 0) for _ in range(3)]
    W_q, W_k, W_v, W_o = (glorot(E, E) for _ in range(4))
    W_1, b_1, W_2, b_2 = glorot(E, FF), vec(FF, 0), glorot(FF, E), vec(E, 0)
    W_y, b_y = glorot(E, C), vec(C, 0)
    params = [W_e, P, *g, *b, W_q, W_k, W_v, W_o, W_1, b_1, W_2, b_2, W_y, b_y]

    def norm(h, i):
        if args.mode == "nn":
            return F.layer_norm(h, (E,), g[i], b[i], eps)
        mu = h.mean(dim=-1, keepdim=True)
        c = h - mu
        return g[i] * c / torch.sqrt((c * c).mean(dim=-1, keepdim=True) + eps) + b[i]

    def loss_of():
        H = (x / 16) @ W_e + P
        H1 = norm(H, 0)
        Q, K, V = H1 @ W_q, H1 @ W_k, H1 @ W_v
        A = torch.softmax(Q @ K.transpose(1, 2) / math.sqrt(E), dim=-1)
        U = H + (A @ V) @ W_o
        Z = U + (F.gelu(norm(U, 1) @ W_1 + b_1) @ W_2 + b_2)
        z = norm(Z, 2).mean(dim=1)
        logits = z @ W_y + b_y
        if args.mode == "nn":
            return F.cross_entropy(logits, y)
        return -(onehot * torch.log(torch.softmax(logits, dim=-1))).sum(dim=1).mean()

    opt = torch.optim.Adam(params, lr=3e-3)

    def step():
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        opt.step()
        return loss.item()

    loss = step()
    times = []
    cpu0 = time.process_time()  # every thread's processor time: a check on a busy machine
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = step()
        times.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (time.process_time() - cpu0) * 1000 / args.steps
    times.sort()
    print(f"torch-{args.mode}: {times[len(times) // 2]:.3f} ms per training step "
          f"(median of {args.steps}; loss {loss:.4f}; torch {torch.__version__}, "
          f"{args.threads} threads; {cpu_ms:.3f} ms of processor time a step)")


if __name__ == "__main__":
    main()
