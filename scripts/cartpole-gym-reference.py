#!/usr/bin/env python3
"""Whole CartPole-v1 episodes from Gymnasium, for a bit-for-bit test of env.CartPole.

Usage (a Python with gymnasium, e.g. the peer venv of shared/bench/peer-setup.sh):

    /root/.cache/dqn-peer/bin/python scripts/cartpole-gym-reference.py \
        > src/test/resources/cartpole-gym-v1.csv

One line per step: episode, step, action, the four state values (float64, printed with repr so
they parse back to the same double) and the terminated / truncated flags. Step 0 of an episode
is the state after reset (action -1). The test sets that start state, replays the actions and
compares every double with ==. Episodes alternate between a balancing controller with some random
pushes (long episodes, up to the 500-step time limit, where a last-bit difference has time to
grow) and uniformly random actions (short ones). Deterministic: two runs print the same file.
"""

import random
import sys

import gymnasium

EPISODES = 8
SEED = 2024


def main() -> None:
    env = gymnasium.make("CartPole-v1")
    rng = random.Random(SEED)
    out = sys.stdout
    out.write("# gymnasium %s CartPole-v1, scripts/cartpole-gym-reference.py\n" % gymnasium.__version__)
    out.write("episode,step,action,x,x_dot,theta,theta_dot,terminated,truncated\n")
    for episode in range(EPISODES):
        env.reset(seed=SEED + episode)
        state = env.unwrapped.state
        out.write(row(episode, 0, -1, state, False, False))
        balancing = episode % 2 == 0
        step = 0
        while True:
            action = policy(state, balancing, rng)
            _, _, terminated, truncated, _ = env.step(action)
            state = env.unwrapped.state
            step += 1
            out.write(row(episode, step, action, state, terminated, truncated))
            if terminated or truncated:
                break


def policy(state, balancing: bool, rng: random.Random) -> int:
    if not balancing or rng.random() < 0.1:
        return rng.randrange(2)
    _, _, theta, theta_dot = state
    return 1 if theta + 0.5 * theta_dot > 0 else 0


def row(episode, step, action, state, terminated, truncated) -> str:
    values = ",".join(repr(float(v)) for v in state)
    return "%d,%d,%d,%s,%d,%d\n" % (episode, step, action, values, terminated, truncated)


if __name__ == "__main__":
    main()
