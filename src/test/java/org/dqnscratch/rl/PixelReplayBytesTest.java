package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sampling pixels as bytes draws the same transitions as sampling them as floats, with the same values. */
class PixelReplayBytesTest {
    @Test
    void bytesAndFloatsAgree() {
        int stack = 3, frame = 10, batch = 40;
        PixelReplay rb = new PixelReplay(100, stack, frame, 2);
        Random r = new Random(2);
        for (int st = 0; st < 2; st++) {
            float[] obs = new float[stack * frame];
            for (int p = 0; p < obs.length; p++) obs[p] = r.nextInt(256);
            for (int t = 0; t < 30; t++) {
                float[] next = new float[obs.length];
                System.arraycopy(obs, frame, next, 0, obs.length - frame);
                for (int p = obs.length - frame; p < obs.length; p++) next[p] = r.nextInt(256);
                rb.add(st, obs, r.nextInt(6), r.nextFloat(), next, t % 11 == 10, false);
                obs = t % 11 == 10 ? next.clone() : next;
            }
        }
        int len = stack * frame;
        float[] s = new float[batch * len], s2 = new float[batch * len], a = new float[batch], rew = new float[batch], d = new float[batch];
        byte[] bs = new byte[batch * len], bs2 = new byte[batch * len];
        float[] a2 = new float[batch], rew2 = new float[batch], d2 = new float[batch];
        rb.sample(new SplittableRandom(7), batch, 3, 0.9, s, a, rew, d, s2);
        rb.sample(new SplittableRandom(7), batch, 3, 0.9, bs, a2, rew2, d2, bs2);
        assertArrayEquals(a, a2);
        assertArrayEquals(rew, rew2);
        assertArrayEquals(d, d2);
        for (int i = 0; i < s.length; i++) {
            assertEquals(s[i], bs[i] & 0xFF, "s at " + i);
            assertEquals(s2[i], bs2[i] & 0xFF, "s2 at " + i);
        }
    }
}
