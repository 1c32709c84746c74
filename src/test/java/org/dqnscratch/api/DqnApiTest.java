package org.dqnscratch.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dqnscratch.env.Env;
import org.dqnscratch.env.atari.AtariEnv;
import org.dqnscratch.env.atari.AtariSupport;
import org.dqnscratch.rl.DqnConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 23, item 1: the Java API on environments a caller writes, flat and pixels. */
class DqnApiTest {
    /**
     * An n x n grid, the goal in the last cell (bottom right), a start drawn from the other cells at
     * each reset (or fixed); actions 0 up, 1 down, 2 left, 3 right (a wall keeps the agent in place);
     * -1 per step; the observation is the cell one-hot; 4 n^2 steps at most.
     */
    static class Grid implements Env {
        final int n, fixedStart;
        SplittableRandom rng = new SplittableRandom(0);
        int cell, steps;

        Grid(int n, int fixedStart) {
            this.n = n;
            this.fixedStart = fixedStart;
        }

        @Override public String id() { return "Grid-" + n; }
        @Override public Box observationSpace() { return new Box(new float[n * n], filled(n * n, 1)); }
        @Override public Discrete actionSpace() { return new Discrete(4); }

        @Override public float[] reset(long seed) {
            rng = new SplittableRandom(seed);
            return reset();
        }

        @Override public float[] reset() {
            cell = fixedStart >= 0 ? fixedStart : rng.nextInt(n * n - 1);
            steps = 0;
            return observe();
        }

        @Override public Step step(int action) {
            actionSpace().check(action);
            int row = cell / n, col = cell % n;
            switch (action) {
                case 0 -> row = Math.max(0, row - 1);
                case 1 -> row = Math.min(n - 1, row + 1);
                case 2 -> col = Math.max(0, col - 1);
                default -> col = Math.min(n - 1, col + 1);
            }
            cell = row * n + col;
            steps++;
            boolean goal = cell == n * n - 1;
            return new Step(observe(), -1, goal, !goal && steps >= 4 * n * n);
        }

        /** The shortest number of steps from {@code c} to the goal. */
        int distance(int c) { return (n - 1 - c / n) + (n - 1 - c % n); }

        float[] observe() {
            float[] o = new float[n * n];
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

    /** For the Nature CNN on 2 cores: a handful of gradient steps on tiny batches, one evaluation episode at the end. */
    static DqnConfig pixelConfig(Path runs, long steps) {
        DqnConfig c = config(runs, steps);
        c.learningStarts = 100;
        c.trainFreq = 100;
        c.gradientSteps = 1;
        c.batchSize = 4;
        c.bufferSize = 1_000;
        c.evalEvery = 0;
        c.evalEpisodes = 1;
        return c;
    }

    /** Steps the greedy policy takes from {@code start} to the goal (Integer.MAX_VALUE if it never gets there). */
    static int stepsToGoal(Agent agent, int n, int start) {
        try (Env env = new Grid(n, start)) {
            float[] obs = env.reset(0);
            for (int t = 1; t <= 4 * n * n; t++) {
                Env.Step st = env.step(agent.act(obs));
                if (st.terminated()) return t;
                obs = st.observation();
            }
            return Integer.MAX_VALUE;
        }
    }

    @Test
    void trainsACallersEnvironmentToItsOptimumAndLoadsItBack(@TempDir Path runs) throws Exception {
        int n = 3;
        List<String> messages = new ArrayList<>();
        Agent agent = Dqn.train(config(runs, 4_000), seed -> new Grid(n, -1), new TrainingListener() {
            @Override public void message(String line) { messages.add(line); }
        });
        Grid grid = new Grid(n, -1);
        for (int c = 0; c < n * n - 1; c++) assertEquals(grid.distance(c), stepsToGoal(agent, n, c), "greedy steps from cell " + c);
        assertEquals("Grid-3", agent.environment());
        assertEquals(9, agent.observationSize());
        assertEquals(4, agent.actions());

        // The command line's run directory: config, metrics, networks, checkpoint; no GIF of an environment that does not draw itself.
        Path dir = agent.runDirectory();
        assertTrue(dir.getFileName().toString().startsWith("Grid-3__api__s1__"), dir.toString());
        assertTrue(messages.get(0).startsWith("run directory: "), messages.toString());
        for (String f : new String[] {"config.json", "metrics.csv", "best.safetensors", "last.safetensors", "learning_curve.png", "checkpoint"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertFalse(Files.exists(dir.resolve("episode.gif")));
        assertFalse(Files.exists(dir.resolve(".lock")));
        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"env\" : \"Grid-3\""));
        assertEquals(4_000, agent.trainingResult().steps());
        assertNotNull(agent.trainingResult().evaluation());
        assertEquals(-2.0, agent.evaluate(20, 5).mean(), 1.0); // random starts: 1 to 4 steps

        // save / load with the factory: the same Q values; without it: acting only.
        Path file = runs.resolve("grid.safetensors");
        agent.save(file);
        float[] obs = new Grid(n, 2).reset(0);
        Agent loaded = Dqn.load(file, seed -> new Grid(n, -1));
        assertArrayEquals(agent.qValues(obs), loaded.qValues(obs));
        assertNull(loaded.runDirectory());
        assertEquals(agent.evaluate(10, 3).mean(), loaded.evaluate(10, 3).mean());
        Agent bare = Dqn.load(file);
        assertEquals(agent.act(obs), bare.act(obs));
        IllegalArgumentException noFactory = assertThrows(IllegalArgumentException.class, () -> bare.evaluate(1, 0));
        assertTrue(noFactory.getMessage().contains("Grid-3, an environment of a Java program"), noFactory.getMessage());

        // Another environment's checkpoint: a clear error, not a network that reads the wrong inputs.
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> Dqn.load(file, seed -> new Grid(4, -1)));
        assertTrue(other.getMessage().contains("was trained on Grid-3 (9 observation values, 4 actions), not on the factory's Grid-4 (16 observation values, 4 actions)"),
                other.getMessage());
        IllegalArgumentException wrongSize = assertThrows(IllegalArgumentException.class, () -> agent.act(new float[5]));
        assertTrue(wrongSize.getMessage().contains("an observation of 5 values; Grid-3's have 9"), wrongSize.getMessage());

        // Resumed from Java: the same run directory, continued from its checkpoint to more steps.
        DqnConfig more = config(runs, 5_000);
        try (Dqn.Training t = Dqn.training(more, seed -> new Grid(n, -1)).resume(dir)) {
            assertEquals(dir, t.open());
            assertEquals(4_000, t.run().resumedFromStep());
            assertEquals(5_000, t.agent().trainingResult().steps());
        }
        assertFalse(Files.exists(dir.resolve(".lock")));
    }

