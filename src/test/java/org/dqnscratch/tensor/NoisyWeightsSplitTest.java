package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A noisy layer's effective weights and their gradients, rows split across the worker pool when the layer is
 * big (a Nature-CNN stream: 512 x 3136), give the floats of the plain per-element formulas: W = mu + sigma *
 * (epsOut[o] * epsIn[i]), the bias mu + sigma * epsOut[o]; dmu += dW, dsigma += dW * eps.
 */
class NoisyWeightsSplitTest {
    @Test
    void bigLayersSplitAcrossThePoolGiveThePlainFormulasBits() {
        int before = WorkerPool.shared().threads();
        WorkerPool.configure(3);
        try {
            CpuBackend b = new CpuBackend();
            Random r = new Random(3);
            for (int[] shape : new int[][] {{512, 3136}, {307, 301}, {5, 7}}) {
                int OC = shape[0], C = shape[1];
                assertTrue(OC * C < CpuElementwise.PARALLEL_MIN || WorkerPool.shared().threads() > 1);
                for (boolean bias : new boolean[] {false, true}) {
                    int n = bias ? OC : OC * C;
                    float[] mu = rand(r, n), sigma = rand(r, n), ei = rand(r, C), eo = rand(r, OC), dw = rand(r, n);
                    float[] dmu = rand(r, n), dsigma = rand(r, n);
                    float[] wWant = new float[n], dmuWant = dmu.clone(), dsigmaWant = dsigma.clone();
                    for (int o = 0; o < OC; o++) {
                        for (int i = 0; i < (bias ? 1 : C); i++) {
                            int k = bias ? o : o * C + i;
                            float eps = bias ? eo[o] : eo[o] * ei[i];
                            wWant[k] = mu[k] + sigma[k] * eps;
                            dmuWant[k] += dw[k];
                            dsigmaWant[k] += dw[k] * eps;
                        }
                    }
                    Tensor w = b.zeros(n), tMu = b.fromArray(mu, n), tSigma = b.fromArray(sigma, n), tIn = bias ? null : b.fromArray(ei, C);
                    Tensor tOut = b.fromArray(eo, OC), tDw = b.fromArray(dw, n), tDmu = b.fromArray(dmu, n), tDsigma = b.fromArray(dsigma, n);
                    b.noisy_weights_forward(w, tMu, tSigma, tIn, tOut, OC, bias ? 1 : C);
                    b.noisy_weights_backward(tDmu, tDsigma, tDw, tIn, tOut, OC, bias ? 1 : C);
                    String what = OC + "x" + C + (bias ? " bias" : " weights");
                    assertArrayEquals(wWant, b.toArray(w), what);
                    assertArrayEquals(dmuWant, b.toArray(tDmu), what + " dmu");
                    assertArrayEquals(dsigmaWant, b.toArray(tDsigma), what + " dsigma");
                }
            }
        } finally {
            WorkerPool.configure(before);
        }
    }

    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
