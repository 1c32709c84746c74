package org.dqnscratch.apex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.DqnTraining;
import org.dqnscratch.rl.EnvSpec;
import org.dqnscratch.rl.ReplayLearner;
import org.dqnscratch.tensor.Backend;

/**
 * An Ape-X run (Horgan et al. 2018): {@code --actors} actors fill one prioritized replay, one learner
 * trains on it. The loop, as the learner sees it:
 * <pre>
 *   publish the initial weights; start the actors
 *   until the run is over (total steps, solved, --max-episodes, --max-minutes, a stop request):
 *     take the next batch an actor sent; put it into the replay with its priorities
 *     for each environment step it brings: the training rounds and target updates due (DqnTraining's schedule)
 *     log its finished episodes (solve checks); publish the weights if they changed; a checkpoint (and actors.csv) if due
 *   stop and join the actors; write actors.csv; save, evaluate (ReplayLearner.finish)
 * </pre>
 * The learner trains on the run's {@code --device}; the actors act on the CPU with their own copy.
 * Because training is counted in environment steps received, the replay ratio (gradient steps per
 * transition) is the single-process run's; actors that outrun the learner wait for it (the fleet's
 * bounded queue).
 */
public final class ApeXLearner {
    private ApeXLearner() {}

    /** An Ape-X run of {@code cfg} (its {@code actors} > 0) with actors as threads of this JVM. */
    public static DqnTraining.Result run(DqnConfig cfg, EnvSpec spec, String preset, Path runDir, DqnTraining.Listener out,
                                         BooleanSupplier stopRequested, Backend backend, boolean resume) throws IOException {
        return run(cfg, spec, preset, runDir, out, stopRequested, backend, resume, LocalFleet::threads);
    }

    /** As above, with the actors of the fleet {@code fleets} makes (where phase 2 plugs in Ray). */
    public static DqnTraining.Result run(DqnConfig cfg, EnvSpec spec, String preset, Path runDir, DqnTraining.Listener out,
                                         BooleanSupplier stopRequested, Backend backend, boolean resume, Fleet.Maker fleets) throws IOException {
        cfg.validate();
        int n = cfg.actors, k = cfg.actorEnvs;
        if (n < 1) throw new IllegalArgumentException("an Ape-X run needs --actors >= 1");
        try (ReplayLearner learner = new ReplayLearner(cfg, spec, n * k, preset, runDir, out, stopRequested, backend, resume)) {
            Path actorsCsv = runDir.resolve("actors.csv");
            ActorStats stats = resume ? ActorStats.continuing(actorsCsv, n) : new ActorStats(n);
            boolean interrupted = false;
            try (Fleet fleet = fleets.make(cfg, spec, learner.step(), out::message)) {
                interrupted = learn(learner, fleet, cfg, stopRequested, stats, actorsCsv, out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted = true;
            }
            stats.write(actorsCsv);
            return learner.finish(interrupted);
        }
    }

    /** The learner's loop (see the class comment); returns true when a stop request ended it. */
    private static boolean learn(ReplayLearner learner, Fleet fleet, DqnConfig cfg, BooleanSupplier stopRequested, ActorStats stats,
                                 Path actorsCsv, DqnTraining.Listener out) throws IOException, InterruptedException {
        ReplayFeed feed = new ReplayFeed(cfg.actors, cfg.actorEnvs, learner.observationSize);
        ReplayFeed.Target replay = target(learner);
        long version = 0, publishedAt = learner.updates();
        int batchesSincePublish = 0, batchesPerWeights = (int) Math.max(1, cfg.weightsEvery / ((long) cfg.actorBatch * cfg.actorEnvs));
        fleet.publish(new Fleet.Weights(learner.weights(), version));
        fleet.start(cfg.actors);
        boolean finished = false;
        while (!finished) {
            if (stopRequested.getAsBoolean()) return true;
            byte[] bytes = fleet.poll(100);
            if (bytes == null) continue;
            TransitionBatch b = TransitionBatch.decode(bytes, learner.observationSize);
            long lost = feed.add(b, replay);
            if (lost > 0) {
                out.message("actor " + b.actor() + ": " + lost + " batch" + (lost == 1 ? "" : "es") + " lost (a call that failed); "
                        + "its episodes under way were cut there");
            }
            stats.received(b, fleet.restarts(b.actor()), lost);
            for (int i = 0; i < b.envSteps() && !finished; i++) finished = learner.stepTaken(b.epsilon());
            for (int e = 0; e < b.episodeReturns().length && !finished; e++) {
                finished = learner.episodeEnded(b.episodeReturns()[e], b.episodeLengths()[e], b.epsilon());
            }
            // New weights once actors could take them (every --weights-every of an actor's steps), not after every update:
            // each is a copy of the network (6.8 MB for the Nature CNN; on a device, a read that waits for it).
            if (learner.updates() > publishedAt && ++batchesSincePublish >= batchesPerWeights) {
                publishedAt = learner.updates();
                batchesSincePublish = 0;
                fleet.publish(new Fleet.Weights(learner.weights(), ++version));
            }
            if (learner.checkpointIfDue()) stats.write(actorsCsv);
        }
        return false;
    }

    private static ReplayFeed.Target target(ReplayLearner learner) {
        return new ReplayFeed.Target() {
            @Override public void addPixels(int stream, float[] obs, int action, float reward, float[] next, boolean terminated, boolean truncated) {
                learner.addPixels(stream, obs, action, reward, next, terminated, truncated);
            }

            @Override public void prioritizeNewest(int stream, float[] p, int from, int count) { learner.prioritizeNewest(stream, p, from, count); }

            @Override public boolean episodeOpen(int stream) { return learner.episodeOpen(stream); }

            @Override public void truncateEpisode(int stream) { learner.truncateEpisode(stream); }

            @Override public void addFlat(int stream, float[] obs, int obsOffset, int action, float reward, float[] next, int nextOffset, float discount,
                                          double priority) {
                learner.addFlat(obs, obsOffset, action, reward, next, nextOffset, discount, priority);
            }
        };
    }
}
