package org.dqnscratch.rl;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dqnscratch.env.Env;
import org.dqnscratch.io.AtomicFiles;
import org.dqnscratch.io.Gif;
import org.dqnscratch.io.LearningCurve;
import org.dqnscratch.io.MetricsCsv;
import org.dqnscratch.nn.Init;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;

/**
 * The DQN training loop (Mnih et al. 2015), in the order a paper's pseudo-code gives it and
 * CleanRL's dqn.py writes it: act epsilon-greedily, store the transition, every few steps
 * sample a minibatch and take gradient steps, every C steps (or episodes) update the target
 * network. At episode ends it logs, and once a training episode reaches the solve threshold
 * it runs a greedy evaluation; the best evaluated network is kept.
 *
 * <p>A run directory receives config.json, metrics.csv, learning_curve.png, best and last
 * checkpoints (safetensors) and episode.gif (one greedy episode of the best network).
 */
public final class DqnTraining {
    private DqnTraining() {}

    /** What the progress bar shows. */
    public record Status(long step, long totalSteps, long episodes, double stepsPerSecond, double meanReturn100, double epsilon, double loss) {}

    public interface Listener {
        /** Called every few hundred steps. */
        void status(Status status);

        /** A line for the user (solve checks, saved files). */
        void message(String line);
    }

    public record Result(Path runDir, long steps, long episodes, double seconds, boolean solved, long solvedAtStep,
                         double secondsToSolve, Evaluation evaluation, boolean interrupted) {}

    /** The CSV columns, CleanRL's names. */
    static final String[] COLUMNS = {"global_step", "episode", "charts/episodic_return", "charts/episodic_length",
        "charts/epsilon", "losses/td_loss", "charts/SPS"};

    /** Trains on the CPU. */
    public static Result run(DqnConfig cfg, String preset, Path runDir, Listener out, BooleanSupplier stopRequested) throws IOException {
        return run(cfg, preset, runDir, out, stopRequested, new CpuBackend());
    }

