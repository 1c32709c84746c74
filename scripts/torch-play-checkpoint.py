#!/usr/bin/env python3
"""Loads a dqn-scratch checkpoint into the PyTorch network CleanRL builds for the same recipe and
plays greedy steps with it in Gymnasium: a checkpoint is a PyTorch state_dict in all but its file.

The network comes from the checkpoint's metadata (network, hidden, dueling, atoms, v_min, v_max):

  MLP (CartPole, FrozenLake): CleanRL dqn.py's / c51.py's QNetwork, `network` = Linear, ReLU, ...;
    our "0.weight" is its "network.0.weight".
  Nature CNN (Atari): dqn_atari.py's / c51_atari.py's `network` (x / 255 first); our conv.0, conv.2,
    conv.4, fc.0, fc.2 are its network.0, .2, .4, .7, .9.
  C51 (atoms in the metadata): the last layer gives actions x atoms logits, softmax over the atoms,
    Q = sum p z with z = torch.linspace(v_min, v_max, atoms), as c51.py's get_action.
  Noisy (noisy in the metadata): every Linear of an MLP, the CNN's fully connected ones, are NoisyLinear
    with weight_mu, weight_sigma, bias_mu, bias_sigma (CleanRL's and Kaixhin's names); greedy play uses
    the means (eval mode), as our evaluations do. The noise buffers are not in a checkpoint.
  Dueling: CleanRL has no dueling DQN script; the head is kept under our names (value.*, advantage.*),
    Q = V + A - mean(A), per atom for C51 (Rainbow's), in a `head` attribute; with separate streams
    (dueling_streams: Rainbow's network) each stream is Linear, ReLU, Linear (value.0, value.2, ...).

Loading is strict (every tensor, exact shapes). The safetensors file is read here (its header is JSON,
the data little-endian float32), so only torch and gymnasium (ale-py for Atari) are needed:
`bash shared/bench/peer-setup.sh DIR` makes such an environment.

Usage: python scripts/torch-play-checkpoint.py CHECKPOINT [--steps N] [--seed S]
"""
import argparse
import json
import struct

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise SystemExit(f"{name}: dtype {t['dtype']}, expected F32")
        a, b = t["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").copy()).reshape(t["shape"])
    return tensors, meta


