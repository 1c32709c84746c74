package org.dqnscratch.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dqnscratch.env.Env;
import org.dqnscratch.rl.DqnConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 23, item 1: the Java API on environments a caller writes, flat and pixels. */
class DqnApiTest {
    /**
     * Cells 0..n-1 on a line, the goal at n-1, a start drawn from 0..n-2 at each reset (or fixed);
     * actions 0 left, 1 right; -1 per step; the observation is the cell one-hot; 4n steps at most.
     */
    static class Line implements Env {
        final int n, fixedStart;
        SplittableRandom rng = new SplittableRandom(0);
        int cell, steps;

        Line(int n, int fixedStart) {
            this.n = n;
            this.fixedStart = fixedStart;
        }

        @Override public String id() { return "Line-" + n; }
        @Override public Box observationSpace() { return new Box(new float[n], filled(n, 1)); }
        @Override public Discrete actionSpace() { return new Discrete(2); }

        @Override public float[] reset(long seed) {
            rng = new SplittableRandom(seed);
            return reset();
        }

        @Override public float[] reset() {
            cell = fixedStart >= 0 ? fixedStart : rng.nextInt(n - 1);
            steps = 0;
            return observe();
        }

        @Override public Step step(int action) {
            actionSpace().check(action);
            cell = Math.max(0, Math.min(n - 1, cell + (action == 1 ? 1 : -1)));
            steps++;
            return new Step(observe(), -1, cell == n - 1, cell != n - 1 && steps >= 4 * n);
        }

        float[] observe() {
            float[] o = new float[n];
            o[cell] = 1;
            return o;
        }
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Small and fast: a few thousand steps of a tiny MLP. */
    static DqnConfig config(Path runs, long steps) {
        DqnConfig c = new DqnConfig();
        c.runDir = runs.toString();
        c.totalSteps = steps;
        c.hidden = new int[] {32};
        c.learningStarts = 200;
        c.epsSteps = 1_000;
        c.trainFreq = 16;
        c.gradientSteps = 8;
        c.batchSize = 32;
        c.targetUpdate = 200;
        c.lr = 1e-3;
        c.evalEvery = 1_000;
        c.evalEpisodes = 10;
        c.tensorboard = false;
        return c;
    }

    /** Steps the greedy policy takes from {@code start} to the goal (Integer.MAX_VALUE if it never gets there). */
    static int stepsToGoal(Agent agent, int n, int start) {
        try (Env env = new Line(n, start)) {
            float[] obs = env.reset(0);
            for (int t = 1; t <= 4 * n; t++) {
                Env.Step st = env.step(agent.act(obs));
                if (st.terminated()) return t;
                obs = st.observation();
            }
            return Integer.MAX_VALUE;
        }
    }

