package org.dqnscratch.env.atari;

import org.dqnscratch.tensor.VectorSupport;

/**
 * ALE's grayscale of a screen, and the pixel-wise max of two screens' grayscales (Gymnasium's
 * max-pool over a frame skip's last two frames), computed here from the screens' palette indices
 * instead of by ALE: its {@code getScreenGrayscale} costs ~21 us a screen through JavaCPP (a
 * copy into and out of a {@code std::vector} around a byte-at-a-time loop), a copy of the
 * indices ~1 us and the Vector API lookup below ~3 us for both screens and their max.
 *
 * <p>The table is ALE's: index {@code p} shows as {@code palette[p + 1] & 0xFF}, the grey
 * entry ALE stores after each colour. The plain loops here are the reference; {@code
 * VectorGrayMaxPool} gives the same bytes (a table lookup and an integer max have no rounding).
 */
class GrayMaxPool {
    /** The Vector API version when the JVM has the module, else these plain loops. */
    static GrayMaxPool of(byte[] table) {
        if (VectorSupport.available()) {
            try {
                return (GrayMaxPool) Class.forName("org.dqnscratch.env.atari.VectorGrayMaxPool")
                        .getDeclaredConstructor(byte[].class).newInstance((Object) table);
            } catch (ReflectiveOperationException | LinkageError e) {
                // fall through: correctness never depends on the fast path
            }
        }
        return new GrayMaxPool(table);
    }

    /** Grey level of each of the 256 palette indices. */
    final byte[] table;

    GrayMaxPool(byte[] table) {
        if (table.length != 256) throw new IllegalArgumentException("a palette's grey table has 256 entries, got " + table.length);
        this.table = table.clone();
    }

    String name() { return "plain"; }

    /** out = grey(a) (palette indices to grey levels); out may be a. */
    void gray(byte[] a, byte[] out) {
        for (int i = 0; i < a.length; i++) out[i] = table[a[i] & 0xFF];
    }

    /**
     * out = max(grey(a), grey(b)) pixel by pixel, each operand palette indices ({@code raw}) or
     * grey levels already; out may be a or b.
     */
    void max(byte[] a, boolean aRaw, byte[] b, boolean bRaw, byte[] out) {
        plainMax(a, aRaw, b, bRaw, out, 0, a.length);
    }

    /** out = max(grey(a), grey(b)) over [from, to), both operands palette indices; out may be a or b. */
    void maxRaw(byte[] a, byte[] b, byte[] out, int from, int to) {
        plainMax(a, true, b, true, out, from, to);
    }

    final void plainMax(byte[] a, boolean aRaw, byte[] b, boolean bRaw, byte[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            int ga = aRaw ? table[a[i] & 0xFF] & 0xFF : a[i] & 0xFF;
            int gb = bRaw ? table[b[i] & 0xFF] & 0xFF : b[i] & 0xFF;
            out[i] = (byte) Math.max(ga, gb);
        }
    }
}
