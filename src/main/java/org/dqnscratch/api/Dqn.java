package org.dqnscratch.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;
import org.dqnscratch.env.Env;
import org.dqnscratch.io.RunDirLock;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.apex.ApeXLearner;
import org.dqnscratch.apex.Fleet;
import org.dqnscratch.apex.LocalFleet;
import org.dqnscratch.apex.RayFleet;
import org.dqnscratch.rl.DqnTraining;
import org.dqnscratch.rl.EnvSpec;
import org.dqnscratch.rl.Presets;
import org.dqnscratch.rl.QNetwork;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;

/**
 * Deep Q-learning from Java: train an {@link Agent} on any {@link Env}, save it, load it back.
 *
 * <pre>{@code
 * DqnConfig config = new DqnConfig();       // the default recipe; or Dqn.preset("cartpole", "cleanrl"); then set fields
 * config.totalSteps = 3_000;
 * Agent agent = Dqn.train(config, seed -> new Corridor(8), TrainingListener.printing(System.out, 1_000));
 * int action = agent.act(observation);
 * agent.save(Path.of("corridor.safetensors"));
 * Agent again = Dqn.load(Path.of("corridor.safetensors"), seed -> new Corridor(8));
 * }</pre>
 *
 * <p>A run is the command line's: a new directory under {@code config.runDir} (default {@code runs/})
 * named by the environment's id, {@code api}, the seed and the time, holding {@code config.json},
 * {@code metrics.csv}, TensorBoard event files, {@code learning_curve.png}, {@code best.safetensors},
 * {@code last.safetensors} and the checkpoint ({@code checkpoint}, {@code checkpoints/}; {@link Training#resume}
 * continues a run from it, as the command line's {@code --resume}). The run holds the directory while it
 * trains (another run there is refused). Training runs on the CPU, on all cores ({@code -Ddqn.threads=N}
 * to change it; {@link Training#backend} for another device);
 * start the JVM with {@code --add-modules jdk.incubator.vector} for the fast matrix kernels.
 *
 * <p>An environment of the caller's is made by a factory from a seed: {@code config.envs} for training
 * (seeds {@code config.seed + i}) and one for evaluations, after one made with seed 0 (and closed) to
 * read its id, observation shape and actions. Observations are flat (an MLP of {@code config.hidden}
 * learns from them) or stacked 84x84 frames of pixels (the Nature CNN); see {@link Env}. Every
 * environment the factory makes must have the same id, observation size and actions, and every
 * observation that size: a breach is an {@link IllegalStateException} naming the environment. The
 * solve threshold is {@code config.solveAt} or else the environment's {@link Env#rewardThreshold()}:
 * a greedy evaluation of {@code config.evalEpisodes} episodes reaching it ends training (with
 * {@code config.stopWhenSolved}); otherwise training runs {@code config.totalSteps} steps.
 */
public final class Dqn {
    private Dqn() {}

    /** The label of the runs this class starts, in their directory names and config.json (the command line's is its preset). */
    static final String LABEL = "api";

    /**
     * A copy of a preset's config: {@code command} is {@code cartpole}, {@code frozenlake} or
     * {@code pong}, {@code name} one of its presets ({@code default}, {@code cleanrl}, ...: the command's
     * {@code --help} lists them).
     */
    public static DqnConfig preset(String command, String name) { return Presets.get(command, name).config(); }

    /**
     * Trains on the environments {@code envs} makes (see above) and returns the agent the run hands
     * over: the best network any of its greedy evaluations saw ({@code best.safetensors}).
     *
     * @param config the hyperparameters (not changed; {@code config.env} and {@code config.game}
     *     are ignored: the run's config.json records the environment's id as {@code env})
     * @throws IllegalArgumentException for a config no run can use or an environment the engine cannot learn from
     * @throws IOException when the run directory cannot be written
     */
    public static Agent train(DqnConfig config, LongFunction<? extends Env> envs, TrainingListener listener) throws IOException {
        try (Training t = training(config, envs).listener(listener)) {
            t.run();
            return t.agent();
        }
    }

    /** {@link #train(DqnConfig, LongFunction, TrainingListener)} with {@link TrainingListener#QUIET}. */
    public static Agent train(DqnConfig config, LongFunction<? extends Env> envs) throws IOException {
        return train(config, envs, TrainingListener.QUIET);
    }

