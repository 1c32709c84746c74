package org.dqnscratch.apex;

import java.util.ArrayList;
import java.util.List;
import org.dqnscratch.env.Env;
import org.dqnscratch.env.Rng;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.EnvSpec;
import org.dqnscratch.rl.GreedyPolicy;
import org.dqnscratch.rl.NStepWindow;
import org.dqnscratch.rl.QNetwork;
import org.dqnscratch.tensor.CpuBackend;

/**
 * One Ape-X actor (Horgan et al. 2018), with no transport in it: it steps {@code --actor-envs}
 * environments epsilon-greedily with its own CPU copy of the network, at its fixed epsilon
 * {@code 0.4^(1 + 7 i / (N - 1))}, takes the learner's newest weights every {@code --weights-every}
 * steps, and hands back each {@code --actor-batch} steps of every environment as a
 * {@link TransitionBatch} (encoded), with the transitions' initial priorities.
 *
 * <p>Priorities: |TD error| + --per-eps of each n-step transition, from this actor's copy of the network
 * and the Q values it computed to act anyway: Q(s, a) when it acted in s, max_a' Q(s', a') when it acts
 * in s' (one extra forward pass only where an episode is truncated; a termination bootstraps nothing).
 * The copy stands in for both online and target networks (Ape-X's choice). With --distributional the
 * Q values are the distributions' means: a simpler priority than the learner's (the cross-entropy),
 * which replaces it the first time the transition is sampled.
 *
 * <p>Its inputs are primitives (or the config as JSON bytes, {@link ActorConfig}), so that a process
 * elsewhere (a Ray actor) can build it from what travels as {@code byte[]}.
 */
public final class ApeXActor implements Fleet.Actor {
    private final DqnConfig cfg;
    private final int index, envCount, stack, frameSize, obsSize, actions, n;
    private final double epsilon;
    private final Env[] envs;
    private final QNetwork net;
    private final GreedyPolicy policy;
    private GreedyPolicy single; // for the final observation of a truncated episode
    private final Rng rng;
    private final float[][] obs;
    private final double[] epReturn;
    private final int[] epLength;
    /** n-step windows (n > 1) over (observation, Q(s, a)) for flat, (Q(s, a)) for pixels: they emit what the replay will store. */
    private final NStepWindow[] windows;
    private final Segments[] out;
    private float[] q;
    private long version = -1, steps, weightsAt, batches;
    private final List<double[]> episodes = new ArrayList<>();

    /**
     * Actor {@code index}'s seed: apart from the other actors', from the evaluation's, from a resumed run's
     * first part ({@code fromStep}) and from its own earlier incarnations (restarts).
     */
    public static long seed(long runSeed, int index, long fromStep, long incarnation) {
        return runSeed + 2_000_000L + 1_000L * index + 7_919L * fromStep + 104_729L * incarnation;
    }

    /** Ape-X's epsilon of actor {@code i} of {@code n}. */
    public static double epsilon(int i, int n) { return n == 1 ? 0.4 : Math.pow(0.4, 1 + 7.0 * i / (n - 1)); }

    /** Actor {@code index} of {@code count} for the run of {@code configJson} ({@link ActorConfig}), in its environments. */
    public static ApeXActor create(byte[] configJson, int index, int count, long seed) {
        DqnConfig cfg = ActorConfig.decode(configJson);
        return new ApeXActor(cfg, EnvSpec.of(cfg), index, count, seed);
    }

    /** {@code seed}: of its environments and its exploration; differs per actor, and per restart of one (see {@link LocalFleet}). */
    public ApeXActor(DqnConfig cfg, EnvSpec spec, int index, int count, long seed) {
        this.cfg = cfg;
        this.index = index;
        this.envCount = cfg.actorEnvs;
        this.epsilon = epsilon(index, count);
        this.n = cfg.nStep;
        envs = new Env[envCount];
        obs = new float[envCount][];
        for (int k = 0; k < envCount; k++) {
            envs[k] = spec.make(seed + k);
            obs[k] = envs[k].reset(seed + k);
        }
        obsSize = envs[0].observationSpace().size();
        actions = envs[0].actionSpace().n();
        stack = spec.pixels() ? spec.frameStack() : 0;
        frameSize = spec.pixels() ? obsSize / stack : 0;
        CpuBackend cpu = new CpuBackend();
        net = QNetwork.create(cpu, spec, obsSize, actions, cfg.hidden, cfg.head(), false);
        policy = GreedyPolicy.of(net, cpu, envCount);
        rng = new Rng(seed * 31 + 7);
        epReturn = new double[envCount];
        epLength = new int[envCount];
        windows = new NStepWindow[envCount];
        out = new Segments[envCount];
        for (int k = 0; k < envCount; k++) {
            if (n > 1) windows[k] = new NStepWindow(n, cfg.gamma, stack > 0 ? 1 : obsSize + 1);
            out[k] = new Segments(k);
        }
    }

