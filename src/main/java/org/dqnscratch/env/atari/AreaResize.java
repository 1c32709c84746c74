package org.dqnscratch.env.atari;

/**
 * Downscaling by pixel-area averaging, written after OpenCV's {@code resize(..., INTER_AREA)}
 * for scale factors >= 1 that are not integers (210x160 to 84x84 or 84x110): each destination
 * pixel averages the source cells it covers, edge cells weighted by the fraction covered.
 *
 * <p>To give OpenCV's bytes, not just its idea, the arithmetic is OpenCV's: the weight tables
 * are computed in double and stored as float, each source row is first reduced horizontally
 * into a float buffer ({@code buf[dx] += src * alpha}, in table order), rows are accumulated
 * with their vertical weight ({@code sum = beta * buf}, then {@code sum += beta * buf}), and
 * uint8 results are rounded half to even (OpenCV's {@code saturate_cast<uchar>}). Java float
 * arithmetic is IEEE single without fused multiply-add, as OpenCV's baseline x86 build.
 * Integer factors (OpenCV's separate "fast" path) are refused.
 */
public final class AreaResize {
    public final int srcWidth, srcHeight, dstWidth, dstHeight;
    // Horizontal weights as K entries per destination column (source index, weight), in OpenCV's
    // table order; columns with fewer entries are padded with weight 0, which adds exactly 0.
    // Stored entry-major ([K][dstWidth]): entry j of column d at j * dstWidth + d.
    private final int K;
    private final int[] xSrc;
    private final float[] xAlpha;
    // Vertical table as OpenCV's: destination row, source row, weight, ordered by destination row.
    private final int[] yDst, ySrc;
    private final float[] yAlpha;
    private final float[] rows; // every source row reduced horizontally

    public AreaResize(int srcWidth, int srcHeight, int dstWidth, int dstHeight) {
        if (dstWidth > srcWidth || dstHeight > srcHeight || dstWidth < 1 || dstHeight < 1) {
            throw new IllegalArgumentException("area resize only shrinks: " + srcWidth + "x" + srcHeight + " to " + dstWidth + "x" + dstHeight);
        }
        double scaleX = 1.0 / ((double) dstWidth / srcWidth), scaleY = 1.0 / ((double) dstHeight / srcHeight);
        if (isInteger(scaleX) && isInteger(scaleY)) {
            throw new IllegalArgumentException("integer scale factors take OpenCV's other (fast) area path, not implemented here");
        }
        this.srcWidth = srcWidth;
        this.srcHeight = srcHeight;
        this.dstWidth = dstWidth;
        this.dstHeight = dstHeight;
        Table x = table(srcWidth, dstWidth, scaleX), y = table(srcHeight, dstHeight, scaleY);
        int k = 0;
        int[] count = new int[dstWidth];
        for (int d : x.dst) count[d]++;
        for (int c : count) k = Math.max(k, c);
        K = k;
        xSrc = new int[dstWidth * K];
        xAlpha = new float[dstWidth * K];
        int[] filled = new int[dstWidth];
        for (int e = 0; e < x.dst.length; e++) {
            int d = x.dst[e], at = filled[d]++ * dstWidth + d;
            xSrc[at] = x.src[e];
            xAlpha[at] = x.alpha[e];
        }
        for (int d = 0; d < dstWidth; d++) {
            for (int j = filled[d]; j < K; j++) xSrc[j * dstWidth + d] = xSrc[d]; // weight 0
        }
        yDst = y.dst; ySrc = y.src; yAlpha = y.alpha;
        rows = new float[srcHeight * dstWidth];
        out = new float[dstHeight * dstWidth];
        outBytes = new byte[dstHeight * dstWidth];
        firstDst = new int[srcWidth];
        lastDst = new int[srcWidth];
        java.util.Arrays.fill(firstDst, dstWidth);
        java.util.Arrays.fill(lastDst, -1);
        for (int at = 0; at < xSrc.length; at++) { // weight-0 padding repeats a column's own first source
            int sx = xSrc[at], d = at % dstWidth;
            firstDst[sx] = Math.min(firstDst[sx], d);
            lastDst[sx] = Math.max(lastDst[sx], d);
        }
        // Defensive: a source column in no table entry would feed nothing, and a span starting or
        // ending there reaches from the next fed column on, to the previous one. (For the shrinks
        // checked, up to 400 pixels, every column is fed: a sliver OpenCV drops under 1e-3 on one
        // side of a cell is the nearly whole partial entry of the neighbouring cell.)
        for (int sx = srcWidth - 2; sx >= 0; sx--) if (lastDst[sx] < 0) firstDst[sx] = firstDst[sx + 1];
        for (int sx = 1; sx < srcWidth; sx++) if (lastDst[sx] < 0) lastDst[sx] = lastDst[sx - 1];
        rowFrom = new int[srcHeight];
        rowTo = new int[srcHeight];
        outFrom = new int[dstHeight];
        outTo = new int[dstHeight];
    }

