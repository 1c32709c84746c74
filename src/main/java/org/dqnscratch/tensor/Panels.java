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
            if (!rowsStored) {
                // Each k is a stored row: contiguous copies of `rows` values.
                for (int k = 0; k < kc; k++) {
                    int src = off + (k0 + k) * ld + row0, dst = base + k * W;
                    System.arraycopy(m, src, out, dst, rows);
                    for (int r = rows; r < W; r++) out[dst + r] = 0f;
                }
            } else {
                for (int r = 0; r < W; r++) {
                    if (r < rows) {
                        int src = off + (row0 + r) * ld + k0;
                        for (int k = 0; k < kc; k++) out[base + k * W + r] = m[src + k];
                    } else {
                        for (int k = 0; k < kc; k++) out[base + k * W + r] = 0f;
                    }
                }
            }
        }
    }
}
