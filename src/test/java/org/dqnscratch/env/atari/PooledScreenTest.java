package org.dqnscratch.env.atari;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pooled screen kept between steps is the max-pool computed afresh: over random sequences of
 * screens changing a few rows at a time, with steps whose operands are not both fresh indices (a
 * reset, an episode end before the last two frames) in between, and rows it reports as unchanged
 * are unchanged.
 */
class PooledScreenTest {
    @Test
    void equalsTheWholeMaxPoolEveryStep() {
        Random r = new Random(3);
        int w = 160, h = 210;
        for (boolean vector : new boolean[] {false, true}) {
            byte[] table = new byte[256];
            r.nextBytes(table);
            GrayMaxPool plain = new GrayMaxPool(table), gray = vector ? GrayMaxPool.of(table) : plain;
            PooledScreen pooled = new PooledScreen(gray, w, h);
            byte[] a = screen(r, w * h), b = screen(r, w * h), want = new byte[w * h], before = new byte[w * h];
            boolean aRaw = true, bRaw = true;
            for (int step = 0; step < 300; step++) {
                for (int k = r.nextInt(6); k > 0; k--) { // a few rows change, in either screen
                    byte[] s = r.nextBoolean() ? a : b;
                    int y = r.nextInt(h), x = r.nextInt(w);
                    for (int i = x; i < Math.min(w, x + 1 + r.nextInt(20)); i++) s[y * w + i] = (byte) (2 * r.nextInt(128));
                }
                if (step % 37 == 0) b = screen(r, w * h);
                boolean stale = step % 23 == 5; // Gymnasium's buffer 0 is then the last pooled grey levels
                aRaw = !stale;
                bRaw = step % 41 != 7;
                byte[] first = aRaw ? a : pooled.grey();
                plain.max(first, aRaw, b, bRaw, want);
                System.arraycopy(pooled.grey(), 0, before, 0, before.length);
                boolean[] rows = pooled.pool(first, aRaw, b, bRaw);
                assertArrayEquals(want, pooled.grey(), "step " + step + ", vector " + vector);
                if (!aRaw || !bRaw) assertNull(rows);
                if (rows == null) continue;
                for (int y = 0; y < h; y++) {
                    if (!rows[y]) assertTrue(Arrays.equals(before, y * w, y * w + w, want, y * w, y * w + w), "row " + y + " said unchanged");
                }
            }
            byte[] one = screen(r, w * h);
            pooled.gray(one);
            plain.gray(one, want);
            assertArrayEquals(want, pooled.grey(), "one screen");
            assertNull(pooled.pool(a, true, b, true), "after a single screen every row is looked up");
        }
    }

    private static byte[] screen(Random r, int n) {
        byte[] s = new byte[n];
        for (int i = 0; i < n; i++) s[i] = (byte) (2 * r.nextInt(128));
        return s;
    }
}
