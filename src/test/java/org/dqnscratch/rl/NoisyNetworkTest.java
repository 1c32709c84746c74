package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dqnscratch.env.Rng;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.NoisyLinear;
import org.dqnscratch.nn.Param;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21: noisy networks as the loop builds, initialises, saves, evaluates and trains them. */
class NoisyNetworkTest {
    final Backend b = new CpuBackend();
    final EnvSpec cartPole = EnvSpec.of(new DqnConfig());

    QNetwork noisy(boolean dueling) { return QNetwork.create(b, cartPole, 4, 2, new int[] {8, 6}, dueling, true); }

    @Test
    void everyLayerOfTheMlpIsNoisyWithPyTorchNames() {
        List<String> names = noisy(true).params().list().stream().map(p -> p.name).toList();
        List<String> want = new java.util.ArrayList<>();
        for (String layer : new String[] {"0.", "2.", "4.value.", "4.advantage."}) {
            for (String p : new String[] {"weight_mu", "weight_sigma", "bias_mu", "bias_sigma"}) want.add(layer + p);
        }
        assertEquals(want, names);
    }

    /** On the Nature CNN the fully connected layers are noisy, as CleanRL's and Kaixhin's (the convolutions are not). */
    @Test
    void natureCnnHasNoisyFullyConnectedLayers() {
        org.dqnscratch.nn.Noise noise = new org.dqnscratch.nn.Noise();
        var m = org.dqnscratch.nn.Networks.natureCnn(4, 6, false, 32, 64, 64, 512, noise);
        List<String> names = org.dqnscratch.nn.Parameters.allocate(b, m).list().stream().map(p -> p.name).toList();
        assertEquals(List.of("conv.0.weight", "conv.0.bias", "conv.2.weight", "conv.2.bias", "conv.4.weight", "conv.4.bias",
                "fc.0.weight_mu", "fc.0.weight_sigma", "fc.0.bias_mu", "fc.0.bias_sigma",
                "fc.2.weight_mu", "fc.2.weight_sigma", "fc.2.bias_mu", "fc.2.bias_sigma"), names);
        assertEquals(2, noise.layers().size());
    }

    /** Fortunato et al.'s initialisation (CleanRL's and Kaixhin's reset_parameters) under every --init. */
    @Test
    void noisyLayersHaveTheirOwnInitialisationWhateverTheInitialiser() {
        for (String init : new String[] {"torch", "he_uniform", "glorot_uniform"}) {
            QNetwork net = noisy(false);
            Init.parse(init).apply(net.params(), 7);
            for (Param p : net.params().list()) {
                float[] v = b.toArray(p.value());
                int in = p.fanIn, out = p.fanOut;
                if (p.name.endsWith("weight_sigma")) for (float x : v) assertEquals((float) (0.5 / Math.sqrt(in)), x, 0f, p.name);
                else if (p.name.endsWith("bias_sigma")) for (float x : v) assertEquals((float) (0.5 / Math.sqrt(out)), x, 0f, p.name);
                else {
                    double bound = 1 / Math.sqrt(in), max = 0;
                    for (float x : v) max = Math.max(max, Math.abs(x));
                    assertTrue(max <= bound && max > bound / 4, p.name + " " + init + ": max |mu| " + max + ", bound " + bound);
                }
            }
        }
    }

    /** Acting adds the noise (w = mu + sigma * epsOut epsIn); evaluation uses the means and ignores it. */
    @Test
    void actingUsesTheNoiseEvaluationTheMeans() {
        QNetwork net = noisy(false), plain = QNetwork.create(b, cartPole, 4, 2, new int[] {8, 6}, false, false);
        Init.TORCH_DEFAULT.apply(net.params(), 3);
        net.noise().resample(b, new Rng(11));
        float[] obs = {0.1f, -0.4f, 0.03f, 0.7f};
        float[] acting = GreedyPolicy.of(net, b, 1).qValues(obs).clone();
        float[] evaluation = GreedyPolicy.evaluation(net, b, 1).qValues(obs).clone();

        // the plain network with the means: the evaluation, bit for bit
        copyInto(plain, net, false);
        assertArrayEquals(GreedyPolicy.of(plain, b, 1).qValues(obs), evaluation);
        // ... and with the effective weights computed here: the acting values
        copyInto(plain, net, true);
        assertArrayEquals(GreedyPolicy.of(plain, b, 1).qValues(obs), acting, 1e-6f);
        assertFalse(java.util.Arrays.equals(acting, evaluation), "the noise changes the Q values");

        // new noise: new acting values, the same evaluation
        net.noise().resample(b, new Rng(12));
        assertFalse(java.util.Arrays.equals(acting, GreedyPolicy.of(net, b, 1).qValues(obs)));
        assertArrayEquals(evaluation, GreedyPolicy.evaluation(net, b, 1).qValues(obs));
    }

