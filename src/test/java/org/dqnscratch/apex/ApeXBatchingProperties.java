package org.dqnscratch.apex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.dqnscratch.env.Env;
import org.dqnscratch.nn.Init;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.EnvSpec;
import org.dqnscratch.rl.PixelReplay;
import org.dqnscratch.rl.QNetwork;
import org.dqnscratch.rl.ReplayBuffer;
import org.dqnscratch.tensor.CpuBackend;

/**
 * Batching is lossless: the steps actors take, sent as {@link TransitionBatch}es (encoded, decoded)
 * and put into replays by {@link ReplayFeed}, give the replays a single-process run would have filled
 * with the same episodes (each environment's steps added to its stream as DqnTraining adds them):
 * the same frames or observations, actions, n-step returns, discounts and terminations, drawn by the
 * same samples. Episodes of random lengths end by termination or truncation anywhere in a batch.
 */
class ApeXBatchingProperties {
    private static final int FRAME = 84 * 84;

    @Property(tries = 12)
    void pixelStreamsArriveAsTheSingleProcessReplayStoresThem(@ForAll @IntRange(min = 1, max = 2) int actors,
                                                              @ForAll @IntRange(min = 1, max = 2) int envs,
                                                              @ForAll @IntRange(min = 1, max = 3) int nStep,
                                                              @ForAll @IntRange(min = 1, max = 6) int batchSteps,
                                                              @ForAll @IntRange(min = 1, max = 3) int batches,
                                                              @ForAll @IntRange(min = 0, max = 1000) int seed) {
        pixels(actors, envs, nStep, batchSteps, batches, seed, 0);
    }

    /**
     * Batches lost on the way (bit {@code actor + actors * batch} of {@code lostMask}; the actor itself went
     * on) leave the replay holding only steps that followed each other: the single-process replay of the
     * same episodes where each stream's episode under way at a loss ends (truncated) at its last step received
     * and the steps after the loss are dropped until an episode starts.
     */
    @Property(tries = 40)
    void pixelStreamsAfterLostBatchesHoldOnlyStepsThatFollowEachOther(@ForAll @IntRange(min = 1, max = 2) int actors,
                                                                       @ForAll @IntRange(min = 1, max = 2) int envs,
                                                                       @ForAll @IntRange(min = 1, max = 3) int nStep,
                                                                       @ForAll @IntRange(min = 1, max = 6) int batchSteps,
                                                                       @ForAll @IntRange(min = 2, max = 4) int batches,
                                                                       @ForAll @IntRange(min = 1, max = 255) int lostMask,
                                                                       @ForAll @IntRange(min = 0, max = 1000) int seed) {
        pixels(actors, envs, nStep, batchSteps, batches, seed, lostMask);
    }

    private static boolean lost(int lostMask, int actors, int actor, int batch) { return (lostMask >> (actor + actors * batch) & 1) != 0; }

