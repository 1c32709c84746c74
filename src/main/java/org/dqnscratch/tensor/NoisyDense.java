package org.dqnscratch.tensor;

/**
 * A noisy layer's forward pass on a few rows (acting on 1-5 observations) without its effective
 * weights in memory: out (+)= x . (mu + sigma * (epsOut x epsIn))^T, the weights made eight output
 * units at a time into a small tile of this thread's and multiplied from there by
 * {@link GemmDots#columns}' chains (x laid out once per range). Each weight is the float {@code noisy_weights_forward} makes and
 * each output the chain {@link GemmDots} makes for the stored weights, so the result is the bits of
 * noisy_weights_forward followed by matmul_forward. It reads mu and sigma once, where that pair wrote
 * W and read it back (1.6 M floats per Nature-CNN stream, at every acting step of a noisy run), and it
 * splits the output units across the pool, which a one-row product's dots cannot split by rows.
 */
final class NoisyDense extends CpuElementwise.Loop {
    /** Output units per tile, the dots' eight chains: with the Nature CNN's 3136 inputs, 100 KB, in the core's L2. */
    static final int UNITS = 8;
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[0]);

    private float[] out, x, mu, sigma, epsIn, epsOut;
    private int outOff, xOff, muOff, sigmaOff, inOff, outNoiseOff, N, C, OC;
    private boolean accumulate, relu;

    /** out [N, OC] (+)= x [N, C] . W^T for W = mu + sigma * (epsOut x epsIn) ([OC, C]); relu: then max(., 0). */
    NoisyDense set(Tensor out, Tensor x, Tensor mu, Tensor sigma, Tensor epsIn, Tensor epsOut, int N, int C, int OC,
                   boolean accumulate, boolean relu) {
        this.out = CpuBackend.data(out); outOff = out.offset;
        this.x = CpuBackend.data(x); xOff = x.offset;
        this.mu = CpuBackend.data(mu); muOff = mu.offset;
        this.sigma = CpuBackend.data(sigma); sigmaOff = sigma.offset;
        this.epsIn = CpuBackend.data(epsIn); inOff = epsIn.offset;
        this.epsOut = CpuBackend.data(epsOut); outNoiseOff = epsOut.offset;
        this.N = N; this.C = C; this.OC = OC;
        this.accumulate = accumulate;
        this.relu = relu;
        return this;
    }

    /** Runs it: the tiles split across the pool when the product is as large as Gemm splits. */
    void run() {
        WorkerPool pool = WorkerPool.shared();
        launch((OC + UNITS - 1) / UNITS, pool.threads() > 1 && (long) N * OC * C >= Gemm.PARALLEL_MIN_WORK);
        out = x = mu = sigma = epsIn = epsOut = null;
    }

    @Override void range(int from, int to) {
        float[] tile = TILE.get();
        if (tile.length < UNITS * C) TILE.set(tile = new float[UNITS * C]);
        float[] xT = GemmDots.rowsByK(N, C, x, xOff, C); // once per thread's range, read by every tile
        for (int t = from; t < to; t++) {
            int o0 = t * UNITS, units = Math.min(UNITS, OC - o0);
            CpuElementwise.NoisyWeights.weightRows(tile, -o0 * C, mu, muOff, sigma, sigmaOff, epsIn, inOff, epsOut, outNoiseOff, C, o0, o0 + units);
            GemmDots.columns(xT, N, C, 0, units, tile, 0, C, out, outOff + o0, OC, accumulate, relu);
        }
    }
}
