package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The direct forward and dW (the micro-kernel reading the image) give the implicit GEMM's floats to the bit,
 * over random unpadded geometry, with and without bias and ReLU, at any tensor offset; the direct dX
 * the same products added into dx in another order, so equal up to that rounding. (Both paths are
 * checked against the direct loops by {@link ConvProperties}.)
 */
class DirectConvTest {
    @Property(tries = 150)
    void sameBitsAsTheImplicitGemm(@ForAll @IntRange(min = 1, max = 5) int N, @ForAll @IntRange(min = 1, max = 6) int C,
                                   @ForAll @IntRange(min = 1, max = 14) int H, @ForAll @IntRange(min = 1, max = 14) int W,
                                   @ForAll @IntRange(min = 1, max = 70) int OC, @ForAll @IntRange(min = 1, max = 5) int K,
                                   @ForAll @IntRange(min = 1, max = 4) int stride, @ForAll boolean relu,
                                   @ForAll boolean bias, @ForAll @IntRange(min = 0, max = 3) int offset, @ForAll long seed) {
        assumeVector();
        if (H < K || W < K) return;
        compare(new ConvGeometry(N, C, H, W, OC, K, K, stride, 0), relu, bias, offset, seed);
    }

    @Test
    void natureCnnLayersAndSeveralKBlocks() {
        assumeVector();
        // conv1 (patch 256: one k block), conv2 (512: two), conv3 (576: three, the last partial), batch 5.
        compare(new ConvGeometry(5, 4, 84, 84, 32, 8, 8, 4, 0), true, true, 0, 1);
        compare(new ConvGeometry(5, 32, 20, 20, 64, 4, 4, 2, 0), true, true, 7, 2);
        compare(new ConvGeometry(5, 64, 9, 9, 64, 3, 3, 1, 0), false, true, 0, 3);
        compare(new ConvGeometry(3, 64, 9, 9, 40, 3, 3, 1, 0), true, false, 1, 4);
        // More output channels than a k block: dX sums its chains over two channel blocks.
        compare(new ConvGeometry(3, 2, 7, 7, 300, 3, 3, 1, 0), true, true, 2, 5);
    }

    /**
     * The 6 x 4-vector kernel (chosen for 32 registers at 128 bits) reading the image gives the 6 x 2 kernel's
     * y and dW to the bit (each element the same chain), and dX up to the order tiles add into it.
     */
    @Property(tries = 60)
    void wideKernelGivesTheNarrowKernelsFloats(@ForAll @IntRange(min = 1, max = 4) int N, @ForAll @IntRange(min = 1, max = 5) int C,
                                               @ForAll @IntRange(min = 1, max = 20) int H, @ForAll @IntRange(min = 1, max = 20) int W,
                                               @ForAll @IntRange(min = 1, max = 70) int OC, @ForAll @IntRange(min = 1, max = 8) int K,
                                               @ForAll @IntRange(min = 1, max = 4) int stride, @ForAll boolean relu, @ForAll long seed) {
        assumeVector();
        if (H < K || W < K) return;
        wideAgainstNarrow(new ConvGeometry(N, C, H, W, OC, K, K, stride, 0), relu, seed);
    }

    @Test
    void wideKernelOnTheGoldenGeometries() {
        assumeVector();
        wideAgainstNarrow(new ConvGeometry(1, 4, 12, 10, 2, 4, 4, 2, 0), false, 1);
        wideAgainstNarrow(new ConvGeometry(2, 4, 20, 20, 3, 8, 8, 4, 0), false, 2);
    }

    private static void wideAgainstNarrow(ConvGeometry g, boolean relu, long seed) {
        int N = g.N(), C = g.C(), H = g.H(), W = g.W(), OC = g.OC();
        Random r = new Random(seed);
        int xs = N * C * H * W, ws = OC * g.patch(), ys = N * OC * g.OH() * g.OW();
        float[] x = GemmProperties.random(r, xs), w = GemmProperties.random(r, ws), bias = GemmProperties.random(r, OC);
        float[] dy = GemmProperties.random(r, ys), fill = GemmProperties.random(r, ys + ws + xs);
        float[][] out = new float[2][];
        DirectConv[] kernels = {new DirectConv(new VectorMicroKernel()), new DirectConv(new VectorWideMicroKernel())};
        for (int i = 0; i < 2; i++) {
            out[i] = fill.clone(); // y, then dW, then dX, each accumulated into random values
            kernels[i].forward(x, 0, w, 0, bias, 0, out[i], 0, g, relu);
            kernels[i].weightGrad(x, 0, dy, 0, out[i], ys, g);
            kernels[i].inputGrad(dy, 0, w, 0, out[i], ys + ws, g);
        }
        String what = g + " relu=" + relu;
        sameBits("y and dW " + what, java.util.Arrays.copyOf(out[1], ys + ws), java.util.Arrays.copyOf(out[0], ys + ws));
        org.dqnscratch.Approx.assertClose("dx " + what, java.util.Arrays.copyOfRange(out[0], ys + ws, out[0].length),
                java.util.Arrays.copyOfRange(out[1], ys + ws, out[1].length), 1e-5 * Math.sqrt(g.OC() * g.KH() * g.KW()), 1e-5);
    }

