package org.dqnscratch.rl;

import org.dqnscratch.env.Rng;
import java.util.ArrayList;
import java.util.List;
import org.dqnscratch.check.Case;
import org.dqnscratch.check.FusionCases;
import org.dqnscratch.check.ParityCases;
import org.dqnscratch.check.Runner;
import org.dqnscratch.check.UpdateCases;
import org.dqnscratch.env.atari.AtariEnv;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;

/**
 * What {@code OclgrindTest} runs in a JVM of its own under Oclgrind (the simulator must be the
 * only OpenCL platform from the process's start, so a child process): every kernel at least once,
 * at the shapes where a GPU's scheduling shows what PoCL hides.
 *
 * <ul>
 *   <li>{@code parity}: every op against its Java twin on random odd shapes (partial tiles, sizes that
 *       are not multiples of the work-group, split K). Not the finite-difference gradient checks: they test
 *       the math, which PoCL already does, and make thousands of launches that take Oclgrind hours.
 *   <li>{@code fusion}: the fused bias + ReLU kernels against the unfused ones (not at batch 32);
 *   <li>{@code updates}: the whole-update cases (MLP, small CNN);
 *   <li>{@code nature}: the training path of Pong's default preset with the replay on the device, at the
 *       Nature CNN's geometry ({@link #natureUpdate}).
 * </ul>
 * Prints {@code N passed, N failed} and exits 1 if any case failed.
 */
public final class OclgrindWorkload {
    private OclgrindWorkload() {}

    public static void main(String[] args) {
        List<Case> cases = new ArrayList<>();
        boolean all = args.length == 0;
        for (String part : all ? new String[] {"parity", "fusion", "updates", "nature"} : args) {
            switch (part) {
                case "parity" -> {
                    for (Case c : ParityCases.all()) if (!c.group().startsWith("parity nature-cnn")) cases.add(c);
                }
                case "fusion" -> { // batch 32 and the Nature CNN: minutes each here; the nature part covers the latter
                    for (Case c : FusionCases.all()) if (!c.name().contains("N=32") && !c.name().contains("nature")) cases.add(c);
                }
                case "updates" -> cases.addAll(UpdateCases.all());
                case "nature" -> cases.add(natureUpdate(true)); // the host replay's path differs only by scale_u8, in parity
                default -> throw new IllegalArgumentException("unknown part " + part + " (parity, fusion, updates, nature)");
            }
        }
        int failed;
        try (OpenClBackend cl = OpenClBackend.create("opencl")) {
            System.out.println("oclgrind workload on " + cl.name() + ", tuning " + cl.tuning());
            failed = Runner.run(cases, cl, System.out, true);
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /**
     * Two gradient steps of Pong's default preset (Adam, Huber, norm clipping, 3-step returns, Double
     * DQN as the preset says) through the training path, at batch 2 over a replay of random 4x84x84
     * frames, on the device and on the CPU: the same parameters. The network has the Nature CNN's
     * geometry (84x84 frames, 8x8/4, 4/2, 3/1, a hidden layer) with narrow layers (8, 8, 8 channels,
     * 32 hidden): under Oclgrind, which interprets about a million instructions a second, the real
     * widths make one update take over ten minutes (a 3136 x 512 product alone took 175 s at
     * the H100's tile, batch 1 padded to its 64 rows).
     */
    static Case natureUpdate(boolean replayOnDevice) {
        String name = "nature geometry, narrow, b2 pong-default" + (replayOnDevice ? " replay-on-device" : "");
        return new Case("dqn-update nature-cnn", name, (device, c) ->
                c.close("parameters", twoSteps(new CpuBackend(), false), twoSteps(device, replayOnDevice), ParityCases.TOL, ParityCases.EPS));
    }

    private static float[] twoSteps(Backend b, boolean replayOnDevice) {
        DqnConfig cfg = Presets.get("pong", "default").config();
        cfg.bufferSize = 200;
        cfg.batchSize = 2;
        cfg.replayOnDevice = replayOnDevice;
        EnvSpec spec = new EnvSpec(null, false, AtariEnv.Options.defaults("pong"), null);
        TrainingBatch batch = new TrainingBatch(b, spec, cfg, OpenClUpdateTrafficTest.STACK * OpenClUpdateTrafficTest.FRAME);
        OpenClUpdateTrafficTest.fill(batch, 150);
        Module online = Networks.natureCnn(4, 6, false, 8, 8, 8, 32), target = Networks.natureCnn(4, 6, false, 8, 8, 8, 32);
        Parameters po = Parameters.allocate(b, online), pt = Parameters.allocate(b, target);
        Init.parse(cfg.init).apply(po, 1);
        pt.updateFrom(po, 1f);
        DqnUpdate update = new DqnUpdate(online, po, target, pt, cfg.optimizerFor(po), cfg.lossFunction(), 1f, cfg.doubleDqn);
        batch.train(update, new Rng(3), 2);
        return b.toArray(po.values);
    }
}
