#!/usr/bin/env python3
"""Golden values for the Rainbow ops (issue 21), computed with PyTorch in float64 on inputs that are
exactly representable as float32, written into src/main/resources/torch-golden.json beside the
shared reference's cases (its format: shared/reference/README.md). Rerunning replaces this script's
cases and keeps the others.

  weighted_mse, weighted_smooth_l1: inputs pred [N], target [N], weight [N] (importance weights in
    (0, 1]); expected loss = (weight * loss(pred, target, reduction='none')).mean() (smooth_l1 with
    beta 1) and dpred, its gradient.

  c51: CleanRL's c51.py target, with the loss on log_softmax: inputs logits [N, A*K] (the online
    network at s), next_logits [N, A*K] (the target network at s'), next_online_logits (Double DQN's
    chooser at s', or absent: the target network chooses, as c51.py), actions, rewards, dones [N],
    optional weight [N], and scalars gamma, v_min, v_max, atoms. Expected: target_pmfs [N, K] (the
    projection, c51.py's index_add_ loop), per_sample [N] = -sum target_pmfs * log_softmax(logits)[a],
    loss = mean(weight * per_sample), dlogits.
  dueling_atoms: q [N, A*K] = v.view(N, 1, K) + adv.view(N, A, K) - adv.view(N, A, K).mean(1), with
    dv, dadv for a given upstream gradient dq.
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
OPS = {"weighted_mse", "weighted_smooth_l1", "c51", "dueling_atoms", "noisy_linear"}


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


def c51(n, a, k, double, weighted, g):
    gamma, v_min, v_max = 0.99, -10.0, 10.0
    atoms = torch.linspace(v_min, v_max, steps=k, dtype=torch.float64)
    logits = f32(torch.randn(n, a * k, generator=g, dtype=torch.float64) * 2)
    next_logits = f32(torch.randn(n, a * k, generator=g, dtype=torch.float64) * 2)
    next_online = f32(torch.randn(n, a * k, generator=g, dtype=torch.float64) * 2) if double else None
    actions = torch.randint(0, a, (n,), generator=g).to(torch.float64)
    rewards = f32(torch.randn(n, generator=g, dtype=torch.float64) * 4)  # some beyond the support once discounted atoms are added
    dones = (torch.rand(n, generator=g, dtype=torch.float64) < 0.25).to(torch.float64)
    weight = f32(1 - 0.99 * torch.rand(n, generator=g, dtype=torch.float64)) if weighted else None
    with torch.no_grad():  # c51.py's target
        next_pmfs_all = torch.softmax(next_logits.view(n, a, k), dim=2)
        chooser = torch.softmax(next_online.view(n, a, k), dim=2) if double else next_pmfs_all
        next_actions = (chooser * atoms).sum(2).argmax(1)
        next_pmfs = next_pmfs_all[torch.arange(n), next_actions]
        next_atoms = rewards.unsqueeze(1) + gamma * atoms * (1 - dones.unsqueeze(1))
        delta_z = atoms[1] - atoms[0]
        tz = next_atoms.clamp(v_min, v_max)
        b = (tz - v_min) / delta_z
        l = b.floor().clamp(0, k - 1)
        u = b.ceil().clamp(0, k - 1)
        d_m_l = (u + (l == u).to(torch.float64) - b) * next_pmfs
        d_m_u = (b - l) * next_pmfs
        target_pmfs = torch.zeros_like(next_pmfs)
        for i in range(target_pmfs.size(0)):
            target_pmfs[i].index_add_(0, l[i].long(), d_m_l[i])
            target_pmfs[i].index_add_(0, u[i].long(), d_m_u[i])
    x = logits.clone().requires_grad_(True)
    logp = torch.log_softmax(x.view(n, a, k), dim=2)[torch.arange(n), actions.long()]
    per_sample = -(target_pmfs * logp).sum(-1)
    loss = (per_sample * (weight if weighted else 1)).mean()
    loss.backward()
    inputs = {"logits": tensor(logits), "next_logits": tensor(next_logits), "actions": tensor(actions), "rewards": tensor(rewards),
              "dones": tensor(dones), "gamma": gamma, "v_min": v_min, "v_max": v_max, "atoms": k}
    if double:
        inputs["next_online_logits"] = tensor(next_online)
    if weighted:
        inputs["weight"] = tensor(weight)
    return {"op": "c51", "inputs": inputs,
            "expected": {"target_pmfs": tensor(target_pmfs), "per_sample": tensor(per_sample.detach()),
                         "loss": tensor(loss.detach().reshape(1)), "dlogits": tensor(x.grad)}}


def dueling_atoms(n, a, k, g):
    v = f32(torch.randn(n, k, generator=g, dtype=torch.float64)).requires_grad_(True)
    adv = f32(torch.randn(n, a * k, generator=g, dtype=torch.float64)).requires_grad_(True)
    dq = f32(torch.randn(n, a * k, generator=g, dtype=torch.float64))
    av = adv.view(n, a, k)
    q = (v.view(n, 1, k) + av - av.mean(1, keepdim=True)).reshape(n, a * k)
    q.backward(dq)
    return {"op": "dueling_atoms", "inputs": {"v": tensor(v.detach()), "adv": tensor(adv.detach()), "dq": tensor(dq), "atoms": k},
            "expected": {"q": tensor(q.detach()), "dv": tensor(v.grad), "dadv": tensor(adv.grad)}}
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
    cases += [c51(n, a, k, double, weighted, g) for (n, a, k, double, weighted) in
              ((1, 2, 51, False, False), (8, 3, 51, True, True), (32, 6, 11, False, True), (5, 4, 2, True, False))]
    cases += [dueling_atoms(n, a, k, g) for (n, a, k) in ((1, 2, 51), (7, 6, 11))]
    noisy = torch.Generator().manual_seed(2121)  # a generator of its own: the cases above stay as they were
    cases += [noisy_linear(n, fan_in, fan_out, noisy) for n, fan_in, fan_out in ((1, 1, 1), (3, 5, 4), (7, 33, 9), (32, 64, 6))]
    root = json.loads(FILE.read_text())
    root["cases"] = [c for c in root["cases"] if c["op"] not in OPS] + cases
    root.setdefault("extra_generators", {})["scripts/golden-rainbow.py"] = f"PyTorch {torch.__version__}, float64 math on float32-representable inputs"
    FILE.write_text(json.dumps(root))
    print(f"{FILE}: {len(cases)} cases of {sorted(OPS)}")


if __name__ == "__main__":
    main()
