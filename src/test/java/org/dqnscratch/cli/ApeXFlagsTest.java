package org.dqnscratch.cli;

import static org.dqnscratch.cli.CliTest.assertOneLineError;
import static org.dqnscratch.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ape-X's flags (--actors, --actor-envs, --weights-every, --actor-batch): bad values and combinations are one line, exit 2, nothing written. */
class ApeXFlagsTest {
    @Test
    void badApeXFlagsAreOneLineErrors(@TempDir Path dir) throws Exception {
        String runs = dir.toString();
        assertOneLineError(run("cartpole", "--actors", "-1", "--run-dir", runs), "--actors must be in [0, 256] (-1 given)");
        assertOneLineError(run("cartpole", "--actors", "300", "--run-dir", runs), "--actors must be in [0, 256] (300 given)");
        assertOneLineError(run("cartpole", "--actors", "2", "--actor-envs", "0", "--run-dir", runs), "--actor-envs must be >= 1");
        assertOneLineError(run("cartpole", "--actors", "16", "--actor-envs", "17", "--run-dir", runs), "--actors x --actor-envs at most 256");
        assertOneLineError(run("cartpole", "--actors", "2", "--weights-every", "0", "--run-dir", runs), "--weights-every must be >= 1");
        assertOneLineError(run("cartpole", "--actors", "2", "--actor-batch", "0", "--run-dir", runs), "--actor-batch must be >= 1");
        assertOneLineError(run("cartpole", "--actors", "2", "--noisy", "--run-dir", runs), "--actors explores with per-actor epsilons: it does not take --noisy");
        assertOneLineError(run("cartpole", "--actors", "2", "--diagnose-every", "100", "--run-dir", runs), "--diagnose-every is not available with --actors");
        // Before the ROM is looked for: the errors come whether or not Pong is installed here.
        assertOneLineError(run("pong", "--actors", "2", "--envs", "4", "--run-dir", runs), "--actors steps --actor-envs environments per actor: it does not take --envs");
        assertOneLineError(run("cartpole", "--ray", "127.0.0.1:6379", "--run-dir", runs), "--ray runs Ape-X actors on a cluster: give --actors N too");
        assertOneLineError(run("cartpole", "--ray-jar", "/x/ray_dist.jar", "--run-dir", runs), "--ray-jar is Ray's runtime for --ray ADDRESS: give --ray too");
        assertOneLineError(run("cartpole", "--actors", "2", "--ray", "127.0.0.1:6379", "--ray-jar", "/nowhere/ray_dist.jar", "--run-dir", runs),
                "--ray-jar /nowhere/ray_dist.jar: no such file");
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "no run directory");
        }
    }

    @Test
    void cartpoleWithActorsTrainsAndWritesActorsCsv(@TempDir Path dir) throws Exception {
        CliTest.Run r = run("cartpole", "--actors", "2", "--total-steps", "3000", "--eval-episodes", "2", "--gif=false", "--tensorboard=false",
                "--progress=false", "--run-dir", dir.toString());
        assertEquals(0, r.code(), r.toString());
        try (var s = Files.list(dir)) {
            Path run = s.findFirst().orElseThrow();
            assertEquals(3, Files.readAllLines(run.resolve("actors.csv")).size(), "a header and a row per actor");
        }
    }
}