    private static void pixels(int actors, int envs, int nStep, int batchSteps, int batches, int seed, int lostMask) {
        int stack = 2, streams = actors * envs;
        Map<Long, List<Object[]>> steps = new HashMap<>();
        EnvSpec spec = EnvSpec.custom(s -> new Frames(s, stack, steps.computeIfAbsent(s, k -> new ArrayList<>())));
        PixelReplay viaBatches = new PixelReplay(400, stack, FRAME, streams), single = new PixelReplay(400, stack, FRAME, streams);
        int[] priorities = new int[streams];
        ReplayFeed.Target target = new ReplayFeed.Target() {
            @Override public void addPixels(int stream, float[] obs, int action, float reward, float[] next, boolean terminated, boolean truncated) {
                viaBatches.add(stream, obs, action, reward, next, terminated, truncated);
            }

            @Override public void prioritizeNewest(int stream, float[] p, int from, int count) {
                for (int j = 0; j < count; j++) assertTrue(p[from + j] > 0 && Float.isFinite(p[from + j]), "priority " + p[from + j]);
                priorities[stream] += count;
            }

            @Override public boolean episodeOpen(int stream) { return viaBatches.episodeOpen(stream); }

            @Override public void truncateEpisode(int stream) { viaBatches.truncateEpisode(stream); }

            @Override public void addFlat(int stream, float[] o, int oo, int a, float r, float[] n, int no, float d, double p) {
                throw new AssertionError("flat transition in a pixel run");
            }
        };
        DqnConfig cfg = config(actors, envs, nStep, batchSteps);
        long lostSeen = collect(cfg, spec, actors, batches, seed, target, lostMask);
        long lostExpected = 0;
        for (int i = 0; i < actors; i++) { // a lost batch is seen when a later batch of its actor arrives
            for (int k = 0; k < batches; k++) {
                for (int later = k + 1; later < batches && lost(lostMask, actors, i, k); later++) {
                    if (!lost(lostMask, actors, i, later)) {
                        lostExpected++;
                        break;
                    }
                }
            }
        }
        assertEquals(lostExpected, lostSeen, "batches reported lost");
        for (int st = 0; st < streams; st++) { // the single-process run: every step into its stream, as DqnTraining adds it, less the losses
            List<Object[]> log = steps.get(envSeed(seed, st / envs, st % envs));
            boolean broken = false, gap = false, prevEnded = true;
            for (int t = 0; t < log.size(); t++) {
                Object[] s = log.get(t);
                boolean ends = (boolean) s[4] || (boolean) s[5];
                int k = t / batchSteps;
                if (lost(lostMask, actors, st / envs, k)) {
                    broken = gap = true;
                } else {
                    if (gap && single.episodeOpen(st)) single.truncateEpisode(st);
                    gap = false;
                    if (!broken || prevEnded) {
                        broken = false;
                        single.add(st, (float[]) s[0], (int) s[1], (float) s[2], (float[]) s[3], (boolean) s[4], (boolean) s[5]);
                    }
                }
                prevEnded = ends;
            }
        }
        assertEquals(single.size(), viaBatches.size());
        if (lostMask == 0) assertEquals(single.sampleable(nStep), java.util.Arrays.stream(priorities).sum(), "a priority for each transition whose window closed");
        for (int n = 1; n <= 3; n++) {
            int b = 32;
            float[] s1 = new float[b * stack * FRAME], s2 = new float[b * stack * FRAME], a1 = new float[b], a2 = new float[b], r1 = new float[b],
                    r2 = new float[b], d1 = new float[b], d2 = new float[b], x1 = new float[b * stack * FRAME], x2 = new float[b * stack * FRAME];
            assertEquals(single.sampleable(n), viaBatches.sampleable(n));
            if (single.sampleable(n) == 0) continue;
            single.sample(new SplittableRandom(seed), b, n, 0.9, s1, a1, r1, d1, x1);
            viaBatches.sample(new SplittableRandom(seed), b, n, 0.9, s2, a2, r2, d2, x2);
            assertArrayEquals(s1, s2, "observations");
            assertArrayEquals(a1, a2, "actions");
            assertArrayEquals(r1, r2, "n-step returns");
            assertArrayEquals(d1, d2, "discounts (0: terminated)");
            assertArrayEquals(x1, x2, "next observations");
        }
    }