    public double epsilon() { return epsilon; }

    /** Acts until each environment has taken --actor-batch more steps; returns them as an encoded {@link TransitionBatch}. */
    @Override public byte[] collect(Fleet.WeightSource weights) {
        long sequence = batches++; // counted before the steps: a collect that throws leaves a gap the learner sees
        for (Segments s : out) s.clear();
        episodes.clear();
        for (int t = 0; t < cfg.actorBatch; t++) {
            if (version < 0 || steps - weightsAt >= cfg.weightsEvery) takeWeights(weights);
            if (q == null) q = forward();
            step();
        }
        List<TransitionBatch.Segment> segments = new ArrayList<>(envCount);
        for (Segments s : out) segments.add(s.segment(stack > 0));
        double[] returns = episodes.stream().mapToDouble(e -> e[0]).toArray();
        int[] lengths = episodes.stream().mapToInt(e -> (int) e[1]).toArray();
        return new TransitionBatch(index, sequence, version, (float) epsilon, steps, envCount * cfg.actorBatch, stack, frameSize, returns, lengths, segments).encode();
    }

    private void takeWeights(Fleet.WeightSource source) {
        Fleet.Weights w = source.latest();
        weightsAt = steps;
        if (w == null || w.version() <= version) return;
        net.params().backend.upload(net.params().values, w.values(), 0);
        version = w.version();
        q = null; // acted on with the new weights from now on
    }

    private float[] forward() {
        float[] all = new float[envCount * obsSize];
        for (int k = 0; k < envCount; k++) System.arraycopy(obs[k], 0, all, k * obsSize, obsSize);
        return policy.qValues(all).clone();
    }

    /** One step of every environment, its transitions into {@link #out}; then the Q values of the new observations. */
    private void step() {
        int[] action = new int[envCount];
        float[] qsa = new float[envCount];
        for (int k = 0; k < envCount; k++) {
            action[k] = rng.nextDouble() < epsilon ? rng.nextInt(actions) : CpuBackend.argmax(q, k * actions, actions);
            qsa[k] = q[k * actions + action[k]];
        }
        for (int k = 0; k < envCount; k++) {
            Env.Step st = envs[k].step(action[k]);
            steps++;
            float reward = cfg.rewardClip ? Math.signum((float) st.reward()) : (float) (st.reward() * cfg.rewardScale);
            record(k, obs[k], action[k], qsa[k], reward, st);
            obs[k] = st.observation();
            epReturn[k] += st.reward();
            epLength[k]++;
            if (st.done() && envs[k].gameGoesOn()) {
                obs[k] = envs[k].reset(); // a lost life: terminal for learning only (as DqnTraining)
            } else if (st.done()) {
                episodes.add(new double[] {epReturn[k], epLength[k]});
                obs[k] = envs[k].reset();
                epReturn[k] = 0;
                epLength[k] = 0;
            }
        }
        q = forward();
        for (int k = 0; k < envCount; k++) out[k].resolve(max(q, k * actions, actions));
    }

    /** The step as the replay takes it: pixels as frames; flat as the n-step transitions it completes. Priorities as they close. */
    private void record(int k, float[] s, int a, float qsa, float reward, Env.Step st) {
        Segments seg = out[k];
        boolean ends = st.terminated() || st.truncated();
        if (stack > 0) seg.pixelStep(s, a, reward, st, frameSize, stack);
        NStepWindow.Sink sink = (o, off, action, ret, next, discount) -> {
            float value = stack > 0 ? o[off] : o[off + obsSize];
            if (stack == 0) seg.flatTransition(o, off, action, ret, next, discount, obsSize);
            float bootstrap = n > 1 ? discount : (float) (discount * cfg.gamma); // a 1-step flat discount is 1 or 0
            seg.priority(value, ret, bootstrap);
        };
        if (n > 1) {
            float[] held = new float[stack > 0 ? 1 : obsSize + 1], next = new float[held.length];
            if (stack == 0) {
                System.arraycopy(s, 0, held, 0, obsSize);
                System.arraycopy(st.observation(), 0, next, 0, obsSize);
            }
            held[held.length - 1] = qsa;
            windows[k].add(held, a, reward, next, st.terminated(), st.truncated(), sink);
        } else {
            float[] held = new float[stack > 0 ? 1 : obsSize + 1];
            if (stack == 0) System.arraycopy(s, 0, held, 0, obsSize);
            held[held.length - 1] = qsa;
            sink.store(held, 0, a, reward, st.observation(), st.terminated() ? 0f : 1f);
        }
        // An episode's end: its transitions bootstrap from its last observation (truncated) or from nothing (terminated).
        if (ends) seg.resolve(st.terminated() ? 0f : max(single().qValues(st.observation()), 0, actions));
    }

