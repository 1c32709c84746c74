package org.dqnscratch.tensor;

import static org.dqnscratch.Approx.assertClose;

import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The implicit-GEMM convolution against the direct-loop reference, over random geometry. */
class ConvProperties {
    @Property(tries = 120)
    void implicitGemmConvolutionMatchesDirectLoops(@ForAll @IntRange(min = 1, max = 3) int N, @ForAll @IntRange(min = 1, max = 4) int C,
                                             @ForAll @IntRange(min = 1, max = 11) int H, @ForAll @IntRange(min = 1, max = 11) int W,
                                             @ForAll @IntRange(min = 1, max = 5) int OC, @ForAll @IntRange(min = 1, max = 5) int K,
                                             @ForAll @IntRange(min = 1, max = 4) int stride, @ForAll @IntRange(min = 0, max = 2) int pad,
                                             @ForAll long seed) {
        Assume.that(H + 2 * pad >= K && W + 2 * pad >= K);
        check(new ConvGeometry(N, C, H, W, OC, K, K, stride, pad), seed);
    }

    @Test
    void natureCnnLayers() {
        check(new ConvGeometry(2, 4, 84, 84, 32, 8, 8, 4, 0), 1);
        check(new ConvGeometry(2, 32, 20, 20, 64, 4, 4, 2, 0), 2);
        check(new ConvGeometry(2, 64, 9, 9, 64, 3, 3, 1, 0), 3);
    }

    @Test
    void paddingWiderThanTheImage() {
        // A 1-pixel-wide image with pad 2 and a 5-wide kernel: some kernel columns see no pixel at all
        // (once an out-of-bounds copy of length 0, found by the property above).
        check(new ConvGeometry(1, 1, 1, 1, 1, 5, 5, 1, 2), 4);
        check(new ConvGeometry(2, 2, 3, 1, 2, 5, 5, 1, 2), 5);
        check(new ConvGeometry(1, 1, 2, 2, 1, 4, 4, 3, 2), 6);
    }

    @Test
    void knownCase() {
        // 1x1x3x3 input 1..9, 2x2 kernel of ones, stride 1: each output sums a 2x2 window.
        CpuBackend b = new CpuBackend();
        ConvGeometry g = new ConvGeometry(1, 1, 3, 3, 1, 2, 2, 1, 0);
        Tensor x = b.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = b.fromArray(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);
        Tensor bias = b.fromArray(new float[] {0.5f}, 1);
        Tensor y = b.zeros(1, 1, 2, 2);
        b.conv2d_forward(y, x, w, bias, g);
        assertClose("y", new float[] {12.5f, 16.5f, 24.5f, 28.5f}, b.toArray(y), 0, 0);
        // dy = ones: dx counts how many windows cover each pixel; dw sums each window's pixels.
        Tensor dy = b.fromArray(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);
        Tensor dx = b.zeros(1, 1, 3, 3), dw = b.zeros(1, 1, 2, 2), db = b.zeros(1);
        b.conv2d_backward(dx, dw, db, dy, x, w, g);
        assertClose("dx", new float[] {1, 2, 1, 2, 4, 2, 1, 2, 1}, b.toArray(dx), 0, 0);
        assertClose("dw", new float[] {12, 16, 24, 28}, b.toArray(dw), 0, 0);
        assertClose("db", new float[] {4}, b.toArray(db), 0, 0);
    }

    static void check(ConvGeometry g, long seed) {
        Random r = new Random(seed);
        CpuBackend b = new CpuBackend();
        float[] x = GemmProperties.random(r, g.N() * g.C() * g.H() * g.W());
        float[] w = GemmProperties.random(r, g.OC() * g.patch()), bias = GemmProperties.random(r, g.OC());
        float[] dy = GemmProperties.random(r, g.N() * g.OC() * g.OH() * g.OW());
        Tensor tx = b.fromArray(x, g.N(), g.C(), g.H(), g.W()), tw = b.fromArray(w, g.OC(), g.C(), g.KH(), g.KW());
        Tensor tb = b.fromArray(bias, g.OC()), tdy = b.fromArray(dy, g.N(), g.OC(), g.OH(), g.OW());
        Tensor y = b.zeros(g.N(), g.OC(), g.OH(), g.OW());
        b.conv2d_forward(y, tx, tw, tb, g);
        double tol = 1e-4 * Math.sqrt(g.patch());
        assertClose("y " + g, Reference.conv2dForward(x, w, bias, g), b.toArray(y), tol, 1e-4);
        // Backward accumulates: start from ones and expect reference + 1.
        Tensor dx = b.fromArray(ones(x.length), tx.shape()), dw = b.fromArray(ones(w.length), tw.shape());
        Tensor db = b.fromArray(ones(g.OC()), g.OC());
        b.conv2d_backward(dx, dw, db, tdy, tx, tw, g);
        float[][] ref = Reference.conv2dBackward(dy, x, w, g);
        double tolSum = 1e-4 * Math.sqrt(g.N() * g.OH() * g.OW());
        assertClose("dx " + g, plusOne(ref[0]), b.toArray(dx), tol, 1e-4);
        assertClose("dw " + g, plusOne(ref[1]), b.toArray(dw), tolSum, 1e-4);
        assertClose("db " + g, plusOne(ref[2]), b.toArray(db), tolSum, 1e-4);
    }

    static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    static float[] plusOne(float[] a) {
        float[] b = a.clone();
        for (int i = 0; i < b.length; i++) b[i] += 1f;
        return b;
    }
}
