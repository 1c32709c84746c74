package org.dqnscratch.env.atari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 23, item 1: an Atari game from Java (options by name, the ROM checked, the newest frame as bytes); DqnApiTest trains one. */
class AtariFromJavaTest {
    @Test
    void optionsByNameStartFromTheDefaults() {
        assertEquals(new AtariEnv.Options("pong", "atari", 30, 4, 4, false, 108_000, false), AtariEnv.Options.defaults("pong"));
        AtariEnv.Options o = AtariEnv.Options.builder("breakout").episodicLife(true).frameStack(2).noopMax(0).maxEpisodeFrames(4_000).build();
        assertEquals(new AtariEnv.Options("breakout", "atari", 0, 4, 2, false, 4_000, true), o);
        assertEquals("unknown game 'pongg'", assertThrows(IllegalArgumentException.class, () -> AtariEnv.Options.builder("pongg").build())
                .getMessage().replaceAll(" \\(known.*", ""));
        assertEquals("--episodic-life and --terminal-on-life-loss exclude each other", assertThrows(IllegalArgumentException.class,
                () -> AtariEnv.Options.builder("pong").episodicLife(true).terminalOnLifeLoss(true).build()).getMessage());
        assertEquals("--frame-skip must be >= 1", assertThrows(IllegalArgumentException.class, () -> AtariEnv.Options.builder("pong").frameSkip(0).build()).getMessage());
    }

    @Test
    void theRomIsCheckedAndTheNewestFrameReadsAsBytes(@TempDir Path dir) throws Exception {
        Path rom = AtariSupport.pongRom();
        try (AtariEnv env = new AtariEnv(AtariEnv.Options.defaults("pong"), 3)) {
            assertNull(env.newestFrame());
            float[] obs = env.reset(3);
            for (int t = 0; t < 20; t++) obs = env.step(t % env.actionSpace().n()).observation();
            byte[] frame = env.newestFrame();
            assertEquals(AtariEnv.FRAME, frame.length);
            for (int i = 0; i < AtariEnv.FRAME; i++) assertEquals(obs[obs.length - AtariEnv.FRAME + i], frame[i] & 0xFF, "pixel " + i);
        }
        try (AtariEnv env = AtariEnv.checked(AtariEnv.Options.defaults("pong"), rom, 1)) {
            assertEquals("PongNoFrameskip-v4", env.id());
        }
        Path wrong = Files.write(dir.resolve("pong.bin"), new byte[2048]);
        IOException e = assertThrows(IOException.class, () -> AtariEnv.checked(AtariEnv.Options.defaults("pong"), wrong, 1));
        assertTrue(e.getMessage().startsWith(wrong + " is not the Pong ROM (md5 "), e.getMessage());
    }
}
