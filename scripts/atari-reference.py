#!/usr/bin/env python3
"""Reference files of the real Python Atari stack, for frame-by-frame tests of the Java pipelines.

Usage (see src/test/resources/atari/README.md):

    /root/.cache/dqn-peer/bin/python scripts/atari-reference.py src/test/resources/atari

Writes four gzip files into the given directory:

  pong-atari.ref.gz  Gymnasium AtariPreprocessing + SB3's FireResetEnv (FIRE, then action 2) +
                     FrameStackObservation(4, "reset")
  pong-lapan.ref.gz  Lapan's Deep RL Hands-On ch. 6 wrappers (MaxAndSkip, FireReset, ProcessFrame84,
                     BufferWrapper), ported to Gymnasium's 5-tuple API
  breakout-atari-episodic.ref.gz  the same + SB3's EpisodicLifeEnv under FireReset, on Breakout
  pong-raw.ref.gz    the bare emulator (ale_py.ALEInterface), 3000 frames, CRC32 of every screen

All numbers big-endian (java.io.DataInputStream). The gzip header has mtime 0 and no file name, so
two runs give byte-identical files. The facts the README lists as verified are asserted here.
"""

from __future__ import annotations

import collections
import gzip
import io
import math
import os
import platform
import struct
import sys
import zlib

import ale_py
import cv2
import gymnasium as gym
import numpy as np
from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation

gym.register_envs(ale_py)

ENV_ID = "PongNoFrameskip-v4"
GAME = "pong"
SEED = 7
STEPS = 4000
ACTION_RNG_SEED = 12345
H = W = 84
STACK = 4

RAW_SEED = 123
RAW_FRAMES = 3000
RAW_ACTION_RNG_SEED = 999
RAW_FULL_FRAME_EVERY = 50


# --------------------------------------------------------------------------- binary writing


class Out:
    """Big-endian writer with java.io.DataOutputStream semantics."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()

    def raw(self, b: bytes) -> None:
        self.buf.write(b)

    def utf(self, s: str) -> None:
        b = s.encode("ascii")  # ASCII only: modified UTF-8 == ASCII
        self.buf.write(struct.pack(">H", len(b)) + b)

    def long(self, v: int) -> None:
        self.buf.write(struct.pack(">q", v))

    def int(self, v: int) -> None:
        self.buf.write(struct.pack(">i", v))

    def uint(self, v: int) -> None:  # a CRC32: same 32 bits as Java's (int) crc.getValue()
        self.buf.write(struct.pack(">I", v & 0xFFFFFFFF))

    def float(self, v: float) -> None:
        self.buf.write(struct.pack(">f", v))

    def byte(self, v: int) -> None:
        self.buf.write(struct.pack(">b", v))

    def frame(self, f: np.ndarray, shape: tuple[int, int]) -> None:
        assert f.dtype == np.uint8 and f.shape == shape, (f.dtype, f.shape)
        self.buf.write(np.ascontiguousarray(f).tobytes())

    def save(self, path: str) -> int:
        data = self.buf.getvalue()
        comp = io.BytesIO()
        # filename="" -> no FNAME field; mtime=0 -> fixed header; level 9
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=comp, mtime=0) as gz:
            gz.write(data)
        with open(path, "wb") as f:
            f.write(comp.getvalue())
        return len(data)


# --------------------------------------------------------------------------- pipeline 1: atari


class FireReset(gym.Wrapper):
    """Stable-Baselines3's FireResetEnv (stable_baselines3/common/atari_wrappers.py), which SB3's
    AtariWrapper, RL-Zoo and CleanRL's dqn_atari.py train with: on reset, inner reset, then a step
    with FIRE (action 1), then a step with action 2, each through the inner env (4 frames each);
    after either step, if it ended the episode, the inner env is reset again. The reset
    observation is the one after action 2 (or after the last reset).

    Records, for the reference file, the ALE episode frame number right after the inner reset
    (= the AtariPreprocessing no-op count, see verify below) and whether either step ended the
    episode.
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        assert env.unwrapped.get_action_meanings()[1] == "FIRE"
        assert len(env.unwrapped.get_action_meanings()) >= 3
        self.last_noops = -1
        self.last_fire_ended = False

    def reset(self, *, seed=None, options=None):
        self.last_fire_ended = False
        obs, info = self.env.reset(seed=seed, options=options)
        self.last_noops = self.env.unwrapped.ale.getEpisodeFrameNumber()
        obs, _, terminated, truncated, info = self.env.step(1)
        if terminated or truncated:
            self.last_fire_ended = True
            obs, info = self.env.reset()
        obs, _, terminated, truncated, info = self.env.step(2)
        if terminated or truncated:
            self.last_fire_ended = True
            obs, info = self.env.reset()
        return obs, info


