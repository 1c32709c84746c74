package org.dqnscratch.apex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.DqnTraining;
import org.dqnscratch.rl.EnvSpec;
import org.dqnscratch.rl.Presets;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ape-X CartPole runs with two actor threads: solved; solved despite an actor that throws, and despite a
 * batch lost while its actor lived on; stopped, then resumed with its replay and its actors' counts.
 */
class ApeXRunTest {
    private final List<String> messages = new CopyOnWriteArrayList<>();

    private DqnTraining.Listener listener(AtomicBoolean stopAt3000) {
        return new DqnTraining.Listener() {
            @Override public void status(DqnTraining.Status s) { if (stopAt3000 != null && s.step() >= 3_000) stopAt3000.set(true); }

            @Override public void message(String line) { messages.add(line); }
        };
    }

    private static DqnConfig cartpole() {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.actors = 2;
        cfg.gif = false;
        cfg.tensorboard = false;
        cfg.totalSteps = 100_000;
        return cfg.validate();
    }

    @Test
    void twoActorsSolveCartPole(@TempDir Path dir) throws IOException {
        DqnConfig cfg = cartpole();
        DqnTraining.Result r = ApeXLearner.run(cfg, EnvSpec.of(cfg), "default", dir, listener(null), () -> false, new CpuBackend(), false);
        assertTrue(r.solved(), "solved: " + messages);
        assertTrue(r.evaluation().mean() >= 475, r.evaluation().toString());
        for (String f : new String[] {"config.json", "metrics.csv", "learning_curve.png", "best.safetensors", "last.safetensors", "actors.csv"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        List<String> actors = Files.readAllLines(dir.resolve("actors.csv"));
        assertEquals(3, actors.size(), actors.toString());
        assertTrue(actors.get(1).startsWith("0,0.400000,") && actors.get(2).startsWith("1,0.000655360,"), "Ape-X's epsilons: " + actors);
        assertTrue(Files.readAllLines(dir.resolve("metrics.csv")).get(0).contains("charts/episodic_return"));
    }

    /** --max-minutes ends an Ape-X run as its last step would: evaluated and handed over, not interrupted. */
    @Test
    void aTimeLimitEndsTheRun(@TempDir Path dir) throws IOException {
        DqnConfig cfg = cartpole();
        cfg.totalSteps = 100_000_000;
        cfg.stopWhenSolved = false;
        cfg.maxMinutes = 0.01;
        DqnTraining.Result r = ApeXLearner.run(cfg, EnvSpec.of(cfg), "default", dir, listener(null), () -> false, new CpuBackend(), false);
        assertFalse(r.interrupted(), messages.toString());
        assertTrue(r.steps() > 0 && r.steps() < cfg.totalSteps && r.evaluation() != null, r.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("step " + r.steps() + ": --max-minutes 0.01 reached")), messages.toString());
    }

    @Test
    void anActorThatThrowsIsRestartedAndTheRunStillSolves(@TempDir Path dir) throws IOException {
        DqnConfig cfg = cartpole();
        EnvSpec spec = EnvSpec.of(cfg);
        AtomicInteger calls = new AtomicInteger();
        Fleet.ActorFactory actors = (i, count, incarnation) -> {
            ApeXActor actor = new ApeXActor(cfg, spec, i, count, 1_000L * (i + 1) + 77L * incarnation);
            if (i != 1 || incarnation > 0) return actor;
            return weights -> { // actor 1's first incarnation dies in its 20th batch
                if (calls.incrementAndGet() == 20) throw new IllegalStateException("planted failure");
                return actor.collect(weights);
            };
        };
        DqnTraining.Result r = ApeXLearner.run(cfg, spec, "default", dir, listener(null), () -> false, new CpuBackend(), false,
                (c, s, from, log) -> new LocalFleet(actors, log));
        assertEquals(20, calls.get(), "the failing actor was not called again after it threw");
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("actor 1 failed (java.lang.IllegalStateException: planted failure): restarted")), messages.toString());
        assertTrue(r.solved(), "solved: " + messages);
        assertEquals("1", column(dir, 1, "restarts"), "actor 1 restarted once");
        assertEquals("0", column(dir, 1, "batches_lost"), "a restart is not counted as a lost batch");
    }

    /** Actor {@code actor}'s value in actors.csv's column {@code name}. */
    private static String column(Path dir, int actor, String name) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("actors.csv"));
        assertEquals(ActorStats.HEADER, lines.get(0));
        return lines.get(1 + actor).split(",")[List.of(lines.get(0).split(",")).indexOf(name)];
    }

    @Test
    void aBatchLostWhileItsActorLivesOnIsCountedAndTheRunStillSolves(@TempDir Path dir) throws IOException {
        DqnConfig cfg = cartpole();
        EnvSpec spec = EnvSpec.of(cfg);
        AtomicInteger calls = new AtomicInteger();
        Fleet.ActorFactory actors = (i, count, incarnation) -> {
            ApeXActor actor = new ApeXActor(cfg, spec, i, count, 1_000L * (i + 1) + 77L * incarnation);
            if (i != 1) return actor;
            return weights -> { // actor 1's 20th batch never arrives (as a Ray call that failed): the learner gets the 21st
                if (calls.incrementAndGet() == 20) actor.collect(weights);
                return actor.collect(weights);
            };
        };
        DqnTraining.Result r = ApeXLearner.run(cfg, spec, "default", dir, listener(null), () -> false, new CpuBackend(), false,
                (c, s, from, log) -> new LocalFleet(actors, log));
        assertTrue(messages.contains("actor 1: 1 batch lost (a call that failed); its episodes under way were cut there"), messages.toString());
        assertTrue(r.solved(), "solved: " + messages);
        assertEquals("1", column(dir, 1, "batches_lost"));
        assertEquals("0", column(dir, 0, "batches_lost"));
        assertEquals("0", column(dir, 1, "restarts"));
    }

    @Test
    void aPixelRunTrainsFromTheActorsFrameStreams(@TempDir Path dir) throws IOException {
        // Pixels without a ROM: ApeXBatchingProperties' random frames, through the learner's PixelReplay and Nature CNN updates.
        EnvSpec spec = EnvSpec.custom(s -> new ApeXBatchingProperties.Frames(s, 2, new java.util.ArrayList<>()));
        DqnConfig cfg = new DqnConfig();
        cfg.actors = 2;
        cfg.nStep = 3;
        cfg.totalSteps = 240;
        cfg.bufferSize = 200; // smaller than the steps: the streams' rings evict
        cfg.learningStarts = 60;
        cfg.batchSize = 4;
        cfg.trainFreq = 40;
        cfg.gradientSteps = 1;
        cfg.actorBatch = 20;
        cfg.evalEvery = 0;
        cfg.evalEpisodes = 1;
        cfg.gif = false;
        cfg.tensorboard = false;
        cfg.saveReplay = true;
        DqnTraining.Result r = ApeXLearner.run(cfg.validate(), spec, "test", dir, listener(null), () -> false, new CpuBackend(), false);
        assertEquals(240, r.steps());
        assertFalse(r.interrupted());
        assertTrue(Files.readAllLines(dir.resolve("metrics.csv")).size() > 10, "episodes logged");

        // --save-replay: the checkpoint holds the two streams' frames; a resume starts from them (its episodes ended there).
        messages.clear();
        cfg.totalSteps = 320;
        DqnTraining.Result resumed = ApeXLearner.run(cfg, spec, "test", dir, listener(null), () -> false, new CpuBackend(), true);
        assertEquals(320, resumed.steps());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("resuming the learner from the checkpoint of step 240 with its replay of (\\d+) "
                + "transitions \\(the actors start new episodes\\)").matcher(messages.get(0));
        assertTrue(m.matches(), messages.get(0));
        assertTrue(Integer.parseInt(m.group(1)) > 100, "most of what 200 frames in 2 streams hold: " + m.group(1));
    }

    @Test
    void aStoppedRunSavesACheckpointThatResumeContinues(@TempDir Path dir) throws IOException {
        DqnConfig cfg = cartpole();
        AtomicBoolean stop = new AtomicBoolean();
        DqnTraining.Result first = ApeXLearner.run(cfg, EnvSpec.of(cfg), "default", dir, listener(stop), stop::get, new CpuBackend(), false);
        assertTrue(first.interrupted(), "stopped");
        assertTrue(first.steps() >= 3_000 && first.steps() < 10_000, "stopped soon after step 3000: " + first.steps());
        assertTrue(Files.isRegularFile(dir.resolve("last.safetensors")) && Files.isRegularFile(dir.resolve("checkpoint")), "a checkpoint");
        long rows = Files.readAllLines(dir.resolve("metrics.csv")).size();
        long batches = Long.parseLong(column(dir, 0, "batches")), steps = Long.parseLong(column(dir, 1, "env_steps"));

        messages.clear();
        DqnTraining.Result second = ApeXLearner.run(cfg, EnvSpec.of(cfg), "default", dir, listener(null), () -> false, new CpuBackend(), true);
        assertEquals(first.steps(), second.resumedFromStep());
        assertTrue(messages.get(0).matches("resuming the learner from the checkpoint of step " + first.steps()
                + " with its replay of \\d+ transitions \\(the actors start new episodes\\)"), messages.toString());
        assertFalse(second.interrupted());
        assertTrue(second.steps() > first.steps());
        assertTrue(Files.readAllLines(dir.resolve("metrics.csv")).size() > rows, "metrics.csv goes on");
        assertTrue(second.solved(), "solved after the resume: " + messages);
        assertTrue(Long.parseLong(column(dir, 0, "batches")) > batches && Long.parseLong(column(dir, 1, "env_steps")) > steps,
                "actors.csv's counts go on from the first part's");
    }
}