    /**
     * Trains on dqn-scratch's own environment that {@code config} names ({@code config.env}: CartPole,
     * FrozenLake; or {@code config.game}: an Atari game, its ROM found as the {@code pong} command finds it),
     * as the command line does.
     */
    public static Agent train(DqnConfig config, TrainingListener listener) throws IOException {
        try (Training t = training(config).listener(listener)) {
            t.run();
            return t.agent();
        }
    }

    /**
     * A run to configure before it starts ({@link Training}) on the environments {@code envs} makes:
     * what {@link #train(DqnConfig, LongFunction, TrainingListener)} does, step by step.
     */
    public static Training training(DqnConfig config, LongFunction<? extends Env> envs) {
        Objects.requireNonNull(envs, "envs");
        DqnConfig cfg = config.clone();
        cfg.game = "";
        EnvSpec spec = EnvSpec.custom(envs);
        cfg.env = spec.id();
        return new Training(cfg.validate(), spec);
    }

    /** A run to configure before it starts ({@link Training}) on dqn-scratch's own environment that {@code config} names. */
    public static Training training(DqnConfig config) {
        DqnConfig cfg = config.clone().validate();
        return new Training(cfg, EnvSpec.of(cfg)); // an unknown environment, a missing or wrong ROM: an error now
    }

    /**
     * One training run, set up step by step (the command line's way): {@link #label}, {@link #backend},
     * {@link #resume}, {@link #listener}; then {@link #open} makes (or, resuming, takes) the run
     * directory and holds it, {@link #run} trains, {@link #agent} loads the network handed over, and
     * {@link #close} lets the directory go (a new one that nothing was written to is removed).
     */
    public static final class Training implements AutoCloseable {
        private final DqnConfig cfg;
        private final EnvSpec spec;
        private String label = LABEL;
        private Backend backend;
        private Path resume;
        private TrainingListener listener = TrainingListener.QUIET;
        private Path runDir;
        private RunDirLock lock;
        /** The run's actors' maker, from {@link #open}: threads, or a Ray cluster joined there. */
        private Fleet.Maker fleets;
        private DqnTraining.Result result;

        Training(DqnConfig cfg, EnvSpec spec) {
            this.cfg = cfg;
            this.spec = spec;
        }

        /** The name the run's directory and config.json give its recipe (the command line's preset; default {@code api}). */
        public Training label(String label) {
            this.label = Objects.requireNonNull(label, "label");
            return this;
        }

        /** Where the tensors live (default: the CPU); the caller closes it after the run. */
        public Training backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * Continues the run in {@code runDir} from its checkpoint (the config must be the run's, as its
         * config.json has it, with more {@code totalSteps}) instead of starting a new one.
         */
        public Training resume(Path runDir) {
            this.resume = runDir;
            return this;
        }