    /** Rainbow on a caller's environment: noisy, dueling streams, C51, prioritized 3-step replay; the agent acts on the means. */
    @Test
    void rainbowTrainsACallersEnvironmentAndLoadsItBack(@TempDir Path runs) throws Exception {
        int n = 3;
        DqnConfig c = config(runs, 4_000);
        c.hidden = new int[] {32, 32};
        c.noisy = true;
        c.dueling = true;
        c.duelingStreams = true;
        c.distributional = true;
        c.vMin = -5;
        c.vMax = 1;
        c.per = true;
        c.nStep = 3;
        Agent agent = Dqn.train(c, seed -> new Grid(n, -1));
        Grid grid = new Grid(n, -1);
        for (int cell = 0; cell < n * n - 1; cell++) assertEquals(grid.distance(cell), stepsToGoal(agent, n, cell), "greedy steps from cell " + cell);
        Path file = runs.resolve("rainbow.safetensors");
        agent.save(file);
        float[] obs = new Grid(n, 2).reset(0);
        Agent loaded = Dqn.load(file, seed -> new Grid(n, -1));
        assertArrayEquals(agent.qValues(obs), loaded.qValues(obs));
        assertArrayEquals(agent.qValues(obs), agent.qValues(obs), "acting on the means: the same values every time");
    }

