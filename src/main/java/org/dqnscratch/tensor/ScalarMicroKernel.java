package org.dqnscratch.tensor;

/**
 * Plain-Java 4 x 16 micro-kernel for JVMs without the Vector API; C2 vectorises the inner
 * column loop.
 */
final class ScalarMicroKernel implements MicroKernel {
    static final int MR = 4, NR = 16;

    @Override public String name() { return "scalar-" + MR + "x" + NR; }
    @Override public int mr() { return MR; }
    @Override public int nr() { return NR; }

    @Override
    public void tile(int kc, float[] a, int aIdx, float[] b, int bIdx, float[] out) {
        java.util.Arrays.fill(out, 0, MR * NR, 0f);
        for (int k = 0; k < kc; k++) {
            int bk = bIdx + k * NR, ak = aIdx + k * MR;
            for (int r = 0; r < MR; r++) {
                float av = a[ak + r];
                int cr = r * NR;
                for (int j = 0; j < NR; j++) out[cr + j] += av * b[bk + j];
            }
        }
    }
}