    /**
     * Trains with every tensor on {@code backend}: the sampled batch is uploaded once per gradient
     * step; only the logged loss and the Q values of the acting observation come back.
     */
    public static Result run(DqnConfig cfg, String preset, Path runDir, Listener out, BooleanSupplier stopRequested,
                             Backend backend) throws IOException {
        cfg.validate();
        long seed = cfg.seed;

        // Networks: online (trained) and target (bootstrapped from); same initial weights.
        QNetwork online = QNetwork.create(backend, cfg.env, cfg.slippery, cfg.hidden, cfg.dueling);
        Init.parse(cfg.init).apply(online.params(), seed);
        // --target-update 0: no target network, the online network computes its own TD targets.
        QNetwork target = online;
        if (cfg.targetUpdate > 0) {
            target = QNetwork.create(backend, cfg.env, cfg.slippery, cfg.hidden, cfg.dueling);
            target.params().updateFrom(online.params(), 1f);
        }
        DqnUpdate update = new DqnUpdate(online.module(), online.params(), target.module(), target.params(),
                cfg.optimizerFor(online.params()), cfg.lossFunction(), (float) cfg.gamma, cfg.doubleDqn);

        Env env = online.makeEnv(), evalEnv = online.makeEnv();
        int obsSize = env.observationSpace().size(), actions = env.actionSpace().n();
        double solveAt = cfg.solveAt > 0 ? cfg.solveAt : env.rewardThreshold();
        GreedyPolicy policy = new GreedyPolicy(online.module(), backend, obsSize, actions);
        ReplayBuffer replay = new ReplayBuffer(cfg.bufferSize, obsSize);
        EpsilonSchedule epsilon = cfg.epsilonSchedule();
        SplittableRandom actRng = new SplittableRandom(seed), sampleRng = new SplittableRandom(seed + 1);
        long evalSeed = seed + 1_000_000L; // evaluation episodes never share starts with training ones

        // The minibatch: host arrays filled by the replay, uploaded once per gradient step.
        int B = cfg.batchSize;
        float[] s = new float[B * obsSize], a = new float[B], r = new float[B], term = new float[B], s2 = new float[B * obsSize];
        Tensor ts = backend.zeros(B, obsSize), ta = backend.zeros(B), tr = backend.zeros(B), tterm = backend.zeros(B);
        Tensor ts2 = backend.zeros(B, obsSize);

        Files.createDirectories(runDir);
        writeConfig(runDir.resolve("config.json"), cfg, preset, solveAt);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("preset", preset);
        meta.put("seed", Long.toString(seed));

        double[] epSteps = new double[64], epReturns = new double[64];
        double[] last100 = new double[100];
        double loss = Double.NaN, bestEval = Double.NEGATIVE_INFINITY, sum100 = 0;
        float[] bestValues = null;
        Evaluation solvedEval = null;
        long episode = 0, lastEvalStep = Long.MIN_VALUE / 2, solvedAtStep = -1, step = 0;
        double secondsToSolve = Double.NaN;
        boolean interrupted = false;
        long start = System.nanoTime();

        try (MetricsCsv csv = new MetricsCsv(runDir.resolve("metrics.csv"), COLUMNS)) {
            float[] obs = env.reset(seed);
            double epReturn = 0;
            int epLength = 0;
            for (; step < cfg.totalSteps; step++) {
                if (stopRequested.getAsBoolean()) {
                    interrupted = true;
                    break;
                }
                // 1. Act epsilon-greedily and store the transition (rewards scaled for learning only).
                double eps = epsilon.value(step, episode);
                int action = actRng.nextDouble() < eps ? actRng.nextInt(actions) : policy.act(obs);
                Env.Step st = env.step(action);
                replay.add(obs, action, (float) (st.reward() * cfg.rewardScale), st.observation(), st.terminated());
                obs = st.observation();
                epReturn += st.reward();
                epLength++;
                long done = step + 1; // environment steps taken so far
                boolean learning = done >= cfg.learningStarts;

                // 2. Learn every trainFreq steps, and update the target network every targetUpdate steps.
                if (learning && cfg.trainUnit.equals("steps") && done % cfg.trainFreq == 0) {
                    loss = train(update, replay, sampleRng, cfg.gradientSteps, s, a, r, term, s2, ts, ta, tr, tterm, ts2);
                }
                if (target != online && cfg.targetUnit.equals("steps") && done % cfg.targetUpdate == 0) {
                    update.syncTarget((float) cfg.tau);
                }

                if (st.done()) {
                    // 3. Episode end: log, learn and update the target if they count in episodes.
                    episode++;
                    if (episode > epReturns.length) {
                        epSteps = java.util.Arrays.copyOf(epSteps, epReturns.length * 2);
                        epReturns = java.util.Arrays.copyOf(epReturns, epReturns.length * 2);
                    }
                    epSteps[(int) episode - 1] = done;
                    epReturns[(int) episode - 1] = epReturn;
                    sum100 += epReturn - last100[(int) ((episode - 1) % 100)];
                    last100[(int) ((episode - 1) % 100)] = epReturn;
                    double sps = done / seconds(start);
                    csv.row(done, episode, epReturn, epLength, eps, loss, sps);
                    if (learning && cfg.trainUnit.equals("episodes") && episode % cfg.trainFreq == 0) {
                        loss = train(update, replay, sampleRng, cfg.gradientSteps, s, a, r, term, s2, ts, ta, tr, tterm, ts2);
                    }
                    if (target != online && cfg.targetUnit.equals("episodes") && episode % cfg.targetUpdate == 0) {
                        update.syncTarget((float) cfg.tau);
                    }

                    // 4. Solve check: a greedy evaluation once a training episode reaches the threshold.
                    if (epReturn >= solveAt && done - lastEvalStep >= cfg.evalEvery) {
                        lastEvalStep = done;
                        Evaluation ev = Evaluation.run(evalEnv, policy, cfg.evalEpisodes, evalSeed, cfg.evalEpsilon, null);
                        if (ev.mean() > bestEval) {
                            bestEval = ev.mean();
                            bestValues = backend.toArray(online.params().values);
                            meta.put("step", Long.toString(done));
                            meta.put("eval", ev.toString());
                            online.save(runDir.resolve("best.safetensors"), meta);
                        }
                        if (solvedEval == null && ev.mean() >= solveAt) {
                            solvedEval = ev;
                            solvedAtStep = done;
                            secondsToSolve = seconds(start);
                            out.message(String.format(Locale.ROOT, "solved at step %d (%.1f s): greedy evaluation %s", done, secondsToSolve, ev));
                            if (cfg.stopWhenSolved) {
                                step++;
                                break;
                            }
                        } else {
                            out.message(String.format(Locale.ROOT, "step %d: greedy evaluation %s", done, ev));
                        }
                    }
                    obs = env.reset();
                    epReturn = 0;
                    epLength = 0;
                    if (cfg.maxEpisodes > 0 && episode >= cfg.maxEpisodes) {
                        step++;
                        break;
                    }
                }
                if (done % 256 == 0) {
                    out.status(new Status(done, cfg.totalSteps, episode, done / seconds(start),
                            episode == 0 ? Double.NaN : sum100 / Math.min(episode, 100), eps, loss));
                }
            }
        }
        double seconds = seconds(start);

        // 5. Save the last network and the learning curve; evaluate unless interrupted.
        meta.put("step", Long.toString(step));
        meta.remove("eval");
        online.save(runDir.resolve("last.safetensors"), meta);
        double[] curveSteps = java.util.Arrays.copyOf(epSteps, (int) episode), curveReturns = java.util.Arrays.copyOf(epReturns, (int) episode);
        LearningCurve.write(runDir.resolve("learning_curve.png"), cfg.env + " (" + preset + ", seed " + seed + ")", curveSteps, curveReturns, solveAt);
        if (interrupted) {
            if (bestValues == null) online.save(runDir.resolve("best.safetensors"), meta);
            out.message("interrupted at step " + step + ": last checkpoint saved to " + runDir.resolve("last.safetensors"));
            return new Result(runDir, step, episode, seconds, solvedEval != null, solvedAtStep, secondsToSolve, null, true);
        }
        Evaluation evaluation = solvedEval != null && cfg.stopWhenSolved ? solvedEval
                : Evaluation.run(evalEnv, policy, cfg.evalEpisodes, evalSeed, cfg.evalEpsilon, null);
        if (evaluation.mean() > bestEval || bestValues == null) {
            bestEval = evaluation.mean();
            bestValues = backend.toArray(online.params().values);
            meta.put("eval", evaluation.toString());
            online.save(runDir.resolve("best.safetensors"), meta);
        }
        if (cfg.gif) {
            QNetwork best = QNetwork.create(backend, cfg.env, cfg.slippery, cfg.hidden, cfg.dueling);
            backend.upload(best.params().values, bestValues, 0);
            List<BufferedImage> frames = new ArrayList<>();
            Evaluation.run(best.makeEnv(), new GreedyPolicy(best.module(), backend, obsSize, actions), 1, evalSeed, 0, frames);
            Gif.write(runDir.resolve("episode.gif"), frames, env.id().startsWith("CartPole") ? 20 : 300);
        }
        return new Result(runDir, step, episode, seconds, solvedEval != null, solvedAtStep, secondsToSolve, evaluation, false);
    }

    /** {@code steps} gradient steps on minibatches sampled uniformly; returns the last step's loss. */
    private static double train(DqnUpdate update, ReplayBuffer replay, SplittableRandom rng, int steps,
                                float[] s, float[] a, float[] r, float[] term, float[] s2,
                                Tensor ts, Tensor ta, Tensor tr, Tensor tterm, Tensor ts2) {
        Backend b = update.onlineParams.backend;
        float loss = Float.NaN;
        for (int i = 0; i < steps; i++) {
            replay.sample(rng, a.length, s, a, r, term, s2);
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

    private static double seconds(long startNanos) { return (System.nanoTime() - startNanos) / 1e9; }

    private static void writeConfig(Path file, DqnConfig cfg, String preset, double solveAt) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("preset", preset);
        root.put("solve_threshold", solveAt);
        ObjectNode args = root.putObject("args");
        for (var f : DqnConfig.fields()) {
            try {
                args.set(f.getName(), json.valueToTree(f.get(cfg)));
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        AtomicFiles.write(file, o -> o.write(bytes));
    }
}
