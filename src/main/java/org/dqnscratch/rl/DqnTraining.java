package org.dqnscratch.rl;

import org.dqnscratch.env.Rng;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dqnscratch.env.Env;
import org.dqnscratch.io.AtomicFiles;
import org.dqnscratch.io.Gif;
import org.dqnscratch.io.LearningCurve;
import org.dqnscratch.io.MetricsCsv;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.io.TensorBoardWriter;
import org.dqnscratch.nn.Distributional;
import org.dqnscratch.nn.Init;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;

/**
 * The DQN training loop (Mnih et al. 2015), in the order a paper's pseudo-code gives it and
 * CleanRL's dqn.py writes it: act epsilon-greedily, store the transition, every few steps
 * sample a minibatch and take gradient steps, every C steps (or episodes) update the target
 * network.
 *
 * <p>On a device that queues its work (OpenCL), one change of order lets it learn while the CPU
 * steps the environments: a round (one step of each of the N environments) queues the acting
 * forward pass and the read-back of its Q values, then the gradient steps and target updates due
 * in steps at the steps the round reaches, then waits for the Q values only and steps the
 * environments while the device runs the updates (in the paper's order, on OpenCL's in-order
 * queue, the read-back would wait for the updates, and the device would idle while the emulators
 * run). An action still sees every update of the steps before it; an update samples the replay
 * without the round's newest (at most N) transitions. The network that a periodic evaluation or a
 * diagnostics row reads at step t has exactly the updates of the steps up to t (the round's later
 * updates wait for it); a periodic checkpoint is taken at the end of the round that reaches its step,
 * where every environment has taken the same number of steps; with several environments, what happens at an episode
 * end (a solve check, updates counted in episodes) comes after the round's step-unit updates, and
 * a run that ends within a round (solved, --max-episodes) has taken the updates of the round's
 * remaining steps too. On the CPU, which computes as it is called, nothing would overlap: the loop
 * keeps the paper's order there, and CartPole its trajectories (with the reorder, a sweep of
 * seeds 1-30 solved 29, median 31,336 steps counting the unsolved one as infinite, against 30
 * and 27,056).
 *
 * <p>At episode ends it logs, and once a training episode reaches the solve threshold
 * it runs a greedy evaluation (a solve check); it also evaluates every --eval-every steps. The
 * best network any evaluation saw is the one the run hands over (best.safetensors): a run that
 * learned and then collapsed still returns what it had learned.
 *
 * <p>A run directory receives config.json, metrics.csv (and its scalars in TensorBoard event files), learning_curve.png, best and last
 * networks (safetensors), episode.gif (one greedy episode of the best network) and the
 * checkpoint --resume reads (checkpoints/, see {@link TrainingCheckpoint}).
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

    /**
     * {@code evaluation}: the handed-over network's (best.safetensors, from {@code bestStep});
     * {@code lastEvaluation}: the network training ended with. Both null when interrupted.
     * {@code resumedFromStep}: the checkpoint's step a resumed run started from (0 for a new run);
     * {@code seconds} counts this process's training only, so its rate is (steps - resumedFromStep) / seconds.
     */
    public record Result(Path runDir, long steps, long episodes, double seconds, boolean solved, long solvedAtStep,
                         double secondsToSolve, Evaluation evaluation, boolean interrupted, Evaluation lastEvaluation, long bestStep,
                         long resumedFromStep) {}

    /**
     * The CSV columns, CleanRL's names (and TensorBoard tags); losses/q_values came later, so it is
     * last: an older log's rows read with it empty ({@link MetricsCsv#read}).
     */
    static final String[] COLUMNS = {"global_step", "episode", "charts/episodic_return", "charts/episodic_length",
        "charts/epsilon", "losses/td_loss", "charts/SPS", "losses/q_values"};

    /** Trains on the CPU. */
    public static Result run(DqnConfig cfg, String preset, Path runDir, Listener out, BooleanSupplier stopRequested) throws IOException {
        return run(cfg, preset, runDir, out, stopRequested, new CpuBackend());
    }

    /**
     * Trains with every tensor on {@code backend}: the sampled batch is uploaded once per gradient
     * step; only the logged loss and the Q values of the acting observations come back.
     */
    public static Result run(DqnConfig cfg, String preset, Path runDir, Listener out, BooleanSupplier stopRequested,
                             Backend backend) throws IOException {
        return run(cfg, preset, runDir, out, stopRequested, backend, false);
    }

    /**
     * As above; with {@code resume} the run continues in {@code runDir} from its last checkpoint
     * (network, target network, optimizer moments, counters, generator states; the replay and the
     * episodes under way when it holds them: then exactly as the run would have gone on, see
     * {@link TrainingCheckpoint}; otherwise the episodes start anew).
     */
    public static Result run(DqnConfig cfg, String preset, Path runDir, Listener out, BooleanSupplier stopRequested,
                             Backend backend, boolean resume) throws IOException {
        return run(cfg, preset, runDir, out, stopRequested, backend, resume, UnaryOperator.identity());
    }

    /** As above, with the training environments seen through {@code watch} (tests watch when they step). */
    static Result run(DqnConfig cfg, String preset, Path runDir, Listener out, BooleanSupplier stopRequested,
                      Backend backend, boolean resume, UnaryOperator<Env> watch) throws IOException {
        return run(cfg.validate(), EnvSpec.of(cfg), preset, runDir, out, stopRequested, backend, resume, watch);
    }

    /** As above, in the environments of {@code spec} instead of {@code cfg}'s (a caller's own: the Java API). */
    public static Result run(DqnConfig cfg, EnvSpec spec, String preset, Path runDir, Listener out, BooleanSupplier stopRequested,
                             Backend backend, boolean resume) throws IOException {
        return run(cfg, spec, preset, runDir, out, stopRequested, backend, resume, UnaryOperator.identity());
    }

    private static Result run(DqnConfig cfg, EnvSpec spec, String preset, Path runDir, Listener out, BooleanSupplier stopRequested,
                              Backend backend, boolean resume, UnaryOperator<Env> watch) throws IOException {
        cfg.validate();
        long seed = cfg.seed;
        int N = cfg.envs;
        Env[] envs = new Env[N];
        for (int i = 0; i < N; i++) envs[i] = watch.apply(spec.make(seed + i));
        long evalSeed = seed + 1_000_000L; // evaluation episodes never share starts with training ones
        Env evalEnv = spec.make(evalSeed);
        int obsSize = envs[0].observationSpace().size(), actions = envs[0].actionSpace().n();
        double solveAt = cfg.solveAt > 0 ? cfg.solveAt : evalEnv.rewardThreshold();

        // Replay: pixels as uint8 frames stored once; flat observations as floats. Checked before anything is allocated.
        TrainingBatch batch = new TrainingBatch(backend, spec, cfg, obsSize);

        // Networks: online (trained) and target (bootstrapped from); same initial weights.
        QNetwork online = QNetwork.create(backend, spec, obsSize, actions, cfg.hidden, cfg.head(), cfg.noisy);
        Init.parse(cfg.init).apply(online.params(), seed);
        // --target-update 0: no target network, the online network computes its own TD targets.
        QNetwork target = online;
        if (cfg.targetUpdate > 0) {
            target = online.twin(backend);
            target.params().updateFrom(online.params(), 1f);
        }
        DqnUpdate update = update(cfg, online, target, batch);

        // Evaluations use a noisy network's means (GreedyPolicy.evaluation); acting uses its noise.
        GreedyPolicy actor = GreedyPolicy.of(online, backend, N),
                evalPolicy = N == 1 && !cfg.noisy ? actor : GreedyPolicy.evaluation(online, backend, 1);
        EpsilonSchedule epsilon = cfg.epsilonSchedule();
        Replay saved = batch.saved(cfg.saveReplay);
        TrainingCheckpoint.Resumed resumed = resume
                ? TrainingCheckpoint.load(runDir, online, target, update.optimizer(), saved, N, obsSize, out::message) : null;
        TrainingCheckpoint.Counters from = resume ? resumed.counters()
                : new TrainingCheckpoint.Counters(0, 0, Long.MIN_VALUE / 2, Double.NEGATIVE_INFINITY, 0, seed, seed + 1, Double.NaN, 0, -1, -1, seed + 2, Double.NaN);
        if (resume && from.step() >= cfg.totalSteps) { // else a silent no-op that rewrote the run's files
            throw new IllegalArgumentException("the run in " + runDir + " is already at step " + from.step() + ": --total-steps must be larger than " + from.step());
        }
        // The environments back where they were (nothing written yet: a state they refuse fails the resume with the run untouched).
        if (resume && resumed.episodes() != null) resumed.episodes().restore(envs, runDir.resolve(TrainingCheckpoint.DIR));
        if (resume) {
            out.message("resuming from the checkpoint of step " + from.step());
            if (resumed.episodes() == null) { // not the same run: say how it differs
                out.message("(the checkpoint holds " + (saved == null ? "no replay (see --save-replay): the replay starts empty and " : "no episodes: ")
                        + "the environments start new episodes)");
            }
        }
        Rng actRng = new Rng(from.actRng()), sampleRng = new Rng(from.sampleRng());
        // --noisy: noise drawn before every acting step and every gradient step (NoisyExploration).
        NoisyExploration noise = cfg.noisy ? new NoisyExploration(backend, online, target, from.noiseRng()) : null;
        if (noise != null) update.beforeEachStep(noise::beforeStep);
        EnvStepper stepper = new EnvStepper(envs);

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("preset", preset);
        meta.put("seed", Long.toString(seed));

        ReturnHistory returns = new ReturnHistory(cfg.solveWindow);
        double loss = from.loss();
        batch.credit = from.gradientCredit();
        batch.resumeAt(from.updates(), loss, from.qValues());
        BestNetwork best = new BestNetwork(online, backend, runDir.resolve("best.safetensors"), meta, from.bestEval());
        Solve solve = new Solve();
        solve.step = from.solvedStep();
        long episode = 0, lastEvalStep = from.lastEvalStep(), step = from.step();
        long learnedThrough = step; // the last environment step whose step-unit training and target update are done or queued
        boolean overlap = backend.queuesWork(); // learn while the environments step: only a device that queues work can
        boolean interrupted = false, finished = false;
        long start = System.nanoTime();

        // A resumed run keeps its history up to the checkpoint: the log, the return averages, the best network.
        List<double[]> history = resume ? MetricsCsv.read(runDir.resolve("metrics.csv"), step, out::message, COLUMNS) : List.of();
        for (double[] row : history) returns.add(row[0], row[2]);
        episode = returns.episodes();
        // Read before restoreBest puts it in place: a damaged copy fails the resume with best.safetensors untouched.
        if (resume && resumed.bestRecorded() && resumed.best() != null) SafeTensors.load(resumed.best(), online.twin(backend).params());
        if (resume && resumed.bestRecorded()) TrainingCheckpoint.restoreBest(runDir, resumed.best()); // as it was at the checkpoint
        if (resume && Files.isRegularFile(runDir.resolve("best.safetensors"))) best.restore();

        float[][] obs = new float[N][];
        double[] epReturn = new double[N];
        int[] epLength = new int[N];
        OpenEpisodes open = resume ? resumed.episodes() : null;
        if (open != null) { // the episodes under way at the checkpoint, continued (the environments restored above)
            for (int i = 0; i < N; i++) {
                obs[i] = open.observations()[i];
                epReturn[i] = open.returns()[i];
                epLength[i] = open.lengths()[i];
            }
        } else {
            // Fresh episodes; a resumed run seeds them from the step so they differ from the first run's.
            for (int i = 0; i < N; i++) obs[i] = envs[i].reset(seed + i + step * 7919);
        }
        // Written only now: a resume that fails on what it reads (metrics.csv, best.safetensors, the episodes) leaves the run directory as it was.
        Files.createDirectories(runDir);
        writeConfig(runDir.resolve("config.json"), cfg, preset, solveAt);
        int[] action = new int[N], greedy = new int[N];
        boolean[] random = new boolean[N];
        float[] actBatch = new float[N * obsSize];

        try (MetricsCsv csv = new MetricsCsv(runDir.resolve("metrics.csv"), history, COLUMNS);
             TrainingProbe probe = cfg.diagnoseEvery > 0 ? new TrainingProbe(runDir.resolve("diagnostics.csv"), online, update, batch, seed) : null;
             TensorBoardWriter tb = cfg.tensorboard ? new TensorBoardWriter(runDir, step) : null) {
            boolean checkpointDue = false;
            // An evaluation a stop request gave up at the checkpoint's step runs first, as it would have.
            if (from.stoppedEvalStep() == step && step > 0) {
                finished = evaluate(evalEnv, evalPolicy, cfg, evalSeed, step, best, solve, solveAt, start, out, stopRequested, tb);
            }
            while (!finished && step < cfg.totalSteps) {
                if (stopRequested.getAsBoolean()) {
                    interrupted = true;
                    break;
                }
                // --max-minutes (after a round at least) ends the run as --total-steps does: saved, evaluated, handed over.
                if (step > from.step() && outOfTime(cfg, start, step, out)) break;
                // 1. Act epsilon-greedily in every environment: one forward pass for the greedy ones, queued with
                //    the read-back of its Q values ahead of this round's training (2), so they need nothing after them.
                double eps = noise != null ? 0 : epsilon.value(step, episode); // a noisy network explores through its noise
                boolean anyGreedy = false;
                for (int i = 0; i < N; i++) {
                    random[i] = actRng.nextDouble() < eps;
                    if (random[i]) action[i] = actRng.nextInt(actions);
                    anyGreedy |= !random[i];
                }
                if (anyGreedy) {
                    if (noise != null) noise.beforeActing();
                    for (int i = 0; i < N; i++) System.arraycopy(obs[i], 0, actBatch, i * obsSize, obsSize);
                    actor.submit(actBatch);
                }

                // 2. On a device that queues work, learn now: the training rounds and target updates due in steps
                //    at the steps this round of environment steps reaches, sampled from the replay as it stands
                //    (without this round's <= N transitions), run while the environments step (3). An action still
                //    sees every update of the steps before it. Elsewhere they come after each step (4).
                for (long through = overlap ? learnAhead(cfg, step, N) : step; learnedThrough < through; ) {
                    loss = stepUnits(++learnedThrough, cfg, batch, update, sampleRng, target != online, loss);
                }
                backend.flush();

                // 3. Step the environments once the actions are back (a wait for the Q values, not for the training).
                if (anyGreedy) {
                    actor.collect(greedy);
                    for (int i = 0; i < N; i++) if (!random[i]) action[i] = greedy[i];
                }
                Env.Step[] results = stepper.step(action);

                for (int i = 0; i < N && !finished; i++) {
                    // 4. Store the transition (rewards clipped or scaled for learning only) and count the step.
                    Env.Step st = results[i];
                    if (probe != null) probe.acted(action[i]);
                    float learnReward = cfg.rewardClip ? Math.signum((float) st.reward()) : (float) (st.reward() * cfg.rewardScale);
                    batch.add(i, obs[i], action[i], learnReward, st);
                    obs[i] = st.observation();
                    epReturn[i] += st.reward();
                    epLength[i]++;
                    long done = ++step; // environment steps taken so far, all environments together
                    boolean learning = done >= cfg.learningStarts;
                    // Every few steps learn, and update the target network (unless 2 did it already).
                    if (learnedThrough < done) loss = stepUnits(++learnedThrough, cfg, batch, update, sampleRng, target != online, loss);

                    if (st.done() && envs[i].gameGoesOn()) {
                        // A lost life under --episodic-life: terminal for learning (stored above), but the game, its
                        // return and its length go on; episodes, returns and evaluations count games (CleanRL logs them so).
                        obs[i] = envs[i].reset();
                    } else if (st.done()) {
                        // 5. Episode end: log, learn and update the target if they count in episodes.
                        episode++;
                        double ret = epReturn[i];
                        returns.add(done, ret);
                        double[] row = {done, episode, ret, epLength[i], eps, loss, (done - from.step()) / seconds(start), batch.qValues()};
                        csv.row(row);
                        if (tb != null) tb.scalars(done, COLUMNS, row, 2); // the columns after global_step and episode: CleanRL's tags
                        if (learning && cfg.trainUnit.equals("episodes") && episode % cfg.trainFreq == 0) {
                            loss = batch.learn(update, sampleRng, cfg.gradientSteps, loss);
                        }
                        if (target != online && cfg.targetUnit.equals("episodes") && episode % cfg.targetUpdate == 0) {
                            update.syncTarget((float) cfg.tau);
                        }

                        // 6. Solve check: a greedy evaluation once the recent training episodes reach the threshold.
                        if (returns.recentMean() >= solveAt && done - lastEvalStep >= cfg.solveCheckEvery) {
                            lastEvalStep = done;
                            finished = evaluate(evalEnv, evalPolicy, cfg, evalSeed, done, best, solve, solveAt, start, out, stopRequested, tb);
                        }
                        obs[i] = envs[i].reset();
                        epReturn[i] = 0;
                        epLength[i] = 0;
                        if (cfg.maxEpisodes > 0 && episode >= cfg.maxEpisodes) finished = true;
                    }
                    // 7. Periodic evaluation: the best network is kept even if training later falls apart.
                    if (!finished && cfg.evalEvery > 0 && done % cfg.evalEvery == 0 && done != lastEvalStep) {
                        finished = evaluate(evalEnv, evalPolicy, cfg, evalSeed, done, best, solve, solveAt, start, out, stopRequested, tb);
                    }
                    if (probe != null && done % cfg.diagnoseEvery == 0) probe.record(done, episode, returns.meanLast(10));
                    if (done % 256 == 0) {
                        out.status(new Status(done, cfg.totalSteps, episode, (done - from.step()) / seconds(start), returns.mean100(), eps, loss));
                    }
                    checkpointDue |= cfg.checkpointEvery > 0 && done % cfg.checkpointEvery == 0;
                    if (step >= cfg.totalSteps) break;
                }
                // 8. A periodic checkpoint at the end of the round that reached its step, where all environments have
                //    taken this round's step (not at the last step: the final save after the loop writes the same one).
                if (checkpointDue && !finished && step < cfg.totalSteps) {
                    checkpointDue = false;
                    TrainingCheckpoint.save(runDir, online, target, update.optimizer(),
                            counters(step, episode, lastEvalStep, best, batch, actRng, sampleRng, noise, loss, solve), meta, saved,
                            saved != null ? OpenEpisodes.of(envs, obs, epReturn, epLength) : null);
                    out.message("step " + step + ": checkpoint saved in " + runDir);
                }
            }
        } finally {
            stepper.close();
        }
        interrupted |= stopRequested.getAsBoolean(); // a stop inside an evaluation ended the loop as if finished
        double seconds = seconds(start);

        // 9. Save the last network with the training state (for --resume) and the learning curve; evaluate unless interrupted.
        TrainingCheckpoint.save(runDir, online, target, update.optimizer(),
                counters(step, episode, lastEvalStep, best, batch, actRng, sampleRng, noise, loss, solve), meta, saved,
                saved != null ? OpenEpisodes.of(envs, obs, epReturn, epLength) : null);
        meta.put("step", Long.toString(step));
        meta.remove("eval");
        LearningCurve.write(runDir.resolve("learning_curve.png"), spec.id() + " (" + preset + ", seed " + seed + ")",
                returns.endSteps(), returns.returns(), solveAt);
        for (Env e : envs) e.close();
        // 10. The last network's evaluation (already made if training ended on one), then the best network's: handed over.
        //     A stop request during them ends the run as interrupted, as during training: the checkpoint is saved.
        HandOver h = handOver(interrupted, evalEnv, evalPolicy, cfg, spec, evalSeed, step, solve, best, online, backend, runDir, meta, out,
                stopRequested);
        evalEnv.close();
        return new Result(runDir, step, episode, seconds, solve.step >= 0, solve.step, solve.seconds, h.handed(), h.handed() == null, h.last(),
                best.step(), from.step());
    }

    /** The last network's and the handed-over (best) network's evaluations; both null when the run was (or is now) interrupted. */
    record HandOver(Evaluation last, Evaluation handed) {}

    /**
     * The end of a run (step 10): unless {@code interrupted}, the last network's evaluation (already made if
     * training ended on one), then the best network's, and its GIF; a stop request during them makes the
     * run interrupted, as during training (the checkpoint is saved already).
     */
    static HandOver handOver(boolean interrupted, Env evalEnv, GreedyPolicy evalPolicy, DqnConfig cfg, EnvSpec spec, long evalSeed, long step,
                             Solve solve, BestNetwork best, QNetwork online, Backend backend, Path runDir, Map<String, String> meta, Listener out,
                             BooleanSupplier stopRequested) throws IOException {
        Evaluation last = null, handed = null;
        if (!interrupted) {
            last = solve.latestStep == step ? solve.latest
                    : Evaluation.run(evalEnv, evalPolicy, cfg.evalEpisodes, evalSeed, cfg.evalEpsilon, null, stopRequested);
            if (last != null) {
                best.offer(last, step);
                handed = best.evaluation(net -> Evaluation.run(evalEnv, GreedyPolicy.evaluation(net, backend, 1), cfg.evalEpisodes, evalSeed,
                        cfg.evalEpsilon, null, stopRequested));
            }
            interrupted = handed == null;
        }
        if (interrupted) {
            if (!best.any()) online.save(runDir.resolve("best.safetensors"), meta);
            out.message("interrupted at step " + step + ": checkpoint saved in " + runDir + " (last.safetensors: its network)");
            return new HandOver(null, null);
        }
        if (cfg.gif) {
            List<BufferedImage> frames = new ArrayList<>();
            Evaluation.run(evalEnv, GreedyPolicy.evaluation(best.network(), backend, 1), 1, evalSeed, 0, frames);
            if (!frames.contains(null)) { // else an environment that does not draw itself (render() is null): no GIF
                Gif.write(runDir.resolve("episode.gif"), frames, spec.pixels() ? 70 : evalEnv.id().startsWith("CartPole") ? 20 : 300);
            }
        }
        return new HandOver(last, handed);
    }

    /** The gradient step of {@code cfg} from {@code online} towards {@code target} on {@code batch}'s samples. */
    static DqnUpdate update(DqnConfig cfg, QNetwork online, QNetwork target, TrainingBatch batch) {
        // n-step and pixel replays give each sample its own discount (gamma^k, 0 at a termination),
        // which the TD target takes as y = r + (1 - m) * Q' with m = 1 - discount and gamma 1.
        float gamma = batch.perSampleDiscount ? 1f : (float) cfg.gamma;
        return cfg.distributional
                ? DqnUpdate.categorical((Distributional) online.module(), online.params(), (Distributional) target.module(), target.params(),
                        cfg.optimizerFor(online.params()), batch.tweights, gamma, cfg.doubleDqn)
                : new DqnUpdate(online.module(), online.params(), target.module(), target.params(), cfg.optimizerFor(online.params()),
                        batch.tweights != null ? cfg.lossFunction().weightedBy(batch.tweights) : cfg.lossFunction(), gamma, cfg.doubleDqn);
    }

    /**
     * The last step whose step-unit work {@link #stepUnits} can be queued before the round from
     * {@code step} (its N environment steps, within --total-steps) is taken: the round's last, or the
     * first step in it at which the loop reads the network (a periodic evaluation, a diagnostics
     * row), so that what it reads there has exactly the updates of the steps up to it.
     * With one environment, always {@code step + 1}.
     */
    private static long learnAhead(DqnConfig cfg, long step, int N) {
        long end = Math.min(step + N, cfg.totalSteps);
        for (long t = step + 1; t < end; t++) {
            if (cfg.evalEvery > 0 && t % cfg.evalEvery == 0
                    || cfg.diagnoseEvery > 0 && t % cfg.diagnoseEvery == 0) return t;
        }
        return end;
    }

    /**
     * What is due at environment step {@code done} in steps: the learning rate of that step, a training
     * round every trainFreq steps once learning has started (fractional gradient steps accumulate), a
     * target update every targetUpdate steps. Returns the loss (the last one read back).
     */
    static double stepUnits(long done, DqnConfig cfg, TrainingBatch batch, DqnUpdate update, Rng rng, boolean hasTarget, double loss) {
        if (cfg.lrEnd > 0) update.optimizer().setLr((float) cfg.learningRate(done));
        batch.beta = cfg.perBetaAt(done);
        if (done >= cfg.learningStarts && cfg.trainUnit.equals("steps") && done % cfg.trainFreq == 0) {
            loss = batch.learn(update, rng, cfg.gradientSteps, loss);
        }
        if (hasTarget && cfg.targetUnit.equals("steps") && done % cfg.targetUpdate == 0) update.syncTarget((float) cfg.tau);
        return loss;
    }

    /** The loop's counters for a checkpoint at {@code step}. */
    private static TrainingCheckpoint.Counters counters(long step, long episode, long lastEvalStep, BestNetwork best, TrainingBatch batch,
                                                        Rng actRng, Rng sampleRng, NoisyExploration noise, double loss, Solve solve) {
        return new TrainingCheckpoint.Counters(step, episode, lastEvalStep, best.mean(), batch.credit, actRng.state(), sampleRng.state(),
                loss, batch.updates, solve.step, solve.stoppedEvalStep == step ? step : -1, noise == null ? 0 : noise.state(), batch.qValues());
    }

    /**
     * When the run first solved (the solving evaluation, its step: -1 before; seconds since the start,
     * NaN when that was before a resume), and the latest evaluation.
     */
    static final class Solve {
        Evaluation evaluation, latest;
        long step = -1, latestStep = -1;
        /** The step of an evaluation a stop request gave up (-1: none), which a resume runs again. */
        long stoppedEvalStep = -1;
        double seconds = Double.NaN;
    }

    /**
     * One greedy evaluation of the online network at {@code step}: offered to {@code best}, and the
     * first one reaching the threshold marks the run solved. Returns true when training should stop.
     */
    static boolean evaluate(Env evalEnv, GreedyPolicy policy, DqnConfig cfg, long evalSeed, long step, BestNetwork best,
                                    Solve solve, double solveAt, long start, Listener out, BooleanSupplier stop,
                                    TensorBoardWriter tb) throws IOException {
        Evaluation ev = Evaluation.run(evalEnv, policy, cfg.evalEpisodes, evalSeed, cfg.evalEpsilon, null, stop);
        if (ev == null) { // a stop request: the evaluation is given up (it counts for nothing), the run saves and ends
            out.message("step " + step + ": evaluation stopped (stop requested)");
            solve.stoppedEvalStep = step; // the checkpoint records it: a resume runs it again
            return true;
        }
        solve.stoppedEvalStep = -1;
        if (tb != null) tb.scalar(step, "eval/mean_return", ev.mean());
        boolean better = best.offer(ev, step);
        solve.latest = ev;
        solve.latestStep = step;
        if (solve.step < 0 && ev.mean() >= solveAt) {
            solve.evaluation = ev;
            solve.step = step;
            solve.seconds = seconds(start);
            out.message(String.format(Locale.ROOT, "solved at step %d (%.1f s): greedy evaluation %s", step, solve.seconds, ev));
            return cfg.stopWhenSolved;
        }
        out.message(String.format(Locale.ROOT, "step %d: greedy evaluation %s%s", step, ev, better ? " (best so far)" : ""));
        return false;
    }

    static double seconds(long startNanos) { return (System.nanoTime() - startNanos) / 1e9; }

    /**
     * True once --max-minutes of training have passed since {@code startNanos} (this process's first
     * step: a resumed run gets the limit again), and then says so: the run ends as at --total-steps.
     */
    static boolean outOfTime(DqnConfig cfg, long startNanos, long step, Listener out) {
        if (cfg.maxMinutes <= 0 || seconds(startNanos) < cfg.maxMinutes * 60) return false;
        out.message(String.format(Locale.ROOT, "step %d: --max-minutes %s reached (%.1f minutes of training): the run ends here", step,
                new java.math.BigDecimal(Double.toString(cfg.maxMinutes)).stripTrailingZeros().toPlainString(), seconds(startNanos) / 60));
        return true;
    }

    static void writeConfig(Path file, DqnConfig cfg, String preset, double solveAt) throws IOException {
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
