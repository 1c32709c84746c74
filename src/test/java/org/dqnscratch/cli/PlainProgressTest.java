package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output that is not a terminal (here a captured stream) gets plain status lines, never the bar's carriage returns. */
class PlainProgressTest {
    @AfterEach
    void restore() { TrainCommand.plainStatusEveryMillis = 30_000; }

    @Test
    void aPipeGetsStatusLinesNotRedraws(@TempDir Path dir) {
        TrainCommand.plainStatusEveryMillis = 0; // every status the loop reports (each 256 steps)
        CliTest.Run r = CliTest.run("cartpole", "--total-steps", "1024", "--eval-episodes", "1", "--gif=false", "--run-dir", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.out().contains("\r") || r.err().contains("\r"), "no carriage returns in a pipe");
        assertTrue(r.out().lines().anyMatch(l -> l.matches("step 512/1024 \\(50%\\): \\d+ steps/s R100 .*")), r.out());
        CliTest.Run quiet = CliTest.run("cartpole", "--total-steps", "1024", "--eval-episodes", "1", "--gif=false", "--progress=false", "--run-dir", dir.toString());
        assertFalse(quiet.out().contains("step 512/1024"), "--progress=false: no status lines");
    }
}
