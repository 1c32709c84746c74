package org.dqnscratch.rl;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Networks;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.Support;
import org.dqnscratch.optim.Adam;
import org.dqnscratch.optim.GradClip;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.optim.RmsProp;
import org.dqnscratch.optim.Sgd;

/**
 * Every hyperparameter of a DQN run, one field each (CleanRL's Args). The command line makes
 * each documented field a flag ({@code totalSteps} is {@code --total-steps}); presets set
 * several at once. The defaults are the {@code default} preset: the fast CartPole-v1 recipe.
 */
public final class DqnConfig implements Cloneable {
    /** The flag help of a field; fields without it are not flags. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Doc {
        String value();

        /** Which commands have the flag: "" all, "atari" the Atari commands only, "classic" CartPole and FrozenLake only. */
        String only() default "";
    }

    // --- environment and run ---
    @Doc(value = "environment: CartPole-v0, CartPole-v1, FrozenLake-v1 (4x4), FrozenLake8x8-v1", only = "classic") public String env = "CartPole-v1";
    @Doc(value = "FrozenLake: slippery ice", only = "classic") public boolean slippery = false;

    // --- Atari (ALE) ---
    @Doc(value = "Atari game (ALE ROM name: pong, breakout, space_invaders, ...)", only = "atari") public String game = "";
    @Doc(value = "ROM file of the game (default: $ALE_ROMS, an installed ale-py, then the import-roms folder)", only = "atari") public String rom = "";
    @Doc(value = "preprocessing: atari (Gymnasium's AtariPreprocessing, as CleanRL/SB3) or lapan (the seed's PyTorch Pong wrappers)", only = "atari") public String pipeline = "atari";
    @Doc(value = "up to this many random no-op frames after each reset (0: none)", only = "atari") public int noopMax = 30;
    @Doc(value = "emulator frames per agent step (the action is repeated, the last two frames max-pooled)", only = "atari") public int frameSkip = 4;
    @Doc(value = "frames stacked into one observation", only = "atari") public int frameStack = 4;
    @Doc(value = "a lost life ends the episode (Gymnasium's terminal_on_life_loss: the next reset starts a new game)", only = "atari") public boolean terminalOnLifeLoss = false;
    @Doc(value = "emulator frames after which an episode is truncated", only = "atari") public int maxEpisodeFrames = 108_000;
    @Doc(value = "clip rewards to their sign for learning (returns are reported raw)", only = "atari") public boolean rewardClip = false;
    @Doc(value = "environments stepped in parallel, one batched forward pass for their actions", only = "atari") public int envs = 1;
    @Doc("n-step returns: bootstrap after n rewards (stops at an episode's end)") public int nStep = 1;
    @Doc(value = "save a checkpoint for --resume (checkpoints/step-N/; last.safetensors: its network) every N environment steps (with --envs, at the end of the round reaching it; 0: only at the end)") public long checkpointEvery = 0;
    @Doc(value = "with checkpoints, also save the replay memory (large) and the episodes under way, so --resume continues exactly as the run would have gone on", only = "atari") public boolean saveReplay = false;
    @Doc(value = "keep a copy of the replay's frames in device memory (--device opencl): a gradient step uploads the sampled frames' indices, not their pixels", only = "atari") public boolean replayOnDevice = false;
    @Doc("seed of initialisation, exploration, replay sampling and environment resets") public long seed = 1;
    @Doc("environment steps to train for at most") public long totalSteps = 100_000;
    @Doc("episodes to train for at most (0: no limit)") public long maxEpisodes = 0;
    @Doc("minutes to train for at most, in this process from its first step (0: no limit); the run then ends as at --total-steps: checkpoint, evaluation, best network handed over") public double maxMinutes = 0;
    @Doc(value = "a lost life ends the episode for learning only (SB3's EpisodicLifeEnv, as CleanRL: the game goes on; returns, episodes and evaluations count games)", only = "atari") public boolean episodicLife = false;

    // --- network ---
    @Doc(value = "hidden layer widths, e.g. 64,64 (the Atari commands use the Nature CNN)", only = "classic") public int[] hidden = {64, 64};
    @Doc("dueling head: Q = V + A - mean(A)") public boolean dueling = false;
    @Doc("dueling: each stream (value, advantage) has its own copy of the last hidden layer, as Rainbow's network (Hessel et al. 2018); else they share it") public boolean duelingStreams = false;
    @Doc("initialiser: torch, he_uniform, glorot_uniform") public String init = "torch";
    @Doc("distributional Q-learning (C51, Bellemare et al. 2017): a categorical distribution of returns over --atoms atoms on [--v-min, --v-max] per action, trained with the projected cross-entropy (--loss is not used)") public boolean distributional = false;
    @Doc("distributional: atoms of the support") public int atoms = 51;
    @Doc("distributional: the smallest return of the support") public double vMin = -10;
    @Doc("distributional: the largest return of the support") public double vMax = 10;
    @Doc("noisy nets (Fortunato et al. 2018): the fully connected layers (every layer of the MLP; the Nature CNN's fc.0 and fc.2) get"
            + " factorized Gaussian noise (sigma_0 0.5, their own initialisation whatever --init says), redrawn before every acting and every gradient step;"
            + " actions are greedy under the noise, so the epsilon schedule is not used (epsilon 0); evaluations use the means")
    public boolean noisy = false;

    // --- loss and optimizer ---
    @Doc("TD loss: mse or huber (SmoothL1, beta 1)") public String loss = "huber";
    @Doc("optimizer: adam, rmsprop, rmsprop-centered, rmsprop-nature, sgd") public String optimizer = "adam";
    @Doc("learning rate") public double lr = 2.3e-3;
    @Doc("learning rate at --total-steps, reached linearly from --lr (0: --lr throughout)") public double lrEnd = 0;
    @Doc("optimizer epsilon (Adam, RMSprop)") public double optimEps = 1e-8;
    @Doc("momentum (SGD, RMSprop)") public double momentum = 0;
    @Doc("RMSprop smoothing constant alpha") public double rmspropAlpha = 0.99;
    @Doc("clip the gradients' global L2 norm to this (0: off)") public double clipNorm = 10;
    @Doc("clip every gradient element to [-v, v] (0: off)") public double clipValue = 0;

    // --- TD target ---
    @Doc("discount factor") public double gamma = 0.99;
    @Doc("rewards are multiplied by this before they are stored (returns are reported unscaled)") public double rewardScale = 1;
    @Doc("Double DQN: the online network picks the next action, the target network rates it") public boolean doubleDqn = true;

    // --- replay and training schedule ---
    @Doc("replay capacity (transitions)") public int bufferSize = 100_000;
    @Doc("minibatch size") public int batchSize = 64;
    @Doc("no training before this many environment steps") public int learningStarts = 1_000;
    @Doc("train every N steps or episodes (see --train-unit)") public int trainFreq = 64;
    @Doc("unit of --train-freq: steps or episodes") public String trainUnit = "steps";
    @Doc("prioritized replay (Schaul et al. 2016, proportional): transitions drawn in proportion to |TD error|^alpha, the loss weighted by importance weights") public boolean per = false;
    @Doc("prioritized replay: the priority exponent (0: uniform)") public double perAlpha = 0.6;
    @Doc("prioritized replay: the importance-weight exponent at the start, annealed linearly to 1 at --total-steps") public double perBeta = 0.4;
    @Doc("prioritized replay: added to |TD error| so that no transition's priority is 0") public double perEps = 1e-6;
    @Doc("gradient steps each time training runs; a fraction runs one step every 1/x times (0.25: every 4th)") public double gradientSteps = 32;
    @Doc("copy or blend the target network every N steps or episodes (0: no target network, the online net bootstraps itself)") public int targetUpdate = 256;
    @Doc("unit of --target-update: steps or episodes") public String targetUnit = "steps";
    @Doc("target update weight: 1 copies, < 1 is Polyak averaging") public double tau = 1;

    // --- exploration ---
    @Doc("epsilon schedule: linear (over steps), multiplicative (per step), episodes (linear over episodes), constant") public String epsSchedule = "linear";
    @Doc("initial epsilon") public double epsStart = 1;
    @Doc("final epsilon (floor)") public double epsEnd = 0.04;
    @Doc("linear: decay over this fraction of --total-steps (unless --eps-steps)") public double epsFraction = 0.08;
    @Doc("linear: decay over this many steps (0: use --eps-fraction)") public long epsSteps = 8_000;
    @Doc("multiplicative: factor per step") public double epsFactor = 0.995;
    @Doc("episodes: epsilon falls by --eps-decrement every --eps-every episodes") public double epsDecrement = 0.01;
    @Doc("episodes: see --eps-decrement") public double epsEvery = 200;

    // --- Ape-X (Horgan et al. 2018; docs/apex.md) ---
    @Doc("Ape-X: this many actors (threads) act with their own copy of the network, actor i with epsilon 0.4^(1 + 7 i / (N - 1)), and send"
            + " n-step transitions with initial priorities to one learner, which keeps a prioritized replay (--per is implied) and trains on --device"
            + " (0: the single-process loop)")
    public int actors = 0;
    @Doc("Ape-X: environments each actor steps, one batched forward pass for their actions") public int actorEnvs = 1;
    @Doc("Ape-X: an actor takes the learner's newest weights every N of its environment steps (each environment's step counts)") public long weightsEvery = 400;
    @Doc("Ape-X: an actor sends its transitions after this many steps of each of its environments (one batch, ~1 MB for Atari at 50 x 3 envs)") public int actorBatch = 50;
    @Doc("Ape-X: run the actors on the Ray cluster at this address (HOST:PORT, what `ray start --head` printed), one CPU each, spread over its"
            + " nodes; empty: threads of this process (docs/apex.md)") public String ray = "";
    @Doc("Ape-X on Ray: Ray's Java runtime, ray/jars/ray_dist.jar of a pip install of ray; empty: the one of the active virtualenv or python3")
    public String rayJar = "";

    // --- evaluation, stopping, output ---
    @Doc("greedy evaluation episodes (periodic evaluations, solve checks and the final evaluation)") public int evalEpisodes = 20;
    @Doc("a greedy evaluation (--eval-episodes episodes, run outside training) every N environment steps; the best network any evaluation saw is kept as best.safetensors (0: only solve checks)") public long evalEvery = 2_500;
    @Doc("solve checks (greedy evaluations once the recent training episodes reach the threshold) at least N steps apart") public long solveCheckEvery = 2_000;
    @Doc("training episodes averaged for the solve check's trigger (1: any single episode)") public int solveWindow = 1;
    @Doc("evaluation mean return that counts as solved (0: the environment's, 475 for CartPole-v1)") public double solveAt = 0;
    @Doc("stop training once solved") public boolean stopWhenSolved = true;
    @Doc("epsilon of the evaluation policy (0: greedy)") public double evalEpsilon = 0;
    @Doc(value = "every N steps, write the Q-value scale, TD loss, gradient norm, dead ReLUs and action frequencies on replay states to diagnostics.csv (0: off)", only = "classic") public long diagnoseEvery = 0;
    @Doc("parent folder of the run directory") public String runDir = "runs";
    @Doc("render one greedy episode of the trained agent to episode.gif") public boolean gif = true;
    @Doc("write TensorBoard event files (events.out.tfevents.*, CleanRL's tags and the evaluations) into the run directory") public boolean tensorboard = true;

    @Override public DqnConfig clone() {
        try {
            DqnConfig c = (DqnConfig) super.clone();
            c.hidden = hidden.clone();
            return c;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    /** The documented fields, in declaration order: the flags. */
    public static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : DqnConfig.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && f.isAnnotationPresent(Doc.class)) out.add(f);
        }
        return out;
    }

    /** The fields that are flags of an Atari command ({@code atari}) or of a classic-control one. */
    public static List<Field> fields(boolean atari) {
        List<Field> out = new ArrayList<>();
        for (Field f : fields()) {
            String only = f.getAnnotation(Doc.class).only();
            if (only.isEmpty() || only.equals(atari ? "atari" : "classic")) out.add(f);
        }
        return out;
    }

    /** True when this run plays an Atari game (pixels, ALE) rather than a classic-control environment. */
    public boolean atari() { return !game.isEmpty(); }

    /**
     * The most environments one run steps. Each is an emulator with its own frames and a replay
     * stream, stepped on at most one thread per core, and all are made before the first step:
     * {@code --envs 100000} grew memory for minutes and never trained. The recipes use 1 to 10
     * (Tianshou's); past a few per core the CPU steps no faster, so 256 leaves room for large
     * machines and still refuses a typo at once.
     */
    public static final int MAX_ENVS = 256;

    /** Rejects values no run can use, with a message naming the flag. */
    public DqnConfig validate() {
        need(totalSteps > 0, "--total-steps must be > 0");
        need(maxEpisodes >= 0, "--max-episodes must be >= 0");
        need(maxMinutes >= 0 && Double.isFinite(maxMinutes), "--max-minutes must be >= 0");
        for (int h : hidden) need(h > 0, "--hidden widths must be > 0");
        need(lr > 0 && Double.isFinite(lr), "--lr must be > 0");
        need(lrEnd >= 0 && Double.isFinite(lrEnd), "--lr-end must be >= 0");
        need(gamma >= 0 && gamma <= 1, "--gamma must be in [0, 1]");
        need(bufferSize >= 1, "--buffer-size must be >= 1");
        need(batchSize >= 1, "--batch-size must be >= 1");
        need(learningStarts >= 0, "--learning-starts must be >= 0");
        need(trainFreq >= 1, "--train-freq must be >= 1");
        need(gradientSteps > 0 && Double.isFinite(gradientSteps), "--gradient-steps must be > 0");
        need(solveWindow >= 1, "--solve-window must be >= 1");
        need(envs >= 1 && envs <= MAX_ENVS, "--envs must be in [1, " + MAX_ENVS + "] (" + envs + " given)");
        need(nStep >= 1, "--n-step must be >= 1");
        need(perAlpha >= 0 && perAlpha <= 1, "--per-alpha must be in [0, 1]");
        need(perBeta >= 0 && perBeta <= 1, "--per-beta must be in [0, 1]");
        need(perEps > 0 && perEps < Double.POSITIVE_INFINITY, "--per-eps must be > 0");
        need(!duelingStreams || dueling, "--dueling-streams needs --dueling");
        need(!duelingStreams || atari() || hidden.length > 0, "--dueling-streams needs a hidden layer (--hidden)");
        need(atoms >= 2 && atoms <= 1024, "--atoms must be in [2, 1024]");
        need(vMin < vMax && Double.isFinite(vMin) && Double.isFinite(vMax), "--v-min must be below --v-max");
        need(checkpointEvery >= 0, "--checkpoint-every must be >= 0");
        need(targetUpdate >= 0, "--target-update must be >= 0");
        need(tau > 0 && tau <= 1, "--tau must be in (0, 1]");
        need(unit(trainUnit), "--train-unit must be steps or episodes");
        need(unit(targetUnit), "--target-unit must be steps or episodes");
        need(evalEpisodes >= 1, "--eval-episodes must be >= 1");
        need(diagnoseEvery >= 0, "--diagnose-every must be >= 0");
        need(!(noisy && diagnoseEvery > 0), "--diagnose-every reads plain Linear layers: it does not work with --noisy");
        need(evalEvery >= 0, "--eval-every must be >= 0");
        need(solveCheckEvery >= 1, "--solve-check-every must be >= 1");
        need(clipNorm >= 0 && clipValue >= 0, "--clip-norm and --clip-value must be >= 0");
        need(clipNorm == 0 || clipValue == 0, "choose one of --clip-norm and --clip-value");
        need(epsStart >= 0 && epsStart <= 1 && epsEnd >= 0 && epsEnd <= 1, "epsilons must be in [0, 1]");
        need(evalEpsilon >= 0 && evalEpsilon <= 1, "--eval-epsilon must be in [0, 1]");
        need(actors >= 0 && actors <= MAX_ENVS, "--actors must be in [0, " + MAX_ENVS + "] (" + actors + " given)");
        need(actorEnvs >= 1 && (long) Math.max(1, actors) * actorEnvs <= MAX_ENVS,
                "--actor-envs must be >= 1, and --actors x --actor-envs at most " + MAX_ENVS + " (" + actorEnvs + " given)");
        need(weightsEvery >= 1, "--weights-every must be >= 1");
        need(actorBatch >= 1, "--actor-batch must be >= 1");
        if (actors > 0) {
            need(!noisy, "--actors explores with per-actor epsilons: it does not take --noisy");
            need(envs == 1, "--actors steps --actor-envs environments per actor: it does not take --envs");
            need(diagnoseEvery == 0, "--diagnose-every is not available with --actors");
        }
        need(ray.isEmpty() || actors > 0, "--ray runs Ape-X actors on a cluster: give --actors N too");
        need(rayJar.isEmpty() || !ray.isEmpty(), "--ray-jar is Ray's runtime for --ray ADDRESS: give --ray too");
        epsilonSchedule();
        lossFunction();
        Init.parse(init);
        return this;
    }

    private static boolean unit(String u) { return u.equals("steps") || u.equals("episodes"); }

    private static void need(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** The learning rate after {@code step} environment steps: --lr, or linearly from --lr to --lr-end over --total-steps. */
    public double learningRate(long step) {
        if (lrEnd == 0) return lr;
        return lr + (lrEnd - lr) * Math.min(1.0, step / (double) totalSteps);
    }

    public EpsilonSchedule epsilonSchedule() {
        return switch (epsSchedule) {
            case "linear" -> new EpsilonSchedule.LinearSteps(epsStart, epsEnd, epsSteps > 0 ? epsSteps : (long) (epsFraction * totalSteps));
            case "multiplicative" -> new EpsilonSchedule.Multiplicative(epsStart, epsFactor, epsEnd);
            case "episodes" -> new EpsilonSchedule.LinearEpisodes(epsStart, epsEnd, epsDecrement, epsEvery);
            case "constant" -> new EpsilonSchedule.Constant(epsStart);
            default -> throw new IllegalArgumentException("unknown --eps-schedule '" + epsSchedule + "' (linear, multiplicative, episodes, constant)");
        };
    }

    /** Prioritized replay's importance-weight exponent at environment step {@code step}: --per-beta rising linearly to 1 at --total-steps. */
    public double perBetaAt(long step) { return perBeta + (1 - perBeta) * Math.min(1.0, (double) step / Math.max(1, totalSteps)); }

    /** What the network ends with (--dueling, --dueling-streams, --distributional). */
    public Networks.Head head() { return new Networks.Head(dueling, duelingStreams, support()); }

    /** The support of a distributional network, or null without --distributional. */
    public Support support() { return distributional ? new Support(atoms, (float) vMin, (float) vMax) : null; }

    public Loss lossFunction() {
        return switch (loss) {
            case "mse" -> Loss.mse();
            case "huber", "smooth_l1", "smooth-l1" -> Loss.smoothL1(1f);
            default -> throw new IllegalArgumentException("unknown --loss '" + loss + "' (mse, huber)");
        };
    }

    public Optimizer optimizerFor(Parameters params) {
        float rate = (float) lr, eps = (float) optimEps, alpha = (float) rmspropAlpha, mom = (float) momentum;
        Optimizer o = switch (optimizer) {
            case "adam" -> new Adam(params, rate, 0.9f, 0.999f, eps);
            case "rmsprop" -> new RmsProp(params, rate, alpha, eps, mom, false, false);
            case "rmsprop-centered" -> new RmsProp(params, rate, alpha, eps, mom, true, false);
            case "rmsprop-nature" -> new RmsProp(params, rate, alpha, eps, mom, true, true);
            case "sgd" -> new Sgd(params, rate, mom, false);
            default -> throw new IllegalArgumentException("unknown --optimizer '" + optimizer + "' (adam, rmsprop, rmsprop-centered, rmsprop-nature, sgd)");
        };
        GradClip clip = clipNorm > 0 ? GradClip.byNorm((float) clipNorm) : clipValue > 0 ? GradClip.byValue((float) clipValue) : GradClip.NONE;
        return o.withClip(clip);
    }
}