    private static boolean isInteger(double scale) { return Math.abs(scale - (int) scale) < Math.ulp(1.0); }

    private record Table(int[] dst, int[] src, float[] alpha) {}

    /** OpenCV's computeResizeAreaTab for one channel. */
    private static Table table(int srcSize, int dstSize, double scale) {
        int[] dst = new int[srcSize * 2], src = new int[srcSize * 2];
        float[] alpha = new float[srcSize * 2];
        int k = 0;
        for (int dx = 0; dx < dstSize; dx++) {
            double fsx1 = dx * scale, fsx2 = fsx1 + scale;
            double cellWidth = Math.min(scale, srcSize - fsx1);
            int sx1 = (int) Math.ceil(fsx1), sx2 = (int) Math.floor(fsx2);
            sx2 = Math.min(sx2, srcSize - 1);
            sx1 = Math.min(sx1, sx2);
            if (sx1 - fsx1 > 1e-3) {
                dst[k] = dx; src[k] = sx1 - 1; alpha[k++] = (float) ((sx1 - fsx1) / cellWidth);
            }
            for (int sx = sx1; sx < sx2; sx++) {
                dst[k] = dx; src[k] = sx; alpha[k++] = (float) (1.0 / cellWidth);
            }
            if (fsx2 - sx2 > 1e-3) {
                dst[k] = dx; src[k] = sx2; alpha[k++] = (float) (Math.min(Math.min(fsx2 - sx2, 1.0), cellWidth) / cellWidth);
            }
        }
        return new Table(java.util.Arrays.copyOf(dst, k), java.util.Arrays.copyOf(src, k), java.util.Arrays.copyOf(alpha, k));
    }

    // The uint8 source rows last reduced horizontally: where a row equals its predecessor (most of
    // a game's screen from one step to the next) its reduced values stay, the same floats; where it
    // changed, only the destination columns fed by the changed span are reduced again. Null until
    // the first uint8 resize and after a float one (which reuses the reduced rows).
    private byte[] reduced;

    /** uint8 to uint8 (row-major, one channel), rounded half to even as OpenCV. */
    public void resize(byte[] src, byte[] dst) { resize(src, dst, null); }