    /** plain's layer k gets noisy's layer k: the means, or mu + sigma * (epsOut[o] * epsIn[i]) when {@code withNoise}. */
    private void copyInto(QNetwork plain, QNetwork noisy, boolean withNoise) {
        List<NoisyLinear> layers = noisy.noise().layers();
        for (int k = 0; k < layers.size(); k++) {
            String prefix = (2 * k) + ".";
            float[][] eps = layers.get(k).noise();
            float[] wm = b.toArray(noisy.params().get(prefix + "weight_mu").value()), ws = b.toArray(noisy.params().get(prefix + "weight_sigma").value());
            float[] bm = b.toArray(noisy.params().get(prefix + "bias_mu").value()), bs = b.toArray(noisy.params().get(prefix + "bias_sigma").value());
            int in = eps[0].length, out = eps[1].length;
            if (withNoise) {
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) wm[o * in + i] += ws[o * in + i] * (eps[1][o] * eps[0][i]);
                    bm[o] += bs[o] * eps[1][o];
                }
            }
            b.upload(plain.params().get(prefix + "weight").value(), wm, 0);
            b.upload(plain.params().get(prefix + "bias").value(), bm, 0);
        }
    }

    @Test
    void noiseIsTheScaledNormalsOfTheGenerator() {
        QNetwork net = noisy(false);
        net.noise().resample(b, new Rng(5));
        Rng again = new Rng(5);
        for (NoisyLinear l : net.noise().layers()) {
            float[][] eps = l.noise();
            for (float[] v : eps) {
                for (float x : v) {
                    float e = (float) again.nextGaussian();
                    assertEquals(Math.signum(e) * (float) Math.sqrt(Math.abs(e)), x, 0f);
                }
            }
        }
    }

    @Test
    void checkpointsSayNoisyAndLoadBack(@TempDir Path dir) throws Exception {
        QNetwork net = noisy(true);
        Init.TORCH_DEFAULT.apply(net.params(), 1);
        net.save(dir.resolve("n.safetensors"), Map.of());
        assertEquals("true", SafeTensors.read(dir.resolve("n.safetensors")).metadata().get("noisy"));
        QNetwork back = QNetwork.load(b, dir.resolve("n.safetensors"));
        assertTrue(back.noisy() && back.dueling());
        assertArrayEquals(b.toArray(net.params().values), b.toArray(back.params().values));
        // a plain network's checkpoint says nothing, as before issue 21
        QNetwork plain = QNetwork.create(b, cartPole, 4, 2, new int[] {8}, false, false);
        plain.save(dir.resolve("p.safetensors"), Map.of());
        assertFalse(SafeTensors.read(dir.resolve("p.safetensors")).metadata().containsKey("noisy"));
        assertFalse(QNetwork.load(b, dir.resolve("p.safetensors")).noisy());
    }

    static DqnConfig shortRun(long seed) {
        DqnConfig cfg = new DqnConfig();
        cfg.noisy = true;
        cfg.seed = seed;
        cfg.totalSteps = 2_500;
        cfg.learningStarts = 500;
        cfg.evalEvery = 1_000;
        cfg.evalEpisodes = 3;
        cfg.gif = false;
        cfg.tensorboard = false;
        return cfg;
    }

    /** Two runs of the same seed: the same episodes and losses; epsilon 0 throughout; evaluations deterministic. */
    @Test
    void aNoisyRunIsDeterministicGivenTheSeedAndUsesNoEpsilon(@TempDir Path dir) throws Exception {
        DqnTraining.Result r1 = DqnTraining.run(shortRun(4), "default", dir.resolve("a"), new DqnTrainingTest.Log(), () -> false);
        DqnTraining.Result r2 = DqnTraining.run(shortRun(4), "default", dir.resolve("b"), new DqnTrainingTest.Log(), () -> false);
        List<String> a = withoutSps(dir.resolve("a/metrics.csv")), c = withoutSps(dir.resolve("b/metrics.csv"));
        assertEquals(a, c);
        assertTrue(a.size() > 20, "episodes: " + a.size());
        for (String row : a.subList(1, a.size())) assertEquals(0.0, Double.parseDouble(row.split(",")[4]), row);
        assertArrayEquals(r1.evaluation().returns(), r2.evaluation().returns());
        // another seed: other noise, other episodes
        DqnTraining.run(shortRun(5), "default", dir.resolve("c"), new DqnTrainingTest.Log(), () -> false);
        assertNotEquals(a, withoutSps(dir.resolve("c/metrics.csv")));
    }

    /** The learning test of --noisy: the default recipe with noisy layers solves CartPole-v1 (seed 9: at 40,000 steps with the Vector API). */
    @Test
    void noisyDefaultRecipeSolvesCartPole(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.noisy = true;
        cfg.seed = 9;
        cfg.gif = false;
        cfg.tensorboard = false;
        DqnTraining.Result r = DqnTraining.run(cfg, "default", dir, new DqnTrainingTest.Log(), () -> false);
        assertTrue(r.solved() && r.evaluation().mean() >= 475, "not solved within 100k steps: " + r);
    }

    @Test
    void diagnosticsRefuseNoisyNetworks() {
        DqnConfig cfg = shortRun(1);
        cfg.diagnoseEvery = 100;
        assertThrows(IllegalArgumentException.class, cfg::validate);
    }

    private static List<String> withoutSps(Path csv) throws java.io.IOException {
        return Files.readAllLines(csv).stream().map(DqnTrainingTest::withoutSps).toList();
    }
}