    @Test
    void trainsACallersEnvironmentToItsOptimumAndLoadsItBack(@TempDir Path runs) throws Exception {
        int n = 6;
        List<String> messages = new ArrayList<>();
        Agent agent = Dqn.train(config(runs, 4_000), seed -> new Line(n, -1), new TrainingListener() {
            @Override public void message(String line) { messages.add(line); }
        });
        for (int s = 0; s < n - 1; s++) assertEquals(n - 1 - s, stepsToGoal(agent, n, s), "greedy steps from cell " + s);
        assertEquals("Line-6", agent.environment());
        assertEquals(6, agent.observationSize());
        assertEquals(2, agent.actions());

        // The command line's run directory: config, metrics, networks, checkpoint; no GIF of an environment that does not draw itself.
        Path dir = agent.runDirectory();
        assertTrue(dir.getFileName().toString().startsWith("Line-6__api__s1__"), dir.toString());
        assertTrue(messages.get(0).startsWith("run directory: "), messages.toString());
        for (String f : new String[] {"config.json", "metrics.csv", "best.safetensors", "last.safetensors", "learning_curve.png", "checkpoint"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertFalse(Files.exists(dir.resolve("episode.gif")));
        assertFalse(Files.exists(dir.resolve(".lock")));
        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"env\" : \"Line-6\""));
        assertEquals(4_000, agent.trainingResult().steps());
        assertNotNull(agent.trainingResult().evaluation());
        assertEquals(-2.0, agent.evaluate(20, 5).mean(), 1.5); // random starts: 1 to 5 steps

        // save / load with the factory: the same Q values; without it: acting only.
        Path file = runs.resolve("line.safetensors");
        agent.save(file);
        float[] obs = new Line(n, 2).reset(0);
        Agent loaded = Dqn.load(file, seed -> new Line(n, -1));
        assertArrayEquals(agent.qValues(obs), loaded.qValues(obs));
        assertNull(loaded.runDirectory());
        assertEquals(agent.evaluate(10, 3).mean(), loaded.evaluate(10, 3).mean());
        Agent bare = Dqn.load(file);
        assertEquals(agent.act(obs), bare.act(obs));
        IllegalArgumentException noFactory = assertThrows(IllegalArgumentException.class, () -> bare.evaluate(1, 0));
        assertTrue(noFactory.getMessage().contains("Line-6, an environment of a Java program"), noFactory.getMessage());

        // Another environment's checkpoint: a clear error, not a network that reads the wrong inputs.
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> Dqn.load(file, seed -> new Line(7, -1)));
        assertTrue(other.getMessage().contains("was trained on Line-6 (6 observation values, 2 actions), not on the factory's Line-7 (7 observation values, 2 actions)"),
                other.getMessage());
        IllegalArgumentException wrongSize = assertThrows(IllegalArgumentException.class, () -> agent.act(new float[5]));
        assertTrue(wrongSize.getMessage().contains("an observation of 5 values; Line-6's have 6"), wrongSize.getMessage());
    }

