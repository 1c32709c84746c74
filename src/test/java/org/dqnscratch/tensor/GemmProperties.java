package org.dqnscratch.tensor;

import static org.dqnscratch.Approx.assertClose;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Both micro-kernels, all four transpose cases, odd sizes and strides, against the naive loop. */
class GemmProperties {
    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian());
        return a;
    }

    /** kernel null: the plain row loops. */
    static void check(MicroKernel kernel, boolean ta, boolean tb, int M, int N, int K, int pad, boolean acc, long seed) {
        Random r = new Random(seed);
        int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
        int aOff = pad, bOff = 2 * pad, cOff = 3 * pad;
        float[] A = random(r, aOff + (ta ? K : M) * lda), B = random(r, bOff + (tb ? N : K) * ldb);
        float[] C = random(r, cOff + M * ldc), expected = C.clone();
        Gemm.naive(ta, tb, M, N, K, A, aOff, lda, B, bOff, ldb, expected, cOff, ldc, acc);
        if (kernel == null) PlainGemm.rows(ta, tb, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, acc, false);
        else Gemm.packed(kernel, ta, tb, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, acc, false);
        // Entries outside the M x N window (padding) must be untouched too: compare the whole array.
        assertClose((kernel == null ? "plain" : kernel.name()) + " ta=" + ta + " tb=" + tb + " " + M + "x" + N + "x" + K, expected, C, 1e-4 * Math.sqrt(K), 1e-4);
    }

    @Property(tries = 150)
    void plainRowLoopsMatchNaive(@ForAll boolean ta, @ForAll boolean tb, @ForAll @IntRange(min = 1, max = 70) int M,
                                  @ForAll @IntRange(min = 1, max = 300) int N, @ForAll @IntRange(min = 1, max = 300) int K,
                                  @ForAll @IntRange(min = 0, max = 3) int pad, @ForAll boolean acc, @ForAll long seed) {
        check(null, ta, tb, M, N, K, pad, acc, seed);
    }

    @Property(tries = 150)
    void vectorKernelMatchesNaive(@ForAll boolean ta, @ForAll boolean tb, @ForAll @IntRange(min = 1, max = 70) int M,
                                  @ForAll @IntRange(min = 1, max = 70) int N, @ForAll @IntRange(min = 1, max = 300) int K,
                                  @ForAll @IntRange(min = 0, max = 3) int pad, @ForAll boolean acc, @ForAll long seed) {
        check(new VectorMicroKernel(), ta, tb, M, N, K, pad, acc, seed);
    }

    /**
     * One tile of each vector kernel called directly, A row-major with rows lda apart and B with rows bRow
     * apart (the strides a layer's operands read where they lie have): the naive sums.
     */
    @Property(tries = 200)
    void aTileReadWhereItLiesIsTheNaiveSums(@ForAll boolean wide, @ForAll @IntRange(min = 1, max = 700) int kc,
                                            @ForAll @IntRange(min = 0, max = 9) int extra, @ForAll @IntRange(min = 0, max = 5) int aOff,
                                            @ForAll @IntRange(min = 0, max = 40) int bExtra, @ForAll long seed) {
        MicroKernel kernel = wide ? new VectorWideMicroKernel() : new VectorMicroKernel();
        Random r = new Random(seed);
        int MR = kernel.mr(), NR = kernel.nr(), lda = kc + extra, bRow = NR + bExtra;
        float[] a = random(r, aOff + MR * lda), b = random(r, kc * bRow);
        float[] tile = new float[MR * NR], naive = new float[MR * NR];
        kernel.tile(kc, a, aOff, lda, b, 0, bRow, tile);
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++) {
                double sum = 0;
                for (int k = 0; k < kc; k++) sum += (double) a[aOff + i * lda + k] * b[k * bRow + j];
                naive[i * NR + j] = (float) sum;
            }
        assertClose(kernel.name() + " kc=" + kc, naive, tile, 1e-4 * Math.sqrt(kc), 1e-4);
    }

    @Property(tries = 100)
    void wideVectorKernelMatchesNaive(@ForAll boolean ta, @ForAll boolean tb, @ForAll @IntRange(min = 1, max = 90) int M,
                                      @ForAll @IntRange(min = 1, max = 90) int N, @ForAll @IntRange(min = 1, max = 600) int K,
                                      @ForAll @IntRange(min = 0, max = 3) int pad, @ForAll boolean acc, @ForAll long seed) {
        check(new VectorWideMicroKernel(), ta, tb, M, N, K, pad, acc, seed);
    }

    /** Every element of C is the same chain of multiply-adds whatever the tile's shape: a shape never changes a result. */
    @Property(tries = 100)
    void bothVectorShapesGiveTheSameBits(@ForAll boolean ta, @ForAll boolean tb, @ForAll @IntRange(min = 1, max = 90) int M,
                                         @ForAll @IntRange(min = 1, max = 90) int N, @ForAll @IntRange(min = 1, max = 600) int K,
                                         @ForAll boolean acc, @ForAll boolean relu, @ForAll long seed) {
        Random r = new Random(seed);
        int lda = ta ? M : K, ldb = tb ? K : N;
        float[] A = random(r, M * K), B = random(r, K * N), narrow = random(r, M * N), wide = narrow.clone();
        Gemm.packed(new VectorMicroKernel(), ta, tb, M, N, K, A, 0, lda, B, 0, ldb, narrow, 0, N, acc, relu);
        Gemm.packed(new VectorWideMicroKernel(), ta, tb, M, N, K, A, 0, lda, B, 0, ldb, wide, 0, N, acc, relu);
        org.junit.jupiter.api.Assertions.assertArrayEquals(narrow, wide, M + "x" + N + "x" + K);
    }

    @Test
    void theShapeFollowsTheRegisterCount() {
        // 32 registers at 128 bits (NEON; AVX-512 with MaxVectorSize=16): 6 x 4 vectors; else 6 x 2
        org.junit.jupiter.api.Assertions.assertEquals(4, VectorKernels.vectorsPerRow(128, 32));
        org.junit.jupiter.api.Assertions.assertEquals(2, VectorKernels.vectorsPerRow(128, 16));
        org.junit.jupiter.api.Assertions.assertEquals(2, VectorKernels.vectorsPerRow(256, 16));
        org.junit.jupiter.api.Assertions.assertEquals(2, VectorKernels.vectorsPerRow(256, 32));
        org.junit.jupiter.api.Assertions.assertEquals(2, VectorKernels.vectorsPerRow(512, 32));
        org.junit.jupiter.api.Assertions.assertEquals(32, VectorRegisters.forUseAvx("3").count());
        org.junit.jupiter.api.Assertions.assertEquals(16, VectorRegisters.forUseAvx("2").count());
        org.junit.jupiter.api.Assertions.assertEquals(16, VectorRegisters.forUseAvx("1").count());
        org.junit.jupiter.api.Assertions.assertEquals(16, VectorRegisters.forUseAvx("?").count());
        // the detected count is one of the two, and said in info's line
        int here = VectorRegisters.detect().count();
        org.junit.jupiter.api.Assertions.assertTrue(here == 16 || here == 32, "registers " + here);
        org.junit.jupiter.api.Assertions.assertTrue(Gemm.kernelDescription().contains("accumulators"), Gemm.kernelDescription());
    }

    @Property(tries = 150)
    void plainMicroKernelMatchesNaive(@ForAll boolean ta, @ForAll boolean tb, @ForAll @IntRange(min = 1, max = 70) int M,
                                      @ForAll @IntRange(min = 1, max = 300) int N, @ForAll @IntRange(min = 1, max = 300) int K,
                                      @ForAll @IntRange(min = 0, max = 3) int pad, @ForAll boolean acc, @ForAll long seed) {
        check(PlainMicroKernel.INSTANCE, ta, tb, M, N, K, pad, acc, seed);
    }

    /**
     * The plain paths add products one k at a time in float (their copies and k-unrolling
     * change no bits): pinned against that loop exactly, since runs on JVMs without the Vector
     * API follow these floats.
     */
    @Property(tries = 100)
    void plainPathsAddInKOrder(@ForAll boolean ta, @ForAll boolean tb, @ForAll @IntRange(min = 1, max = 20) int M,
                               @ForAll @IntRange(min = 1, max = 300) int N, @ForAll @IntRange(min = 1, max = 300) int K,
                               @ForAll boolean acc, @ForAll long seed) {
        Random r = new Random(seed);
        int lda = ta ? M : K, ldb = tb ? K : N;
        float[] A = random(r, M * K), B = random(r, K * N), C = random(r, M * N);
        float[] expected = new float[M * N], tileSums = new float[M * N];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                // rows: C's value, then each product added; panels: the tile (a sum from 0) added to C
                expected[i * N + j] = kOrderSum(acc ? C[i * N + j] : 0f, ta, tb, A, lda, B, ldb, i, j, K);
                tileSums[i * N + j] = (acc ? C[i * N + j] : 0f) + kOrderSum(0f, ta, tb, A, lda, B, ldb, i, j, K);
            }
        }
        float[] rows = C.clone();
        PlainGemm.rows(ta, tb, M, N, K, A, 0, lda, B, 0, ldb, rows, 0, N, acc, false);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, rows, "rows");
        if (K <= Gemm.KC) { // one K block: the panel kernel's tile is the whole sum
            float[] panels = C.clone();
            Gemm.packed(PlainMicroKernel.INSTANCE, ta, tb, M, N, K, A, 0, lda, B, 0, ldb, panels, 0, N, acc, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(tileSums, panels, "plain panels");
        }
    }

    /**
     * The row loops' cache blocking (rows of C and slabs of op(B), sized by N) changes no bits: wide products
     * whose blocks are small, so that several row blocks, several slabs and ragged last ones all run, and
     * fc1's shape at batch 32, each against the k-order sum, with the ReLU epilogue or not.
     */
    @Test
    void plainRowBlocksAddInKOrder() {
        Random r = new Random(11);
        int[][] shapes = {{70, 1000, 300}, {33, 4100, 23}, {5, 9000, 7}, {32, 512, 3136}};
        for (int[] sh : shapes) {
            int M = sh[0], N = sh[1], K = sh[2];
            int rowBlock = PlainGemm.ROW_BLOCK_FLOATS / N, slab = Math.max(4, PlainGemm.SLAB_FLOATS / N / 4 * 4);
            org.junit.jupiter.api.Assertions.assertTrue(M > rowBlock || K > slab, "shape too small to block: " + M + "x" + N + "x" + K);
            for (int mode = 0; mode < 8; mode++) {
                boolean ta = (mode & 1) != 0, tb = (mode & 2) != 0, acc = (mode & 4) != 0, relu = mode == 7;
                int lda = ta ? M : K, ldb = tb ? K : N;
                float[] A = random(r, M * K), B = random(r, K * N), C = random(r, M * N), got = C.clone();
                PlainGemm.rows(ta, tb, M, N, K, A, 0, lda, B, 0, ldb, got, 0, N, acc, relu);
                for (int i = 0; i < M; i++) {
                    for (int j = 0; j < N; j++) {
                        float want = kOrderSum(acc ? C[i * N + j] : 0f, ta, tb, A, lda, B, ldb, i, j, K);
                        if (relu) want = want > 0 ? want : 0f;
                        if (Float.floatToIntBits(want) != Float.floatToIntBits(got[i * N + j]))
                            org.junit.jupiter.api.Assertions.fail(M + "x" + N + "x" + K + " ta " + ta + " tb " + tb + " acc " + acc
                                    + " at (" + i + ", " + j + "): " + got[i * N + j] + " vs " + want);
                    }
                }
            }
        }
    }

    /** start + op(A)[i][0] op(B)[0][j] + op(A)[i][1] op(B)[1][j] + ..., in float, left to right. */
    static float kOrderSum(float start, boolean ta, boolean tb, float[] A, int lda, float[] B, int ldb, int i, int j, int K) {
        float c = start;
        for (int k = 0; k < K; k++) c += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
        return c;
    }

    /** The dot-product path for few rows or few columns gives the vector kernel's floats exactly. */
    @Property(tries = 150)
    void dotsAreTheVectorKernelsBits(@ForAll @IntRange(min = 1, max = 40) int M, @ForAll @IntRange(min = 1, max = 40) int N,
                                     @ForAll @IntRange(min = 0, max = 600) int K, @ForAll @IntRange(min = 0, max = 3) int pad,
                                     @ForAll boolean acc, @ForAll long seed) {
        Random r = new Random(seed);
        int lda = K + pad, ldb = K + pad, ldc = N + pad;
        float[] A = random(r, pad + M * lda), B = random(r, 2 * pad + N * ldb);
        float[] C = random(r, 3 * pad + M * ldc), expected = C.clone();
        Gemm.packed(new VectorMicroKernel(), false, true, M, N, K, A, pad, lda, B, 2 * pad, ldb, expected, 3 * pad, ldc, acc, false);
        GemmDots.serial(M, N, K, A, pad, lda, B, 2 * pad, ldb, C, 3 * pad, ldc, acc, false);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, C, M + "x" + N + "x" + K);
    }

    /**
     * Big dot-product shapes (fc1 acting on 1-5 observations, x . W^T) go through the public
     * entry point, columns split across the pool: still the vector kernel's floats to the bit.
     */
    @Test
    void parallelDotsAreTheVectorKernelsBits() {
        Random r = new Random(5);
        int[][] shapes = {{4, 512, 3136}, {1, 512, 3136}, {3, 510, 3136}, {5, 37, 40000}, {2, 1000, 1100}, {7, 2, 40000}};
        for (int[] s : shapes) {
            int M = s[0], N = s[1], K = s[2];
            org.junit.jupiter.api.Assertions.assertTrue(GemmDots.pays(false, true, M, N), M + "x" + N + "x" + K);
            entryIsTheVectorKernelsBits(r, M, N, K);
        }
    }

    /** Gemm.gemm's A . B^T against the packed vector kernel, to the bit, accumulating or not, with the ReLU epilogue or not. */
    private static void entryIsTheVectorKernelsBits(Random r, int M, int N, int K) {
        for (int mode = 0; mode < 4; mode++) {
            boolean acc = (mode & 1) != 0, relu = (mode & 2) != 0;
            float[] A = random(r, M * K), B = random(r, N * K), C = random(r, M * N), expected = C.clone();
            Gemm.packed(new VectorMicroKernel(), false, true, M, N, K, A, 0, K, B, 0, K, expected, 0, N, acc, relu);
            Gemm.gemm(false, true, M, N, K, A, 0, K, B, 0, K, C, 0, N, acc, relu);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, C, M + "x" + N + "x" + K + " acc " + acc + " relu " + relu);
        }
    }

    /**
     * A . B^T with fewer rows than columns (a layer's forward pass at a training batch) is computed as
     * (B . A^T)^T when that saves packing (Gemm.swapPays): still the vector kernel's floats to the bit,
     * accumulating or not, with the ReLU epilogue or not; on this thread and through the pool.
     */
    @Property(tries = 120)
    void swappedProductsAreTheVectorKernelsBits(@ForAll @IntRange(min = 6, max = 40) int M, @ForAll @IntRange(min = 1, max = 90) int more,
                                                @ForAll @IntRange(min = 0, max = 900) int K, @ForAll @IntRange(min = 0, max = 3) int pad,
                                                @ForAll boolean acc, @ForAll boolean relu, @ForAll long seed) {
        int N = M + more;
        Random r = new Random(seed);
        int lda = K + pad, ldb = K + pad, ldc = N + pad;
        float[] A = random(r, pad + M * lda), B = random(r, 2 * pad + N * ldb);
        float[] C = random(r, 3 * pad + M * ldc), expected = C.clone();
        Gemm.packed(new VectorMicroKernel(), false, true, M, N, K, A, pad, lda, B, 2 * pad, ldb, expected, 3 * pad, ldc, acc, relu);
        Gemm.gemm(false, true, M, N, K, A, pad, lda, B, 2 * pad, ldb, C, 3 * pad, ldc, acc, relu);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, C, M + "x" + N + "x" + K + " swapped " + Gemm.swapPays(false, true, M, N, K));
    }

    /** The Nature CNN's fc1 at batch 32 and 64 and the MLPs' hidden layers go the swapped way, through the pool: the same bits. */
    @Test
    void swappedLayerShapesAreTheVectorKernelsBits() {
        Random r = new Random(7);
        int[][] shapes = {{32, 512, 3136}, {64, 512, 3136}, {64, 256, 256}, {33, 512, 3136}};
        for (int[] s : shapes) {
            int M = s[0], N = s[1], K = s[2];
            org.junit.jupiter.api.Assertions.assertTrue(Gemm.swapPays(false, true, M, N, K), M + "x" + N + "x" + K);
            entryIsTheVectorKernelsBits(r, M, N, K);
        }
    }

    /**
     * Q heads at training batches (the Nature CNN's 6 actions at 32 and 64, CartPole's 2 at 64 and 128, a dueling value
     * stream's 1, at any batch), whichever way they go (the dots' vector lanes or their scalar columns, or the packed
     * kernel): the vector kernel's bits, through the pool too.
     */
    @Test
    void headShapesAreTheVectorKernelsBits() {
        Random r = new Random(11);
        int[][] shapes = {{32, 6, 512}, {64, 6, 512}, {64, 2, 256}, {128, 2, 256}, {33, 2, 300}, {32, 18, 512}, {64, 1, 512}, {13, 1, 600}, {4096, 6, 512}, {4096, 1, 512}};
        for (int[] s : shapes) {
            int M = s[0], N = s[1], K = s[2];
            entryIsTheVectorKernelsBits(r, M, N, K);
        }
    }

    /**
     * The ReLU epilogue gives the product's floats then max(., 0), on every path (the plain row loops,
     * both micro-kernels, the dot products, the public entry point with its parallel slices): K up to
     * several KC blocks, where a ReLU applied before a tile's last block would show, ragged M and N.
     */
    @Property(tries = 100)
    void reluEpilogueIsTheProductThenTheRelu(@ForAll boolean ta, @ForAll boolean tb, @ForAll @IntRange(min = 1, max = 70) int M,
                                             @ForAll @IntRange(min = 1, max = 70) int N, @ForAll @IntRange(min = 0, max = 700) int K,
                                             @ForAll @IntRange(min = 0, max = 3) int pad, @ForAll boolean acc, @ForAll long seed) {
        Random r = new Random(seed);
        int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
        float[] A = random(r, pad + (ta ? K : M) * lda), B = random(r, 2 * pad + (tb ? N : K) * ldb), C = random(r, 3 * pad + M * ldc);
        MicroKernel[] kernels = {null, new VectorMicroKernel(), PlainMicroKernel.INSTANCE};
        for (int path = 0; path < 5; path++) {
            if (path == 3 && (ta || !tb)) continue; // the dot products take A . B^T only
            float[] want = C.clone(), got = C.clone();
            run(path, kernels, ta, tb, M, N, K, A, pad, lda, B, ldb, want, ldc, acc, false);
            for (int i = 0; i < M; i++) ElementwiseKernels.INSTANCE.reluForward(want, 3 * pad + i * ldc, want, 3 * pad + i * ldc, 0, N);
            run(path, kernels, ta, tb, M, N, K, A, pad, lda, B, ldb, got, ldc, acc, true);
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, "path " + path + " " + M + "x" + N + "x" + K);
        }
    }

    /** Path 0-2: packed with no kernel (the plain rows), the vector or the plain micro-kernel; 3: dots; 4: Gemm.gemm. */
    private static void run(int path, MicroKernel[] kernels, boolean ta, boolean tb, int M, int N, int K, float[] A, int pad, int lda,
                            float[] B, int ldb, float[] C, int ldc, boolean acc, boolean relu) {
        if (path == 0) PlainGemm.rows(ta, tb, M, N, K, A, pad, lda, B, 2 * pad, ldb, C, 3 * pad, ldc, acc, relu);
        else if (path < 3) Gemm.packed(kernels[path], ta, tb, M, N, K, A, pad, lda, B, 2 * pad, ldb, C, 3 * pad, ldc, acc, relu);
        else if (path == 3) GemmDots.serial(M, N, K, A, pad, lda, B, 2 * pad, ldb, C, 3 * pad, ldc, acc, relu);
        else Gemm.gemm(ta, tb, M, N, K, A, pad, lda, B, 2 * pad, ldb, C, 3 * pad, ldc, acc, relu);
    }

    /** The public entry point, which splits big products across the worker pool. */
    @Property(tries = 40)
    void parallelSlicesMatchNaive(@ForAll boolean ta, @ForAll boolean tb, @ForAll @IntRange(min = 1, max = 260) int M,
                                  @ForAll @IntRange(min = 1, max = 260) int N, @ForAll @IntRange(min = 60, max = 300) int K,
                                  @ForAll boolean acc, @ForAll long seed) {
        Random r = new Random(seed);
        int lda = ta ? M : K, ldb = tb ? K : N;
        float[] A = random(r, M * K), B = random(r, K * N), C = random(r, M * N), expected = C.clone();
        Gemm.naive(ta, tb, M, N, K, A, 0, lda, B, 0, ldb, expected, 0, N, acc);
        Gemm.gemm(ta, tb, M, N, K, A, 0, lda, B, 0, ldb, C, 0, N, acc);
        assertClose("parallel " + M + "x" + N + "x" + K, expected, C, 1e-4 * Math.sqrt(K), 1e-4);
    }

    @Test
    void largeShapesCrossEveryBlockBoundary() {
        // M > MC, K > KC: several A blocks and K blocks, with ragged edges.
        check(new VectorMicroKernel(), false, true, 200, 77, 600, 1, false, 1);
        check(new VectorMicroKernel(), true, false, 131, 45, 513, 0, true, 2);
        check(null, true, true, 131, 45, 513, 2, true, 3);
        check(PlainMicroKernel.INSTANCE, false, false, 400, 45, 700, 1, true, 4);
    }

    @Test
    void knownProduct() {
        // [1 2; 3 4] . [5 6; 7 8] = [19 22; 43 50]
        float[] A = {1, 2, 3, 4}, B = {5, 6, 7, 8}, C = new float[4];
        Gemm.gemm(false, false, 2, 2, 2, A, 0, 2, B, 0, 2, C, 0, 2, false);
        assertClose("C", new float[] {19, 22, 43, 50}, C, 0, 0);
        // accumulate A^T . B^T = [1 3; 2 4] . [5 7; 6 8] = [23 31; 34 46]
        Gemm.gemm(true, true, 2, 2, 2, A, 0, 2, B, 0, 2, C, 0, 2, true);
        assertClose("C", new float[] {19 + 23, 22 + 31, 43 + 34, 50 + 46}, C, 0, 0);
    }

    @Test
    void theVectorKernelIsInUseUnderTests() {
        // surefire starts the JVM with jdk.incubator.vector; the fast path must be the one tested
        org.junit.jupiter.api.Assertions.assertTrue(Gemm.kernelName().startsWith("vector"), Gemm.kernelName());
    }
}
