package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every training command checkpoints mid-run (issue 24, item 5): {@code --checkpoint-every} was
 * Pong's only, so a CartPole or FrozenLake run killed with -9 left nothing to resume from. Failed
 * before (an unknown option, exit 2).
 */
class CheckpointFlagsTest {
    @TempDir Path dir;

    @Test
    void cartpoleCheckpointsEveryNStepsAndResumes() throws Exception {
        CliTest.Run r = CliTest.run("cartpole", "--checkpoint-every", "300", "--total-steps", "700", "--learning-starts", "200",
                "--stop-when-solved=false", "--eval-episodes", "1", "--gif=false", "--progress=false", "--run-dir", dir.toString());
        assertEquals(0, r.code(), r.toString());
        Path run = onlyRun();
        // the last periodic checkpoint (600) was replaced by the final one (700): one folder, the pointer on it
        assertEquals("step-700", Files.readString(run.resolve("checkpoint")).strip());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-700/state.safetensors")));

        CliTest.Run resumed = CliTest.run("cartpole", "--resume", run.toString(), "--total-steps", "900", "--progress=false");
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resuming from the checkpoint of step 700"), resumed.toString());
        assertEquals("step-900", Files.readString(run.resolve("checkpoint")).strip());
    }

    @Test
    void frozenlakeTakesTheFlag() throws Exception {
        CliTest.Run r = CliTest.run("frozenlake", "--checkpoint-every", "100", "--total-steps", "250", "--stop-when-solved=false",
                "--eval-episodes", "1", "--gif=false", "--progress=false", "--run-dir", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("step-250", Files.readString(onlyRun().resolve("checkpoint")).strip());
    }

    private Path onlyRun() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }
}
