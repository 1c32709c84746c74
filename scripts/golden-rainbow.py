#!/usr/bin/env python3
"""Golden values for the Rainbow ops (issue 21), computed with PyTorch in float64 on inputs that are
exactly representable as float32, written into src/main/resources/torch-golden.json beside the
shared reference's cases (its format: shared/reference/README.md). Rerunning replaces this script's
cases and keeps the others.

  weighted_mse, weighted_smooth_l1: inputs pred [N], target [N], weight [N] (importance weights in
    (0, 1]); expected loss = (weight * loss(pred, target, reduction='none')).mean() (smooth_l1 with
    beta 1) and dpred, its gradient.

  noisy_linear: a NoisyLinear (factorized Gaussian noise, issue 21) with the noise given: inputs x [N, in],
    weight_mu, weight_sigma [out, in], bias_mu, bias_sigma [out], eps_in [in], eps_out [out] (the noise
    already through f(e) = sign(e) sqrt(|e|)), dy [N, out]; expected y = F.linear(x, weight_mu +
    weight_sigma * eps_out.ger(eps_in), bias_mu + bias_sigma * eps_out) and the gradients dx,
    dweight_mu, dweight_sigma, dbias_mu, dbias_sigma of sum(y * dy).

Usage: python scripts/golden-rainbow.py   (needs torch; scripts/../shared/bench/peer-setup.sh makes one)
"""
import json
import pathlib

import torch
import torch.nn.functional as F

FILE = pathlib.Path(__file__).resolve().parent.parent / "src/main/resources/torch-golden.json"
OPS = {"weighted_mse", "weighted_smooth_l1", "noisy_linear"}


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


def noisy_linear(n, fan_in, fan_out, g):
    def randn(*shape, scale=1.0):
        return f32(torch.randn(*shape, generator=g, dtype=torch.float64) * scale)

    def scaled(size):  # CleanRL's / Kaixhin's _scale_noise, rounded to float32 like the noise we upload
        e = torch.randn(size, generator=g, dtype=torch.float64)
        return f32(e.sign() * e.abs().sqrt())

    bound = 1 / fan_in ** 0.5
    x = randn(n, fan_in)
    weight_mu = f32((torch.rand(fan_out, fan_in, generator=g, dtype=torch.float64) * 2 - 1) * bound)
    bias_mu = f32((torch.rand(fan_out, generator=g, dtype=torch.float64) * 2 - 1) * bound)
    # sigma0 = 0.5 at initialisation, moved by a few steps of training: not all equal
    weight_sigma = f32(0.5 / fan_in ** 0.5 * (1 + 0.2 * torch.randn(fan_out, fan_in, generator=g, dtype=torch.float64)))
    bias_sigma = f32(0.5 / fan_out ** 0.5 * (1 + 0.2 * torch.randn(fan_out, generator=g, dtype=torch.float64)))
    eps_in, eps_out = scaled(fan_in), scaled(fan_out)
    dy = randn(n, fan_out)
    leaves = [t.clone().requires_grad_(True) for t in (x, weight_mu, weight_sigma, bias_mu, bias_sigma)]
    xl, wm, ws, bm, bs = leaves
    y = F.linear(xl, wm + ws * eps_out.ger(eps_in), bm + bs * eps_out)
    (y * dy).sum().backward()
    return {"op": "noisy_linear",
            "inputs": {"x": tensor(x), "weight_mu": tensor(weight_mu), "weight_sigma": tensor(weight_sigma), "bias_mu": tensor(bias_mu),
                       "bias_sigma": tensor(bias_sigma), "eps_in": tensor(eps_in), "eps_out": tensor(eps_out), "dy": tensor(dy)},
            "expected": {"y": tensor(y.detach()), "dx": tensor(xl.grad), "dweight_mu": tensor(wm.grad), "dweight_sigma": tensor(ws.grad),
                         "dbias_mu": tensor(bm.grad), "dbias_sigma": tensor(bs.grad)}}


def main():
    g = torch.Generator().manual_seed(21)
    cases = [weighted_loss(op, n, g) for op in ("weighted_mse", "weighted_smooth_l1") for n in (1, 16, 257)]
    noisy = torch.Generator().manual_seed(2121)  # a generator of its own: the cases above stay as they were
    cases += [noisy_linear(n, fan_in, fan_out, noisy) for n, fan_in, fan_out in ((1, 1, 1), (3, 5, 4), (7, 33, 9), (32, 64, 6))]
    root = json.loads(FILE.read_text())
    root["cases"] = [c for c in root["cases"] if c["op"] not in OPS] + cases
    root.setdefault("extra_generators", {})["scripts/golden-rainbow.py"] = f"PyTorch {torch.__version__}, float64 math on float32-representable inputs"
    FILE.write_text(json.dumps(root))
    print(f"{FILE}: {len(cases)} cases of {sorted(OPS)}")


if __name__ == "__main__":
    main()
