package org.dqnscratch.rl;

import java.util.Locale;
import org.dqnscratch.env.Env;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * The replay and the minibatch: host arrays filled by the replay, uploaded once per gradient step.
 * Pixel observations go to a {@link PixelReplay} (uint8 frames, n-step returns, one stream per
 * environment); flat ones to a {@link ReplayBuffer}.
 */
final class TrainingBatch {
    final boolean perSampleDiscount;
    final ReplayBuffer flat;
    final PixelReplay pixels;
    final int nStep;
    final double gamma;
    final float[] s, a, r, term, s2;
    /** Gradient steps owed: a fractional --gradient-steps adds up until a whole step is due. */
    double credit;
    final Tensor ts, ta, tr, tterm, ts2;

    TrainingBatch(Backend backend, EnvSpec spec, DqnConfig cfg, int obsSize) {
        int B = cfg.batchSize;
        nStep = cfg.nStep;
        gamma = cfg.gamma;
        if (spec.pixels()) {
            int stack = spec.atari().stack(), frame = obsSize / stack;
            long need = PixelReplay.bytesNeeded(cfg.bufferSize, stack, frame, cfg.envs);
            long have = Runtime.getRuntime().maxMemory();
            if (need > have - (1L << 30)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "--buffer-size %d needs %.1f GB of replay memory; this JVM's heap is %.1f GB: give it -Xmx%dg or use a smaller --buffer-size",
                        cfg.bufferSize, need / 1e9, have / 1e9, (need + (2L << 30)) / (1L << 30) + 1));
            }
            pixels = new PixelReplay(cfg.bufferSize, stack, frame, cfg.envs);
            flat = null;
            perSampleDiscount = true;
        } else {
            flat = new ReplayBuffer(cfg.bufferSize, obsSize);
            pixels = null;
            perSampleDiscount = false;
        }
        s = new float[B * obsSize];
        s2 = new float[B * obsSize];
        a = new float[B];
        r = new float[B];
        term = new float[B];
        int[] shape = spec.pixels() ? new int[] {B, spec.atari().stack(), 84, 84} : new int[] {B, obsSize};
        ts = backend.zeros(shape);
        ts2 = backend.zeros(shape);
        ta = backend.zeros(B);
        tr = backend.zeros(B);
        tterm = backend.zeros(B);
    }

    void add(int stream, float[] obs, int action, float reward, Env.Step st) {
        if (pixels != null) pixels.add(stream, obs, action, reward, st.observation(), st.terminated(), st.truncated());
        else flat.add(obs, action, reward, st.observation(), st.terminated());
    }

    /** One training round of {@code gradientSteps} (possibly fractional) gradient steps; returns the new loss, or {@code lastLoss} if none was due. */
    double learn(DqnUpdate update, Rng rng, double gradientSteps, double lastLoss) {
        credit += gradientSteps;
        int k = (int) credit;
        credit -= k;
        return k > 0 ? train(update, rng, k) : lastLoss;
    }

    /** {@code steps} gradient steps on minibatches sampled uniformly; returns the last step's loss. */
    double train(DqnUpdate update, Rng rng, int steps) {
        Backend b = update.onlineParams.backend;
        float loss = Float.NaN;
        if (pixels != null && pixels.sampleable(nStep) == 0) return Double.NaN; // no complete n-step window yet
        for (int i = 0; i < steps; i++) {
            if (pixels != null) {
                pixels.sample(rng, a.length, nStep, gamma, s, a, r, term, s2);
                for (int j = 0; j < term.length; j++) term[j] = 1f - term[j]; // discount -> mask, see run()
            } else {
                flat.sample(rng, a.length, s, a, r, term, s2);
            }
            b.upload(ts, s, 0);
            b.upload(ta, a, 0);
            b.upload(tr, r, 0);
            b.upload(tterm, term, 0);
            b.upload(ts2, s2, 0);
            loss = update.step(ts, ta, tr, tterm, ts2, i == steps - 1);
        }
        if (!Float.isFinite(loss)) {
            throw new IllegalStateException("the TD loss became " + loss + " (diverged): try a lower --lr or gradient clipping (--clip-norm)");
        }
        return loss;
    }
}
