package org.dqnscratch.rl;

import java.util.Locale;
import org.dqnscratch.env.Env;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * The replay and the minibatch: host arrays filled by the replay, uploaded once per gradient step.
 * Pixel observations go to a {@link PixelReplay} (uint8 frames, n-step returns, one stream per
 * environment) and travel to the backend as bytes, turned into floats there (one launch for s and
 * s2); flat ones go to a {@link ReplayBuffer}. Actions, rewards and masks travel in one upload.
 */
final class TrainingBatch {
    /**
     * The loss is read back (a wait for the device on a GPU) every this many gradient steps; between
     * reads {@link #train} returns the last one read. The divergence check runs on each read.
     */
    static final int LOSS_EVERY = 50;

    final boolean perSampleDiscount;
    final ReplayBuffer flat;
    final PixelReplay pixels;
    final int nStep;
    final double gamma;
    /** Flat observations (null with pixels), or pixels as bytes (null without). */
    final float[] s, s2;
    final byte[] sBytes, s2Bytes;
    /** Actions, rewards and masks as sampled, and the three packed for one upload. */
    final float[] a, r, term, scalars;
    /** Gradient steps owed: a fractional --gradient-steps adds up until a whole step is due. */
    double credit;
    /** Gradient steps taken, for {@link #LOSS_EVERY}. */
    long updates;
    private float lossRead = Float.NaN;
    final Tensor ts, ta, tr, tterm, ts2, tscalars;
    /** With pixels: the bytes of s then s2 (one buffer, two views), and their floats, of which ts and ts2 are views. */
    final Tensor tpixels, tsBytes, ts2Bytes, tobs;

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
        a = new float[B];
        r = new float[B];
        term = new float[B];
        scalars = new float[3 * B];
        tscalars = backend.zeros(3 * B);
        ta = new Tensor(tscalars.storage, 0, B);
        tr = new Tensor(tscalars.storage, B, B);
        tterm = new Tensor(tscalars.storage, 2 * B, B);
        if (spec.pixels()) {
            int[] shape = {B, spec.atari().stack(), 84, 84};
            s = s2 = null;
            sBytes = new byte[B * obsSize];
            s2Bytes = new byte[B * obsSize];
            tpixels = backend.bytes(2 * B * obsSize);
            tsBytes = new Tensor(tpixels.storage, 0, B * obsSize);
            ts2Bytes = new Tensor(tpixels.storage, B * obsSize, B * obsSize);
            tobs = backend.zeros(2 * B * obsSize);
            ts = new Tensor(tobs.storage, 0, shape);
            ts2 = new Tensor(tobs.storage, B * obsSize, shape);
        } else {
            s = new float[B * obsSize];
            s2 = new float[B * obsSize];
            sBytes = s2Bytes = null;
            tpixels = tsBytes = ts2Bytes = tobs = null;
            ts = backend.zeros(B, obsSize);
            ts2 = backend.zeros(B, obsSize);
        }
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

    /**
     * {@code steps} gradient steps on minibatches sampled uniformly; returns the loss last read
     * back (see {@link #LOSS_EVERY}; NaN before the first step).
     */
    double train(DqnUpdate update, Rng rng, int steps) {
        Backend b = update.onlineParams.backend;
        if (pixels != null && pixels.sampleable(nStep) == 0) return Double.NaN; // no complete n-step window yet
        int B = a.length;
        for (int i = 0; i < steps; i++) {
            if (pixels != null) {
                pixels.sample(rng, B, nStep, gamma, sBytes, a, r, term, s2Bytes);
                for (int j = 0; j < term.length; j++) term[j] = 1f - term[j]; // discount -> mask, see run()
                b.uploadBytes(tsBytes, sBytes, 0);
                b.uploadBytes(ts2Bytes, s2Bytes, 0);
                b.scale_u8_forward(tobs, tpixels, 1f, tobs.size); // 0..255 as floats: the network scales them
            } else {
                flat.sample(rng, B, s, a, r, term, s2);
                b.upload(ts, s, 0);
                b.upload(ts2, s2, 0);
            }
            System.arraycopy(a, 0, scalars, 0, B);
            System.arraycopy(r, 0, scalars, B, B);
            System.arraycopy(term, 0, scalars, 2 * B, B);
            b.upload(tscalars, scalars, 0);
            boolean read = updates++ % LOSS_EVERY == 0;
            float loss = update.step(ts, ta, tr, tterm, ts2, read);
            if (!read) continue;
            lossRead = loss;
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException("the TD loss became " + loss + " (diverged): try a lower --lr or gradient clipping (--clip-norm)");
            }
        }
        return lossRead;
    }
}