    @Test
    void anEnvironmentThatChangesIsAnErrorNamingIt(@TempDir Path runs) {
        // The factory's environments differ: the second has another observation size.
        int[] made = {0};
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Dqn.train(config(runs, 500), seed -> made[0]++ == 0 ? new Grid(3, -1) : new Grid(3, -1) {
                    @Override public Box observationSpace() { return new Box(new float[7], filled(7, 1)); }
                }));
        assertTrue(e.getMessage().contains("the environment factory made Grid-3 with 7 observation values and 4 actions; the first one it made was Grid-3 with 9 and 4"),
                e.getMessage());
        // An observation that is not the declared size.
        IllegalStateException step = assertThrows(IllegalStateException.class, () -> Dqn.train(config(runs, 500), seed -> new Grid(3, -1) {
            @Override public Step step(int action) {
                Step st = super.step(action);
                return new Step(new float[3], st.reward(), st.terminated(), st.truncated());
            }
        }));
        assertTrue(step.getMessage().contains("Grid-3.step returned an observation of 3 values; its observation space has 9"), step.getMessage());
        // A shape that is neither flat nor stacked 84x84 frames.
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> Dqn.train(config(runs, 500), seed -> new Grid(3, -1) {
            @Override public int[] observationShape() { return new int[] {2, 3}; }
        }));
        assertTrue(shape.getMessage().contains("observation shape [2, 3]"), shape.getMessage());
    }

    /**
     * The grid drawn as pixels: a stack of 2 frames of 84x84, the agent's cell a lit square;
     * each step's stack the previous one shifted by a frame, newest last.
     */
    static class PixelGrid extends Grid {
        static final int F = 84 * 84;
        float[] stack = new float[2 * F];

        PixelGrid(int n) { super(n, -1); }

        @Override public String id() { return "PixelGrid-" + n; }
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
            int w = 84 / n, top = cell / n * w, left = cell % n * w;
            for (int y = top; y < top + w; y++) for (int x = left; x < left + w; x++) f[y * 84 + x] = 255;
            return f;
        }
    }

    @Test
    void pixelObservationsTrainTheNatureCnnAndRoundTrip(@TempDir Path runs) throws Exception {
        DqnConfig c = pixelConfig(runs, 300);
        Agent agent = Dqn.train(c, seed -> new PixelGrid(4));
        assertEquals("PixelGrid-4", agent.environment());
        assertEquals(2 * 84 * 84, agent.observationSize());
        float[] obs = new PixelGrid(4).reset(1);
        Path file = runs.resolve("pixels.safetensors");
        agent.save(file);
        Agent loaded = Dqn.load(file, seed -> new PixelGrid(4));
        assertArrayEquals(agent.qValues(obs), loaded.qValues(obs));
        assertTrue(Files.readString(agent.runDirectory().resolve("config.json")).contains("\"env\" : \"PixelGrid-4\""));
        // Pixel checkpoints and flat factories do not mix.
        assertThrows(IllegalArgumentException.class, () -> Dqn.load(file, seed -> new Grid(4, -1) {
            @Override public String id() { return "PixelGrid-4"; }
        }));

        // A stack that is not the previous one shifted by a frame: the replay would rebuild other observations than those seen.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Dqn.train(c, seed -> new PixelGrid(4) {
            @Override public Step step(int action) {
                Step st = super.step(action);
                float[] o = st.observation();
                System.arraycopy(o, F, o, 0, F); // both frames the newest
                return st;
            }
        }));
        assertTrue(e.getMessage().contains("PixelGrid-4.step: the observation's first 1 frames are not the previous observation's last ones"), e.getMessage());
        IllegalStateException value = assertThrows(IllegalStateException.class, () -> Dqn.train(c, seed -> new PixelGrid(4) {
            @Override public float[] reset() {
                float[] o = super.reset();
                o[7] = 0.5f;
                return o;
            }
        }));
        assertTrue(value.getMessage().contains("PixelGrid-4.reset: pixel value 0.5 (at 7) is not an integer in 0..255"), value.getMessage());
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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dqn.load(best, seed -> new Grid(4, -1)));
        assertTrue(e.getMessage().contains("was trained on CartPole-v1, one of dqn-scratch's own environments, not on the factory's Grid-4"), e.getMessage());
        // A stop request: the run saves and hands over what it has.
        Agent stopped = Dqn.train(c, new TrainingListener() {
            int asked;
            @Override public boolean stopRequested() { return ++asked > 300; }
        });
        assertTrue(stopped.trainingResult().interrupted());
        assertTrue(Files.isRegularFile(stopped.runDirectory().resolve("checkpoint")));
    }

    /** An AtariEnv is an Env like any other: the API trains the Nature CNN on its stacked frames, which pass the pixel checks. */
    @Test
    void anAtariGameIsACallersPixelEnvironmentToo(@TempDir Path runs) throws Exception {
        AtariSupport.pongRom();
        AtariEnv.Options options = AtariEnv.Options.builder("pong").maxEpisodeFrames(1_200).build();
        DqnConfig c = pixelConfig(runs, 400);
        Agent agent = Dqn.train(c, seed -> {
            try {
                return new AtariEnv(options, seed);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertEquals("PongNoFrameskip-v4", agent.environment());
        assertEquals(4 * AtariEnv.FRAME, agent.observationSize());
        assertEquals(400, agent.trainingResult().steps());
        try (Env env = agent.makeEnv(5)) {
            float[] obs = env.reset(5);
            assertEquals(env.actionSpace().n(), agent.qValues(obs).length);
            assertArrayEquals(agent.qValues(obs), Dqn.load(agent.runDirectory().resolve("best.safetensors")).qValues(obs));
        }
    }
}
