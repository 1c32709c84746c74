package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dqnscratch.nn.Distributional;
import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.Support;
import org.dqnscratch.optim.Adam;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link DqnUpdate#meanQ} (CleanRL's losses/q_values) is the mean over the batch of Q(s, a) computed
 * by the online network before the step's optimizer step, with or without the TD errors read,
 * for a Q-network and for a distributional one (the expected values); it changes only when a
 * step reads its loss. The OpenCL twin is held to the CPU's by UpdateCases.
 */
class DqnUpdateMeanQTest {
    private static final int N = 7, OBS = 5, A = 3;

    @ParameterizedTest(name = "distributional={0}, tdErrors={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void isTheBatchMeanOfQsaBeforeTheStep(boolean distributional, boolean readTdErrors) {
        CpuBackend b = new CpuBackend();
        Module online = distributional ? Networks.mlp(OBS, new int[] {16}, A, true, new Support(9, -3f, 4f)) : Networks.mlp(OBS, new int[] {16}, A, true, (Support) null);
        Module target = distributional ? Networks.mlp(OBS, new int[] {16}, A, true, new Support(9, -3f, 4f)) : Networks.mlp(OBS, new int[] {16}, A, true, (Support) null);
        Parameters po = Parameters.allocate(b, online), pt = Parameters.allocate(b, target);
        Init.TORCH_DEFAULT.apply(po, 5);
        pt.updateFrom(po, 1f);
        DqnUpdate u = distributional
                ? DqnUpdate.categorical((Distributional) online, po, (Distributional) target, pt, new Adam(po, 1e-2f), null, 0.9f, true)
                : new DqnUpdate(online, po, target, pt, new Adam(po, 1e-2f), Loss.mse(), 0.9f, true);
        assertTrue(Float.isNaN(u.meanQ()), "NaN before any read");

        Random r = new Random(3);
        float before = Float.NaN;
        for (int t = 0; t < 4; t++) {
            float[] s = new float[N * OBS], s2 = new float[N * OBS], a = new float[N], rew = new float[N], term = new float[N];
            for (int i = 0; i < s.length; i++) { s[i] = r.nextFloat() * 2 - 1; s2[i] = r.nextFloat() * 2 - 1; }
            for (int i = 0; i < N; i++) { a[i] = r.nextInt(A); rew[i] = r.nextFloat(); term[i] = r.nextInt(3) == 0 ? 1 : 0; }
            // Q(s, a) by a plain forward pass of the network as it is before this step
            float[] q = b.toArray(online.forward(Graph.inference(b), b.fromArray(s, N, OBS)));
            double want = 0;
            for (int i = 0; i < N; i++) want += q[i * A + (int) a[i]];
            want /= N;

            boolean read = t != 2; // step 2 does not read its loss: the value stays the one read before
            u.step(b.fromArray(s, N, OBS), b.fromArray(a, N), b.fromArray(rew, N), b.fromArray(term, N), b.fromArray(s2, N, OBS),
                    read, readTdErrors ? new float[N] : null);
            if (read) {
                assertEquals(want, u.meanQ(), 1e-5 + 1e-5 * Math.abs(want), "step " + t);
                before = u.meanQ();
            } else {
                assertEquals(before, u.meanQ(), "step " + t + " read no loss");
            }
        }
    }
}
