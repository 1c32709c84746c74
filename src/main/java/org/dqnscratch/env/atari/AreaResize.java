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
    // One entry per (destination, source) pair that overlaps: destination index, source index, weight.
    private final int[] xDst, xSrc, yDst, ySrc;
    private final float[] xAlpha, yAlpha;
    private final float[] buf, sum;

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
        xDst = x.dst; xSrc = x.src; xAlpha = x.alpha;
        yDst = y.dst; ySrc = y.src; yAlpha = y.alpha;
        buf = new float[dstWidth];
        sum = new float[dstWidth];
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

    /** uint8 to uint8 (row-major, one channel), rounded half to even as OpenCV. */
    public void resize(byte[] src, byte[] dst) {
        check(src.length, dst.length);
        int prevDy = yDst[0];
        java.util.Arrays.fill(sum, 0f);
        for (int j = 0; j < yDst.length; j++) {
            int dy = yDst[j], row = ySrc[j] * srcWidth;
            float beta = yAlpha[j];
            java.util.Arrays.fill(buf, 0f);
            for (int k = 0; k < xDst.length; k++) buf[xDst[k]] += (src[row + xSrc[k]] & 0xFF) * xAlpha[k];
            if (dy != prevDy) {
                for (int dx = 0; dx < dstWidth; dx++) {
                    dst[prevDy * dstWidth + dx] = toByte(sum[dx]);
                    sum[dx] = beta * buf[dx];
                }
                prevDy = dy;
            } else {
                for (int dx = 0; dx < dstWidth; dx++) sum[dx] += beta * buf[dx];
            }
        }
        for (int dx = 0; dx < dstWidth; dx++) dst[prevDy * dstWidth + dx] = toByte(sum[dx]);
    }

    /** float to float (row-major, one channel); the caller rounds or truncates. */
    public void resize(float[] src, float[] dst) {
        check(src.length, dst.length);
        int prevDy = yDst[0];
        java.util.Arrays.fill(sum, 0f);
        for (int j = 0; j < yDst.length; j++) {
            int dy = yDst[j], row = ySrc[j] * srcWidth;
            float beta = yAlpha[j];
            java.util.Arrays.fill(buf, 0f);
            for (int k = 0; k < xDst.length; k++) buf[xDst[k]] += src[row + xSrc[k]] * xAlpha[k];
            if (dy != prevDy) {
                System.arraycopy(sum, 0, dst, prevDy * dstWidth, dstWidth);
                for (int dx = 0; dx < dstWidth; dx++) sum[dx] = beta * buf[dx];
                prevDy = dy;
            } else {
                for (int dx = 0; dx < dstWidth; dx++) sum[dx] += beta * buf[dx];
            }
        }
        System.arraycopy(sum, 0, dst, prevDy * dstWidth, dstWidth);
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
