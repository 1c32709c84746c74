package org.dqnscratch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A {@link Graph#borrowing} graph's noisy layers read the effective weights of the source graph's
 * current pass (a Double-DQN update computes them once for s and s'), and compute their own as soon
 * as those may differ: a new noise draw, the source's reset or backward (after which an optimizer steps).
 */
class BorrowedNoisyWeightsTest {
    private final Backend b = new CpuBackend();
    private final NoisyLinear layer = new NoisyLinear(7, 5);
    private final Parameters params = Parameters.allocate(b, layer);
    private final Tensor x = b.zeros(3, 7);
    private final SplittableRandom rng = new SplittableRandom(4);

    BorrowedNoisyWeightsTest() {
        b.upload(x, randoms(3 * 7, 1), 0);
        Init.TORCH_DEFAULT.apply(params, 2);
        layer.resample(b, rng);
    }

    @Test
    void borrowedWeightsGiveTheBitsOfComputedOnes() {
        Graph train = Graph.training(b), next = Graph.borrowing(train);
        layer.forward(train, x);
        assertArrayEquals(fresh(), out(layer.forward(next, x)));
    }

    @Test
    void theSourcePassIsWhatIsBorrowedNotTheParametersOfNow() {
        Graph train = Graph.training(b), next = Graph.borrowing(train);
        float[] before = fresh();
        layer.forward(train, x);
        shiftMeans(); // no optimizer does this within a pass; here it shows where the weights come from
        float[] borrowed = out(layer.forward(next, x));
        assertArrayEquals(before, borrowed);
        assertFalse(Arrays.equals(before, fresh()), "the shift changes the output");
    }

    @Test
    void aNewPassOfTheSourceOrANewDrawEndsTheBorrowing() {
        Graph train = Graph.training(b), next = Graph.borrowing(train);
        Tensor y = layer.forward(train, x);
        train.backward(sum(train, y)); // ends the pass: an optimizer step may follow
        shiftMeans();
        assertArrayEquals(fresh(), out(layer.forward(next, x)));

        train.reset();
        layer.forward(train, x);
        layer.resample(b, rng);
        assertArrayEquals(fresh(), out(layer.forward(next, x)));

        layer.forward(train, x);
        train.reset();
        shiftMeans();
        assertArrayEquals(fresh(), out(layer.forward(next, x)));
    }

    @Test
    void onlyANoisyGraphLends() {
        assertThrows(IllegalArgumentException.class, () -> Graph.borrowing(Graph.evaluation(b)));
    }

    /** The layer's output computed by a plain inference graph: its own effective weights, from the parameters of now. */
    private float[] fresh() { return out(layer.forward(Graph.inference(b), x)); }

    private void shiftMeans() {
        Tensor mu = params.get("weight_mu").value();
        float[] v = out(mu);
        for (int i = 0; i < v.length; i++) v[i] += 0.25f;
        b.upload(mu, v, 0);
    }

    /** sum(y) through a 1 x N matrix product with ones, an op of the tape. */
    private Tensor sum(Graph g, Tensor y) {
        Linear ones = new Linear(y.size, 1);
        Parameters p = Parameters.allocate(b, ones);
        b.fill(p.values, 1f);
        return ones.forward(g, g.view(y, 1, y.size));
    }

    private float[] out(Tensor t) {
        float[] a = new float[t.size];
        b.download(a, 0, t);
        return a;
    }

    private static float[] randoms(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }
}
