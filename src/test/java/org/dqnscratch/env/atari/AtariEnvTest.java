package org.dqnscratch.env.atari;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.dqnscratch.env.Env;
import org.junit.jupiter.api.Test;

/** The wrappers' edges: no-op counts under a seed, FIRE or action-2 steps that end the episode, truncation, actions, spaces. */
class AtariEnvTest {
    static AtariEnv pong(String pipeline, int noopMax, int maxFrames) throws IOException {
        return new AtariEnv(new AtariEnv.Options("pong", pipeline, noopMax, 4, 4, false, maxFrames), AtariSupport.pongRom(), 0);
    }

    /** reset(seed) draws 1..noopMax no-ops from the seed: the same seed, the same start; seeds spread over the range. */
    @Test
    void noopCountsFollowTheSeed() throws IOException {
        try (AtariEnv env = pong("atari", 30, 108_000)) {
            Set<Integer> counts = new HashSet<>();
            for (long seed = 0; seed < 40; seed++) {
                float[] first = env.reset(seed);
                int noops = env.episodeFrame() - 8; // then a FIRE step and an action-2 step, 4 frames each
                assertTrue(noops >= 1 && noops <= 30, "no-ops " + noops);
                counts.add(noops);
                assertArrayEquals(first, env.reset(seed), "seed " + seed + " starts the same way twice");
                assertEquals(noops, env.episodeFrame() - 8);
            }
            assertTrue(counts.size() >= 15, "no-op counts seen: " + counts);
        }
        try (AtariEnv env = pong("atari", 0, 108_000)) {
            env.reset(5);
            assertEquals(8, env.episodeFrame(), "--noop-max 0: only the FIRE and action-2 steps");
        }
    }

    /**
     * SB3's FireResetEnv: after the FIRE step, a step with action 2; either one that ends the
     * episode (here: truncated after 6 frames, inside the second) resets again, without FIRE.
     */
    @Test
    void secondResetStepThatEndsTheEpisodeResetsAgain() throws IOException {
        try (AtariEnv env = pong("atari", 0, 6)) {
            env.reset(1);
            assertEquals(0, env.episodeFrame(), "reset again after the action-2 step was truncated");
        }
        try (AtariEnv env = pong("atari", 0, 9)) {
            env.reset(1);
            assertEquals(8, env.episodeFrame(), "FIRE and action 2 ran, 4 frames each, nothing ended");
        }
    }

    /** A FIRE step that ends the episode (here: truncated after 3 frames) resets again, without FIRE, and play goes on. */
    @Test
    void fireThatEndsTheEpisodeResetsAgain() throws IOException {
        try (AtariEnv env = pong("atari", 0, 3)) {
            float[] obs = env.reset(1);
            assertEquals(0, env.episodeFrame(), "reset again after the FIRE step was truncated");
            for (int s = 1; s < 4; s++) {
                assertArrayEquals(Arrays.copyOfRange(obs, 0, AtariEnv.FRAME), Arrays.copyOfRange(obs, s * AtariEnv.FRAME, (s + 1) * AtariEnv.FRAME),
                        "the stack is padded with the first frame");
            }
            Env.Step st = env.step(0);
            assertTrue(st.truncated() && !st.terminated(), "3 frames into the episode: truncated, not terminated");
        }
    }

    static AtariEnv breakout(boolean episodicLife) throws IOException {
        return new AtariEnv(new AtariEnv.Options("breakout", "atari", 30, 4, 4, false, 108_000, episodicLife), AtariSupport.rom("breakout"), 0);
    }

    /** Steps Breakout with random actions until a step ends the episode; returns that step. */
    static Env.Step untilDone(AtariEnv env, org.dqnscratch.env.Rng actions) {
        while (true) {
            Env.Step st = env.step(actions.nextInt(env.actionSpace().n()));
            if (st.done()) return st;
        }
    }

    /**
     * SB3's EpisodicLifeEnv: each of Breakout's first four lost lives ends the episode (terminated)
     * while the game goes on, and reset() continues it with one NOOP step, FIRE and action 2 (12
     * frames, no new game); the fifth is the game's end, and reset() starts a new one. Without the
     * option a lost life ends nothing.
     */
    @Test
    void episodicLifeEndsEpisodesNotTheGame() throws IOException {
        try (AtariEnv env = breakout(true)) {
            env.reset(4);
            org.dqnscratch.env.Rng actions = new org.dqnscratch.env.Rng(8);
            for (int lost = 1; lost <= 4; lost++) {
                Env.Step st = untilDone(env, actions);
                assertTrue(st.terminated() && env.gameGoesOn(), "life " + lost + " lost: terminated, the game goes on");
                assertEquals(5 - lost, env.lives());
                int frame = env.episodeFrame();
                env.reset();
                assertFalse(env.gameGoesOn(), "cleared by the reset");
                assertEquals(frame + 12, env.episodeFrame(), "the same game: a NOOP step, FIRE and action 2");
            }
            Env.Step over = untilDone(env, actions);
            assertTrue(over.terminated() && !env.gameGoesOn(), "the fifth life: the game is over");
            env.reset();
            assertTrue(env.episodeFrame() <= 30 + 8, "a new game: no-ops, FIRE and action 2, " + env.episodeFrame() + " frames");
            untilDone(env, actions);
            assertTrue(env.gameGoesOn());
            env.reset(5);
            assertTrue(env.episodeFrame() <= 30 + 8, "a seeded reset starts a new game even with lives left");
        }
        try (AtariEnv env = breakout(false)) {
            env.reset(4);
            org.dqnscratch.env.Rng actions = new org.dqnscratch.env.Rng(8);
            Env.Step st = untilDone(env, actions);
            assertFalse(env.gameGoesOn());
            assertTrue(st.terminated());
            assertEquals(0, env.lives(), "the whole game (five lives) in one episode");
        }
        assertThrows(IllegalArgumentException.class, () -> new AtariEnv.Options("breakout", "atari", 30, 4, 4, true, 108_000, true));
        assertThrows(IllegalArgumentException.class, () -> new AtariEnv.Options("breakout", "lapan", 30, 4, 4, false, 108_000, true));
    }

    /** Lapan's stack starts zero-padded; termination and truncation stay apart; invalid actions are errors. */
    @Test
    void spacesStacksAndBadActions() throws IOException {
        try (AtariEnv env = pong("lapan", 0, 108_000)) {
            assertEquals(6, env.actionSpace().n());
            assertEquals(4 * 84 * 84, env.observationSpace().size());
            assertEquals("PongNoFrameskip-v4", env.id());
            float[] obs = env.reset(2);
            for (int i = 0; i < 3 * AtariEnv.FRAME; i++) assertEquals(0f, obs[i]);
            assertTrue(Arrays.stream(Arrays.copyOfRange(toDouble(obs), 3 * AtariEnv.FRAME, obs.length)).anyMatch(v -> v > 0));
            Env.Step st = env.step(3);
            assertFalse(st.done());
            assertArrayEquals(Arrays.copyOfRange(obs, AtariEnv.FRAME, obs.length), Arrays.copyOfRange(st.observation(), 0, 3 * AtariEnv.FRAME),
                    "the stack slides by one frame");
            assertThrows(IllegalArgumentException.class, () -> env.step(6));
            assertThrows(IllegalArgumentException.class, () -> env.step(-1));
            assertEquals(210, env.render().getHeight());
            assertEquals(160, env.render().getWidth());
        }
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }
}
