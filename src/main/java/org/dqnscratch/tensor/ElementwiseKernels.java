package org.dqnscratch.tensor;

/**
 * The bodies of the hottest element-wise loops over [from, to). The plain versions here are the
 * reference; {@code VectorElementwise} computes the same float operations in the same order on
 * the Java Vector API (no fused multiply-add), so both give the same bits. A ReLU's
 * {@code v > 0 ? v : 0} is a data-dependent branch that C2 does not vectorise: with half the
 * inputs negative it costs ~0.7 ns an element, the vector select ~0.1 ns.
 */
class ElementwiseKernels {
    /** The Vector API kernels when the JVM has the module, else these plain loops. */
    static final ElementwiseKernels INSTANCE = load();

    private static ElementwiseKernels load() {
        if (VectorSupport.available()) {
            try {
                return (ElementwiseKernels) Class.forName("org.dqnscratch.tensor.VectorElementwise")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                // fall through: correctness never depends on the fast path
            }
        }
        return new ElementwiseKernels();
    }

    String name() { return "plain"; }

    /** o = (x & 0xFF) * scale: uint8 pixels as floats (scale 1: their values 0..255). */
    void unsignedToFloat(float[] o, int oOff, byte[] x, int xOff, float scale, int n) {
        for (int i = 0; i < n; i++) o[oOff + i] = (x[xOff + i] & 0xFF) * scale;
    }

    /** o = x > 0 ? x : 0 (NaN gives 0, as the OpenCL kernel). */
    void reluForward(float[] o, int oOff, float[] x, int xOff, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[xOff + i];
            o[oOff + i] = v > 0f ? v : 0f;
        }
    }

    /** dx += dy where y > 0. */
    /**
     * o = x + bias, then with {@code relu} max(o, 0) (NaN to 0): a convolution's epilogue, the floats of an
     * addition followed by {@link #reluForward}.
     */
    void addBias(float[] o, int oOff, float[] x, int xOff, float bias, boolean relu, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[xOff + i] + bias;
            o[oOff + i] = !relu || v > 0f ? v : 0f;
        }
    }

    void reluBackward(float[] dx, int dxOff, float[] dy, int dyOff, float[] y, int yOff, int from, int to) {
        for (int i = from; i < to; i++) {
            if (y[yOff + i] > 0f) dx[dxOff + i] += dy[dyOff + i];
        }
    }

    /**
     * dy = 0 + dy where y > 0, else 0: reluBackward into a zeroed dx, in place (0 + dy, not dy, as
     * that sum gives: -0 becomes +0).
     */
    void reluBackwardInplace(float[] dy, int dyOff, float[] y, int yOff, int from, int to) {
        for (int i = from; i < to; i++) {
            dy[dyOff + i] = y[yOff + i] > 0f ? 0f + dy[dyOff + i] : 0f;
        }
    }

    /** Adam with the bias corrections folded into stepSize and bc2Sqrt (see Backend#adam_step). */
    void adam(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
              float stepSize, float bc2Sqrt, float beta1, float beta2, float eps, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[gOff + i];
            int mi = mOff + i, vi = vOff + i;
            m[mi] = beta1 * m[mi] + (1f - beta1) * gi;
            v[vi] = beta2 * v[vi] + (1f - beta2) * gi * gi;
            float denom = (float) Math.sqrt(v[vi]) / bc2Sqrt + eps;
            p[pOff + i] -= stepSize * m[mi] / denom;
        }
    }

    /**
     * RMSprop as PyTorch's: s = alpha s + (1 - alpha) g^2 (centered: minus the squared running
     * mean of g), step g / (sqrt(s) + eps) (eps inside the root when epsInside), with momentum
     * buffer mb when it is not null.
     */
    void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] s, int sOff, float[] ga, int gaOff, float[] mb, int mbOff,
                 float lr, float alpha, float eps, float momentum, boolean epsInside, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[gOff + i];
            int si = sOff + i;
            s[si] = alpha * s[si] + (1f - alpha) * gi * gi;
            float var = s[si];
            if (ga != null) {
                int ai = gaOff + i;
                ga[ai] = alpha * ga[ai] + (1f - alpha) * gi;
                var -= ga[ai] * ga[ai];
            }
            float avg = epsInside ? (float) Math.sqrt(var + eps) : (float) Math.sqrt(var) + eps;
            if (mb != null) {
                int bi = mbOff + i;
                mb[bi] = momentum * mb[bi] + gi / avg;
                p[pOff + i] -= lr * mb[bi];
            } else {
                p[pOff + i] -= lr * gi / avg;
            }
        }
    }

    /**
     * o[i] = exp(x[i] - shift) over n floats: the exponentials of C51's atom ops (log-softmax, its gradient,
     * the expected value, the projection). Not {@code Math.exp} but {@link #exp}, a polynomial of IEEE basic
     * operations only: the Vector API's own EXP gave other bits interpreted than compiled (a vector math
     * library's, within 1 ulp), which broke exact resume; this one is the same bits in every tier and path.
     */
    void expShifted(float[] x, int xOff, float shift, float[] o, int oOff, int n) {
        for (int i = 0; i < n; i++) o[oOff + i] = exp(x[xOff + i] - shift);
    }

    // Cephes' expf: exp(x) = 2^n exp(r), n = round(x log2 e), r = x - n ln 2 in two parts, exp(r) by a polynomial.
    static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    /** 1.5 x 2^23: adding and subtracting it rounds a float of magnitude < 2^22 to the nearest integer. */
    static final float ROUND = 12582912f;
    /** Above HI exp overflows; below LO it is flushed to 0 (exp(-86.6) = 2.4e-38, near the smallest normal float). */
    static final float HI = 88.72283f, LO = -86.6f;

    /** exp(x) within 2 ulp of Math.exp for x in [LO, HI]; 0 below, infinity above, NaN for NaN. The vector kernel's operations, in order. */
    static float exp(float x) {
        if (!(x >= LO)) return x != x ? x : 0f;
        if (x > HI) return Float.POSITIVE_INFINITY;
        float n = (x * LOG2E + ROUND) - ROUND;
        float r = (x - n * LN2_HI) - n * LN2_LO;
        float p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
        p = (p * (r * r) + r) + 1f;
        float scale = Float.intBitsToFloat(((int) n + 126) << 23); // 2^(n-1): n in [-125, 128]
        return p * scale * 2f;
    }
}
