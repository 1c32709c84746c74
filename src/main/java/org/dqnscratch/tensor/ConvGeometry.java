package org.dqnscratch.tensor;

/**
 * Sizes of one 2-D convolution, NCHW, square or rectangular kernel, one stride and padding
 * for both axes (PyTorch's {@code Conv2d(C, OC, (KH, KW), stride, padding)}).
 */
public record ConvGeometry(int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad) {
    public ConvGeometry {
        if (N < 1 || C < 1 || H < 1 || W < 1 || OC < 1 || KH < 1 || KW < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException("bad convolution sizes: " + this);
        }
        if (H + 2 * pad < KH || W + 2 * pad < KW) {
            throw new IllegalArgumentException("kernel " + KH + "x" + KW + " larger than padded input "
                    + (H + 2 * pad) + "x" + (W + 2 * pad));
        }
    }

    public int OH() { return (H + 2 * pad - KH) / stride + 1; }
    public int OW() { return (W + 2 * pad - KW) / stride + 1; }
    /** Rows of the unfolded (im2col) input: one per weight of one output channel. */
    public int patch() { return C * KH * KW; }
}
