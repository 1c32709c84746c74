package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The other forms of a pixel sample draw the same transitions as the float one: pixels as bytes,
 * and frame slots that index a mirror of the frames (kept up to date by every write and by a load).
 */
class PixelReplayFormsTest {
    static final int STACK = 3, FRAME = 10, BATCH = 40;

    /** Two streams of 30 random transitions, episodes of 11 steps. */
    static PixelReplay fill(PixelReplay rb) {
        Random r = new Random(2);
        for (int st = 0; st < 2; st++) {
            float[] obs = new float[STACK * FRAME];
            for (int p = 0; p < obs.length; p++) obs[p] = r.nextInt(256);
            for (int t = 0; t < 30; t++) {
                float[] next = new float[obs.length];
                System.arraycopy(obs, FRAME, next, 0, obs.length - FRAME);
                for (int p = obs.length - FRAME; p < obs.length; p++) next[p] = r.nextInt(256);
                rb.add(st, obs, r.nextInt(6), r.nextFloat(), next, t % 11 == 10, false);
                obs = next;
            }
        }
        return rb;
    }

    @Test
    void bytesAndSlotsAgreeWithFloats() {
        PixelReplay rb = new PixelReplay(100, STACK, FRAME, 2);
        byte[][] mirror = new byte[(int) rb.frameSlots()][];
        rb.mirror((slot, bytes, off) -> mirror[(int) slot] = java.util.Arrays.copyOfRange(bytes, off, off + FRAME));
        fill(rb);
        int len = STACK * FRAME;
        float[] s = new float[BATCH * len], s2 = new float[BATCH * len], a = new float[BATCH], rew = new float[BATCH], d = new float[BATCH];
        rb.sample(new SplittableRandom(7), BATCH, 3, 0.9, s, a, rew, d, s2);
        byte[] bs = new byte[BATCH * len], bs2 = new byte[BATCH * len];
        float[] a2 = new float[BATCH], rew2 = new float[BATCH], d2 = new float[BATCH];
        rb.sample(new SplittableRandom(7), BATCH, 3, 0.9, bs, a2, rew2, d2, bs2);
        int[] slots = new int[BATCH * STACK], slots2 = new int[BATCH * STACK];
        float[] a3 = new float[BATCH], rew3 = new float[BATCH], d3 = new float[BATCH];
        rb.sample(new SplittableRandom(7), BATCH, 3, 0.9, slots, a3, rew3, d3, slots2);
        for (float[][] other : new float[][][] {{a2, rew2, d2}, {a3, rew3, d3}}) {
            assertArrayEquals(a, other[0]);
            assertArrayEquals(rew, other[1]);
            assertArrayEquals(d, other[2]);
        }
        for (int i = 0; i < s.length; i++) {
            assertEquals(s[i], bs[i] & 0xFF, "s at " + i);
            assertEquals(s2[i], bs2[i] & 0xFF, "s2 at " + i);
            assertEquals(s[i], mirror[slots[i / FRAME]][i % FRAME] & 0xFF, "s through the mirror at " + i);
            assertEquals(s2[i], mirror[slots2[i / FRAME]][i % FRAME] & 0xFF, "s2 through the mirror at " + i);
        }
    }

    /** A loaded replay sends every frame slot to its mirror. */
    @Test
    void loadRefreshesTheMirror(@TempDir Path dir) throws Exception {
        PixelReplay saved = fill(new PixelReplay(100, STACK, FRAME, 2));
        saved.save(dir.resolve("replay"));
        PixelReplay loaded = new PixelReplay(100, STACK, FRAME, 2);
        int[] seen = new int[(int) loaded.frameSlots()];
        loaded.mirror((slot, bytes, off) -> seen[(int) slot]++);
        loaded.load(dir.resolve("replay"));
        for (int k : seen) assertEquals(1, k);
    }
}