    @Property(tries = 40)
    void flatTransitionsArriveAsTheSingleProcessReplayStoresThem(@ForAll @IntRange(min = 1, max = 3) int actors,
                                                                 @ForAll @IntRange(min = 1, max = 3) int envs,
                                                                 @ForAll @IntRange(min = 1, max = 4) int nStep,
                                                                 @ForAll @IntRange(min = 1, max = 7) int batchSteps,
                                                                 @ForAll @IntRange(min = 1, max = 4) int batches,
                                                                 @ForAll @IntRange(min = 0, max = 1000) int seed) {
        int streams = actors * envs;
        Map<Long, List<Object[]>> steps = new HashMap<>();
        EnvSpec spec = EnvSpec.custom(s -> new Flat(s, steps.computeIfAbsent(s, k -> new ArrayList<>())));
        ReplayBuffer[] viaBatches = new ReplayBuffer[streams], single = new ReplayBuffer[streams];
        int[] priorities = new int[streams];
        for (int st = 0; st < streams; st++) {
            viaBatches[st] = new ReplayBuffer(500, 3, nStep, 0.9);
            single[st] = new ReplayBuffer(500, 3, nStep, 0.9);
        }
        ReplayFeed.Target target = new ReplayFeed.Target() {
            @Override public void addPixels(int stream, float[] obs, int action, float reward, float[] next, boolean terminated, boolean truncated) {
                throw new AssertionError("pixels in a flat run");
            }

            @Override public void prioritizeNewest(int stream, float[] p, int from, int count) { throw new AssertionError(); }

            @Override public boolean episodeOpen(int stream) { throw new AssertionError(); }

            @Override public void truncateEpisode(int stream) { throw new AssertionError(); }

            @Override public void addFlat(int stream, float[] o, int oo, int a, float r, float[] n, int no, float d, double p) {
                assertTrue(p > 0 && Double.isFinite(p), "priority " + p);
                priorities[stream]++;
                viaBatches[stream].add(o, oo, a, r, n, no, d, p);
            }
        };
        collect(config(actors, envs, nStep, batchSteps), spec, actors, batches, seed, target, 0);
        for (int st = 0; st < streams; st++) {
            for (Object[] s : steps.get(envSeed(seed, st / envs, st % envs))) {
                single[st].add((float[]) s[0], (int) s[1], (float) s[2], (float[]) s[3], (boolean) s[4], (boolean) s[5]);
            }
            assertEquals(single[st].size(), viaBatches[st].size(), "stream " + st);
            assertEquals(single[st].size(), priorities[st], "a priority per transition");
            if (single[st].size() == 0) continue;
            int b = 32;
            float[][] one = new float[5][], two = new float[5][];
            for (float[][] x : new float[][][] {one, two}) {
                x[0] = new float[b * 3];
                x[4] = new float[b * 3];
                for (int j = 1; j < 4; j++) x[j] = new float[b];
            }
            single[st].sample(new SplittableRandom(seed), b, one[0], one[1], one[2], one[3], one[4]);
            viaBatches[st].sample(new SplittableRandom(seed), b, two[0], two[1], two[2], two[3], two[4]);
            String[] what = {"observations", "actions", "n-step returns", "1 - discounts", "next observations"};
            for (int j = 0; j < 5; j++) assertArrayEquals(one[j], two[j], what[j] + " of stream " + st);
        }
    }

    private static DqnConfig config(int actors, int envs, int nStep, int batchSteps) {
        DqnConfig cfg = new DqnConfig();
        cfg.actors = actors;
        cfg.actorEnvs = envs;
        cfg.nStep = nStep;
        cfg.gamma = 0.9;
        cfg.actorBatch = batchSteps;
        cfg.weightsEvery = 3;
        cfg.hidden = new int[] {8};
        return cfg;
    }

    private static long envSeed(int seed, int actor, int env) { return 1_000L * (seed + 1) + 100L * actor + env; }

