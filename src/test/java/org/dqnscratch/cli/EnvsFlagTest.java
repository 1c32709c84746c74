package org.dqnscratch.cli;

import static org.dqnscratch.cli.CliTest.assertOneLineError;
import static org.dqnscratch.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --envs 100000} was accepted: memory grew for minutes (an emulator and a replay stream each) and nothing trained. */
class EnvsFlagTest {
    @Test
    void tooManyEnvironmentsIsAOneLineErrorBeforeAnythingIsMade(@TempDir Path dir) throws Exception {
        // Before the ROM is looked for: the error comes whether or not Pong is installed here.
        assertOneLineError(run("pong", "--envs", "100000", "--run-dir", dir.toString(), "--progress=false"), "--envs must be in [1, 256] (100000 given)");
        assertOneLineError(run("pong", "--envs", "0", "--run-dir", dir.toString(), "--progress=false"), "--envs must be in [1, 256] (0 given)");
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "no run directory");
        }
    }

    @Test
    void theBoundItselfIsAllowed() {
        DqnConfig c = Presets.get("pong", "default").config();
        c.envs = DqnConfig.MAX_ENVS;
        c.validate();
        c.envs = DqnConfig.MAX_ENVS + 1;
        assertThrows(IllegalArgumentException.class, c::validate);
    }
}
