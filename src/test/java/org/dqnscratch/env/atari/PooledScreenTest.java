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

    /**
     * The pooling then the resize told its rows, as AtariEnv chains them, give a fresh max-pool's
     * fresh resize: edits at the screen's first and last rows and columns, two far apart in one
     * row, runs, resets (operands not both fresh) in between, at both pipeline heights.
     */
    @Test
    void chainedWithTheResizeEqualsFreshOnes() {
        Random r = new Random(5);
        int w = 160, h = 210;
        byte[] table = new byte[256];
        r.nextBytes(table);
        GrayMaxPool plain = new GrayMaxPool(table);
        for (int height : new int[] {84, 110}) {
            PooledScreen pooled = new PooledScreen(GrayMaxPool.of(table), w, h);
            AreaResize kept = new AreaResize(w, h, 84, height);
            byte[] a = screen(r, w * h), b = screen(r, w * h), grey = new byte[w * h];
            byte[] got = new byte[84 * height], want = new byte[84 * height];
            int[] edgeRows = {0, 1, h - 2, h - 1}, edgeCols = {0, 1, 2, w - 3, w - 2, w - 1};
            for (int step = 0; step < 400; step++) {
                byte[] s = step % 2 == 0 ? a : b;
                int y = step % 3 == 0 ? edgeRows[r.nextInt(edgeRows.length)] : r.nextInt(h);
                switch (step % 4) {
                    case 0 -> s[y * w + edgeCols[r.nextInt(edgeCols.length)]] ^= 2;
                    case 1 -> { // two pixels far apart in one row
                        s[y * w + r.nextInt(20)] ^= 4;
                        s[y * w + w - 1 - r.nextInt(20)] ^= 4;
                    }
                    case 2 -> { for (int x = r.nextInt(w), e = Math.min(w, x + 1 + r.nextInt(30)); x < e; x++) s[y * w + x] ^= 6; }
                    default -> { } // nothing changed
                }
                boolean fresh = step % 29 != 11;
                byte[] first = fresh ? a : pooled.grey();
                plain.max(first, fresh, b, true, grey);
                kept.resize(pooled.grey(), got, pooled.pool(first, fresh, b, true));
                new AreaResize(w, h, 84, height).resize(grey, want);
                assertArrayEquals(want, got, "step " + step + ", height " + height);
            }
        }
    }

    private static byte[] screen(Random r, int n) {
        byte[] s = new byte[n];
        for (int i = 0; i < n; i++) s[i] = (byte) (2 * r.nextInt(128));
        return s;
    }
}
