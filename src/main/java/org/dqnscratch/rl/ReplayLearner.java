package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.dqnscratch.env.Env;
import org.dqnscratch.env.Rng;
import org.dqnscratch.io.LearningCurve;
import org.dqnscratch.io.MetricsCsv;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.io.TensorBoardWriter;
import org.dqnscratch.nn.Init;
import org.dqnscratch.tensor.Backend;

/**
 * The learning half of a DQN run whose transitions are made elsewhere (Ape-X actors, see
 * {@code org.dqnscratch.apex}): the networks, a prioritized replay with one stream per remote
 * environment, the gradient steps exactly as {@link DqnTraining} takes them ({@link TrainingBatch},
 * {@link DqnUpdate}, the same schedule of training rounds and target updates per environment step),
 * and the run directory as DqnTraining keeps it: config.json, metrics.csv (and TensorBoard),
 * evaluations and best.safetensors, checkpoints for --resume (network, target, optimizer, counters;
 * the replay as DqnTraining saves it: flat always, pixels with --save-replay; never the episodes under
 * way, which are the actors'), the learning curve.
 *
 * <p>The caller feeds it in order: transitions ({@link #addPixels} / {@link #addFlat}), then for each
 * environment step they stand for {@link #stepTaken}, and {@link #episodeEnded} for each finished
 * episode; each of the last two says when the run is over. {@link #finish} saves and evaluates.
 */
public final class ReplayLearner implements AutoCloseable {
    private final DqnConfig cfg;
    private final Path runDir;
    private final String preset;
    private final DqnTraining.Listener out;
    private final BooleanSupplier stopRequested;
    private final Backend backend;
    private final EnvSpec spec;
    private final TrainingBatch batch;
    /** The replay checkpoints hold (as DqnTraining's: flat always, pixels with --save-replay), or null. */
    private final Replay saved;
    private final QNetwork online, target;
    private final DqnUpdate update;
    private final Rng sampleRng;
    private final Env evalEnv;
    private final GreedyPolicy evalPolicy;
    private final long evalSeed, resumedFrom;
    private final double solveAt;
    private final ReturnHistory returns;
    private final BestNetwork best;
    private final DqnTraining.Solve solve = new DqnTraining.Solve();
    private final Map<String, String> meta = new LinkedHashMap<>();
    private final MetricsCsv csv;
    private final TensorBoardWriter tb;
    private final long start = System.nanoTime();
    private long step, episode, lastEvalStep;
    private double loss;
    private boolean checkpointDue;
    public final int observationSize, actions;