        /** Who hears of the run's progress and messages, and may stop it (default: {@link TrainingListener#QUIET}). */
        public Training listener(TrainingListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Makes the new run's directory (or takes the resumed one) and holds it until {@link #close}: another
         * run there is refused ({@code RUN_DIR is in use by process PID}). Returns it; calling again returns it again.
         */
        public Path open() throws IOException {
            if (lock != null) return runDir;
            // Ape-X on Ray: Ray's runtime found and the cluster joined (or refused, one line) before the run directory is made.
            if (fleets == null) fleets = cfg.actors > 0 && !cfg.ray.isEmpty() ? RayFleet.on(cfg) : LocalFleet::threads;
            Path dir = resume != null ? resume : RunDirLock.newRunDir(Path.of(cfg.runDir), cfg.atari() ? cfg.game : cfg.env, label, cfg.seed);
            try {
                lock = RunDirLock.acquire(dir);
            } catch (IOException e) {
                if (resume == null) RunDirLock.removeIfEmpty(dir);
                leaveCluster();
                throw e;
            }
            runDir = dir;
            return dir;
        }

        /**
         * Trains (opening the run directory first if {@link #open} was not called: the listener is then
         * told where it is) and returns the run's outcome; once per Training.
         */
        public DqnTraining.Result run() throws IOException {
            if (result != null) throw new IllegalStateException("this run has already been trained");
            if (lock == null) {
                open();
                listener.message("run directory: " + runDir);
            }
            if (backend == null) backend = new CpuBackend();
            DqnTraining.Listener out = new DqnTraining.Listener() {
                @Override public void status(DqnTraining.Status status) { listener.progress(status); }
                @Override public void message(String line) { listener.message(line); }
            };
            result = cfg.actors > 0 // Ape-X: actors (threads, or Ray actors with --ray) feed one learner
                    ? ApeXLearner.run(cfg, spec, label, runDir, out, listener::stopRequested, backend, resume != null, fleets)
                    : DqnTraining.run(cfg, spec, label, runDir, out, listener::stopRequested, backend, resume != null);
            return result;
        }

        /** The agent the run handed over (best.safetensors), after {@link #run}. */
        public Agent agent() throws IOException {
            if (result == null) throw new IllegalStateException("the run has not been trained yet");
            Path best = runDir.resolve("best.safetensors");
            QNetwork net = QNetwork.load(backend, best, cfg.rom.isEmpty() ? null : Path.of(cfg.rom));
            return new Agent(net.withSpec(spec), backend, SafeTensors.read(best).metadata(), result);
        }

        /** Lets the run directory go: another run may use it (a new one that holds nothing is removed). */
        @Override public void close() throws IOException {
            leaveCluster();
            if (lock == null) return;
            try {
                lock.close();
            } finally {
                lock = null;
                if (resume == null) RunDirLock.removeIfEmpty(runDir);
            }
        }

        /** A Ray cluster joined for the run is left (its actors, if any, are stopped already: the learner closes its fleet). */
        private void leaveCluster() {
            if (fleets instanceof RayFleet.Joined joined) joined.close();
        }
    }

    /**
     * Loads an agent of one of dqn-scratch's own environments (CartPole, FrozenLake, an Atari game:
     * its ROM is looked up as the {@code pong} command does), or one of a caller's environment that
     * will only act ({@link Agent#evaluate} then needs {@link #load(Path, LongFunction)}).
     *
     * @throws IOException for a missing file or one that is not a dqn-scratch checkpoint
     */
    public static Agent load(Path checkpoint) throws IOException {
        Backend backend = new CpuBackend();
        return new Agent(QNetwork.load(backend, checkpoint), backend, SafeTensors.read(checkpoint).metadata(), null);
    }

    /**
     * Loads an agent trained on the environments {@code envs} makes (one is made with seed 0, and
     * closed, to check it).
     *
     * @throws IllegalArgumentException when the checkpoint was trained on another environment (another
     *     id, observation shape or number of actions, or one of dqn-scratch's own)
     * @throws IOException for a missing file or one that is not a dqn-scratch checkpoint
     */
    public static Agent load(Path checkpoint, LongFunction<? extends Env> envs) throws IOException {
        Objects.requireNonNull(envs, "envs");
        if (!Files.isRegularFile(checkpoint)) throw new java.nio.file.NoSuchFileException(checkpoint.toString(), null, "no such checkpoint file");
        Backend backend = new CpuBackend();
        Map<String, String> meta = SafeTensors.read(checkpoint).metadata();
        EnvSpec given = EnvSpec.custom(envs);
        EnvSpec.Custom wanted = given.custom();
        String factoryMakes = wanted.name() + " (" + shape(wanted) + ", " + wanted.actions() + " actions)";
        if (!Boolean.parseBoolean(meta.get("custom"))) {
            throw new IllegalArgumentException(checkpoint + " was trained on " + meta.getOrDefault("env", "no known environment")
                    + ", one of dqn-scratch's own environments, not on the factory's " + factoryMakes + ": load it with Dqn.load(checkpoint)");
        }
        QNetwork net = QNetwork.load(backend, checkpoint);
        EnvSpec.Custom had = net.spec().custom();
        if (!had.name().equals(wanted.name()) || had.observationSize() != wanted.observationSize() || had.actions() != wanted.actions()
                || had.stack() != wanted.stack()) {
            throw new IllegalArgumentException(checkpoint + " was trained on " + had.name() + " (" + shape(had) + ", " + had.actions()
                    + " actions), not on the factory's " + factoryMakes);
        }
        return new Agent(net.withSpec(given), backend, meta, null);
    }

    private static String shape(EnvSpec.Custom c) {
        return c.stack() > 0 ? c.stack() + "x84x84 pixels" : c.observationSize() + " observation values";
    }
}
