package org.dqnscratch.tensor;

/** uint8 pixels as floats, on the Vector API when the JVM has it (the same floats either way). */
public final class Pixels {
    private Pixels() {}

    /** dst[dstOff + i] = (src[srcOff + i] & 0xFF) * scale for i in [0, n). */
    public static void toFloats(byte[] src, int srcOff, float[] dst, int dstOff, int n, float scale) {
        ElementwiseKernels.INSTANCE.unsignedToFloat(dst, dstOff, src, srcOff, scale, n);
    }
}
