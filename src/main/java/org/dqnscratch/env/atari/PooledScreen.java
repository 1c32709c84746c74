package org.dqnscratch.env.atari;

import java.util.Arrays;

/**
 * The max-pooled grey screen of a frame skip's last two screens (Gymnasium's {@code obs_buffer[0]}
 * after {@code np.maximum(..., out=)}), kept from one step to the next: when both screens are
 * fresh palette indices, only the rows where either screen's indices changed since the previous
 * such pooling are looked up again (in Pong ~30 of 210 rows a step). The other rows keep their
 * grey levels, which are what a fresh lookup would give (a lookup and a max have no rounding).
 */
final class PooledScreen {
    private final GrayMaxPool gray;
    private final int width, height;
    private final byte[] grey, lastA, lastB; // the pooled grey levels; the indices they came from
    private final boolean[] changed;
    private boolean cached;                  // grey = max(grey(lastA), grey(lastB)), row by row

    PooledScreen(GrayMaxPool gray, int width, int height) {
        this.gray = gray;
        this.width = width;
        this.height = height;
        grey = new byte[width * height];
        lastA = new byte[grey.length];
        lastB = new byte[grey.length];
        changed = new boolean[height];
    }

    /** The pooled grey levels (read-only for callers; also an operand of {@link #pool}: "already grey"). */
    byte[] grey() { return grey; }

    /**
     * grey = max(grey(a), grey(b)), each operand palette indices ({@code raw}) or grey levels
     * ({@link #grey()} itself may be {@code a}). Returns the rows that may differ from the previous
     * call's grey levels, or null when any row may (the first call, or an operand not raw).
     */
    boolean[] pool(byte[] a, boolean aRaw, byte[] b, boolean bRaw) {
        if (!aRaw || !bRaw || !cached) {
            gray.max(a, aRaw, b, bRaw, grey);
            cached = aRaw && bRaw;
            if (cached) {
                System.arraycopy(a, 0, lastA, 0, grey.length);
                System.arraycopy(b, 0, lastB, 0, grey.length);
            }
            return null;
        }
        // The next changed row of each screen, found by one vectorised mismatch over the rest of the
        // screen (not two comparisons a row), then the run of changed rows from there.
        int nextA = changedFrom(a, lastA, 0), nextB = changedFrom(b, lastB, 0);
        for (int y = 0; y < height; ) {
            int first = Math.min(nextA, nextB);
            Arrays.fill(changed, y, first, false);
            if (first == height) break;
            y = first + 1;
            while (y < height && !same(a, b, y)) y++;
            Arrays.fill(changed, first, y, true);
            int from = first * width, n = (y - first) * width;
            gray.maxRaw(a, b, grey, from, from + n); // a run of changed rows is one lookup over contiguous bytes
            System.arraycopy(a, from, lastA, from, n);
            System.arraycopy(b, from, lastB, from, n);
            if (nextA < y) nextA = changedFrom(a, lastA, y);
            if (nextB < y) nextB = changedFrom(b, lastB, y);
        }
        return changed;
    }

    /** The first row from {@code y} on where {@code now} differs from {@code last}; height if none. */
    private int changedFrom(byte[] now, byte[] last, int y) {
        if (y >= height) return height;
        int m = Arrays.mismatch(now, y * width, now.length, last, y * width, now.length);
        return m < 0 ? height : y + m / width;
    }

    /** grey = grey(indices), one screen (a frame skip of 1); the next {@link #pool} looks up every row. */
    void gray(byte[] indices) {
        gray.gray(indices, grey);
        cached = false;
    }

    /** The next {@link #pool} looks up every row (grey was set from elsewhere: a restored state). */
    void forget() { cached = false; }

    private boolean same(byte[] a, byte[] b, int y) {
        int from = y * width, to = from + width;
        return Arrays.equals(a, from, to, lastA, from, to) && Arrays.equals(b, from, to, lastB, from, to);
    }
}
