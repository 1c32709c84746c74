package org.dqnscratch.env.atari;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GrayMaxPool} on the Java Vector API. The Atari's palette indices are even (the TIA's
 * 128 colours, low bit clear), so a grey level is a lookup in a 128-entry table: the index's upper
 * seven bits pick a lane of one of 128 / lanes table vectors ({@code rearrange}, a byte permute
 * on AVX-512), and blends pick the vector. A block holding an odd index takes the plain loop, so
 * any input gives the plain loop's bytes. Unsigned bytes are compared with their sign bits flipped.
 */
final class VectorGrayMaxPool extends GrayMaxPool {
    private static final VectorSpecies<Byte> S = ByteVector.SPECIES_PREFERRED;
    private static final byte FLIP = (byte) 0x80;
    private final ByteVector[] chunks; // table entries 2k for k in [c * lanes, (c + 1) * lanes)
    private final int shift;           // log2(lanes)

    VectorGrayMaxPool(byte[] table) {
        super(table);
        int lanes = S.length();
        if (Integer.bitCount(lanes) != 1 || lanes > 128) throw new IllegalStateException("unexpected byte vector of " + lanes + " lanes");
        byte[] even = new byte[128];
        for (int k = 0; k < 128; k++) even[k] = table[2 * k];
        chunks = new ByteVector[128 / lanes];
        for (int c = 0; c < chunks.length; c++) chunks[c] = ByteVector.fromArray(S, even, c * lanes);
        shift = Integer.numberOfTrailingZeros(lanes);
    }

    @Override String name() { return "vector-" + S.vectorBitSize(); }

    @Override void gray(byte[] a, byte[] out) {
        int i = 0;
        for (int end = S.loopBound(a.length); i < end; i += S.length()) {
            ByteVector v = ByteVector.fromArray(S, a, i);
            if (odd(v)) plainGray(a, out, i, i + S.length());
            else look(v).intoArray(out, i);
        }
        plainGray(a, out, i, a.length);
    }

    @Override void max(byte[] a, boolean aRaw, byte[] b, boolean bRaw, byte[] out) {
        if (!aRaw || !bRaw) { // after a reset or an early episode end only: not worth a vector path
            super.max(a, aRaw, b, bRaw, out);
            return;
        }
        maxRaw(a, b, out, 0, a.length);
    }

    @Override void maxRaw(byte[] a, byte[] b, byte[] out, int from, int to) {
        int i = from;
        for (; i + S.length() <= to; i += S.length()) {
            ByteVector va = ByteVector.fromArray(S, a, i), vb = ByteVector.fromArray(S, b, i);
            if (odd(va) || odd(vb)) {
                plainMax(a, true, b, true, out, i, i + S.length());
                continue;
            }
            ByteVector ga = look(va).lanewise(VectorOperators.XOR, FLIP), gb = look(vb).lanewise(VectorOperators.XOR, FLIP);
            ga.max(gb).lanewise(VectorOperators.XOR, FLIP).intoArray(out, i);
        }
        plainMax(a, true, b, true, out, i, to);
    }

    private void plainGray(byte[] a, byte[] out, int from, int to) {
        for (int i = from; i < to; i++) out[i] = table[a[i] & 0xFF];
    }

    private static boolean odd(ByteVector v) { return v.and((byte) 1).compare(VectorOperators.NE, (byte) 0).anyTrue(); }

    /** Grey levels of even palette indices. */
    private ByteVector look(ByteVector v) {
        ByteVector k = v.lanewise(VectorOperators.LSHR, 1); // 0..127
        VectorShuffle<Byte> lane = k.and((byte) (S.length() - 1)).toShuffle();
        ByteVector g = chunks[0].rearrange(lane);
        if (chunks.length == 1) return g;
        ByteVector chunk = k.lanewise(VectorOperators.LSHR, shift);
        for (int c = 1; c < chunks.length; c++) {
            VectorMask<Byte> here = chunk.compare(VectorOperators.EQ, (byte) c);
            g = g.blend(chunks[c].rearrange(lane), here);
        }
        return g;
    }
}
