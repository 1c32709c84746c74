package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The Vector API element-wise kernels give the same bits as the plain loops (ReLU's NaN and
 * -0.0 included), for any length, offset and sub-range; the exponential is within 2 ulp of Math.exp.
 */
class ElementwiseKernelsTest {
    private static final ElementwiseKernels PLAIN = new ElementwiseKernels();

    @Test
    void theVectorKernelsAreInUseUnderTests() {
        assertTrue(ElementwiseKernels.INSTANCE.name().startsWith("vector"), ElementwiseKernels.INSTANCE.name());
    }

    static float[] values(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(20);
            a[i] = kind == 0 ? Float.NaN : kind == 1 ? -0f : kind == 2 ? 0f : (float) r.nextGaussian();
        }
        return a;
    }

    @Property(tries = 200)
    void sameBitsAsThePlainLoops(@ForAll @IntRange(min = 0, max = 100) int n, @ForAll @IntRange(min = 0, max = 5) int off,
                                 @ForAll @IntRange(min = 0, max = 7) int from, @ForAll long seed) {
        Random r = new Random(seed);
        int size = off + n + from, lo = Math.min(from, n), hi = n;
        float[] x = values(r, size), dy = values(r, size), dx = values(r, size);
        float[] o1 = values(r, size), o2 = o1.clone();
        PLAIN.reluForward(o1, off, x, off, lo, hi);
        ElementwiseKernels.INSTANCE.reluForward(o2, off, x, off, lo, hi);
        assertArrayEquals(o1, o2, "relu forward");
        float[] dx1 = dx.clone(), dx2 = dx.clone();
        PLAIN.reluBackward(dx1, off, dy, off, x, off, lo, hi);
        ElementwiseKernels.INSTANCE.reluBackward(dx2, off, dy, off, x, off, lo, hi);
        assertArrayEquals(dx1, dx2, "relu backward");
        float bias = (float) r.nextGaussian();
        for (boolean relu : new boolean[] {false, true}) {
            // The plain loop is an addition followed by the ReLU pass; the vector one the same floats.
            float[] b1 = o1.clone(), b2 = o1.clone(), sum = o1.clone();
            for (int i = lo; i < hi; i++) sum[off + i] = x[off + i] + bias;
            if (relu) PLAIN.reluForward(sum, off, sum, off, lo, hi);
            PLAIN.addBias(b1, off, x, off, bias, relu, lo, hi);
            ElementwiseKernels.INSTANCE.addBias(b2, off, x, off, bias, relu, lo, hi);
            assertArrayEquals(sum, b1, "bias add, relu " + relu + ", plain");
            assertArrayEquals(sum, b2, "bias add, relu " + relu + ", vector");
        }

        byte[] pixels = new byte[size];
        r.nextBytes(pixels);
        for (float scale : new float[] {1f, 1f / 255, (float) r.nextGaussian()}) {
            float[] u1 = values(r, size), u2 = u1.clone(), want = u1.clone();
            for (int i = lo; i < hi; i++) want[off + i] = (pixels[from + i - lo] & 0xFF) * scale;
            PLAIN.unsignedToFloat(u1, off + lo, pixels, from, scale, hi - lo);
            ElementwiseKernels.INSTANCE.unsignedToFloat(u2, off + lo, pixels, from, scale, hi - lo);
            assertArrayEquals(want, u1, "uint8 to float, scale " + scale + ", plain");
            assertArrayEquals(want, u2, "uint8 to float, scale " + scale + ", vector");
        }

        float[] g = new float[size], m = new float[size], v = new float[size], p = new float[size];
        for (int i = 0; i < size; i++) {
            g[i] = (float) r.nextGaussian();
            m[i] = (float) r.nextGaussian() * 0.1f;
            v[i] = r.nextFloat() * 0.01f;
            p[i] = (float) r.nextGaussian();
        }
        float[] p1 = p.clone(), m1 = m.clone(), v1 = v.clone(), p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
        PLAIN.adam(p1, off, g, off, m1, off, v1, off, 1e-3f / 0.1f, (float) Math.sqrt(0.001), 0.9f, 0.999f, 1e-8f, lo, hi);
        ElementwiseKernels.INSTANCE.adam(p2, off, g, off, m2, off, v2, off, 1e-3f / 0.1f, (float) Math.sqrt(0.001), 0.9f, 0.999f, 1e-8f, lo, hi);
        assertArrayEquals(p1, p2, "adam p");
        assertArrayEquals(m1, m2, "adam m");
        assertArrayEquals(v1, v2, "adam v");

        for (int variant = 0; variant < 8; variant++) {
            boolean centered = (variant & 1) != 0, momentum = (variant & 2) != 0, inside = (variant & 4) != 0;
            float[][] a = rmspropState(r, size), b = new float[a.length][];
            for (int k = 0; k < a.length; k++) b[k] = a[k].clone();
            PLAIN.rmsprop(a[0], off, g, off, a[1], off, centered ? a[2] : null, off, momentum ? a[3] : null, off,
                    1e-2f, 0.95f, 0.01f, 0.9f, inside, lo, hi);
            ElementwiseKernels.INSTANCE.rmsprop(b[0], off, g, off, b[1], off, centered ? b[2] : null, off, momentum ? b[3] : null, off,
                    1e-2f, 0.95f, 0.01f, 0.9f, inside, lo, hi);
            for (int k = 0; k < a.length; k++) assertArrayEquals(a[k], b[k], "rmsprop variant " + variant + " buffer " + k);
        }
    }

    /** Parameters, squared averages (>= the squared mean, as in a real run), gradient means, momentum. */
    static float[][] rmspropState(Random r, int size) {
        float[][] st = new float[4][size];
        for (int i = 0; i < size; i++) {
            st[0][i] = (float) r.nextGaussian();
            st[2][i] = (float) r.nextGaussian() * 0.01f;
            st[1][i] = st[2][i] * st[2][i] + r.nextFloat() * 0.01f;
            st[3][i] = (float) r.nextGaussian() * 0.1f;
        }
        return st;
    }

    /** expShifted: the vector kernel gives the plain loop's bits (NaN, infinities, the flush to 0 and the tail included). */
    @Property(tries = 200)
    void theExponentialGivesThePlainBits(@ForAll @IntRange(min = 0, max = 100) int n, @ForAll @IntRange(min = 0, max = 5) int off,
                                         @ForAll long seed) {
        Random r = new Random(seed);
        float[] x = new float[off + n];
        for (int i = 0; i < x.length; i++) {
            int kind = r.nextInt(30);
            x[i] = kind == 0 ? Float.NaN : kind == 1 ? Float.NEGATIVE_INFINITY : kind == 2 ? 0f : kind == 3 ? -200f
                    : kind == 4 ? Float.POSITIVE_INFINITY : kind == 5 ? ElementwiseKernels.LO : kind == 6 ? ElementwiseKernels.HI
                    : (float) (r.nextGaussian() * 30);
        }
        float shift = r.nextBoolean() ? 0f : (float) r.nextGaussian();
        float[] want = new float[n + 2], got = new float[n + 2];
        PLAIN.expShifted(x, off, shift, want, 1, n);
        ElementwiseKernels.INSTANCE.expShifted(x, off, shift, got, 1, n);
        assertArrayEquals(want, got);
    }

    /** The polynomial exp is within 2 ulp of Math.exp where the result is a normal float; 0 below LO, infinity above HI. */
    @Test
    void theExponentialIsWithinTwoUlpOfMathExp() {
        double worst = 0;
        for (float x = ElementwiseKernels.LO; x <= ElementwiseKernels.HI; x = Math.nextUp(x + 1e-4f * Math.max(1f, Math.abs(x)))) {
            float want = (float) Math.exp(x), got = ElementwiseKernels.exp(x);
            if (want < Float.MIN_NORMAL * 4) continue;
            worst = Math.max(worst, Math.abs(want - got) / Math.ulp(want));
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulp");
        assertTrue(ElementwiseKernels.exp(0f) == 1f && ElementwiseKernels.exp(-100f) == 0f && ElementwiseKernels.exp(Float.NEGATIVE_INFINITY) == 0f);
        assertTrue(ElementwiseKernels.exp(89f) == Float.POSITIVE_INFINITY && Float.isNaN(ElementwiseKernels.exp(Float.NaN)));
        assertTrue(Float.isFinite(ElementwiseKernels.exp(ElementwiseKernels.HI)), "exp(HI) = " + ElementwiseKernels.exp(ElementwiseKernels.HI));
    }
}