    /**
     * {@code cfg}: the run's (validated; prioritized replay whatever its --per says); {@code streams}:
     * the remote environments, one replay stream each; with {@code resume} the networks, optimizer and
     * counters continue from {@code runDir}'s checkpoint.
     */
    public ReplayLearner(DqnConfig cfg, EnvSpec spec, int streams, String preset, Path runDir, DqnTraining.Listener out,
                         BooleanSupplier stopRequested, Backend backend, boolean resume) throws IOException {
        this.cfg = cfg;
        this.spec = spec;
        this.runDir = runDir;
        this.preset = preset;
        this.out = out;
        this.stopRequested = stopRequested;
        this.backend = backend;
        evalSeed = cfg.seed + 1_000_000L; // as DqnTraining: evaluation episodes never share starts with training ones
        evalEnv = spec.make(evalSeed);
        observationSize = evalEnv.observationSpace().size();
        actions = evalEnv.actionSpace().n();
        solveAt = cfg.solveAt > 0 ? cfg.solveAt : evalEnv.rewardThreshold();
        DqnConfig replayCfg = cfg.clone();
        replayCfg.envs = streams; // the pixel replay's streams
        replayCfg.per = true;     // Ape-X is prioritized: the actors send the initial priorities
        batch = new TrainingBatch(backend, spec, replayCfg, observationSize);
        online = QNetwork.create(backend, spec, observationSize, actions, cfg.hidden, cfg.head(), cfg.noisy);
        Init.parse(cfg.init).apply(online.params(), cfg.seed);
        QNetwork t = online;
        if (cfg.targetUpdate > 0) {
            t = online.twin(backend);
            t.params().updateFrom(online.params(), 1f);
        }
        target = t;
        update = DqnTraining.update(replayCfg, online, target, batch);
        saved = batch.saved(cfg.saveReplay);
        // A replay loaded here has its episodes under way ended (truncated): the actors start new ones.
        TrainingCheckpoint.Counters from = resume
                ? TrainingCheckpoint.load(runDir, online, target, update.optimizer(), saved, streams, observationSize, out::message).counters()
                : new TrainingCheckpoint.Counters(0, 0, Long.MIN_VALUE / 2, Double.NEGATIVE_INFINITY, 0, 0, cfg.seed + 1, Double.NaN, 0, -1, -1, 0, Double.NaN);
        if (resume && from.step() >= cfg.totalSteps) {
            throw new IllegalArgumentException("the run in " + runDir + " is already at step " + from.step() + ": --total-steps must be larger than " + from.step());
        }
        step = resumedFrom = from.step();
        lastEvalStep = from.lastEvalStep();
        loss = from.loss();
        sampleRng = new Rng(from.sampleRng());
        batch.credit = from.gradientCredit();
        batch.resumeAt(from.updates(), loss, from.qValues());
        solve.step = from.solvedStep();
        meta.put("preset", preset);
        meta.put("seed", Long.toString(cfg.seed));
        meta.put("actors", Integer.toString(cfg.actors));
        returns = new ReturnHistory(cfg.solveWindow);
        best = new BestNetwork(online, backend, runDir.resolve("best.safetensors"), meta, from.bestEval());
        List<double[]> history = resume ? MetricsCsv.read(runDir.resolve("metrics.csv"), step, out::message, DqnTraining.COLUMNS) : List.of();
        for (double[] row : history) returns.add(row[0], row[2]);
        episode = returns.episodes();
        if (resume && Files.isRegularFile(runDir.resolve("best.safetensors"))) best.restore();
        if (resume) {
            out.message("resuming the learner from the checkpoint of step " + step + (replaySize() > 0 ? " with its replay of " + replaySize()
                    + " transitions (the actors start new episodes)" : " (the replay starts empty" + (saved == null ? ": see --save-replay" : "")
                    + "; the actors start new episodes)"));
        }
        evalPolicy = GreedyPolicy.evaluation(online, backend, 1);
        Files.createDirectories(runDir);
        DqnTraining.writeConfig(runDir.resolve("config.json"), cfg, preset, solveAt);
        csv = new MetricsCsv(runDir.resolve("metrics.csv"), history, DqnTraining.COLUMNS);
        tb = cfg.tensorboard ? new TensorBoardWriter(runDir, step) : null;
    }

    /** Environment steps taken so far, all actors together (the run's global step). */
    public long step() { return step; }

    /** The step the run was resumed from (0 for a new run). */
    public long resumedFrom() { return resumedFrom; }

    /** Gradient steps taken so far. */
    public long updates() { return batch.updates; }

    /** The online network's parameters, flat: what the actors act with. */
    public float[] weights() { return backend.toArray(online.params().values); }

    /** Transitions the replay holds now. */
    public long replaySize() { return batch.pixels != null ? batch.pixels.size() : batch.flat.size(); }

    // --- the replay: pixels as PixelReplay streams (n-step returns at sampling), flat transitions as the actors made them ---

    /** One environment step of stream {@code stream}, as {@link PixelReplay#add} takes it. */
    public void addPixels(int stream, float[] obs, int action, float reward, float[] next, boolean terminated, boolean truncated) {
        batch.pixels.add(stream, obs, action, reward, next, terminated, truncated);
    }

    /** See {@link PixelReplay#prioritizeNewest}. */
    public void prioritizeNewest(int stream, float[] p, int from, int count) { batch.pixels.prioritizeNewest(stream, p, from, count); }

    /** See {@link PixelReplay#episodeOpen}. */
    public boolean episodeOpen(int stream) { return batch.pixels.episodeOpen(stream); }

    /** See {@link PixelReplay#truncateEpisode}. */
    public void truncateEpisode(int stream) { batch.pixels.truncateEpisode(stream); }

    /** One finished (n-step) flat transition with its priority, see {@link ReplayBuffer#add(float[], int, int, float, float[], int, float, double)}. */
    public void addFlat(float[] obs, int obsOffset, int action, float reward, float[] next, int nextOffset, float discount, double priority) {
        batch.flat.add(obs, obsOffset, action, reward, next, nextOffset, discount, priority);
    }

    // --- the run ---

