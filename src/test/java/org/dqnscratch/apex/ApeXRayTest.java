package org.dqnscratch.apex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dqnscratch.ray.RayCluster;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.DqnTraining;
import org.dqnscratch.rl.EnvSpec;
import org.dqnscratch.rl.Presets;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ape-X CartPole with its actors on a two-node Ray cluster of our own (RayCluster): solved with one
 * actor on each node; solved again when an actor's process is killed mid-run (Ray restarts it).
 */
class ApeXRayTest {
    private static final Pattern PROCESSES = Pattern.compile("processes \\[(\\d+), (\\d+)\\]");
    private static RayCluster cluster;
    private final List<String> messages = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void cluster() throws Exception { cluster = RayCluster.start(2, 6392); }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    private DqnConfig cartpole() {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.actors = 2;
        cfg.ray = cluster.address;
        cfg.gif = false;
        cfg.tensorboard = false;
        cfg.totalSteps = 100_000;
        return cfg.validate();
    }

    private DqnTraining.Result run(DqnConfig cfg, Path dir, Runnable atStep2000) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        DqnTraining.Listener out = new DqnTraining.Listener() {
            @Override public void status(DqnTraining.Status s) {
                if (s.step() >= 2_000 && !done.getAndSet(true)) atStep2000.run();
            }

            @Override public void message(String line) { messages.add(line); }
        };
        return ApeXLearner.run(cfg, EnvSpec.of(cfg), "default", dir, out, () -> false, new CpuBackend(), false, RayFleet.on(cfg));
    }

    @Test
    void actorsOnBothNodesSolveCartPole(@TempDir Path dir) throws Exception {
        DqnTraining.Result r = run(cartpole(), dir, () -> {});
        assertTrue(messages.stream().anyMatch(m -> m.contains(": 2 actors on 2 node(s)")), messages.toString());
        assertTrue(r.solved(), "solved: " + messages);
        assertTrue(r.evaluation().mean() >= 475, r.evaluation().toString());
        List<String> actors = Files.readAllLines(dir.resolve("actors.csv"));
        assertEquals(3, actors.size(), actors.toString());
    }

    @Test
    void anActorKilledMidRunIsRestartedAndTheRunSolves(@TempDir Path dir) throws Exception {
        DqnTraining.Result r = run(cartpole(), dir, () -> {
            Matcher m = messages.stream().map(PROCESSES::matcher).filter(Matcher::find).findFirst().orElseThrow();
            try {
                assertEquals(0, new ProcessBuilder("kill", "-9", m.group(1)).start().waitFor(), "kill actor 0's process " + m.group(1));
                Thread.sleep(5_000); // the learner waits while Ray restarts the actor (a JVM start): else actor 1 alone may solve first
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("actor 0 died: Ray restarted it")), messages.toString());
        assertTrue(r.solved(), "solved: " + messages);
        List<String> actors = Files.readAllLines(dir.resolve("actors.csv"));
        assertEquals(ActorStats.HEADER, actors.get(0));
        assertTrue(actors.get(1).endsWith(",1,0"), "actor 0 restarted once, and sent batches after (a restart is no lost batch): " + actors);
    }
}
