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
}