    /**
     * One more environment step has arrived: the training rounds and target updates due at it
     * (DqnTraining's schedule), a periodic evaluation, the progress line. True when the run is over.
     */
    public boolean stepTaken(double epsilon) throws IOException {
        long done = ++step;
        loss = DqnTraining.stepUnits(done, cfg, batch, update, sampleRng, target != online, loss);
        boolean finished = false;
        if (cfg.evalEvery > 0 && done % cfg.evalEvery == 0 && done != lastEvalStep) {
            lastEvalStep = done;
            finished = evaluate(done);
        }
        if (done % 256 == 0) {
            out.status(new DqnTraining.Status(done, cfg.totalSteps, episode, (done - resumedFrom) / DqnTraining.seconds(start), returns.mean100(),
                    epsilon, loss));
        }
        checkpointDue |= cfg.checkpointEvery > 0 && done % cfg.checkpointEvery == 0;
        return finished || done >= cfg.totalSteps || DqnTraining.outOfTime(cfg, start, done, out);
    }

    /** An actor's episode ended (at the current step): logged; episode-unit training; the solve check. True when the run is over. */
    public boolean episodeEnded(double ret, int length, double epsilon) throws IOException {
        episode++;
        returns.add(step, ret);
        double[] row = {step, episode, ret, length, epsilon, loss, (step - resumedFrom) / DqnTraining.seconds(start), batch.qValues()};
        csv.row(row);
        if (tb != null) tb.scalars(step, DqnTraining.COLUMNS, row, 2);
        if (step >= cfg.learningStarts && cfg.trainUnit.equals("episodes") && episode % cfg.trainFreq == 0) {
            loss = batch.learn(update, sampleRng, cfg.gradientSteps, loss);
        }
        if (target != online && cfg.targetUnit.equals("episodes") && episode % cfg.targetUpdate == 0) update.syncTarget((float) cfg.tau);
        boolean finished = false;
        if (returns.recentMean() >= solveAt && step - lastEvalStep >= cfg.solveCheckEvery) {
            lastEvalStep = step;
            finished = evaluate(step);
        }
        return finished || cfg.maxEpisodes > 0 && episode >= cfg.maxEpisodes;
    }

    /** Saves a checkpoint if --checkpoint-every came due since the last call (callers call it between batches); true if it did. */
    public boolean checkpointIfDue() throws IOException {
        if (!checkpointDue) return false;
        checkpointDue = false;
        saveCheckpoint();
        out.message("step " + step + ": checkpoint saved in " + runDir);
        return true;
    }

    private boolean evaluate(long at) throws IOException {
        return DqnTraining.evaluate(evalEnv, evalPolicy, cfg, evalSeed, at, best, solve, solveAt, start, out, stopRequested, tb);
    }

    private void saveCheckpoint() throws IOException {
        TrainingCheckpoint.save(runDir, online, target, update.optimizer(), new TrainingCheckpoint.Counters(step, episode, lastEvalStep, best.mean(),
                batch.credit, 0, sampleRng.state(), loss, batch.updates, solve.step, solve.stoppedEvalStep == step ? step : -1, 0, batch.qValues()), meta, saved, null);
    }

    /**
     * The end of the run: the checkpoint (for --resume), the learning curve, and unless
     * {@code interrupted} the last network's and the best network's evaluations (DqnTraining's hand-over, episode.gif included).
     */
    public DqnTraining.Result finish(boolean interrupted) throws IOException {
        interrupted |= stopRequested.getAsBoolean();
        double seconds = DqnTraining.seconds(start);
        saveCheckpoint();
        LearningCurve.write(runDir.resolve("learning_curve.png"), spec.id() + " (" + preset + " Ape-X, seed " + cfg.seed + ")",
                returns.endSteps(), returns.returns(), solveAt);
        meta.put("step", Long.toString(step));
        meta.remove("eval");
        DqnTraining.HandOver h = DqnTraining.handOver(interrupted, evalEnv, evalPolicy, cfg, spec, evalSeed, step, solve, best, online, backend,
                runDir, meta, out, stopRequested);
        return new DqnTraining.Result(runDir, step, episode, seconds, solve.step >= 0, solve.step, solve.seconds, h.handed(), h.handed() == null,
                h.last(), best.step(), resumedFrom);
    }

    @Override public void close() throws IOException {
        try (evalEnv; csv; TensorBoardWriter t = tb) {
            // closed in reverse order
        }
    }
}
