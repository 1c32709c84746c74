package org.dqnscratch.tensor;

/**
 * Where the packed GEMM reads its operands from. {@link Gemm} never touches A or B directly: it
 * asks for panels, k-major and zero-padded, exactly as the micro-kernel reads them. A dense
 * row-major matrix is one source; a convolution's unfolded image (im2col) is another that is
 * never materialised: its panels are gathered straight from the image (implicit GEMM).
 */
final class Panels {
    private Panels() {}

    /** op(A), an M x K matrix, read in panels of MR rows. */
    interface A {
        /** out[base + k*MR + r] = op(A)[i0 + r][k0 + k] for r < mr, 0 for mr <= r < MR; k < kc. */
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
            // op(A)[i][k] = trans ? m[k][i] : m[i][k]
            stripes(!trans, i0, mr, MR, k0, kc, out, base);
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
     * op(A) packed once into MR-row panels (k-major within a panel), for a product that is
     * repeated with the same A: each later {@link #packA} is one contiguous copy.
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
            System.arraycopy(panels, i0 * K + k0 * MR, out, base, kc * MR);
        }
    }
}
