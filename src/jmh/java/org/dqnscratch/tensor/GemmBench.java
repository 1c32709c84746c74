package org.dqnscratch.tensor;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * GEMM at DQN shapes, "M x K x N" = batch x in-features x out-features (the Linear forward,
 * C = A . B^T as Linear stores W [out, in]). kernel: vector (Vector API, what java -jar gets),
 * plain (row loops, the fallback without the Vector API), naive (triple loop, the
 * reference in the same run) and entry (the public {@code Gemm.gemm} a layer calls, which picks
 * dot products for few rows or columns, e.g. fc1 acting on 4 observations as W . x^T: 512x3136x4).
 * vector with threads=2 goes through the public entry too. dots: {@link GemmDots} whatever the shape; turned: Gemm's
 * product the other way round, (B . A^T)^T, whatever the shape (1 thread each; measured against each other for Q heads
 * in docs/performance.md, "Acting batches and Q heads"). vector8: the packed path with {@link Vector8RowKernel},
 * issue 20's experiment of an 8-row tile (1 thread); vector4w: with {@link VectorWideMicroKernel}, 6 rows of 4 vectors (what 32 registers at 128 bits get; -Ddqn.kernelVectors=4 elsewhere);
 * An experimental kernel's product is checked against the naive one at setup (the run fails if it is wrong).
 * GFLOPS = 2 M N K / time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class GemmBench {
    @Param({"32x4x64", "64x256x256", "256x256x256", "32x3136x512"})
    public String shape;
    @Param({"vector", "plain", "naive"})
    public String kernel;
    @Param({"1", "2"})
    public int threads;
    /** A stored transposed (K x M), as in a weight gradient dW = dY^T . X: the GEMM packs A instead of reading it where it lies. */
    @Param({"false"})
    public boolean transA;

    int M, K, N;
    float[] a, b, c;
    MicroKernel micro;

    @Setup(Level.Trial)
    public void setup() {
        String[] d = shape.split("x");
        M = Integer.parseInt(d[0]);
        K = Integer.parseInt(d[1]);
        N = Integer.parseInt(d[2]);
        Random r = new Random(1);
        a = new float[M * K]; // M x K, or K x M when transA
        b = new float[N * K];
        c = new float[M * N];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat();
        micro = switch (kernel) {
            case "vector8" -> new Vector8RowKernel();
            case "vector4w" -> new VectorWideMicroKernel();
            default -> MicroKernel.vectorOrNull();
        };
        WorkerPool.configure(threads);
        if (kernel.startsWith("vector") && micro == null) throw new IllegalStateException("no Vector API in the fork");
        if (!kernel.equals("vector") && kernel.startsWith("vector")) checkAgainstNaive();
    }

    /** The experimental kernel's product against the triple loop, relative to the largest |C| (sums of K products of [0, 1) values). */
    private void checkAgainstNaive() {
        float[] want = new float[M * N];
        Gemm.naive(transA, true, M, N, K, a, 0, lda(), b, 0, K, want, 0, N, false);
        Gemm.packed(micro, transA, true, M, N, K, a, 0, lda(), b, 0, K, c, 0, N, false, false);
        float scale = 0;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < want.length; i++)
            if (Math.abs(c[i] - want[i]) > 1e-5f * scale * Math.sqrt(K))
                throw new IllegalStateException(micro.name() + " differs from the naive product at " + i + ": " + c[i] + " vs " + want[i]);
    }

    private int lda() { return transA ? M : K; }

    @Benchmark
    public float[] gemm() {
        if (kernel.equals("naive")) {
            if (threads > 1) throw new IllegalStateException("naive is single-threaded; skip threads=2");
            Gemm.naive(transA, true, M, N, K, a, 0, lda(), b, 0, K, c, 0, N, false);
        } else if (kernel.equals("dots") || kernel.equals("turned")) {
            if (threads > 1 || transA) throw new IllegalStateException(kernel + " is measured single-threaded, A not transposed");
            if (kernel.equals("dots")) GemmDots.serial(M, N, K, a, 0, K, b, 0, K, c, 0, N, false, false);
            else Gemm.swapped(M, N, K, a, 0, K, b, 0, K, c, 0, N, false, false);
        } else if (kernel.equals("plain")) {
            if (threads > 1) throw new IllegalStateException("plain is measured single-threaded; skip threads=2");
            PlainGemm.rows(transA, true, M, N, K, a, 0, lda(), b, 0, K, c, 0, N, false, false);
        } else if (!kernel.equals("vector") && kernel.startsWith("vector") && threads > 1) {
            throw new IllegalStateException(kernel + " is measured single-threaded; skip threads=2");
        } else if (threads == 1 && kernel.startsWith("vector")) {
            Gemm.packed(micro, transA, true, M, N, K, a, 0, lda(), b, 0, K, c, 0, N, false, false);
        } else {
            Gemm.gemm(transA, true, M, N, K, a, 0, lda(), b, 0, K, c, 0, N, false);
        }
        return c;
    }
}
