package org.dqnscratch.env.atari;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.dqnscratch.env.EnvStateTest;
import org.junit.jupiter.api.Test;

/** An Atari game's saved state (emulator and wrapper) continues exactly, in both pipelines, across episode ends. */
class AtariEnvStateTest {
    private static AtariEnv make(String pipeline, int maxFrames) {
        try {
            return new AtariEnv(new AtariEnv.Options("pong", pipeline, 30, 4, 4, false, maxFrames), AtariSupport.pongRom(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void atariPipelineContinuesExactly() {
        AtariSupport.pongRom();
        // A short time limit puts episode ends (and the no-op starts after them) inside the compared steps.
        for (int before : new int[] {0, 1, 333}) EnvStateTest.restoresExactly(() -> make("atari", 4000), before, 1500);
    }

    @Test
    void lapanPipelineContinuesExactly() {
        AtariSupport.pongRom();
        for (int before : new int[] {0, 250}) EnvStateTest.restoresExactly(() -> make("lapan", 4000), before, 1200);
    }
}
