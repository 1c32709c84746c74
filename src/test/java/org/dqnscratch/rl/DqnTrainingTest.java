package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DqnTrainingTest {
    static final class Log implements DqnTraining.Listener {
        final List<String> lines = new ArrayList<>();
        int statuses;
        @Override public void status(DqnTraining.Status s) { statuses++; }
        @Override public void message(String line) { lines.add(line); }
    }

    /**
     * The learning test: the default recipe solves CartPole-v1 under a fixed seed within the 100k
     * steps the README promises. Steps, not seconds: wall-clock time depends on the machine's load.
     * Seed 17 is one the pre-issue-11 recipe collapsed on (its return reached ~200, then fell to 9
     * for good); today's default solves it at 30,000 steps (Vector API kernel).
     */
    @Test
    void defaultPresetSolvesCartPoleV1(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.seed = 17;
        cfg.gif = false;
        cfg.totalSteps = 100_000; // as the command's default: the budget the README promises
        Log log = new Log();
        DqnTraining.Result r = DqnTraining.run(cfg, "default", dir, log, () -> false);
        assertTrue(r.solved(), "not solved within 100k steps: " + r + " " + log.lines);
        assertTrue(r.solvedAtStep() > 0 && r.solvedAtStep() <= 100_000, "solved at step " + r.solvedAtStep());
        assertTrue(r.evaluation().mean() >= 475, r.evaluation().toString());
        assertEquals(20, r.evaluation().episodes());
        // The best checkpoint holds the solving network: evaluating it again gives the same result.
        QNetwork best = QNetwork.load(new CpuBackend(), dir.resolve("best.safetensors"));
        var env = best.makeEnv(0);
        Evaluation again = Evaluation.run(env, new GreedyPolicy(best.module(), best.params().backend, 4, 2), 20, cfg.seed + 1_000_000L, 0, null);
        assertEquals(r.evaluation().mean(), again.mean(), 1e-9);
        for (String f : new String[] {"config.json", "metrics.csv", "learning_curve.png", "best.safetensors", "last.safetensors"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(String.join(",", DqnTraining.COLUMNS), csv.get(0));
        assertEquals(r.episodes() + 1, csv.size(), "one row per episode");
    }

    /**
     * Issue 11: under the pre-issue-11 default (plain DQN, target copied every 10 steps) seeds 8, 18,
     * 22 and 25 (and 17, above) learned, then collapsed onto one action and never solved in 100k
     * steps. Today's default (Double DQN, target copied every 256 steps) solves each, at 32,500 /
     * 26,633 / 35,795 / 26,823 steps with the Vector API kernel.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {8, 18, 22, 25})
    void seedsThatCollapsedUnderPlainDqnSolve(long seed, @TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.seed = seed;
        cfg.gif = false;
        Log log = new Log();
        DqnTraining.Result r = DqnTraining.run(cfg, "default", dir, log, () -> false);
        assertTrue(r.solved() && r.evaluation().mean() >= 475, "seed " + seed + " not solved within 100k steps: " + r + " " + log.lines);
    }

    /**
     * A run that never solves hands over the best network its evaluations saw, not the last one.
     * The pre-issue-11 recipe (plain DQN) on seed 17 learns, then falls apart: evaluated every 5k
     * steps, its best is 171 at 20k and its last 62.65 at 40k (Vector API kernel; the plain-Java
     * kernels: 500 at 15k, 123.25 at 40k). A threshold of 501, above CartPole's maximum, keeps it
     * from solving on any kernel. The handed-over network must be the best evaluated one: its
     * evaluation is the largest logged, it beats the last network's, and best.safetensors (its step
     * in the metadata) plays exactly that evaluation again.
     */
    /**
     * C51 (--distributional) with prioritized replay on the default recipe, the support [0, 100] of
     * CartPole's discounted returns: it solves, and its checkpoint rebuilds as the same distributional
     * network (support from the metadata) that evaluates alike.
     */
    @Test
    void distributionalSolvesCartPoleAndItsCheckpointLoads(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.distributional = true;
        cfg.per = true;
        cfg.vMin = 0;
        cfg.vMax = 100;
        cfg.gif = false;
        Log log = new Log();
        DqnTraining.Result r = DqnTraining.run(cfg, "default", dir, log, () -> false);
        assertTrue(r.solved() && r.evaluation().mean() >= 475, "not solved within 100k steps: " + r + " " + log.lines);
        QNetwork best = QNetwork.load(new CpuBackend(), dir.resolve("best.safetensors"));
        assertEquals(new org.dqnscratch.nn.Support(51, 0f, 100f), best.support());
        assertTrue(best.module() instanceof org.dqnscratch.nn.Distributional);
        Evaluation again = Evaluation.run(best.makeEnv(0), GreedyPolicy.of(best, best.params().backend, 1), 20, cfg.seed + 1_000_000L, 0, null);
        assertEquals(r.evaluation().mean(), again.mean(), 1e-9);
    }

    @Test
    void unsolvedRunHandsOverItsBestEvaluatedNetwork(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.doubleDqn = false; // the pre-issue-11 default
        cfg.targetUpdate = 10;
        cfg.seed = 17;
        cfg.totalSteps = 40_000;
        cfg.evalEvery = 5_000;
        cfg.solveAt = 501;
        cfg.gif = false;
        Log log = new Log();
        DqnTraining.Result r = DqnTraining.run(cfg, "default", dir, log, () -> false);
        assertFalse(r.solved(), r.toString());
        List<Double> logged = new ArrayList<>();
        int periodic = 0;
        for (String line : log.lines) {
            var m = java.util.regex.Pattern.compile("^step (\\d+): greedy evaluation (-?[0-9.]+) ±").matcher(line);
            if (!m.find()) continue;
            logged.add(Double.parseDouble(m.group(2)));
            if (Long.parseLong(m.group(1)) % 5_000 == 0) periodic++;
        }
        assertEquals(8, periodic, "one evaluation every 5k steps: " + log.lines);
        double bestLogged = logged.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertEquals(bestLogged, Math.round(r.evaluation().mean() * 100) / 100.0, 1e-9, log.lines.toString());
        assertEquals(logged.get(logged.size() - 1), Math.round(r.lastEvaluation().mean() * 100) / 100.0, 1e-9, "the last network's evaluation is the 40k one");
        assertTrue(r.evaluation().mean() > r.lastEvaluation().mean() + 20, "the run should have fallen apart: " + log.lines);

        QNetwork best = QNetwork.load(new CpuBackend(), dir.resolve("best.safetensors"));
        Evaluation again = Evaluation.run(best.makeEnv(0), GreedyPolicy.of(best, best.params().backend, 1), 20, cfg.seed + 1_000_000L, 0, null);
        assertEquals(r.evaluation().mean(), again.mean(), 1e-9);
        assertEquals(Long.toString(r.bestStep()), SafeTensors.read(dir.resolve("best.safetensors")).metadata().get("step"));
        assertTrue(r.bestStep() % 5_000 == 0 && r.bestStep() < 40_000, "best from a periodic evaluation before the end: " + r.bestStep());
        QNetwork last = QNetwork.load(new CpuBackend(), dir.resolve("last.safetensors"));
        Evaluation lastAgain = Evaluation.run(last.makeEnv(0), GreedyPolicy.of(last, last.params().backend, 1), 20, cfg.seed + 1_000_000L, 0, null);
        assertEquals(r.lastEvaluation().mean(), lastAgain.mean(), 1e-9);
    }

    /** --diagnose-every writes its rows without changing the run: same episodes, same final network. */
    @Test
    void diagnosticsLeaveTrainingUnchanged(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.totalSteps = 3_000;
        cfg.learningStarts = 500;
        cfg.gif = false;
        DqnTraining.run(cfg, "default", dir.resolve("plain"), new Log(), () -> false);
        cfg.diagnoseEvery = 1_000;
        DqnTraining.run(cfg, "default", dir.resolve("probed"), new Log(), () -> false);
        assertEquals(Files.readAllLines(dir.resolve("plain/metrics.csv")).stream().map(DqnTrainingTest::withoutSps).toList(),
                Files.readAllLines(dir.resolve("probed/metrics.csv")).stream().map(DqnTrainingTest::withoutSps).toList());
        var a = SafeTensors.read(dir.resolve("plain/last.safetensors")).tensors();
        var b = SafeTensors.read(dir.resolve("probed/last.safetensors")).tensors();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), k);

        List<String> rows = Files.readAllLines(dir.resolve("probed/diagnostics.csv"));
        List<String> head = List.of(rows.get(0).split(","));
        assertEquals(4, rows.size(), "a header and rows at 1k, 2k, 3k: " + rows);
        for (String row : rows.subList(1, rows.size())) {
            String[] v = row.split(",");
            double q = Double.parseDouble(v[head.indexOf("q_mean")]), grad = Double.parseDouble(v[head.indexOf("grad_norm")]);
            assertTrue(Double.isFinite(q) && grad > 0, row);
            double greedy = Double.parseDouble(v[head.indexOf("greedy_action_0")]) + Double.parseDouble(v[head.indexOf("greedy_action_1")]);
            double taken = Double.parseDouble(v[head.indexOf("train_action_0")]) + Double.parseDouble(v[head.indexOf("train_action_1")]);
            assertEquals(1.0, greedy, 2e-3, row);
            assertEquals(1.0, taken, 2e-3, row);
            double dead = Double.parseDouble(v[head.indexOf("dead_relu_2")]);
            assertTrue(dead >= 0 && dead <= 1, row);
        }
        assertEquals("1000", rows.get(1).split(",")[0]);
    }

    @Test
    void learningRateFallsLinearlyToLrEnd() {
        DqnConfig cfg = new DqnConfig();
        assertEquals(cfg.lr, cfg.learningRate(50_000), 0, "constant without --lr-end");
        cfg.lr = 1e-3;
        cfg.lrEnd = 1e-4;
        cfg.totalSteps = 1_000;
        assertEquals(1e-3, cfg.learningRate(0), 1e-12);
        assertEquals(5.5e-4, cfg.learningRate(500), 1e-12);
        assertEquals(1e-4, cfg.learningRate(1_000), 1e-12);
        assertEquals(1e-4, cfg.learningRate(5_000), 1e-12, "stays at --lr-end after --total-steps (a resumed, longer run)");
    }

    @Test
    void sameSeedSameRun(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.totalSteps = 3_000;
        cfg.learningStarts = 500;
        cfg.gif = false;
        DqnTraining.run(cfg, "default", dir.resolve("a"), new Log(), () -> false);
        DqnTraining.run(cfg, "default", dir.resolve("b"), new Log(), () -> false);
        assertEquals(Files.readAllLines(dir.resolve("a/metrics.csv")).stream().map(DqnTrainingTest::withoutSps).toList(),
                Files.readAllLines(dir.resolve("b/metrics.csv")).stream().map(DqnTrainingTest::withoutSps).toList());
        var a = SafeTensors.read(dir.resolve("a/last.safetensors")).tensors();
        var b = SafeTensors.read(dir.resolve("b/last.safetensors")).tensors();
        for (String k : a.keySet()) org.junit.jupiter.api.Assertions.assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
    }

    /** A metrics.csv line without its charts/SPS cell (wall-clock steps/s: the one column that differs between equal runs). */
    static String withoutSps(String line) {
        List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
        cells.remove(Arrays.asList(DqnTraining.COLUMNS).indexOf("charts/SPS"));
        return String.join(",", cells);
    }

    @Test
    void stopRequestSavesTheLastCheckpoint(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        AtomicInteger calls = new AtomicInteger();
        DqnTraining.Result r = DqnTraining.run(cfg, "default", dir, new Log(), () -> calls.incrementAndGet() > 1_500);
        assertTrue(r.interrupted());
        assertEquals(1_500, r.steps());
        assertEquals("1500", SafeTensors.read(dir.resolve("last.safetensors")).metadata().get("step"));
        assertTrue(Files.exists(dir.resolve("best.safetensors")));
        assertFalse(Files.exists(dir.resolve("episode.gif")));
    }

    /**
     * The Keras tutorial's ablation runs as three presets, each to its end with a 10-episode
     * evaluation, and shows what the tutorial shows: without replay the agent learns nothing (it
     * balances ~10 steps, as a random policy), with replay it balances for well over 100.
     */
    @Test
    void kerasAblationPresetsRunAndReplayMatters(@TempDir Path dir) throws Exception {
        Map<String, Double> mean = new LinkedHashMap<>();
        for (String name : new String[] {"keras-cartpole-no-replay", "keras-cartpole-no-target", "keras-cartpole"}) {
            DqnConfig cfg = Presets.get("cartpole", name).config();
            cfg.gif = false;
            DqnTraining.Result r = DqnTraining.run(cfg, name, dir.resolve(name), new Log(), () -> false);
            assertEquals(5_000, r.steps(), name);
            assertEquals(10, r.evaluation().episodes(), name);
            assertEquals("CartPole-v0", SafeTensors.read(dir.resolve(name + "/last.safetensors")).metadata().get("env"));
            mean.put(name, r.evaluation().mean());
        }
        // Seeds 1-3 give 9.5 without replay and 147-189 with it (docs/presets.md); the plain-Java kernels,
        // whose sums differ as another CPU's would, gave 9.2-9.6 and 103-196 over seeds 1-6. A factor 5 leaves room.
        assertTrue(mean.get("keras-cartpole-no-replay") * 5 < mean.get("keras-cartpole"), mean.toString());
        assertTrue(mean.get("keras-cartpole-no-replay") < 20, mean.toString());
    }

    @Test
    void frozenLakeDefaultSolvesAndRendersAGif(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("frozenlake", "default").config();
        DqnTraining.Result r = DqnTraining.run(cfg, "default", dir, new Log(), () -> false);
        assertTrue(r.solved(), r.toString());
        assertEquals(1.0, r.evaluation().mean(), 0);
        assertTrue(Files.size(dir.resolve("episode.gif")) > 0);
    }

    /**
     * --max-minutes ends a run as --total-steps does (not as a stop request): the checkpoint, the last
     * network's evaluation and the hand-over; a resume gets the limit again and goes on from there.
     */
    @Test
    void aTimeLimitEndsTheRunAsItsLastStepWould(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.gif = false;
        cfg.tensorboard = false;
        cfg.stopWhenSolved = false;
        cfg.totalSteps = 100_000_000;
        cfg.maxMinutes = 0.02; // 1.2 s
        Log log = new Log();
        DqnTraining.Result r = DqnTraining.run(cfg, "default", dir, log, () -> false);
        assertFalse(r.interrupted(), log.lines.toString());
        assertTrue(r.steps() > 0 && r.steps() < cfg.totalSteps, "steps " + r.steps());
        assertTrue(r.seconds() >= 1.2 && r.seconds() < 60, "seconds " + r.seconds());
        assertNotNull(r.evaluation(), "the best network handed over");
        assertNotNull(r.lastEvaluation(), "the last network evaluated");
        assertTrue(log.lines.stream().anyMatch(l -> l.matches("step " + r.steps() + ": --max-minutes 0\\.02 reached \\(\\d+\\.\\d minutes of training\\): the run ends here")),
                log.lines.toString());
        assertTrue(Files.isRegularFile(dir.resolve("last.safetensors")) && Files.isRegularFile(dir.resolve("best.safetensors")));

        Log again = new Log();
        DqnTraining.Result resumed = DqnTraining.run(cfg, "default", dir, again, () -> false, new CpuBackend(), true);
        assertEquals(r.steps(), resumed.resumedFromStep());
        assertTrue(resumed.steps() > r.steps() && !resumed.interrupted(), resumed + " " + again.lines);
    }

    @Test
    void episodeUnitsTrainAndSyncAtEpisodeEnds(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("frozenlake", "minimalrl-frozenlake").config();
        cfg.maxEpisodes = 400;
        cfg.learningStarts = 200;
        cfg.targetUpdate = 4; // every 4th episode end, right after that episode's training; 400 is one
        cfg.gif = false;
        DqnTraining.Result r = DqnTraining.run(cfg, "minimalrl-frozenlake", dir, new Log(), () -> false);
        assertEquals(400, r.episodes());
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertTrue(csv.get(csv.size() - 1).split(",")[5].length() > 0, "a loss was logged once training started");
        assertNotNull(r.evaluation());
        // The run ended on a sync: the saved target network is the final online network. Without
        // syncs it would still be the initial network; synced in steps, or in episodes before the
        // last training, it would lag the online network by at least one training round.
        Path state = TrainingCheckpoint.current(dir, w -> {}).resolve(TrainingCheckpoint.STATE);
        float[] target = SafeTensors.read(state).tensors().get("target").data();
        QNetwork last = QNetwork.load(new CpuBackend(), dir.resolve("last.safetensors"));
        assertArrayEquals(last.params().backend.toArray(last.params().values), target);
        assertTrue(Integer.parseInt(SafeTensors.read(state).metadata().get("optimizer_steps")) > 0, "trained");
    }
}
