package org.dqnscratch.env.atari;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.dqnscratch.tensor.VectorSupport;
import org.junit.jupiter.api.Test;

/** The Vector API grey lookup and max-pool give the plain loops' bytes, odd indices and tails included. */
class GrayMaxPoolTest {
    private static byte[] table(Random r) {
        byte[] t = new byte[256];
        r.nextBytes(t); // grey levels above 127 too: the unsigned max must not read them as negative
        return t;
    }

    private static byte[] screen(Random r, int n, double oddShare) {
        byte[] s = new byte[n];
        for (int i = 0; i < n; i++) s[i] = (byte) (r.nextDouble() < oddShare ? r.nextInt(256) : 2 * r.nextInt(128));
        return s;
    }

    @Test
    void vectorTwinGivesThePlainBytes() {
        assumeTrue(VectorSupport.available() || Boolean.getBoolean("dqn.requireVector"), "no Vector API in this JVM");
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            byte[] t = table(r);
            GrayMaxPool plain = new GrayMaxPool(t), vector = GrayMaxPool.of(t);
            assertEquals(true, vector.name().startsWith("vector"), vector.name());
            int n = trial < 100 ? 1 + r.nextInt(300) : 210 * 160;
            double odd = trial % 4 == 0 ? 0.001 : 0; // a rare odd index sends its block to the plain loop
            byte[] a = screen(r, n, odd), b = screen(r, n, odd);
            byte[] p = new byte[n], v = new byte[n];
            plain.gray(a, p);
            vector.gray(a, v);
            assertArrayEquals(p, v, "gray, n=" + n);
            for (int mode = 0; mode < 4; mode++) {
                boolean aRaw = (mode & 1) != 0, bRaw = (mode & 2) != 0;
                plain.max(a, aRaw, b, bRaw, p);
                vector.max(a, aRaw, b, bRaw, v);
                assertArrayEquals(p, v, "max, n=" + n + ", raw " + aRaw + "/" + bRaw);
            }
            byte[] inPlace = a.clone(); // the pipeline pools into its first screen
            vector.max(inPlace, true, b, true, inPlace);
            plain.max(a, true, b, true, p);
            assertArrayEquals(p, inPlace, "in place");
        }
    }

    @Test
    void plainLoopsAreTheTableAndTheUnsignedMax() {
        byte[] t = new byte[256];
        for (int i = 0; i < 256; i++) t[i] = (byte) (255 - i);
        GrayMaxPool pool = GrayMaxPool.of(t);
        byte[] a = {0, 2, (byte) 254, 10}, b = {(byte) 200, 4, 0, 10}, out = new byte[4];
        pool.gray(a, out);
        assertArrayEquals(new byte[] {(byte) 255, (byte) 253, 1, (byte) 245}, out);
        pool.max(a, true, b, true, out);
        assertArrayEquals(new byte[] {(byte) 255, (byte) 253, (byte) 255, (byte) 245}, out);
        pool.max(a, false, b, true, out); // a as grey levels already: 0, 2, 254, 10 against 55, 251, 255, 245
        assertArrayEquals(new byte[] {55, (byte) 251, (byte) 255, (byte) 245}, out);
    }
}
