package org.dqnscratch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Weighted losses, worked by hand: mean(w * l) and its gradient; weights of 1 are the plain loss, bit for bit. */
class WeightedLossTest {
    private final Backend b = new CpuBackend();

    private float[] lossAndGrad(Loss loss, float[] pred, float[] target, float[] grad) {
        Tensor p = b.fromArray(pred, pred.length);
        p.grad = b.zeros(pred.length);
        Graph g = Graph.training(b);
        Tensor l = loss.forward(g, p, b.fromArray(target, target.length));
        g.backward(l);
        System.arraycopy(b.toArray(p.grad), 0, grad, 0, grad.length);
        return b.toArray(l);
    }

    @Test
    void knownCases() {
        float[] pred = {1f, 2f, -0.5f}, target = {0f, 0f, 0f}, w = {0.5f, 1f, 0.2f}, grad = new float[3];
        Tensor wt = b.fromArray(w, 3);
        // mse: (0.5*1 + 1*4 + 0.2*0.25) / 3; d/dp = 2 w (p - t) / 3
        assertEquals((0.5f + 4f + 0.05f) / 3, lossAndGrad(Loss.mse().weightedBy(wt), pred, target, grad)[0], 1e-6f);
        assertArrayEquals(new float[] {2 * 0.5f * 1 / 3f, 2 * 1f * 2 / 3f, 2 * 0.2f * -0.5f / 3f}, grad, 1e-6f);
        // huber (beta 1): l = 0.5, 1.5, 0.125; d/dp = w * clamp(d, -1, 1) / 3
        assertEquals((0.5f * 0.5f + 1.5f + 0.2f * 0.125f) / 3, lossAndGrad(Loss.smoothL1(1f).weightedBy(wt), pred, target, grad)[0], 1e-6f);
        assertArrayEquals(new float[] {0.5f / 3, 1f / 3, 0.2f * -0.5f / 3}, grad, 1e-6f);
    }

    @Test
    void weightsOfOneAreThePlainLoss() {
        float[] pred = {0.3f, -1.7f, 2.2f, 0.01f}, target = {1.1f, -0.2f, 2.9f, -3f}, ones = {1f, 1f, 1f, 1f};
        float[] g1 = new float[4], g2 = new float[4];
        for (Loss plain : new Loss[] {Loss.mse(), Loss.smoothL1(1f), Loss.smoothL1(0.5f)}) {
            assertArrayEquals(lossAndGrad(plain, pred, target, g1), lossAndGrad(plain.weightedBy(b.fromArray(ones, 4)), pred, target, g2), plain.name());
            assertArrayEquals(g1, g2, plain.name());
        }
    }

    @Test
    void weightsOfAnotherSizeAreRefused() {
        Tensor p = b.fromArray(new float[3], 3);
        assertThrows(IllegalArgumentException.class, () -> Loss.mse().weightedBy(b.zeros(2)).forward(Graph.training(b), p, b.zeros(3)));
    }
}
