package org.dqnscratch.optim;

import static org.dqnscratch.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Linear;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Hand-computed cases for what the golden file does not cover. */
class OptimizerKnownCasesTest {
    final Backend b = new CpuBackend();

    record Vec(int n) implements Module {
        @Override public Tensor forward(Graph g, Tensor x) { return x; }
        @Override public void declare(Parameters.Builder p, String prefix) { p.bias("p", 1, 1, n); }
    }

    Parameters params(float... values) {
        Parameters p = Parameters.allocate(b, new Vec(values.length));
        b.upload(p.values, values, 0);
        return p;
    }

    @Test
    void natureRmsPropPutsEpsInsideTheRoot() {
        // centered, alpha .95, eps .01 inside: sq = .05 g^2, gavg = .05 g, var = .05 g^2 - .0025 g^2 = .0475 g^2
        Parameters p = params(1f);
        b.upload(p.grads, new float[] {2f}, 0);
        RmsProp.nature(p, 0.1f).step();
        double expected = 1 - 0.1 * 2 / Math.sqrt(0.0475 * 4 + 0.01);
        assertClose("p", new double[] {expected}, b.toArray(p.values), 1e-6, 1e-6);
    }

    @Test
    void sgdWithoutMomentumIsPlainGradientDescent() {
        Parameters p = params(1f, -2f);
        b.upload(p.grads, new float[] {0.5f, -1f}, 0);
        new Sgd(p, 0.1f, 0f, false).step();
        assertClose("p", new float[] {0.95f, -1.9f}, b.toArray(p.values), 1e-7, 0);
    }

    @Test
    void nesterovMomentumLooksAhead() {
        Parameters p = params(0f);
        Sgd sgd = new Sgd(p, 1f, 0.5f, true);
        b.upload(p.grads, new float[] {1f}, 0);
        sgd.step(); // buf = 1, d = 1 + .5 * 1 = 1.5
        sgd.step(); // buf = .5 + 1 = 1.5, d = 1 + .75 = 1.75
        assertClose("p", new float[] {-3.25f}, b.toArray(p.values), 1e-6, 0);
    }

    @Test
    void polyakAndHardTargetUpdates() {
        Parameters online = params(1f, 2f), target = params(0f, 0f);
        target.updateFrom(online, 0.25f);
        assertClose("polyak", new float[] {0.25f, 0.5f}, b.toArray(target.values), 1e-7, 0);
        target.updateFrom(online, 1f);
        assertClose("hard", new float[] {1f, 2f}, b.toArray(target.values), 0, 0);
    }

    @Test
    void clippingByNormLeavesSmallGradientsAlone() {
        Parameters p = params(0f, 0f);
        b.upload(p.grads, new float[] {0.3f, 0.4f}, 0); // norm .5
        GradClip.byNorm(1f).apply(p);
        assertClose("g", new float[] {0.3f, 0.4f}, b.toArray(p.grads), 0, 0);
        b.upload(p.grads, new float[] {3f, 4f}, 0); // norm 5 -> scaled to 1
        GradClip.byNorm(1f).apply(p);
        assertClose("g", new float[] {0.6f, 0.8f}, b.toArray(p.grads), 1e-6, 1e-6);
    }

    @Test
    void badHyperparametersAreRejected() {
        Parameters p = params(0f);
        assertThrows(IllegalArgumentException.class, () -> new Adam(p, 0f));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(p, 0.1f, 1f, false));
        assertThrows(IllegalArgumentException.class, () -> GradClip.byNorm(-1f));
    }

    @Test
    void initialisersAreSeededAndBounded() {
        Linear lin = new Linear(50, 40);
        Parameters a = Parameters.allocate(b, lin), c = Parameters.allocate(b, new Linear(50, 40));
        Init.TORCH_DEFAULT.apply(a, 7);
        Init.TORCH_DEFAULT.apply(c, 7);
        assertClose("same seed", b.toArray(a.values), b.toArray(c.values), 0, 0);
        Init.TORCH_DEFAULT.apply(c, 8);
        assertNotEquals(b.toArray(a.values)[0], b.toArray(c.values)[0]);
        for (Init init : Init.values()) {
            init.apply(a, 3);
            float[] w = b.toArray(a.get("weight").value()), bias = b.toArray(a.get("bias").value());
            double bound = switch (init) {
                case TORCH_DEFAULT -> 1 / Math.sqrt(50);
                case HE_UNIFORM -> Math.sqrt(6.0 / 50);
                case GLOROT_UNIFORM -> Math.sqrt(6.0 / 90);
            };
            double max = 0;
            for (float v : w) max = Math.max(max, Math.abs(v));
            assertTrue(max <= bound && max > 0.9 * bound, init + " max |w| " + max + " vs bound " + bound);
            if (init != Init.TORCH_DEFAULT) assertEquals(0f, bias[0]);
        }
    }
}
