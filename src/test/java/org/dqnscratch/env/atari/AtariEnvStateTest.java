package org.dqnscratch.env.atari;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** SB3's episodic life on Breakout: saved and restored across lost lives and game ends. */
    @Test
    void episodicLifeContinuesExactly() {
        AtariSupport.rom("breakout");
        for (int before : new int[] {0, 300}) EnvStateTest.restoresExactly(() -> breakout(), before, 1500);
    }

    /**
     * Saved between the step that lost a life and the reset: the restored environment knows the
     * game goes on (its reset takes the NOOP step, not a new game), as the saved one does.
     */
    @Test
    void episodicLifeStateBetweenALostLifeAndTheReset() throws IOException {
        try (AtariEnv a = breakout(); AtariEnv b = breakout()) {
            a.reset(3);
            AtariEnvTest.untilDone(a, new org.dqnscratch.env.Rng(2));
            assertTrue(a.gameGoesOn());
            byte[] state = a.saveState();
            b.reset(99);
            b.restoreState(state);
            assertTrue(b.gameGoesOn());
            assertArrayEquals(a.reset(), b.reset());
            assertEquals(a.episodeFrame(), b.episodeFrame());
            assertArrayEquals(a.saveState(), b.saveState());
        }
    }

    private static AtariEnv breakout() {
        try {
            return AtariEnvTest.breakout(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void lapanPipelineContinuesExactly() {
        AtariSupport.pongRom();
        for (int before : new int[] {0, 250}) EnvStateTest.restoresExactly(() -> make("lapan", 4000), before, 1200);
    }
}
