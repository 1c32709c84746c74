#!/usr/bin/env python3
"""Golden values for the Rainbow ops (issue 21), computed with PyTorch in float64 on inputs that are
exactly representable as float32, written into src/main/resources/torch-golden.json beside the
shared reference's cases (its format: shared/reference/README.md). Rerunning replaces this script's
cases and keeps the others.

  weighted_mse, weighted_smooth_l1: inputs pred [N], target [N], weight [N] (importance weights in
    (0, 1]); expected loss = (weight * loss(pred, target, reduction='none')).mean() (smooth_l1 with
    beta 1) and dpred, its gradient.

Usage: python scripts/golden-rainbow.py   (needs torch; scripts/../shared/bench/peer-setup.sh makes one)
"""
import json
import pathlib

import torch
import torch.nn.functional as F

FILE = pathlib.Path(__file__).resolve().parent.parent / "src/main/resources/torch-golden.json"
OPS = {"weighted_mse", "weighted_smooth_l1"}


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def weighted_loss(op, n, g):
    pred = f32(torch.randn(n, generator=g, dtype=torch.float64) * 2)
    target = f32(torch.randn(n, generator=g, dtype=torch.float64) * 2)
    weight = f32(1 - 0.99 * torch.rand(n, generator=g, dtype=torch.float64))
    p = pred.clone().requires_grad_(True)
    per = F.mse_loss(p, target, reduction="none") if op == "weighted_mse" else F.smooth_l1_loss(p, target, reduction="none", beta=1.0)
    loss = (weight * per).mean()
    loss.backward()
    return {"op": op, "inputs": {"pred": tensor(pred), "target": tensor(target), "weight": tensor(weight)},
            "expected": {"loss": tensor(loss.detach().reshape(1)), "dpred": tensor(p.grad)}}


def main():
    g = torch.Generator().manual_seed(21)
    cases = [weighted_loss(op, n, g) for op in ("weighted_mse", "weighted_smooth_l1") for n in (1, 16, 257)]
    root = json.loads(FILE.read_text())
    root["cases"] = [c for c in root["cases"] if c["op"] not in OPS] + cases
    root.setdefault("extra_generators", {})["scripts/golden-rainbow.py"] = f"PyTorch {torch.__version__}, float64 math on float32-representable inputs"
    FILE.write_text(json.dumps(root))
    print(f"{FILE}: {len(cases)} cases of {sorted(OPS)}")


if __name__ == "__main__":
    main()
