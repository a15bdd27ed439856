#!/usr/bin/env python3
"""PyTorch reads eq's weights: the MLP of models/mlp.eq, trained by eqc,
loaded from its safetensors file with torch.frombuffer over the documented
layout (docs/safetensors layout: an 8-byte little-endian header length, a
JSON header giving each tensor's dtype, shape and byte range, then the
bytes), run forward in PyTorch, and compared with `eqc predict --values`
to 1e-6. The five lines of the README are the ones marked below.

usage: torch_weights_test.py EQC SOURCE_DIR WORK_DIR   (exit 77: torch missing)
"""
import csv
import json
import os
import shutil
import struct
import subprocess
import sys

try:
    import torch
except ImportError:
    print("SKIP: python3-torch is not installed (scripts/install-deps.sh)")
    sys.exit(77)

eqc, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
os.chdir(work)
shutil.copy(os.path.join(src, "models", "mlp.eq"), ".")
os.symlink(os.path.join(src, "models", "data"), "data")
subprocess.run([eqc, "train", "mlp.eq", "--steps", "30", "--quiet", "-o", "mlp.safetensors"], check=True)
subprocess.run([eqc, "predict", "mlp.eq", "-w", "mlp.safetensors", "--values", "-o", "p.csv"], check=True)

# --- the README's five lines ---
raw = bytearray(open("mlp.safetensors", "rb").read())
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
W = {k: torch.frombuffer(raw, dtype=torch.float32, offset=8 + n + v["data_offsets"][0],
                         count=(v["data_offsets"][1] - v["data_offsets"][0]) // 4).reshape(v["shape"])
     for k, v in header.items() if k != "__metadata__"}
forward = lambda x: torch.softmax(torch.relu(x @ W["W₁"].T + W["b₁"]) @ W["W₂"].T + W["b₂"], -1)
# ---

assert all(header[k]["dtype"] == "F32" for k in W), "mlp's weights are f32"
assert sorted(W) == ["W₁", "W₂", "b₁", "b₂"], sorted(W)
# The inputs as eq feeds them: scaled with the saved statistics (in double,
# then rounded to float, as eq's data loader does).
scale = json.loads(header["__metadata__"]["eq.scale"])["x"]
with open("data/digits.csv") as f:
    rows = list(csv.reader(f))[1:]
x = torch.tensor([[float(v) for v in r[:64]] for r in rows], dtype=torch.float64)
x = ((x - torch.tensor(scale["offset"], dtype=torch.float64)) *
     torch.tensor(scale["factor"], dtype=torch.float64)).float()
with open("p.csv") as f:
    want = torch.tensor([[float(v) for v in r] for r in list(csv.reader(f))[1:]], dtype=torch.float32)
got = forward(x)
assert got.shape == want.shape == (1797, 10), (got.shape, want.shape)
err = (got - want).abs().max().item()
print(f"PyTorch's forward pass over eq's weights: {got.numel()} values, max |difference| {err:.2e}")
if not err <= 1e-6:
    print("FAIL: PyTorch and eqc predict differ by more than 1e-6")
    sys.exit(1)