class CountNoops(gym.Wrapper):
    """Transparent wrapper placed UNDER AtariPreprocessing (verification run only): counts the
    env.step calls between a reset and the next reset/step from above, i.e. the no-ops drawn."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.steps_since_reset = 0
        self.actions_since_reset: list[int] = []

    def reset(self, **kw):
        self.steps_since_reset = 0
        self.actions_since_reset = []
        return self.env.reset(**kw)

    def step(self, action):
        self.steps_since_reset += 1
        self.actions_since_reset.append(int(action))
        return self.env.step(action)


def make_atari(count_noops: bool = False):
    base = gym.make(ENV_ID)
    inner = CountNoops(base) if count_noops else base
    pre = AtariPreprocessing(
        inner, noop_max=30, frame_skip=4, screen_size=84, terminal_on_life_loss=False, grayscale_obs=True
    )
    fire = FireReset(pre)
    stacked = FrameStackObservation(fire, STACK, padding_type="reset")
    return stacked, fire, inner


# --------------------------------------------------------------------------- pipeline 1b: atari + EpisodicLifeEnv

EPISODIC_ENV_ID = "BreakoutNoFrameskip-v4"  # Pong has no lives (ale.lives() is 0 throughout)
EPISODIC_GAME = "breakout"
EPISODIC_STEPS = 2000


class EpisodicLife(gym.Wrapper):
    """Stable-Baselines3's EpisodicLifeEnv (stable_baselines3/common/atari_wrappers.py), as SB3's
    AtariWrapper and CleanRL's dqn_atari.py place it: between the frame skip and FireResetEnv.
    A lost life (lives decreased and still > 0) ends the episode, but the game goes on: the next
    reset is one NOOP step of the inner env (4 frames), a real reset only if the game was over
    (or that step ended it).

    Records, for the reference file, the no-op counts of the real resets it made during the last
    reset (ALE's episode frame number right after each; none: the game went on)."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.lives = 0
        self.was_real_done = True
        self.real_resets: list[int] = []

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.was_real_done = terminated or truncated
        lives = self.env.unwrapped.ale.lives()
        if 0 < lives < self.lives:
            terminated = True
        self.lives = lives
        return obs, reward, terminated, truncated, info

    def reset(self, **kwargs):
        self.real_resets = []
        if self.was_real_done:
            obs, info = self.env.reset(**kwargs)
            self.real_resets.append(self.env.unwrapped.ale.getEpisodeFrameNumber())
        else:
            obs, _, terminated, truncated, info = self.env.step(0)
            if terminated or truncated:
                obs, info = self.env.reset(**kwargs)
                self.real_resets.append(self.env.unwrapped.ale.getEpisodeFrameNumber())
        self.lives = self.env.unwrapped.ale.lives()
        return obs, info


def record_episodic():
    """AtariPreprocessing (terminal_on_life_loss=False) + EpisodicLife + FireReset + FrameStack on
    Breakout, over random actions. 'R' records carry the no-op count of the real reset, or -1 where
    the game went on after a lost life (one NOOP step instead)."""
    base = gym.make(EPISODIC_ENV_ID)
    pre = AtariPreprocessing(base, noop_max=30, frame_skip=4, screen_size=84, terminal_on_life_loss=False, grayscale_obs=True)
    life = EpisodicLife(pre)
    fire = FireReset(life)
    env = FrameStackObservation(fire, STACK, padding_type="reset")
    ale = env.unwrapped.ale
    n_actions = env.action_space.n
    assert env.unwrapped.get_action_meanings()[:3] == ["NOOP", "FIRE", "RIGHT"]
    actions = np.random.default_rng(ACTION_RNG_SEED).integers(0, n_actions, size=EPISODIC_STEPS)
    records = []
    stats = {"life_resets": 0, "real_resets": 0, "game_returns": [], "life_ends": 0, "game_ends": 0}
    stack: list[np.ndarray] = []

    def on_reset(obs):
        nonlocal stack
        f = newest_u8(obs)
        check_atari_resize(pre.obs_buffer[0], f)
        stack = [f.copy() for _ in range(STACK)]
        assert np.array_equal(obs, np.stack(stack))
        assert not fire.last_fire_ended, "FIRE or action 2 ended an episode"
        assert len(life.real_resets) <= 1, life.real_resets
        noops = life.real_resets[0] if life.real_resets else -1
        if life.real_resets:
            stats["real_resets"] += 1
            assert 1 <= noops <= 30, noops
            assert ale.getEpisodeFrameNumber() == noops + 8
        else:
            stats["life_resets"] += 1
        records.append(("R", int(noops), 0, f.copy()))

    obs, _ = env.reset(seed=SEED)
    on_reset(obs)
    game_return = 0.0
    for a in actions:
        a = int(a)
        lives_before = ale.lives()
        obs, reward, terminated, truncated, _ = env.step(a)
        f = newest_u8(obs)
        check_atari_resize(pre.obs_buffer[0], f)
        stack = stack[1:] + [f.copy()]
        assert np.array_equal(obs, np.stack(stack))
        game_return += float(reward)
        records.append(("S", a, float(reward), int(bool(terminated)), int(bool(truncated)), f.copy()))
        if terminated or truncated:
            if life.was_real_done:
                stats["game_ends"] += 1
                stats["game_returns"].append(game_return)
                game_return = 0.0
            else:
                assert 0 < ale.lives() < lives_before
                stats["life_ends"] += 1
            obs, _ = env.reset()
            on_reset(obs)
    env.close()
    return records, stats


# --------------------------------------------------------------------------- pipeline 2: lapan


class MaxAndSkipEnv(gym.Wrapper):
    def __init__(self, env: gym.Env, skip: int = 4):
        super().__init__(env)
        self._obs_buffer = collections.deque(maxlen=2)  # kept ACROSS steps, cleared only on reset
        self._skip = skip

    def step(self, action):
        total_reward = 0.0
        terminated = truncated = False
        info = {}
        for _ in range(self._skip):
            obs, reward, terminated, truncated, info = self.env.step(action)
            self._obs_buffer.append(obs)
            total_reward += reward
            if terminated or truncated:
                break
        max_frame = np.max(np.stack(self._obs_buffer), axis=0)
        return max_frame, total_reward, terminated, truncated, info

    def reset(self, *, seed=None, options=None):
        self._obs_buffer.clear()
        obs, info = self.env.reset(seed=seed, options=options)
        self._obs_buffer.append(obs)
        return obs, info


class LapanFireResetEnv(gym.Wrapper):
    def __init__(self, env: gym.Env):
        super().__init__(env)
        assert env.unwrapped.get_action_meanings()[1] == "FIRE"
        assert len(env.unwrapped.get_action_meanings()) >= 3
        self.last_fire_ended = False

    def reset(self, *, seed=None, options=None):
        self.last_fire_ended = False
        self.env.reset(seed=seed, options=options)
        obs, _, terminated, truncated, info = self.env.step(1)
        if terminated or truncated:
            self.last_fire_ended = True
            self.env.reset()
        obs, _, terminated, truncated, info = self.env.step(2)
        if terminated or truncated:
            self.last_fire_ended = True
            self.env.reset()
        return obs, info


class ProcessFrame84(gym.ObservationWrapper):
    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.observation_space = gym.spaces.Box(low=0, high=255, shape=(84, 84, 1), dtype=np.uint8)

    def observation(self, obs):
        return ProcessFrame84.process(obs)

    @staticmethod
    def process(frame):
        if frame.size == 210 * 160 * 3:
            img = np.reshape(frame, [210, 160, 3]).astype(np.float32)
        else:
            raise AssertionError("Unknown resolution.")
        img = img[:, :, 0] * 0.299 + img[:, :, 1] * 0.587 + img[:, :, 2] * 0.114
        assert img.dtype == np.float32, img.dtype  # NEP 50: python float scalars stay "weak"
        resized_screen = cv2.resize(img, (84, 110), interpolation=cv2.INTER_AREA)
        assert resized_screen.dtype == np.float32 and resized_screen.shape == (110, 84)
        x_t = resized_screen[18:102, :]
        x_t = np.reshape(x_t, [84, 84, 1])
        return x_t.astype(np.uint8)


class ImageToPyTorch(gym.ObservationWrapper):
    def __init__(self, env: gym.Env):
        super().__init__(env)
        old_shape = self.observation_space.shape
        self.observation_space = gym.spaces.Box(
            low=0.0, high=1.0, shape=(old_shape[-1], old_shape[0], old_shape[1]), dtype=np.float32
        )

    def observation(self, observation):
        return np.moveaxis(observation, 2, 0)


class BufferWrapper(gym.ObservationWrapper):
    def __init__(self, env: gym.Env, n_steps: int, dtype=np.float32):
        super().__init__(env)
        self.dtype = dtype
        old_space = env.observation_space
        self.observation_space = gym.spaces.Box(
            old_space.low.repeat(n_steps, axis=0), old_space.high.repeat(n_steps, axis=0), dtype=dtype
        )

    def reset(self, *, seed=None, options=None):
        self.buffer = np.zeros_like(self.observation_space.low, dtype=self.dtype)
        obs, info = self.env.reset(seed=seed, options=options)
        return self.observation(obs), info

    def observation(self, observation):
        self.buffer[:-1] = self.buffer[1:]
        self.buffer[-1] = observation
        return self.buffer  # the same array every call (the tutorial's ScaledFloatFrame copies it)


def make_lapan():
    base = gym.make(ENV_ID)
    env = MaxAndSkipEnv(base)
    fire = LapanFireResetEnv(env)
    env = ProcessFrame84(fire)
    env = ImageToPyTorch(env)
    env = BufferWrapper(env, STACK)
    return env, fire, base


# --------------------------------------------------------------------------- resize emulation
#
# A float32 re-implementation of OpenCV's INTER_AREA path for non-integer scale factors
# (resizeArea_ / computeResizeAreaTab in imgproc/src/resize.cpp). Asserted bit-exact against
# cv2.resize on every frame the pipelines resize, so the README can give it to the Java side.


def area_tab(ssize: int, dsize: int):
    """[(dst index, src index, float32 weight)] in OpenCV's order."""
    scale = 1.0 / (dsize / ssize)  # OpenCV: scale_x = 1./inv_scale_x, inv_scale_x = dsize/ssize
    tab = []
    for dx in range(dsize):
        fsx1 = dx * scale
        fsx2 = fsx1 + scale
        cell = min(scale, ssize - fsx1)
        sx1, sx2 = math.ceil(fsx1), math.floor(fsx2)
        sx2 = min(sx2, ssize - 1)
        sx1 = min(sx1, sx2)
        if sx1 - fsx1 > 1e-3:
            tab.append((dx, sx1 - 1, np.float32((sx1 - fsx1) / cell)))
        for sx in range(sx1, sx2):
            tab.append((dx, sx, np.float32(1.0 / cell)))
        if fsx2 - sx2 > 1e-3:
            tab.append((dx, sx2, np.float32(min(min(fsx2 - sx2, 1.0), cell) / cell)))
    return tab


_TABS: dict = {}


def area_resize_f32(src: np.ndarray, dw: int, dh: int) -> np.ndarray:
    """float32 result before the final cast: per source row, buf[dx] += S[sx]*a over the x table
    (float32, table order); per destination row, sum = beta*buf (first source row), then
    sum += beta*buf (float32, table order)."""
    sh, sw = src.shape
    key = (sw, sh, dw, dh)
    if key not in _TABS:
        _TABS[key] = (area_tab(sw, dw), area_tab(sh, dh))
    xt, yt = _TABS[key]
    s = src.astype(np.float32)
    buf = np.zeros((sh, dw), np.float32)
    for dx, sx, a in xt:
        buf[:, dx] = buf[:, dx] + s[:, sx] * a
    out = np.zeros((dh, dw), np.float32)
    seen = [False] * dh
    for dy, sy, beta in yt:
        if seen[dy]:
            out[dy] = out[dy] + beta * buf[sy]
        else:
            out[dy] = beta * buf[sy]
            seen[dy] = True
    return out


def lapan_luminance_f32(rgb: np.ndarray) -> np.ndarray:
    """(r*0.299f + g*0.587f) + b*0.114f, every operation rounded to float32 (no FMA)."""
    img = rgb.astype(np.float32)
    return (img[:, :, 0] * np.float32(0.299) + img[:, :, 1] * np.float32(0.587)) + img[:, :, 2] * np.float32(0.114)


def check_atari_resize(pooled: np.ndarray, frame: np.ndarray) -> int:
    """Asserts the emulation; returns how many pixels round differently with half-up (Math.round)."""
    v = area_resize_f32(pooled, W, H)
    mine = np.rint(v).clip(0, 255).astype(np.uint8)  # cvRound: half to even
    assert np.array_equal(mine, frame), "uint8 INTER_AREA emulation differs from cv2"
    half_up = np.floor(v + np.float32(0.5)).clip(0, 255).astype(np.uint8)
    return int((half_up != frame).sum())


def check_lapan_resize(rgb: np.ndarray, frame: np.ndarray) -> None:
    lum = lapan_luminance_f32(rgb)
    img = rgb.astype(np.float32)
    assert np.array_equal(lum, img[:, :, 0] * 0.299 + img[:, :, 1] * 0.587 + img[:, :, 2] * 0.114)
    full = area_resize_f32(lum, 84, 110)
    assert np.array_equal(full, cv2.resize(lum, (84, 110), interpolation=cv2.INTER_AREA)), "float32 area differs"
    assert np.array_equal(full[18:102].astype(np.uint8), frame), "lapan crop/truncation differs"


# --------------------------------------------------------------------------- recording


def newest_u8(obs: np.ndarray) -> np.ndarray:
    f = obs[-1]
    if f.dtype != np.uint8:
        assert np.all(f == np.round(f)) and f.min() >= 0 and f.max() <= 255
        f = f.astype(np.uint8)
    return f


def record_pipeline(name: str, actions: np.ndarray, count_noops: bool = False):
    """Runs one pipeline over the fixed actions. Returns (records, stats)."""
    if name == "atari":
        env, fire, inner = make_atari(count_noops)
        pad_rule = "reset"
    else:
        env, fire, inner = make_lapan()
        pad_rule = "zero"
    ale = env.unwrapped.ale

    records = []  # ('R', noops, fireEnded, frame) | ('S', action, reward, term, trunc, frame)
    stats = {"noops": [], "fire_ended": [], "episodes": [], "ep_frames": [], "ep_returns": [],
             "term_subframe": [], "term_repeats_prev": [], "steps_with_reward": 0}
    my_stack: list[np.ndarray] = []
    stats["resize_checked"] = 0
    stats["half_up_would_differ"] = 0

    def check_resize(f):
        if count_noops:  # the verification run: skip, already checked on the main run
            return
        if name == "atari":
            stats["half_up_would_differ"] += check_atari_resize(fire.env.obs_buffer[0], f)  # AtariPreprocessing pools in place into [0]
        else:
            check_lapan_resize(np.max(np.stack(fire.env._obs_buffer), axis=0), f)
        stats["resize_checked"] += 1

    def on_reset(obs):
        nonlocal my_stack
        assert obs.shape == (STACK, H, W), obs.shape
        f = newest_u8(obs)
        check_resize(f)
        if pad_rule == "reset":
            my_stack = [f.copy() for _ in range(STACK)]
        else:
            my_stack = [np.zeros((H, W), np.uint8) for _ in range(STACK - 1)] + [f.copy()]
        assert np.array_equal(obs, np.stack(my_stack)), f"{name}: reset stack rule violated"
        if name == "atari":
            noops = fire.last_noops
            assert 1 <= noops <= 30, noops
            if count_noops:
                # inner saw: `noops` NOOP steps (action 0), FIRE (1) x 4 frames, then 2 x 4 frames
                assert inner.actions_since_reset == [0] * noops + [1] * 4 + [2] * 4, inner.actions_since_reset
            # after FIRE and 2: ALE's episode frame counter = noops + 8 (reset_game itself counts 0)
            assert ale.getEpisodeFrameNumber() == noops + 8, (ale.getEpisodeFrameNumber(), noops)
        else:
            noops = 0
            # lapan: FIRE + RIGHT, 4 frames each, reset_game counts 0
            assert ale.getEpisodeFrameNumber() == 8, ale.getEpisodeFrameNumber()
        stats["noops"].append(int(noops))
        stats["fire_ended"].append(bool(fire.last_fire_ended))
        records.append(("R", int(noops), int(fire.last_fire_ended), f.copy()))
        return noops

    obs, _ = env.reset(seed=SEED)
    noops = on_reset(obs)
    ep_steps = 0
    ep_return = 0.0
    prev_frame = records[-1][3]
    for a in actions:
        a = int(a)
        frame_before = ale.getEpisodeFrameNumber()
        obs, reward, terminated, truncated, _ = env.step(a)
        assert obs.shape == (STACK, H, W)
        f = newest_u8(obs)
        check_resize(f)
        my_stack = my_stack[1:] + [f.copy()]
        assert np.array_equal(obs, np.stack(my_stack)), f"{name}: step stack rule violated"
        reward = float(reward)
        assert reward in (-1.0, 0.0, 1.0), reward
        if reward != 0:
            stats["steps_with_reward"] += 1
        records.append(("S", a, reward, int(bool(terminated)), int(bool(truncated)), f.copy()))
        ep_steps += 1
        ep_return += reward
        frames_this_step = ale.getEpisodeFrameNumber() - frame_before
        if terminated or truncated:
            stats["episodes"].append(ep_steps)
            stats["ep_frames"].append(ale.getEpisodeFrameNumber())
            stats["ep_returns"].append(ep_return)
            stats["term_subframe"].append(frames_this_step)  # 1..4: the frame of the step that ended it
            stats["term_repeats_prev"].append(bool(np.array_equal(f, prev_frame)))
            obs, _ = env.reset()
            noops = on_reset(obs)
            ep_steps = 0
            ep_return = 0.0
            prev_frame = records[-1][3]
        else:
            assert frames_this_step == 4, frames_this_step
            prev_frame = f
    stats["open_episode_steps"] = ep_steps
    env.close()
    return records, stats


def write_pipeline(path: str, name: str, records, game: str = GAME) -> int:
    out = Out()
    out.raw(b"DQNREF1\n")
    out.utf(name)
    out.utf(game)
    out.long(SEED)
    out.int(H)
    out.int(W)
    out.int(STACK)
    out.int(len(records))
    for r in records:
        if r[0] == "R":
            _, noops, fire_ended, frame = r
            out.raw(b"R")
            out.int(noops)
            out.byte(fire_ended)
            out.frame(frame, (H, W))
        else:
            _, a, reward, term, trunc, frame = r
            out.raw(b"S")
            out.int(a)
            out.float(reward)
            out.byte(term)
            out.byte(trunc)
            out.frame(frame, (H, W))
    return out.save(path)


def records_equal(a, b) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x[:-1] != y[:-1] or not np.array_equal(x[-1], y[-1]):
            return False
    return True


# --------------------------------------------------------------------------- raw emulator


def record_raw(path: str | None, seed: int = RAW_SEED):
    ale = ale_py.ALEInterface()
    ale.setLoggerMode(ale_py.LoggerMode.Error)
    ale.setInt("random_seed", seed)
    ale.setFloat("repeat_action_probability", 0.0)
    ale.loadROM(ale_py.roms.get_rom_path(GAME))
    ale.reset_game()
    minimal = ale.getMinimalActionSet()
    assert len(minimal) == 6
    acts = np.random.default_rng(RAW_ACTION_RNG_SEED).integers(0, 6, RAW_FRAMES)
    out = Out()
    out.raw(b"DQNRAW1\n")
    out.int(RAW_SEED)
    out.int(RAW_FRAMES)
    game_overs = 0
    nonzero_rewards = 0
    full_frames = 0
    crcs = []
    for i in range(RAW_FRAMES):
        idx = int(acts[i])
        reward = int(ale.act(minimal[idx]))
        over = bool(ale.game_over())
        gray = ale.getScreenGrayscale()
        rgb = ale.getScreenRGB()
        assert gray.shape == (210, 160) and gray.dtype == np.uint8
        assert rgb.shape == (210, 160, 3) and rgb.dtype == np.uint8
        has = i % RAW_FULL_FRAME_EVERY == 0
        out.int(idx)
        out.int(reward)
        out.byte(int(over))
        crc_gray = zlib.crc32(np.ascontiguousarray(gray).tobytes())
        crc_rgb = zlib.crc32(np.ascontiguousarray(rgb).tobytes())
        out.uint(crc_gray)
        out.uint(crc_rgb)
        crcs.append((reward, over, crc_gray, crc_rgb))
        out.byte(int(has))
        if has:
            out.frame(gray, (210, 160))
            full_frames += 1
        if reward != 0:
            nonzero_rewards += 1
        if over:
            game_overs += 1
            ale.reset_game()
    n = out.save(path) if path is not None else len(out.buf.getvalue())
    return {"crcs": crcs, "minimal": [f"{m.name}={int(m.value)}" for m in minimal], "game_overs": game_overs,
            "nonzero_rewards": nonzero_rewards, "full_frames": full_frames, "raw_bytes": n}


# --------------------------------------------------------------------------- main


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: atari-reference.py OUTPUT_DIR")
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)

    print("versions:")
    print(f"  python {platform.python_version()}")
    print(f"  numpy {np.__version__}")
    print(f"  opencv {cv2.__version__}")
    print(f"  gymnasium {gym.__version__}")
    print(f"  ale-py {ale_py.__version__}")
    ale_seed = np.int32(np.random.SeedSequence(SEED).generate_state(n_words=2)[1])
    print(f"ALE random_seed that AtariEnv sets for reset(seed={SEED}): {int(ale_seed)}")

    # numpy/cv2 dtype facts used by the lapan luminance
    probe = np.full((2, 2, 3), 200, np.uint8).astype(np.float32)
    lum = probe[:, :, 0] * 0.299
    print(f"float32 array * python float -> {lum.dtype}; "
          f"cv2.resize(float32, INTER_AREA) -> {cv2.resize(np.zeros((210, 160), np.float32), (84, 110), interpolation=cv2.INTER_AREA).dtype}")

    actions = np.random.default_rng(ACTION_RNG_SEED).integers(0, 6, size=STEPS)

    for name in ("atari", "lapan"):
        records, stats = record_pipeline(name, actions)
        if name == "atari":
            # independent noop capture: a transparent counting wrapper under AtariPreprocessing;
            # the run must be identical to the uninstrumented one
            records2, stats2 = record_pipeline(name, actions, count_noops=True)
            assert records_equal(records, records2), "instrumented atari run differs"
            assert stats2["noops"] == stats["noops"]
        ended = sum(1 for r in records if r[0] == "S" and r[3])
        assert not any(r[4] for r in records if r[0] == "S"), f"{name}: a step was truncated"
        assert ended >= 2, f"{name}: only {ended} episodes terminated; raise STEPS"
        assert not any(stats["fire_ended"]), f"{name}: FIRE ended an episode"
        path = os.path.join(out_dir, f"pong-{name}.ref.gz")
        nbytes = write_pipeline(path, name, records)
        print(f"{name}: {len(records)} records ({sum(r[0] == 'R' for r in records)} resets, "
              f"{sum(r[0] == 'S' for r in records)} steps), {ended} episodes terminated, "
              f"uncompressed {nbytes} B, file {os.path.getsize(path)} B")
        print(f"  noops per reset: {stats['noops']}")
        print(f"  FIRE ended episode: {stats['fire_ended']}")
        print(f"  terminated episodes (agent steps): {stats['episodes']}, ALE episode frames: {stats['ep_frames']}, "
              f"returns: {stats['ep_returns']}")
        print(f"  frames run in the terminal step: {stats['term_subframe']}, "
              f"terminal newest frame == previous newest frame: {stats['term_repeats_prev']}")
        print(f"  resize emulation bit-exact on {stats['resize_checked']} frames"
              + (f"; pixels where half-up rounding would differ: {stats['half_up_would_differ']}"
                 if name == "atari" else ""))
        print(f"  open episode at the end: {stats['open_episode_steps']} steps; steps with reward != 0: "
              f"{stats['steps_with_reward']}")

    records, stats = record_episodic()
    path = os.path.join(out_dir, f"{EPISODIC_GAME}-atari-episodic.ref.gz")
    assert stats["life_ends"] >= 3 and stats["game_ends"] >= 2, stats
    assert not any(r[4] for r in records if r[0] == "S")
    nbytes = write_pipeline(path, "atari", records, EPISODIC_GAME)
    print(f"atari + EpisodicLife ({EPISODIC_ENV_ID}): {len(records)} records, {stats['real_resets']} real resets, "
          f"{stats['life_resets']} resets after a lost life (game goes on), {stats['life_ends']} lives lost with the "
          f"game going on, {stats['game_ends']} games over, game returns {stats['game_returns']}, "
          f"uncompressed {nbytes} B, file {os.path.getsize(path)} B")

    path = os.path.join(out_dir, "pong-raw.ref.gz")
    raw = record_raw(path)
    for other in (0, int(ale_seed)):  # Pong ignores ALE's random seed when repeat_action_probability=0
        assert record_raw(None, other)["crcs"] == raw["crcs"], f"raw run depends on ALE seed {other}"
    print("raw: identical screens/rewards with ALE random_seed 0 and", int(ale_seed))
    print(f"raw: {RAW_FRAMES} frames, minimal action set {raw['minimal']}, game_overs {raw['game_overs']}, "
          f"frames with reward != 0: {raw['nonzero_rewards']}, full frames stored {raw['full_frames']}, "
          f"uncompressed {raw['raw_bytes']} B, file {os.path.getsize(path)} B")


if __name__ == "__main__":
    main()