    /**
     * {@link #resize(byte[], byte[])} told which source rows may have changed since the previous
     * uint8 call on this instance: a row whose {@code mayHaveChanged} entry is false must equal that
     * call's row (it is not compared); null: any row may have changed. Only destination pixels whose source pixels
     * changed are computed again (the others keep their values, which are what they would be).
     */
    public void resize(byte[] src, byte[] dst, boolean[] mayHaveChanged) {
        check(src.length, dst.length);
        if (mayHaveChanged != null && mayHaveChanged.length != srcHeight) {
            throw new IllegalArgumentException("a flag per source row: " + srcHeight + ", given " + mayHaveChanged.length);
        }
        boolean first = reduced == null;
        if (first) reduced = new byte[src.length];
        for (int sy = 0, o = 0; sy < srcHeight; sy++, o += dstWidth) {
            int row = sy * srcWidth;
            int lo = first ? 0 : mayHaveChanged != null && !mayHaveChanged[sy] ? -1
                    : java.util.Arrays.mismatch(src, row, row + srcWidth, reduced, row, row + srcWidth);
            if (lo < 0) {
                rowFrom[sy] = rowTo[sy] = 0;
                continue;
            }
            int hi = srcWidth - 1;
            while (!first && src[row + hi] == reduced[row + hi]) hi--;
            System.arraycopy(src, row + lo, reduced, row + lo, hi - lo + 1);
            int from = firstDst[lo], to = lastDst[hi] + 1;
            rowFrom[sy] = from;
            rowTo[sy] = to;
            // OpenCV's buf[dx] += S[si] * alpha over the table, in table order: the same float sums
            // (the first term alone: 0 + p == p for the non-negative products here).
            for (int dx = from; dx < to; dx++) {
                float v = (src[row + xSrc[dx]] & 0xFF) * xAlpha[dx];
                for (int j = dstWidth + dx; j < K * dstWidth; j += dstWidth) v += (src[row + xSrc[j]] & 0xFF) * xAlpha[j];
                rows[o + dx] = v;
            }
        }
        vertical();
        for (int dy = 0; dy < dstHeight; dy++) {
            for (int i = dy * dstWidth + outFrom[dy], end = dy * dstWidth + outTo[dy]; i < end; i++) outBytes[i] = toByte(out[i]);
        }
        System.arraycopy(outBytes, 0, dst, 0, dst.length);
    }

    /** float to float (row-major, one channel); the caller rounds or truncates. */
    public void resize(float[] src, float[] dst) {
        check(src.length, dst.length);
        reduced = null;
        for (int sy = 0, o = 0; sy < srcHeight; sy++, o += dstWidth) {
            int row = sy * srcWidth;
            for (int dx = 0; dx < dstWidth; dx++) {
                float v = 0f + src[row + xSrc[dx]] * xAlpha[dx];
                for (int j = dstWidth + dx; j < K * dstWidth; j += dstWidth) v += src[row + xSrc[j]] * xAlpha[j];
                rows[o + dx] = v;
            }
            rowFrom[sy] = 0;
            rowTo[sy] = dstWidth;
        }
        vertical();
        System.arraycopy(out, 0, dst, 0, dst.length);
    }

    private final float[] out;
    private final byte[] outBytes;
    private final int[] firstDst, lastDst;  // the destination columns a source column feeds
    private final int[] rowFrom, rowTo;     // reduced rows: columns [from, to) computed anew this call
    private final int[] outFrom, outTo;     // destination rows: columns [from, to) computed anew

    /**
     * OpenCV's vertical pass: sum = beta * row for a destination row's first source row, then
     * sum += beta * row for the others (the table lists a destination row's entries together),
     * over the columns where any of its source rows was reduced anew.
     */
    private void vertical() {
        for (int j = 0; j < yDst.length; ) {
            int dy = yDst[j], end = j, from = dstWidth, to = 0;
            for (; end < yDst.length && yDst[end] == dy; end++) {
                int sy = ySrc[end];
                if (rowFrom[sy] < rowTo[sy]) {
                    from = Math.min(from, rowFrom[sy]);
                    to = Math.max(to, rowTo[sy]);
                }
            }
            outFrom[dy] = from;
            outTo[dy] = Math.max(from, to);
            int d = dy * dstWidth;
            for (int e = j; e < end && from < to; e++) {
                int o = ySrc[e] * dstWidth;
                float beta = yAlpha[e];
                if (e == j) for (int dx = from; dx < to; dx++) out[d + dx] = beta * rows[o + dx];
                else for (int dx = from; dx < to; dx++) out[d + dx] += beta * rows[o + dx];
            }
            j = end;
        }
    }

    private void check(int srcLength, int dstLength) {
        if (srcLength != srcWidth * srcHeight || dstLength != dstWidth * dstHeight) {
            throw new IllegalArgumentException("resize " + srcWidth + "x" + srcHeight + " -> " + dstWidth + "x" + dstHeight
                    + " given arrays of " + srcLength + " and " + dstLength);
        }
    }

    /** OpenCV's saturate_cast<uchar>(float): round half to even, clamp to 0..255. */
    private static byte toByte(float v) {
        int i = (int) Math.rint(v);
        return (byte) Math.max(0, Math.min(255, i));
    }
}