    private GreedyPolicy single() {
        if (single == null) single = GreedyPolicy.of(net, net.params().backend, 1);
        return single;
    }

    private static float max(float[] v, int from, int count) {
        float m = v[from];
        for (int i = 1; i < count; i++) m = Math.max(m, v[from + i]);
        return m;
    }

    /** The segment of one environment under construction; priorities wait for the value of the next observation. */
    private final class Segments {
        final int env;
        boolean startsEpisode;
        int steps;
        final Floats rewards = new Floats(), discounts = new Floats(), obsOut = new Floats(), nextOut = new Floats(), priorities = new Floats();
        final Floats actionsOut = new Floats();
        final java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream(), flags = new java.io.ByteArrayOutputStream();
        /** Emitted transitions whose priority waits for V(next observation): (index in priorities, Q(s, a), return, discount). */
        final Floats pending = new Floats();
        private boolean nextStarts = true;

        Segments(int env) { this.env = env; }

        void clear() {
            startsEpisode = nextStarts;
            steps = 0;
            for (Floats f : new Floats[] {rewards, discounts, obsOut, nextOut, priorities, actionsOut}) f.n = 0;
            frames.reset();
            flags.reset();
            pending.n = 0; // left by a step that threw (a lost batch); empty after every whole step
        }

        void pixelStep(float[] s, int a, float reward, Env.Step st, int frameSize, int stack) {
            if (nextStarts) for (int f = 0; f < stack; f++) frame(s, f * frameSize, frameSize);
            frame(st.observation(), (stack - 1) * frameSize, frameSize);
            actionsOut.add(a);
            rewards.add(reward);
            flags.write((st.terminated() ? TransitionBatch.TERMINATED : 0) | (st.truncated() ? TransitionBatch.TRUNCATED : 0));
            nextStarts = st.terminated() || st.truncated();
            steps++;
        }

        private void frame(float[] src, int from, int len) {
            for (int p = 0; p < len; p++) frames.write((int) src[from + p]);
        }

        void flatTransition(float[] o, int off, int a, float ret, float[] next, float discount, int size) {
            obsOut.add(o, off, size);
            nextOut.add(next, 0, size);
            actionsOut.add(a);
            rewards.add(ret);
            discounts.add(discount);
            steps++;
        }

        void priority(float qsa, float ret, float discount) {
            pending.add(priorities.n);
            pending.add(qsa);
            pending.add(ret);
            pending.add(discount);
            priorities.add(Float.NaN);
        }

        /** The priorities waiting for {@code value}, the max Q of the observation their n-step return reaches. */
        void resolve(float value) {
            for (int j = 0; j < pending.n; j += 4) {
                float[] p = pending.a;
                priorities.a[(int) p[j]] = (float) (Math.abs(p[j + 2] + p[j + 3] * value - p[j + 1]) + cfg.perEps);
            }
            pending.n = 0;
        }

        TransitionBatch.Segment segment(boolean pixels) {
            int[] acts = new int[actionsOut.n];
            for (int i = 0; i < acts.length; i++) acts[i] = (int) actionsOut.a[i];
            return pixels
                    ? new TransitionBatch.Segment(env, startsEpisode, steps, acts, rewards.copy(), flags.toByteArray(), frames.toByteArray(),
                            null, null, null, priorities.copy())
                    : new TransitionBatch.Segment(env, false, steps, acts, rewards.copy(), null, null, discounts.copy(), obsOut.copy(),
                            nextOut.copy(), priorities.copy());
        }
    }

    /** A growable float array. */
    private static final class Floats {
        float[] a = new float[64];
        int n;

        void add(float v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, 2 * n);
            a[n++] = v;
        }

        void add(float[] src, int off, int len) {
            if (n + len > a.length) a = java.util.Arrays.copyOf(a, Math.max(2 * a.length, n + len));
            System.arraycopy(src, off, a, n, len);
            n += len;
        }

        float[] copy() { return java.util.Arrays.copyOf(a, n); }
    }
}
