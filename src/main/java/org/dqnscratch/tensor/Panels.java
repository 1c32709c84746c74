package org.dqnscratch.tensor;

/**
 * Where the packed GEMM reads its operands from. {@link Gemm} never touches A or B directly: it
 * asks for panels, zero-padded, exactly as the micro-kernel reads them: an A panel row by row (each
 * of its MR rows kc long, so the kernel reads A with the constant stride 1 and C2 checks its bounds once
 * per tile, as for an A read where it lies), a B panel k by k (NR wide). A dense
 * row-major matrix is one source; a convolution's unfolded image (im2col) is another that is
 * never materialised: its panels are gathered straight from the image (implicit GEMM).
 */
final class Panels {
    private Panels() {}

    /** op(A), an M x K matrix, read in panels of MR rows. */
    interface A {
        /** out[base + r*kc + k] = op(A)[i0 + r][k0 + k] for r < mr, 0 for mr <= r < MR; k < kc. */
        void packA(int i0, int mr, int MR, int k0, int kc, float[] out, int base);
    }

    /** op(B), a K x N matrix, read in panels of NR columns. */
    interface B {
        /** out[base + k*NR + c] = op(B)[k0 + k][j0 + c] for c < nr, 0 for nr <= c < NR; k < kc. */
        void packB(int k0, int kc, int j0, int nr, int NR, float[] out, int base);
    }

    /** A row-major matrix (row length ld, from off), transposed or not; usable as A or B. */
    static final class Dense implements A, B {
        boolean trans;
        float[] m;
        int off, ld;

        Dense set(boolean trans, float[] m, int off, int ld) {
            this.trans = trans; this.m = m; this.off = off; this.ld = ld;
            return this;
        }

        void clear() { m = null; }

        @Override public void packA(int i0, int mr, int MR, int k0, int kc, float[] out, int base) {
            // op(A)[i][k] = trans ? m[k][i] : m[i][k]; padding rows first, as one fill (see stripes)
            if (mr < MR) java.util.Arrays.fill(out, base + mr * kc, base + MR * kc, 0f);
            if (!trans) {
                for (int r = 0; r < mr; r++) System.arraycopy(m, off + (i0 + r) * ld + k0, out, base + r * kc, kc);
            } else {
                // each stored row k holds one element of each panel row: mr short write streams
                for (int k = 0; k < kc; k++) {
                    int src = off + (k0 + k) * ld + i0, dst = base + k;
                    for (int r = 0; r < mr; r++) out[dst + r * kc] = m[src + r];
                }
            }
        }

        @Override public void packB(int k0, int kc, int j0, int nr, int NR, float[] out, int base) {
            // op(B)[k][j] = trans ? m[j][k] : m[k][j]
            stripes(trans, j0, nr, NR, k0, kc, out, base);
        }

        /**
         * out[base + k*W + r] = element (row0 + r, k0 + k) of the packed view, where the view's
         * row r is a stored row when {@code rowsStored}, else a stored column.
         */
        private void stripes(boolean rowsStored, int row0, int rows, int W, int k0, int kc, float[] out, int base) {
            // Padding rows first, as one fill: tiny layers (2 actions in a 32-wide panel, a batch
            // of 1 in a 6-high one) are mostly padding, and per-element zeroing loops cost more
            // than their multiply-adds.
            if (rows < W) java.util.Arrays.fill(out, base, base + kc * W, 0f);
            if (!rowsStored) {
                // Each k is a stored row: contiguous copies of `rows` values.
                for (int k = 0; k < kc; k++) {
                    int src = off + (k0 + k) * ld + row0, dst = base + k * W;
                    for (int r = 0; r < rows; r++) out[dst + r] = m[src + r]; // short: no arraycopy call
                }
            } else {
                // A transposing copy, in blocks of 16 k so that the panel rows being written
                // (16 x W floats) stay in L1 while each stored row is read 64 bytes at a time.
                for (int kb = 0; kb < kc; kb += 16) {
                    int ke = Math.min(kc, kb + 16);
                    for (int r = 0; r < rows; r++) {
                        int src = off + (row0 + r) * ld + k0;
                        for (int k = kb; k < ke; k++) out[base + k * W + r] = m[src + k];
                    }
                }
            }
        }
    }

    /**
     * op(A) packed once into MR-row panels (row-major within a panel, rows K long), for a product that
     * is repeated with the same A: each later {@link #packA} is MR contiguous copies.
     */
    static final class Prepacked implements A {
        private float[] panels = new float[0];
        private int K, MR;

        /** Packs all of {@code a} (M x K) for micro-kernels of height MR. */
        void pack(A a, int M, int K, int MR) {
            this.K = K;
            this.MR = MR;
            int size = (M + MR - 1) / MR * MR * K;
            if (panels.length < size) panels = new float[size];
            for (int i = 0; i < M; i += MR) a.packA(i, Math.min(MR, M - i), MR, 0, K, panels, i * K);
        }

        @Override public void packA(int i0, int mr, int MR, int k0, int kc, float[] out, int base) {
            if (MR != this.MR || i0 % MR != 0) throw new IllegalStateException("packed for MR " + this.MR + ", asked " + MR + " at row " + i0);
            for (int r = 0; r < MR; r++) System.arraycopy(panels, i0 * K + r * K + k0, out, base + r * kc, kc);
        }
    }
}
