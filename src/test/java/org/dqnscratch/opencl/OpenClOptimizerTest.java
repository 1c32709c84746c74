package org.dqnscratch.opencl;

import java.util.Random;
import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.optim.Adam;
import org.dqnscratch.optim.GradClip;
import org.dqnscratch.optim.Sgd;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Optimizers and clipping on the device, beyond the kernel-by-kernel parity test. */
class OpenClOptimizerTest {
    /** One flat parameter vector, to drive an optimizer on a bare buffer. */
    record Vector(int n) implements Module {
        @Override public Tensor forward(Graph g, Tensor x) { return x; }
        @Override public void declare(Parameters.Builder p, String prefix) { p.bias(prefix + "p", 1, 1, n); }
    }

    /** One Adam step at step count {@code t} from random parameters, gradients and moments. */
    static float[] stepAt(Backend b, int t, long seed) {
        int n = 257;
        Random r = new Random(seed);
        float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian() * 0.01f;
            g[i] = (float) r.nextGaussian();
            m[i] = (float) r.nextGaussian();
            v[i] = (float) Math.abs(r.nextGaussian());
        }
        Parameters params = Parameters.allocate(b, new Vector(n));
        b.upload(params.values, p, 0);
        b.upload(params.grads, g, 0);
        Adam adam = new Adam(params, 1e-2f);
        b.upload(adam.moments().get("exp_avg"), m, 0);
        b.upload(adam.moments().get("exp_avg_sq"), v, 0);
        adam.resumeAt(t - 1);
        adam.step();
        return b.toArray(params.values);
    }

    /**
     * Adam on the device takes the CPU's step: the same bias corrections (computed once per step on
     * the host), so the parameters agree to float rounding at any step count, not only within the
     * parity test's 1e-4. The first steps are where a correction computed in float on the device
     * (1 - beta2^t with beta2^t close to 1) was off by ~1e-5 relative.
     */
    @Test
    void adamTakesTheHostsStepAtEveryStepCount() {
        Backend cl = OpenClSupport.backend(), cpu = new CpuBackend();
        for (int t : new int[] {1, 2, 3, 5, 10, 100, 1_000, 100_000}) {
            float[] want = stepAt(cpu, t, t), got = stepAt(cl, t, t);
            for (int i = 0; i < want.length; i++) {
                // a few float roundings (sqrt, division, a fused multiply-add) apart, no more
                if (!(Math.abs(want[i] - got[i]) <= 1e-6 * Math.abs(want[i]) + 1e-9)) {
                    throw new AssertionError("step " + t + " at " + i + ": host " + want[i] + " vs device " + got[i]);
                }
            }
        }
    }

    /** One clipping object serves optimizers on two backends: its scratch sum lives on the right one each time. */
    @Test
    void oneNormClipServesTheCpuAndTheDevice() {
        GradClip clip = GradClip.byNorm(0.5f);
        float[] cpu = clippedStep(new CpuBackend(), clip), device = clippedStep(OpenClSupport.backend(), clip);
        float[] again = clippedStep(new CpuBackend(), clip);
        OpenClParityTest.close("parameters after a clipped step", cpu, device);
        OpenClParityTest.close("the CPU again", cpu, again);
    }

    static float[] clippedStep(Backend b, GradClip clip) {
        Parameters params = Parameters.allocate(b, new Vector(33));
        float[] g = new float[33];
        for (int i = 0; i < g.length; i++) g[i] = i - 16;
        b.upload(params.grads, g, 0);
        new Sgd(params, 0.1f, 0f, false).withClip(clip).step();
        return b.toArray(params.values);
    }
}