    /**
     * The actors of a run take {@code batches} batches each (round robin), encoded and decoded, into {@code target},
     * except those {@code lostMask} says were lost; returns the losses the feed reported.
     */
    private static long collect(DqnConfig cfg, EnvSpec spec, int actors, int batches, int seed, ReplayFeed.Target target, int lostMask) {
        CpuBackend cpu = new CpuBackend();
        ApeXActor[] actor = new ApeXActor[actors];
        QNetwork net = null;
        for (int i = 0; i < actors; i++) {
            actor[i] = new ApeXActor(cfg, spec, i, actors, envSeed(seed, i, 0));
            if (net == null) net = QNetwork.create(cpu, spec, spec.pixels() ? spec.frameStack() * FRAME : 3, 3, cfg.hidden, cfg.head(), false);
        }
        Init.parse("torch").apply(net.params(), seed);
        float[] w = cpu.toArray(net.params().values);
        Fleet.Weights weights = new Fleet.Weights(w, 1);
        ReplayFeed feed = new ReplayFeed(actors, cfg.actorEnvs, spec.pixels() ? 0 : 3);
        long lost = 0;
        for (int k = 0; k < batches; k++) {
            for (int i = 0; i < actors; i++) {
                byte[] b = actor[i].collect(() -> weights);
                if (!lost(lostMask, actors, i, k)) lost += feed.add(TransitionBatch.decode(b, spec.pixels() ? 0 : 3), target);
            }
        }
        return lost;
    }

    /** Pixels: {stack, 84, 84} random frames, episodes that terminate at random or are truncated after 9 steps; it records its steps. */
    static final class Frames implements Env {
        private final int stack;
        private final List<Object[]> log;
        private SplittableRandom rng;
        private float[] obs;
        private int t;

        Frames(long seed, int stack, List<Object[]> log) {
            this.stack = stack;
            this.log = log;
            this.rng = new SplittableRandom(seed);
        }

        @Override public String id() { return "Frames-v0"; }

        @Override public Box observationSpace() { return new Box(new float[stack * FRAME], new float[stack * FRAME]); }

        @Override public int[] observationShape() { return new int[] {stack, 84, 84}; }

        @Override public Discrete actionSpace() { return new Discrete(3); }

        @Override public float[] reset(long seed) {
            rng = new SplittableRandom(seed);
            return reset();
        }

        @Override public float[] reset() {
            obs = new float[stack * FRAME];
            for (int p = 0; p < obs.length; p++) obs[p] = rng.nextInt(256);
            t = 0;
            return obs.clone();
        }

        @Override public Step step(int action) {
            float[] next = new float[obs.length];
            System.arraycopy(obs, FRAME, next, 0, obs.length - FRAME);
            for (int p = obs.length - FRAME; p < obs.length; p++) next[p] = rng.nextInt(256);
            boolean terminated = rng.nextInt(6) == 0, truncated = !terminated && ++t >= 9;
            float reward = rng.nextInt(3) - 1 + 0.25f * action;
            log.add(new Object[] {obs.clone(), action, reward, next.clone(), terminated, truncated});
            obs = next;
            return new Step(next.clone(), reward, terminated, truncated);
        }
    }

    /** Flat: 3 random floats, episodes as {@link Frames}'; it records its steps. */
    static final class Flat implements Env {
        private final List<Object[]> log;
        private SplittableRandom rng;
        private float[] obs;
        private int t;

        Flat(long seed, List<Object[]> log) {
            this.log = log;
            this.rng = new SplittableRandom(seed);
        }

        @Override public String id() { return "Flat-v0"; }

        @Override public Box observationSpace() { return new Box(new float[3], new float[3]); }

        @Override public Discrete actionSpace() { return new Discrete(3); }

        @Override public float[] reset(long seed) {
            rng = new SplittableRandom(seed);
            return reset();
        }

        @Override public float[] reset() {
            obs = new float[] {(float) rng.nextGaussian(), (float) rng.nextGaussian(), (float) rng.nextGaussian()};
            t = 0;
            return obs.clone();
        }

        @Override public Step step(int action) {
            float[] next = {(float) rng.nextGaussian(), (float) rng.nextGaussian(), action};
            boolean terminated = rng.nextInt(6) == 0, truncated = !terminated && ++t >= 9;
            float reward = rng.nextInt(3) - 1 + 0.25f * action;
            log.add(new Object[] {obs.clone(), action, reward, next.clone(), terminated, truncated});
            obs = next;
            return new Step(next.clone(), reward, terminated, truncated);
        }
    }
}
