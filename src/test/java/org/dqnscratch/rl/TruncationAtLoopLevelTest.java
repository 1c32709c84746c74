package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the training loop stores when an episode hits its time limit: the transition reaches the
 * replay with terminated = 0 (it still bootstraps) and with the true final observation, not the
 * next episode's first one. Watched from outside the loop: with a replay of one transition and a
 * gradient step after every environment step, each minibatch the loop uploads is the transition
 * it has just stored, so the uploads replay the whole run, transition by transition.
 *
 * <p>FrozenLake 4x4 without slipping: every move is known, so each stored transition can be
 * checked against the map. A greedy policy that trains on one transition at a time often keeps
 * the agent on safe cells until the time limit (some 40 truncations in this run, half of them
 * away from the start cell).
 */
class TruncationAtLoopLevelTest {
    static final String[] MAP = {"SFFF", "FHFH", "FFFH", "HFFG"};

    /** One uploaded minibatch of one transition. */
    record Transition(int cell, int action, float reward, float terminated, int nextCell) {}

    /** A CPU backend that keeps a copy of every upload (the minibatches among them). */
    static final class Recording {
        final List<float[]> uploads = new ArrayList<>();
        final Backend backend;

        Recording() {
            CpuBackend cpu = new CpuBackend();
            backend = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
                if (m.getName().equals("upload")) {
                    Tensor dst = (Tensor) args[0];
                    int from = (Integer) args[2];
                    uploads.add(Arrays.copyOfRange((float[]) args[1], from, from + dst.size));
                }
                try {
                    return m.invoke(cpu, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        }

        /**
         * The minibatches, in order: TrainingBatch uploads s [cells], s' [cells], then a, r, terminated
         * packed [3]; the acting policy's uploads are single observations [cells], so the pattern finds only these.
         */
        List<Transition> minibatches() {
            List<Transition> out = new ArrayList<>();
            for (int i = 0; i + 2 < uploads.size(); i++) {
                int cells = uploads.get(i).length;
                if (cells > 3 && uploads.get(i + 1).length == cells && uploads.get(i + 2).length == 3) {
                    float[] scalars = uploads.get(i + 2);
                    out.add(new Transition(cell(uploads.get(i)), (int) scalars[0], scalars[1], scalars[2], cell(uploads.get(i + 1))));
                    i += 2;
                }
            }
            return out;
        }
    }

    static int cell(float[] oneHot) {
        int at = -1;
        for (int i = 0; i < oneHot.length; i++) {
            if (oneHot[i] == 1f && at < 0) at = i;
            else if (oneHot[i] != 0f) throw new AssertionError("not a one-hot cell: " + Arrays.toString(oneHot));
        }
        return at;
    }

    /** The cell a non-slippery move leads to (walls hold the agent). */
    static int moved(int cell, int action) {
        int r = cell / 4, c = cell % 4;
        switch (action) {
            case 0 -> c = Math.max(c - 1, 0);
            case 1 -> r = Math.min(r + 1, 3);
            case 2 -> c = Math.min(c + 1, 3);
            default -> r = Math.max(r - 1, 0);
        }
        return r * 4 + c;
    }

    static boolean terminal(int cell) {
        char ch = MAP[cell / 4].charAt(cell % 4);
        return ch == 'H' || ch == 'G';
    }

    static DqnConfig config(long seed) {
        DqnConfig cfg = Presets.get("frozenlake", "default").config();
        cfg.env = "FrozenLake-v1";
        cfg.slippery = false;
        cfg.seed = seed;
        cfg.bufferSize = 1; // the replay holds the latest transition only...
        cfg.batchSize = 1;
        cfg.learningStarts = 0;
        cfg.trainFreq = 1; // ...and every step trains on it
        cfg.trainUnit = "steps";
        cfg.gradientSteps = 1;
        cfg.epsSchedule = "constant";
        cfg.epsStart = 0.05; // mostly greedy: the agent settles on safe cells for long stretches
        cfg.totalSteps = 20_000;
        cfg.stopWhenSolved = false;
        cfg.evalEpisodes = 1;
        cfg.gif = false;
        return cfg;
    }

    @Test
    void truncatedTransitionsReachTheReplayUnterminatedWithTheirFinalObservation(@TempDir Path dir) throws Exception {
        DqnConfig cfg = config(1);
        Recording rec = new Recording();
        DqnTraining.Result r = DqnTraining.run(cfg, "truncation-test", dir, new DqnTrainingTest.Log(), () -> false, rec.backend);
        List<Transition> stored = rec.minibatches();
        // minibatch k holds transition k + 1 (the loop trains after storing each step)
        assertEquals(r.steps(), stored.size(), "one minibatch per environment step");

        // Every transition is the map's: the next cell follows from cell and action, terminated iff it is H or G.
        for (int k = 0; k < stored.size(); k++) {
            Transition t = stored.get(k);
            assertEquals(moved(t.cell(), t.action()), t.nextCell(), "transition " + (k + 1) + ": " + t);
            assertEquals(terminal(t.nextCell()) ? 1f : 0f, t.terminated(), "transition " + (k + 1) + ": " + t);
        }

        // The episodes that ran into the time limit (100 steps, not ended in H or G) end in a transition
        // that bootstraps and keeps its own final cell; the next transition starts from the reset (cell 0).
        int truncations = 0, awayFromStart = 0;
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        for (String row : csv.subList(1, csv.size())) {
            String[] f = row.split(",");
            long step = (long) Double.parseDouble(f[0]);
            int length = (int) Double.parseDouble(f[3]);
            Transition last = stored.get((int) step - 1);
            if (length != 100 || terminal(last.nextCell())) continue;
            truncations++;
            assertEquals(0f, last.terminated(), "truncated at step " + step);
            if (step < stored.size()) assertEquals(0, stored.get((int) step).cell(), "the episode after step " + step + " starts at S");
            if (last.nextCell() != 0) awayFromStart++;
        }
        // Meaningful only if truncations happened where the final and the reset observations differ.
        assertTrue(awayFromStart >= 3, truncations + " truncations, " + awayFromStart + " away from the start cell");
    }
}