    @Test
    void paddedConvolutionsStayOnTheImplicitGemm() {
        assertEquals(false, DirectConv.handles(new ConvGeometry(1, 1, 5, 5, 1, 3, 3, 1, 1)));
        assertEquals(true, DirectConv.handles(new ConvGeometry(1, 1, 5, 5, 1, 3, 3, 1, 0)));
    }

    private static void assumeVector() {
        assumeTrue(Gemm.vectorKernel() != null, "no Vector API in this JVM: the direct forward is not used");
        assertNotNull(DirectConv.orNull());
    }

    /**
     * The rule's second tile: a 6 x 4-vector kernel for wide convolutions only beside a 6 x 2 kernel on 32 registers
     * (AVX-512), never when -Ddqn.kernelVectors forces a shape (so that each shape can be measured alone).
     */
    @Test
    void wideTileOnlyBesideSixByTwoOnThirtyTwoRegisters() {
        assumeVector();
        MicroKernel.Choice c = VectorKernels.choose(0);
        boolean expected = c.kernel() instanceof VectorMicroKernel && VectorRegisters.detect().count() >= 32;
        org.junit.jupiter.api.Assertions.assertEquals(expected, c.wide() instanceof VectorWideMicroKernel, c.why());
        org.junit.jupiter.api.Assertions.assertNull(VectorKernels.choose(2).wide());
        org.junit.jupiter.api.Assertions.assertNull(VectorKernels.choose(4).wide());
    }

    /** y from both paths, each written after {@code offset} floats of a larger buffer. */
    private static void compare(ConvGeometry g, boolean relu, boolean withBias, int offset, long seed) {
        Random r = new Random(seed);
        int xs = g.N() * g.C() * g.H() * g.W(), ws = g.OC() * g.patch(), ys = g.N() * g.OC() * g.OH() * g.OW();
        CpuBackend b = new CpuBackend();
        Tensor x = slice(b, GemmProperties.random(r, offset + xs), offset, g.N(), g.C(), g.H(), g.W());
        Tensor w = slice(b, GemmProperties.random(r, offset + ws), offset, g.OC(), g.C(), g.KH(), g.KW());
        Tensor bias = withBias ? slice(b, GemmProperties.random(r, offset + g.OC()), offset, g.OC()) : null;
        float[] fill = GemmProperties.random(r, offset + ys);
        Tensor yDirect = slice(b, fill.clone(), offset, g.N(), g.OC(), g.OH(), g.OW());
        Tensor yImplicit = slice(b, fill.clone(), offset, g.N(), g.OC(), g.OH(), g.OW());
        CpuConv direct = new CpuConv(true), implicit = new CpuConv(false);
        direct.forward(yDirect, x, w, bias, g, relu);
        implicit.forward(yImplicit, x, w, bias, g, relu);
        String what = g + " relu=" + relu + " bias=" + withBias + " offset=" + offset;
        sameBits("y " + what, whole(b, yDirect), whole(b, yImplicit));
        // Backward accumulates into random gradients; db takes the same path either way.
        Tensor dy = slice(b, GemmProperties.random(r, offset + ys), offset, g.N(), g.OC(), g.OH(), g.OW());
        float[] dw0 = GemmProperties.random(r, offset + ws), dx0 = GemmProperties.random(r, offset + xs);
        float[] db0 = GemmProperties.random(r, offset + g.OC());
        Tensor[] dd = grads(b, dw0, dx0, db0, offset, g), di = grads(b, dw0, dx0, db0, offset, g);
        direct.backward(dd[0], dd[1], withBias ? dd[2] : null, dy, x, w, g);
        implicit.backward(di[0], di[1], withBias ? di[2] : null, dy, x, w, g);
        org.dqnscratch.Approx.assertClose("dx " + what, whole(b, di[0]), whole(b, dd[0]), 1e-5 * Math.sqrt(g.OC() * g.KH() * g.KW()), 1e-5);
        for (int t = 1; t < 3; t++) sameBits((t == 1 ? "dw " : "db ") + what, whole(b, dd[t]), whole(b, di[t]));
    }

    /** dx, dw, db filled from copies of the given arrays. */
    private static Tensor[] grads(CpuBackend b, float[] dw, float[] dx, float[] db, int offset, ConvGeometry g) {
        return new Tensor[] {slice(b, dx.clone(), offset, g.N(), g.C(), g.H(), g.W()),
                slice(b, dw.clone(), offset, g.OC(), g.C(), g.KH(), g.KW()), slice(b, db.clone(), offset, g.OC())};
    }

    private static void sameBits(String what, float[] d, float[] i) {
        for (int k = 0; k < d.length; k++) {
            if (Float.floatToRawIntBits(d[k]) != Float.floatToRawIntBits(i[k])) {
                throw new AssertionError(what + ": element " + k + " direct " + d[k] + " implicit " + i[k]);
            }
        }
    }

    private static Tensor slice(CpuBackend b, float[] data, int offset, int... shape) {
        Tensor all = b.fromArray(data, data.length);
        return new Tensor(all.storage, offset, shape);
    }

    private static float[] whole(CpuBackend b, Tensor t) {
        return b.toArray(new Tensor(t.storage, 0, t.storage.capacity()));
    }
}
