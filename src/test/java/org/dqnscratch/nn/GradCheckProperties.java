package org.dqnscratch.nn;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.dqnscratch.check.Check;
import org.dqnscratch.check.GradCheckCases;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;

/**
 * Finite-difference gradient checks of every op over random shapes (batch 1, odd sizes,
 * stride/padding combinations). The checks themselves are {@link GradCheckCases}, which the
 * {@code check} command runs on a few fixed shapes.
 */
class GradCheckProperties {
    final Backend b = new CpuBackend();

    /** With {@code relu}: the layer and the ReLU that Sequential fuses with it, on values that keep the kink out of the steps' reach. */
    @Property(tries = 60)
    void linear(@ForAll @IntRange(min = 1, max = 6) int N, @ForAll @IntRange(min = 1, max = 9) int C,
                @ForAll @IntRange(min = 1, max = 7) int OC, @ForAll boolean relu, @ForAll long seed) {
        Check c = new Check();
        if (relu) GradCheckCases.linearRelu(b, c, N, C, OC, seed);
        else GradCheckCases.linear(b, c, N, C, OC, seed);
        c.orThrow();
    }

    @Property(tries = 60)
    void conv2d(@ForAll @IntRange(min = 1, max = 2) int N, @ForAll @IntRange(min = 1, max = 3) int C,
                @ForAll @IntRange(min = 1, max = 9) int H, @ForAll @IntRange(min = 1, max = 9) int W,
                @ForAll @IntRange(min = 1, max = 4) int OC, @ForAll @IntRange(min = 1, max = 4) int K,
                @ForAll @IntRange(min = 1, max = 3) int stride, @ForAll @IntRange(min = 0, max = 2) int pad,
                @ForAll boolean relu, @ForAll long seed) {
        Assume.that(H + 2 * pad >= K && W + 2 * pad >= K);
        Check c = new Check();
        if (relu) GradCheckCases.conv2dRelu(b, c, N, C, H, W, OC, K, stride, pad, seed);
        else GradCheckCases.conv2d(b, c, N, C, H, W, OC, K, stride, pad, seed);
        c.orThrow();
    }

    @Property(tries = 30)
    void relu(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed) {
        Check c = new Check();
        GradCheckCases.relu(b, c, n, seed);
        c.orThrow();
    }

    @Property(tries = 30)
    void gatherAndMax(@ForAll @IntRange(min = 1, max = 7) int N, @ForAll @IntRange(min = 1, max = 6) int A, @ForAll long seed) {
        Check c = new Check();
        GradCheckCases.gatherAndMax(b, c, N, A, seed);
        c.orThrow();
    }

    @Property(tries = 30)
    void duelingHead(@ForAll @IntRange(min = 1, max = 5) int N, @ForAll @IntRange(min = 1, max = 8) int C,
                     @ForAll @IntRange(min = 1, max = 6) int A, @ForAll long seed) {
        Check c = new Check();
        GradCheckCases.duelingHead(b, c, N, C, A, seed);
        c.orThrow();
    }

    @Property(tries = 30)
    void losses(@ForAll @IntRange(min = 1, max = 33) int N, @ForAll long seed) {
        Check c = new Check();
        GradCheckCases.losses(b, c, N, seed);
        c.orThrow();
    }

    /** C51: atoms per action (dueling per atom or not), log-softmax, the cross-entropy (weighted or not). */
    @Property(tries = 30)
    void categoricalHeadAndLoss(@ForAll @IntRange(min = 1, max = 5) int N, @ForAll @IntRange(min = 1, max = 6) int C,
                                @ForAll @IntRange(min = 1, max = 4) int A, @ForAll @IntRange(min = 2, max = 11) int K,
                                @ForAll boolean dueling, @ForAll boolean weighted, @ForAll long seed) {
        Check c = new Check();
        GradCheckCases.categorical(b, c, N, C, A, K, dueling, weighted, seed);
        c.orThrow();
    }

    /** The tape's plumbing: conv, flatten (a view), linear and a two-branch head in one graph. */
    @Property(tries = 15)
    void convFlattenLinearDuelingNetwork(@ForAll @IntRange(min = 1, max = 3) int N, @ForAll long seed) {
        Check c = new Check();
        GradCheckCases.convFlattenLinearDueling(b, c, N, seed);
        c.orThrow();
    }

    @Property(tries = 40)
    void noisyLinear(@ForAll @IntRange(min = 1, max = 6) int N, @ForAll @IntRange(min = 1, max = 9) int C,
                     @ForAll @IntRange(min = 1, max = 7) int OC, @ForAll long seed) {
        Check c = new Check();
        GradCheckCases.noisyLinear(b, c, N, C, OC, seed);
        c.orThrow();
    }
}
