#!/usr/bin/env python3
"""The peer of AtariStepBench: agent steps per second of one PongNoFrameskip-v4 with Gymnasium's
AtariPreprocessing (+ a 4-frame stack) or the seed tutorial's (Lapan's) wrappers, random actions,
on one thread. Run with a Python that has gymnasium, ale-py and opencv (../shared/bench/peer-setup.sh
makes one):  python scripts/gym-atari-steps.py [--seconds 10]"""
import argparse, collections, time
import numpy as np, gymnasium as gym, ale_py, cv2

gym.register_envs(ale_py)
cv2.setNumThreads(1)


def atari():
    env = gym.make("PongNoFrameskip-v4")
    env = gym.wrappers.AtariPreprocessing(env, noop_max=30, frame_skip=4, screen_size=84, terminal_on_life_loss=False, grayscale_obs=True)
    return gym.wrappers.FrameStackObservation(env, 4, padding_type="reset")


class Lapan(gym.Wrapper):
    """MaxAndSkip(4) over RGB frames kept across steps, float luminance, 84x110 area resize, rows 18..101, zero-padded stack."""
    def __init__(self):
        super().__init__(gym.make("PongNoFrameskip-v4"))
        self.frames, self.stack = collections.deque(maxlen=2), np.zeros((4, 84, 84), np.uint8)

    @staticmethod
    def process(frame):
        img = frame.astype(np.float32)
        img = img[:, :, 0] * 0.299 + img[:, :, 1] * 0.587 + img[:, :, 2] * 0.114
        return cv2.resize(img, (84, 110), interpolation=cv2.INTER_AREA)[18:102, :].astype(np.uint8)

    def step(self, action):
        total, term, trunc = 0.0, False, False
        for _ in range(4):
            obs, r, term, trunc, info = self.env.step(action)
            self.frames.append(obs)
            total += r
            if term or trunc:
                break
        self.stack[:-1] = self.stack[1:]
        self.stack[-1] = self.process(np.max(np.stack(self.frames), axis=0))
        return self.stack, total, term, trunc, info

    def reset(self, **kw):
        self.frames.clear()
        obs, info = self.env.reset(**kw)
        self.frames.append(obs)
        for a in (1, 2):
            obs, _, term, trunc, _ = self.step(a)
            if term or trunc:
                self.env.reset()
        return obs, info


def measure(env, seconds, rng):
    env.reset(seed=1)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        _, _, term, trunc, _ = env.step(int(rng.integers(6)))
        n += 1
        if term or trunc:
            env.reset()
    return n / (time.perf_counter() - t0)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=10)
    a = p.parse_args()
    rng = np.random.default_rng(0)
    for name, make in (("atari", atari), ("lapan", Lapan)):
        measure(make(), 2, rng)  # warm-up
        print(f"{name}: {measure(make(), a.seconds, rng):.0f} agent steps/s")
