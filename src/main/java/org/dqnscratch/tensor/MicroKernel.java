package org.dqnscratch.tensor;

/**
 * Computes one MR x NR tile of C from a packed A panel (row-major, MR rows of kc) and a packed B
 * panel (k-major, NR per k): {@code out[r * NR + c] = sum_k A[r][k] * B[k][c]}, into a
 * scratch tile; {@link Gemm} adds the tile into C. (Kernels stay store-only: see
 * VectorMicroKernel#store.)
 */
interface MicroKernel {
    /** Largest MR * NR of any kernel (size of the edge-tile scratch). */
    int MAX_TILE = 8 * 64;

    String name();
    int mr();
    int nr();
    void tile(int kc, float[] a, int aIdx, float[] b, int bIdx, float[] out);

    /**
     * The same tile with A and B read where they are: element (r, k) of A at {@code a[aIdx + r*lda + k]}
     * (A row-major: a packed panel has lda kc, an A read where it lies its row length), row k of the
     * NR-wide B block at {@code b[bIdx + k*bRow]} (a packed panel: NR; a row-major B read where it
     * lies: its row length). Same operations in the same order either way. A's column stride is the
     * constant 1 on purpose: C2 then checks A's bounds once per tile, not per k step (docs/performance.md,
     * "Bounds checks in the micro-kernel").
     */
    default void tile(int kc, float[] a, int aIdx, int lda, float[] b, int bIdx, int bRow, float[] out) {
        throw new UnsupportedOperationException(name() + " reads packed panels only");
    }

    /** Whether {@link #tile(int, float[], int, int, float[], int, int, float[])} reads unpacked operands. */
    default boolean readsUnpacked() { return false; }

    /**
     * The tile with A gathered by the kernel itself: element (r, k) of A is {@code x[base[r] + koff[k0 + k]]}
     * (an unpadded convolution's image read where it lies: base[r] is output pixel r's corner, koff[q] the
     * offset of patch position q, see {@link DirectConv}); B is a packed panel (row k at {@code b[bIdx + k*NR]}).
     * Same operations in the same order as {@link #tile(int, float[], int, float[], int, float[])}.
     */
    default void imageTile(int kc, float[] x, int[] base, int[] koff, int k0, float[] b, int bIdx, float[] out) {
        throw new UnsupportedOperationException(name() + " reads packed panels only");
    }

    /** C[r][c] += tile[r*NR + c] over the valid mr x nr corner (edge tiles are partial). */
    default void addTile(float[] tile, float[] C, int cIdx, int ldc, int mr, int nr) {
        int NR = nr();
        for (int r = 0; r < mr; r++) {
            int cr = cIdx + r * ldc, tr = r * NR;
            for (int c = 0; c < nr; c++) C[cr + c] += tile[tr + c];
        }
    }

    /** The Vector API kernel when the JVM has jdk.incubator.vector, else null (use {@link PlainGemm}). */
    static MicroKernel vectorOrNull() { return choose().kernel(); }

    /** {@code -Ddqn.kernelVectors=2|4}: the vector kernel's vectors per row, whatever the machine (to measure both). */
    String VECTORS_PROPERTY = "dqn.kernelVectors";

    /**
     * A kernel and why it was picked, for {@code info}.
     *
     * @param kernel the Vector API kernel, or null (the plain row loops run)
     * @param wide   a 6 x 4-vector kernel beside a 6 x 2 {@code kernel}, for convolutions at least its width
     *               of output channels (32 registers only), or null
     * @param why    their shapes and the reason
     */
    record Choice(MicroKernel kernel, MicroKernel wide, String why) {}

    /**
     * The Vector API kernel for this machine ({@link VectorKernels}: its shape by vector width and
     * register count), or none without the module. A -Ddqn.kernelVectors value other than 2 or 4 is
     * named on stderr and the machine's rule applies.
     */
    static Choice choose() {
        if (!VectorSupport.available()) {
            return new Choice(null, null, "no Vector API (" + VectorSupport.MODULE + " not in this JVM, or -Ddqn.noVector=true): the plain row loops");
        }
        String forced = System.getProperty(VECTORS_PROPERTY);
        int vectors = 0;
        if (forced != null) {
            vectors = forced.trim().equals("2") ? 2 : forced.trim().equals("4") ? 4 : 0;
            if (vectors == 0) System.err.println("warning: -D" + VECTORS_PROPERTY + "=" + forced + " ignored: use 2 or 4");
        }
        try {
            return (Choice) Class.forName("org.dqnscratch.tensor.VectorKernels")
                    .getDeclaredMethod("choose", int.class).invoke(null, vectors);
        } catch (ReflectiveOperationException | LinkageError e) {
            // fall through to the plain loops: correctness never depends on the fast path
            return new Choice(null, null, "the Vector API kernel failed to load (" + e + "): the plain row loops");
        }
    }
}
