package org.dqnscratch.rl;

import org.dqnscratch.env.Rng;
import java.util.Locale;
import org.dqnscratch.env.Env;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * The replay and the minibatch: host arrays filled by the replay, uploaded once per gradient step.
 * Pixel observations go to a {@link PixelReplay} (uint8 frames, n-step returns, one stream per
 * environment) and travel to the backend as bytes, turned into floats there (one launch for s and
 * s2); with {@code --replay-on-device} the frames are mirrored in device memory as they are stored,
 * and a gradient step uploads only where its stacks' frames are. Flat observations go to a
 * {@link ReplayBuffer}. Actions, rewards and masks travel in one upload.
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
    /** Flat observations (null with pixels). */
    final float[] s, s2;
    /** Pixels sampled on the host, as bytes (null without pixels or with the frames on the device). */
    final byte[] sBytes, s2Bytes;
    /** With the frames on the device: the sampled stacks' frame slots (else null). */
    final int[] sSlots, s2Slots;
    /** Actions, rewards and masks as sampled, packed for one upload with (frames on the device) the slots as floats. */
    final float[] a, r, term, scalars;
    /** Gradient steps owed: a fractional --gradient-steps adds up until a whole step is due. */
    double credit;
    /** Gradient steps taken, for {@link #LOSS_EVERY}. */
    long updates;
    private float lossRead = Float.NaN;
    /** The mean Q(s, a) of the batch whose loss was read with lossRead (CleanRL's losses/q_values). */
    private float qRead = Float.NaN;
    /** Prioritized replay (--per; else null): the priorities, the sampled slots, their TD errors, and the importance-weight exponent now. */
    final Priorities priorities;
    final int[] perSlots;
    final float[] weights, tdErrors;
    double beta = 1;
    /** The importance weights on the backend, for the weighted loss (null without --per). */
    final Tensor tweights;
    final Tensor ts, ta, tr, tterm, ts2, tscalars;
    /**
     * With pixels: tpixels holds the bytes of s then s2, or every frame of the replay (on the device);
     * tobs their floats, of which ts and ts2 are views; tslots the packed slots (on the device; else null).
     */
    final Tensor tpixels, tobs, tslots;

    TrainingBatch(Backend backend, EnvSpec spec, DqnConfig cfg, int obsSize) {
        int B = cfg.batchSize;
        nStep = cfg.nStep;
        gamma = cfg.gamma;
        if (spec.pixels()) {
            int stack = spec.frameStack(), frame = obsSize / stack;
            long need = PixelReplay.bytesNeeded(cfg.bufferSize, stack, frame, cfg.envs);
            long have = Runtime.getRuntime().maxMemory();
            if (need > have - (1L << 30)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "--buffer-size %d needs %.1f GB of replay memory; this JVM's heap is %.1f GB: give it -Xmx%dg or use a smaller --buffer-size",
                        cfg.bufferSize, need / 1e9, have / 1e9, (need + (2L << 30)) / (1L << 30) + 1));
            }
            pixels = new PixelReplay(cfg.bufferSize, stack, frame, cfg.envs);
            if (cfg.per) pixels.prioritize(new Priorities(pixels.transitionSlots(), cfg.perAlpha, cfg.perEps), cfg.nStep);
            flat = null;
            perSampleDiscount = true;
        } else {
            flat = new ReplayBuffer(cfg.bufferSize, obsSize, cfg.per ? new Priorities(cfg.bufferSize, cfg.perAlpha, cfg.perEps) : null,
                    cfg.nStep, cfg.gamma);
            pixels = null;
            perSampleDiscount = cfg.nStep > 1; // the replay gives 1 - discount as term
        }
        priorities = !cfg.per ? null : flat != null ? flat.priorities : pixels.priorities();
        a = new float[B];
        r = new float[B];
        term = new float[B];
        int stack = spec.pixels() ? spec.frameStack() : 1, frame = obsSize / stack;
        boolean onDevice = cfg.replayOnDevice;
        if (onDevice && !spec.pixels()) throw new IllegalArgumentException("--replay-on-device is for Atari games' pixel replays");
        int slots = onDevice ? 2 * B * stack : 0, w = cfg.per ? B : 0;
        scalars = new float[3 * B + slots + w];
        tscalars = backend.zeros(3 * B + slots + w);
        tweights = cfg.per ? new Tensor(tscalars.storage, 3 * B + slots, B) : null;
        perSlots = cfg.per ? new int[B] : null;
        weights = cfg.per ? new float[B] : null;
        tdErrors = cfg.per ? new float[B] : null;
        ta = new Tensor(tscalars.storage, 0, B);
        tr = new Tensor(tscalars.storage, B, B);
        tterm = new Tensor(tscalars.storage, 2 * B, B);
        tslots = onDevice ? new Tensor(tscalars.storage, 3 * B, slots) : null;
        if (spec.pixels()) {
            int[] shape = {B, stack, 84, 84};
            s = s2 = null;
            boolean host = !onDevice;
            sBytes = host ? new byte[B * obsSize] : null;
            s2Bytes = host ? new byte[B * obsSize] : null;
            sSlots = onDevice ? new int[B * stack] : null;
            s2Slots = onDevice ? new int[B * stack] : null;
            tpixels = host ? backend.bytes(2 * B * obsSize) : backend.bytes(deviceFrameBytes(pixels, cfg.bufferSize));
            tobs = backend.zeros(2 * B * obsSize);
            ts = new Tensor(tobs.storage, 0, shape);
            ts2 = new Tensor(tobs.storage, B * obsSize, shape);
            if (onDevice) pixels.mirror((slot, bytes, offset) -> backend.uploadBytes(tpixels, (int) slot * frame, bytes, offset, frame));
        } else {
            s = new float[B * obsSize];
            s2 = new float[B * obsSize];
            sBytes = s2Bytes = null;
            sSlots = s2Slots = null;
            tpixels = tobs = null;
            ts = backend.zeros(B, obsSize);
            ts2 = backend.zeros(B, obsSize);
        }
    }

    /** The device copy of the replay's frames, in bytes: at most 2 GiB (one tensor), slots exact as floats. */
    private static int deviceFrameBytes(PixelReplay replay, long bufferSize) {
        long bytes = replay.frameSlots() * replay.frameSize;
        if (bytes > Integer.MAX_VALUE || replay.frameSlots() > (1 << 24)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--replay-on-device keeps at most 2 GiB of frames; --buffer-size %d "
                    + "needs %.1f GB: use a smaller --buffer-size, or keep the replay in host memory", bufferSize, bytes / 1e9));
        }
        return (int) bytes;
    }

    /** The replay a checkpoint saves: always the small flat one; the pixel one with --save-replay; else null. */
    Replay saved(boolean saveReplay) { return flat != null ? flat : saveReplay ? pixels : null; }

    /** A resumed run's position: gradient steps taken (they decide when the loss is read back), the loss and mean Q last read. */
    void resumeAt(long updatesTaken, double loss, double qValues) {
        updates = updatesTaken;
        lossRead = (float) loss;
        qRead = (float) qValues;
    }

    /** The mean Q(s, a) of the batch whose loss was last read back; NaN before the first. */
    double qValues() { return qRead; }

    void add(int stream, float[] obs, int action, float reward, Env.Step st) {
        if (pixels != null) pixels.add(stream, obs, action, reward, st.observation(), st.terminated(), st.truncated());
        else flat.add(obs, action, reward, st.observation(), st.terminated(), st.truncated());
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
        // Nothing to sample yet: no complete n-step window, or (--learning-starts 0) the first step's
        // training, which the loop queues before that step's transition is stored.
        if (pixels != null ? pixels.sampleable(nStep) == 0 : flat.size() == 0) return lossRead;
        int B = a.length;
        for (int i = 0; i < steps; i++) {
            if (tslots != null) { // frames on the device: where the stacks are, then the pixels gathered there
                if (priorities != null) pixels.samplePrioritized(rng, B, gamma, sSlots, a, r, term, s2Slots, perSlots, weights, beta);
                else pixels.sample(rng, B, nStep, gamma, sSlots, a, r, term, s2Slots);
                for (int j = 0; j < sSlots.length; j++) {
                    scalars[3 * B + j] = sSlots[j];
                    scalars[3 * B + sSlots.length + j] = s2Slots[j];
                }
            } else if (pixels != null) {
                if (priorities != null) pixels.samplePrioritized(rng, B, gamma, sBytes, a, r, term, s2Bytes, perSlots, weights, beta);
                else pixels.sample(rng, B, nStep, gamma, sBytes, a, r, term, s2Bytes);
                b.uploadBytes(tpixels, 0, sBytes, 0, sBytes.length);
                b.uploadBytes(tpixels, sBytes.length, s2Bytes, 0, s2Bytes.length);
                b.scale_u8_forward(tobs, tpixels, 1f, tobs.size); // 0..255 as floats: the network scales them
            } else {
                if (priorities != null) flat.samplePrioritized(rng, B, s, a, r, term, s2, perSlots, weights, beta);
                else flat.sample(rng, B, s, a, r, term, s2);
                b.upload(ts, s, 0);
                b.upload(ts2, s2, 0);
            }
            if (pixels != null) for (int j = 0; j < B; j++) term[j] = 1f - term[j]; // discount -> mask, see run()
            if (priorities != null) System.arraycopy(weights, 0, scalars, scalars.length - B, B);
            System.arraycopy(a, 0, scalars, 0, B);
            System.arraycopy(r, 0, scalars, B, B);
            System.arraycopy(term, 0, scalars, 2 * B, B);
            b.upload(tscalars, scalars, 0);
            if (tslots != null) b.gather_u8_forward(tobs, tpixels, tslots, tslots.size, pixels.frameSize);
            boolean read = updates++ % LOSS_EVERY == 0;
            float loss = update.step(ts, ta, tr, tterm, ts2, read, tdErrors);
            if (priorities != null) priorities.update(perSlots, tdErrors, B);
            if (!read) continue;
            lossRead = loss;
            qRead = update.meanQ();
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException("the TD loss became " + loss + " (diverged): try a lower --lr or gradient clipping (--clip-norm)");
            }
        }
        return lossRead;
    }
}
