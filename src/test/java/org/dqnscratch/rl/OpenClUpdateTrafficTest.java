package org.dqnscratch.rl;

import org.dqnscratch.env.Rng;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dqnscratch.env.Env;
import org.dqnscratch.env.atari.AtariEnv;
import org.dqnscratch.nn.Init;
import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.opencl.OpenClSupport;
import org.dqnscratch.opencl.Traffic;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * What one Nature-CNN gradient step of the training path (TrainingBatch.train: sample, upload,
 * DqnUpdate.step) asks of the OpenCL runtime: kernel launches, arguments set, transfers and
 * host-device synchronisations. The Pong default preset (Adam, Huber, gradient-norm clipping,
 * 3-step returns), batch 32 of 4x84x84 frames; the replay in host memory or on the device.
 */
class OpenClUpdateTrafficTest {
    static final int STACK = 4, FRAME = 84 * 84;

    /** A training batch over a replay of 150 random transitions, and the update it feeds. */
    record Learner(TrainingBatch batch, DqnUpdate update, QNetwork online) {
        static Learner create(Backend b, boolean replayOnDevice) { return create(b, replayOnDevice, false); }

        /** With {@code noisy}: --noisy's networks (fc.0, fc.2 noisy), their noise redrawn before every step as the loop does. */
        static Learner create(Backend b, boolean replayOnDevice, boolean noisy) {
            DqnConfig cfg = Presets.get("pong", "default").config();
            cfg.bufferSize = 200;
            cfg.replayOnDevice = replayOnDevice;
            EnvSpec spec = new EnvSpec(null, false, AtariEnv.Options.defaults("pong"), null);
            TrainingBatch batch = new TrainingBatch(b, spec, cfg, STACK * FRAME);
            fill(batch, 150);
            QNetwork online = QNetwork.create(b, spec, STACK * FRAME, 6, cfg.hidden, false, noisy), target = online.twin(b);
            Init.parse(cfg.init).apply(online.params(), 1);
            target.params().updateFrom(online.params(), 1f);
            DqnUpdate update = new DqnUpdate(online.module(), online.params(), target.module(), target.params(),
                    cfg.optimizerFor(online.params()), cfg.lossFunction(), 1f, cfg.doubleDqn);
            if (noisy) update.beforeEachStep(new NoisyExploration(b, online, target, 9)::beforeStep);
            return new Learner(batch, update, online);
        }
    }

    @Test
    void natureCnnUpdateOnTheTrainingPath() {
        OpenClBackend cl = OpenClSupport.backend();
        Learner l = Learner.create(cl, false);
        Rng rng = new Rng(3);
        l.batch().train(l.update(), rng, 2); // warm-up: buffers allocated, arguments bound

        Traffic before = cl.traffic();
        double loss = l.batch().train(l.update(), rng, 1);
        Traffic step = cl.traffic().since(before);
        System.out.println("one Nature-CNN update: " + step);
        // Before issue 10: 46 launches, 558 arguments set, 5 blocking uploads, the loss and the action-check flag read
        // back in 2 blocking reads. Now 52 launches on PoCL (a GEMM split over K adds one, the gradient norm's second
        // pass one, a convolution's input gradient two instead of one, the bytes' conversion one); how many K splits
        // depends on the device. With the ReLUs of conv1-3 and fc1 in their GEMMs' epilogue, 44 on PoCL: 8 fewer (4 per
        // forward pass, online and target), and 9 fills instead of 13 (no pre-activation gradients to zero).
        assertTrue(step.launches() <= 52, step.toString());
        assertEquals(2, step.argumentSets(), "only Adam's two step-dependent factors are set anew: " + step);
        assertEquals(3, step.writes(), "the two observations' bytes and the packed actions, rewards and masks: " + step);
        assertEquals(0, step.syncs(), "nothing waits for the device: " + step);
        assertTrue(Double.isFinite(loss), "the loss read at the first update comes back until the next read");

        l.batch().updates = TrainingBatch.LOSS_EVERY; // the next update logs its loss
        before = cl.traffic();
        l.batch().train(l.update(), rng, 1);
        step = cl.traffic().since(before);
        System.out.println("one Nature-CNN update, loss read back: " + step);
        // The loss (with the action check in the same wait), then the batch's Q(s, a) for losses/q_values: a second
        // round trip to a queue the first has drained, every 50th update (TrainingBatch.LOSS_EVERY).
        assertEquals(2, step.blockingReads(), "the loss, then Q(s, a): " + step);
        assertEquals(2, step.syncs(), step.toString());
    }