class NoisyLinear(nn.Module):
    """A noisy layer's parameters under CleanRL's names; in eval mode (greedy play) it is its means."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight_mu = nn.Parameter(torch.empty(n_out, n_in))
        self.weight_sigma = nn.Parameter(torch.empty(n_out, n_in))
        self.bias_mu = nn.Parameter(torch.empty(n_out))
        self.bias_sigma = nn.Parameter(torch.empty(n_out))

    def forward(self, x):
        return nn.functional.linear(x, self.weight_mu, self.bias_mu)


class Dueling(nn.Module):
    """Q = V + A - mean_a A, atom by atom (atoms 1: Q values)."""

    def __init__(self, width, actions, atoms, stream_hidden=0, linear=nn.Linear):
        super().__init__()
        self.actions, self.atoms = actions, atoms
        if stream_hidden:
            self.value = nn.Sequential(linear(width, stream_hidden), nn.ReLU(), linear(stream_hidden, atoms))
            self.advantage = nn.Sequential(linear(width, stream_hidden), nn.ReLU(), linear(stream_hidden, actions * atoms))
        else:
            self.value = linear(width, atoms)
            self.advantage = linear(width, actions * atoms)

    def forward(self, x):
        v = self.value(x).view(-1, 1, self.atoms)
        a = self.advantage(x).view(-1, self.actions, self.atoms)
        return (v + a - a.mean(1, keepdim=True)).reshape(len(x), -1)


class QNetwork(nn.Module):
    def __init__(self, meta):
        super().__init__()
        self.actions = int(meta["actions"])
        self.atoms = int(meta.get("atoms", 1))
        self.pixels = meta["network"] == "nature-cnn"
        dueling, streams = meta["dueling"] == "true", meta.get("dueling_streams") == "true"
        linear = NoisyLinear if meta.get("noisy") == "true" else nn.Linear
        out = self.actions * self.atoms
        if self.pixels:
            frames = int(meta["frame_stack"])
            layers = [nn.Conv2d(frames, 32, 8, stride=4), nn.ReLU(), nn.Conv2d(32, 64, 4, stride=2), nn.ReLU(),
                      nn.Conv2d(64, 64, 3, stride=1), nn.ReLU(), nn.Flatten()]
            hidden, width = [512], 3136
        else:
            layers, width = [], int(meta["observation_size"])
            hidden = [int(w) for w in meta["hidden"].split(",") if w.strip()]
        shared = hidden[:-1] if streams else hidden
        for h in shared:
            layers += [linear(width, h), nn.ReLU()]
            width = h
        if dueling:
            self.network = nn.Sequential(*layers)
            self.head = Dueling(width, self.actions, self.atoms, hidden[-1] if streams else 0, linear)
        else:
            self.network = nn.Sequential(*layers, linear(width, out))
            self.head = nn.Identity()
        if self.atoms > 1:
            self.register_buffer("atoms_z", torch.linspace(float(meta["v_min"]), float(meta["v_max"]), self.atoms), persistent=False)

    def q_values(self, x):
        logits = self.head(self.network(x / 255.0 if self.pixels else x))
        if self.atoms == 1:
            return logits
        pmfs = torch.softmax(logits.view(len(x), self.actions, self.atoms), dim=2)
        return (pmfs * self.atoms_z).sum(2)


def torch_names(ours, meta):
    """Our parameter names -> the PyTorch module's (see the module docstring)."""
    pixels, dueling = meta["network"] == "nature-cnn", meta["dueling"] == "true"
    layers = {"conv.0": 0, "conv.2": 2, "conv.4": 4, "fc.0": 7, "fc.2": 9}
    out = {}
    for name, t in ours.items():
        parts = name.split(".")
        if pixels:
            key = ".".join(parts[:2])
            if dueling and parts[1] in ("value", "advantage"):  # separate streams: fc.value.0.weight -> head.value.0.weight
                out["head." + ".".join(parts[1:])] = t
            elif dueling and key == "fc.2":  # fc.2.value.weight -> head.value.weight
                out["head." + ".".join(parts[2:])] = t
            else:
                out[f"network.{layers[key]}." + ".".join(parts[2:])] = t
        elif dueling and parts[1] in ("value", "advantage"):  # 4.value.weight -> head.value.weight
            out["head." + ".".join(parts[1:])] = t
        else:
            out["network." + name] = t
    return out


def make_env(meta, seed):
    if meta["network"] != "nature-cnn":
        if meta["env"].startswith("FrozenLake"):
            raise SystemExit("FrozenLake observations are one-hot here; play it with the jar's eval command")
        return gym.make(meta["env"]), lambda o: o
    import ale_py
    gym.register_envs(ale_py)
    env = gym.make(f"ALE/{meta['game'].title().replace('_', '')}-v5", frameskip=1, repeat_action_probability=0.0)
    env = gym.wrappers.AtariPreprocessing(env, noop_max=int(meta["noop_max"]), frame_skip=int(meta["frame_skip"]),
                                          screen_size=84, grayscale_obs=True, scale_obs=False)
    env = gym.wrappers.FrameStackObservation(env, int(meta["frame_stack"]))
    return env, lambda o: np.asarray(o, dtype=np.float32)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--steps", type=int, default=500, help="greedy steps to play (an episode ends earlier)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    ours, meta = read_safetensors(args.checkpoint)
    net = QNetwork(meta)
    net.load_state_dict(torch_names(ours, meta), strict=True)
    net.eval()
    kind = f"C51 ({net.atoms} atoms on [{meta['v_min']}, {meta['v_max']}])" if net.atoms > 1 else "Q values"
    print(f"loaded {len(ours)} tensors into {type(net).__name__} ({meta['network']}, dueling {meta['dueling']}, {kind}) strictly")
    env, prep = make_env(meta, args.seed)
    obs, _ = env.reset(seed=args.seed)
    total, actions = 0.0, []
    with torch.no_grad():
        for t in range(args.steps):
            q = net.q_values(torch.as_tensor(prep(obs), dtype=torch.float32).unsqueeze(0))
            a = int(q.argmax(1))
            actions.append(a)
            obs, r, terminated, truncated, _ = env.step(a)
            total += float(r)
            if terminated or truncated:
                break
    print(f"{env.spec.id}: {len(actions)} greedy steps, return {total:g}; first actions {actions[:20]}")


if __name__ == "__main__":
    main()