    @Test
    void anEnvironmentThatChangesIsAnErrorNamingIt(@TempDir Path runs) {
        // The factory's environments differ: the second has another observation size.
        int[] made = {0};
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Dqn.train(config(runs, 500), seed -> made[0]++ == 0 ? new Line(6, -1) : new Line(6, -1) {
                    @Override public Box observationSpace() { return new Box(new float[7], filled(7, 1)); }
                }));
        assertTrue(e.getMessage().contains("the environment factory made Line-6 with 7 observation values and 2 actions; the first one it made was Line-6 with 6 and 2"),
                e.getMessage());
        // An observation that is not the declared size.
        IllegalStateException step = assertThrows(IllegalStateException.class, () -> Dqn.train(config(runs, 500), seed -> new Line(6, -1) {
            @Override public Step step(int action) {
                Step st = super.step(action);
                return new Step(new float[3], st.reward(), st.terminated(), st.truncated());
            }
        }));
        assertTrue(step.getMessage().contains("Line-6.step returned an observation of 3 values; its observation space has 6"), step.getMessage());
        // A shape that is neither flat nor stacked 84x84 frames.
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> Dqn.train(config(runs, 500), seed -> new Line(6, -1) {
            @Override public int[] observationShape() { return new int[] {2, 3}; }
        }));
        assertTrue(shape.getMessage().contains("observation shape [2, 3]"), shape.getMessage());
        IllegalArgumentException nStep = assertThrows(IllegalArgumentException.class, () -> {
            DqnConfig c = config(runs, 500);
            c.nStep = 3;
            Dqn.train(c, seed -> new Line(6, -1));
        });
        assertTrue(nStep.getMessage().contains("n-step returns need pixel observations"), nStep.getMessage());
    }

    /**
     * The line drawn as pixels: a stack of 2 frames of 84x84, the agent's cell a lit column band;
     * each step's stack the previous one shifted by a frame, newest last.
     */
    static class PixelLine extends Line {
        static final int F = 84 * 84;
        float[] stack = new float[2 * F];

        PixelLine(int n) { super(n, -1); }

        @Override public String id() { return "PixelLine-" + n; }
        @Override public Box observationSpace() { return new Box(new float[2 * F], filled(2 * F, 255)); }
        @Override public int[] observationShape() { return new int[] {2, 84, 84}; }

        @Override public float[] reset() {
            super.reset();
            float[] f = frame();
            stack = new float[2 * F];
            System.arraycopy(f, 0, stack, 0, F);
            System.arraycopy(f, 0, stack, F, F);
            return stack.clone();
        }

        @Override public Step step(int action) {
            Step st = super.step(action);
            System.arraycopy(stack, F, stack, 0, F);
            System.arraycopy(frame(), 0, stack, F, F);
            return new Step(stack.clone(), st.reward(), st.terminated(), st.truncated());
        }

        float[] frame() {
            float[] f = new float[F];
            int w = 84 / n;
            for (int y = 0; y < 84; y++) for (int x = cell * w; x < (cell + 1) * w; x++) f[y * 84 + x] = 255;
            return f;
        }
    }

    @Test
    void pixelObservationsTrainTheNatureCnnAndRoundTrip(@TempDir Path runs) throws Exception {
        DqnConfig c = config(runs, 300);
        c.learningStarts = 100;
        c.trainFreq = 50;
        c.gradientSteps = 1;
        c.batchSize = 4;
        c.bufferSize = 500;
        c.evalEvery = 0;
        c.evalEpisodes = 1;
        Agent agent = Dqn.train(c, seed -> new PixelLine(4));
        assertEquals("PixelLine-4", agent.environment());
        assertEquals(2 * 84 * 84, agent.observationSize());
        float[] obs = new PixelLine(4).reset(1);
        Path file = runs.resolve("pixels.safetensors");
        agent.save(file);
        Agent loaded = Dqn.load(file, seed -> new PixelLine(4));
        assertArrayEquals(agent.qValues(obs), loaded.qValues(obs));
        assertTrue(Files.readString(agent.runDirectory().resolve("config.json")).contains("\"env\" : \"PixelLine-4\""));
        // Pixel checkpoints and flat factories do not mix.
        assertThrows(IllegalArgumentException.class, () -> Dqn.load(file, seed -> new Line(4, -1) {
            @Override public String id() { return "PixelLine-4"; }
        }));

        // A stack that is not the previous one shifted by a frame: the replay would rebuild other observations than those seen.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Dqn.train(c, seed -> new PixelLine(4) {
            @Override public Step step(int action) {
                Step st = super.step(action);
                float[] o = st.observation();
                System.arraycopy(o, F, o, 0, F); // both frames the newest
                return st;
            }
        }));
        assertTrue(e.getMessage().contains("PixelLine-4.step: the observation's first 1 frames are not the previous observation's last ones"), e.getMessage());
        IllegalStateException value = assertThrows(IllegalStateException.class, () -> Dqn.train(c, seed -> new PixelLine(4) {
            @Override public float[] reset() {
                float[] o = super.reset();
                o[7] = 0.5f;
                return o;
            }
        }));
        assertTrue(value.getMessage().contains("PixelLine-4.reset: pixel value 0.5 (at 7) is not an integer in 0..255"), value.getMessage());
    }

    @Test
    void builtInEnvironmentsTrainAndLoadToo(@TempDir Path runs) throws Exception {
        DqnConfig c = config(runs, 600);
        c.env = "CartPole-v1";
        c.gif = false;
        Agent agent = Dqn.train(c, TrainingListener.QUIET);
        assertEquals("CartPole-v1", agent.environment());
        Path best = agent.runDirectory().resolve("best.safetensors");
        Agent loaded = Dqn.load(best);
        assertEquals(agent.evaluate(3, 0).mean(), loaded.evaluate(3, 0).mean());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dqn.load(best, seed -> new Line(4, -1)));
        assertTrue(e.getMessage().contains("was trained on CartPole-v1, one of dqn-scratch's own environments, not on the factory's Line-4"), e.getMessage());
        // A stop request: the run saves and hands over what it has.
        Agent stopped = Dqn.train(c, new TrainingListener() {
            int asked;
            @Override public boolean stopRequested() { return ++asked > 300; }
        });
        assertTrue(stopped.trainingResult().interrupted());
        assertTrue(Files.isRegularFile(stopped.runDirectory().resolve("checkpoint")));
    }
}