    /** --replay-on-device: a stored transition uploads its new frame, a gradient step one small packed write. */
    @Test
    void replayOnTheDevice() {
        OpenClBackend cl = OpenClSupport.backend();
        Learner l = Learner.create(cl, true);
        Rng rng = new Rng(3);
        l.batch().train(l.update(), rng, 2);

        Traffic before = cl.traffic();
        l.batch().train(l.update(), rng, 1);
        Traffic step = cl.traffic().since(before);
        System.out.println("one Nature-CNN update, replay on the device: " + step);
        assertEquals(1, step.writes(), "actions, rewards, masks and the stacks' frame slots in one write: " + step);
        assertEquals(0, step.syncs(), step.toString());

        before = cl.traffic();
        fill(l.batch(), 1);
        Traffic add = cl.traffic().since(before);
        assertEquals(STACK + 1, add.writes(), "a new episode's first observation and its next frame: " + add);
        assertEquals(0, add.syncs(), add.toString());
    }

    /** The replay's place changes what travels, not what the network sees: the same parameters after the same updates. */
    @Test
    void sameUpdatesWithTheReplayOnTheDevice() {
        for (Backend b : new Backend[] {new CpuBackend(), OpenClSupport.backend()}) {
            float[][] params = new float[2][];
            for (int k = 0; k < 2; k++) {
                Learner l = Learner.create(b, k == 1);
                l.batch().train(l.update(), new Rng(3), 3);
                params[k] = b.toArray(l.online().params().values);
            }
            assertArrayEquals(params[0], params[1], b.name());
        }
    }

    /** Random frames as one episode per call, so that every transition has a complete 3-step window. */
    static void fill(TrainingBatch batch, int steps) {
        Random r = new Random(5);
        float[] obs = frames(r, STACK * FRAME);
        for (int t = 0; t < steps; t++) {
            float[] next = new float[obs.length];
            System.arraycopy(obs, FRAME, next, 0, obs.length - FRAME);
            for (int p = obs.length - FRAME; p < obs.length; p++) next[p] = r.nextInt(256);
            batch.add(0, obs, r.nextInt(6), r.nextInt(3) - 1, new Env.Step(next, 0, false, t == steps - 1));
            obs = next;
        }
    }

    static float[] frames(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextInt(256);
        return x;
    }

    /** --noisy adds the effective weights' kernels and one upload of noise per network, nothing else. */
    @Test
    void noisyNatureCnnUpdate() {
        OpenClBackend cl = OpenClSupport.backend();
        Learner l = Learner.create(cl, false, true);
        Rng rng = new Rng(3);
        // Warm-up: 5 uploads a step go round the 16 staging slots, so after 16 steps every slot has held each
        // upload at its size (a slot's first buffer, or a larger one, is a counted wait: run alone, 2 steps left 4).
        l.batch().train(l.update(), rng, 16);
        l.batch().updates = TrainingBatch.LOSS_EVERY; // one more step, which reads its loss: the device is done with every slot
        l.batch().train(l.update(), rng, 1);
        Traffic before = cl.traffic();
        l.batch().train(l.update(), rng, 1);
        Traffic step = cl.traffic().since(before);
        System.out.println("one noisy Nature-CNN update: " + step);
        assertEquals(2, step.argumentSets(), "only Adam's two step-dependent factors are set anew: " + step);
        assertEquals(3 + 2, step.writes(), "the batch's three uploads and the noise of each network (fc.0 and fc.2 in one buffer): " + step);
        assertEquals(0, step.syncs(), "nothing waits for the device: " + step);
    }
}
