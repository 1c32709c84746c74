package org.dqnscratch.cli;

import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.dqnscratch.api.Dqn;
import org.dqnscratch.api.TrainingListener;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.DqnTraining;
import org.dqnscratch.rl.Presets;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.WorkerPool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code cartpole} and {@code frozenlake}: train with a preset, every {@link DqnConfig} field
 * a flag on top of it. Flags are generated from the config's documented fields, so a new
 * hyperparameter is one annotated field.
 */
@Command(mixinStandardHelpOptions = true, sortOptions = false)
final class TrainCommand implements Callable<Integer> {
    private final String name;
    private CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", order = -3, description = "recipe to start from (listed below); flags override it")
    String preset = "default";

    @Option(names = "--config", paramLabel = "FILE", order = -3,
            description = "a YAML file of settings over --preset (a preset's keys: RL-Zoo's names or the flags' with underscores, "
                    + "see src/main/resources/presets); flags override it")
    Path configFile;

    @Option(names = "--device", paramLabel = "DEVICE", order = -2,
            description = "cpu, opencl (the first GPU, else the first OpenCL device) or opencl:P:D (see the devices command)")
    String device = "cpu";

    @Option(names = "--threads", paramLabel = "N", order = -1, description = "CPU threads for the tensor kernels (default: all cores)")
    Integer threads;

    @Option(names = "--progress", arity = "0..1", paramLabel = "BOOL",
            description = "show the progress bar (default: true; where the output is not a terminal, a status line every 30 s)")
    boolean progress = true;

    @Option(names = "--resume", paramLabel = "RUN_DIR", order = -1,
            description = "continue a run from its last checkpoint (its config; flags such as --total-steps override it)")
    Path resume;

    private TrainCommand(String name) { this.name = name; }

    /** The command {@code name} ({@code cartpole} or {@code frozenlake}) with one flag per config field. */
    static CommandLine create(String name, String description) {
        TrainCommand cmd = new TrainCommand(name);
        CommandSpec spec = CommandSpec.forAnnotatedObject(cmd);
        spec.name(name);
        spec.usageMessage().description(description);
        DqnConfig defaults = Presets.get(name, "default").config();
        for (Field f : DqnConfig.fields(atari(name))) {
            String doc = f.getAnnotation(DqnConfig.Doc.class).value();
            OptionSpec.Builder o = OptionSpec.builder(flag(f)).description((doc + " (default: " + show(get(f, defaults)) + ")").replace("%", "%%"));
            Class<?> t = f.getType();
            if (t == boolean.class) o.type(boolean.class).arity("0..1").paramLabel("BOOL");
            else if (t == int[].class) o.type(int[].class).splitRegex(",").paramLabel("N");
            else o.type(t).paramLabel(t == String.class ? "S" : t == double.class ? "X" : "N");
            spec.addOption(o.build());
        }
        StringBuilder footer = new StringBuilder("%nPresets:%n");
        Presets.forCommand(name).values().forEach(p -> footer.append("  ").append(p.name()).append(": ").append(p.description().replace("%", "%%")).append("%n"));
        spec.usageMessage().footer(footer.toString());
        cmd.spec = spec;
        return new CommandLine(spec);
    }

    /**
     * The heap an Atari command line needs when its replay does not fit the default heap: the
     * replay plus 2 GiB, capped at 90% of the machine's memory (a larger replay is then refused
     * with a clear message by the training loop). Empty for other commands or unparsable lines.
     */
    static java.util.Optional<Long> heapNeeded(String[] args) {
        if (args.length == 0 || !atari(args[0])) return java.util.Optional.empty();
        try {
            CommandLine cli = create(args[0], "");
            DqnConfig cfg = ((TrainCommand) cli.getCommand()).config(cli.parseArgs(java.util.Arrays.copyOfRange(args, 1, args.length)));
            long replay = org.dqnscratch.rl.PixelReplay.bytesNeeded(cfg.bufferSize, cfg.frameStack, 84 * 84, cfg.envs);
            long want = replay + (2L << 30);
            if (want <= Runtime.getRuntime().maxMemory()) return java.util.Optional.empty();
            long physical = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
            return java.util.Optional.of(Math.min(want, physical / 10 * 9));
        } catch (RuntimeException e) {
            return java.util.Optional.empty(); // the command itself will report what is wrong
        }
    }

    /** Commands that play an Atari game (pixels, ALE); the others are classic control. */
    static boolean atari(String command) { return command.equals("pong"); }

    static String flag(Field f) {
        return "--" + f.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Object get(Field f, DqnConfig c) {
        try {
            return f.get(c);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static String show(Object v) {
        if (v instanceof int[] a) return java.util.Arrays.toString(a).replaceAll("[\\[\\] ]", "");
        return String.valueOf(v);
    }

    /** The preset with every flag given on the command line applied over it. */
    DqnConfig config(ParseResult parsed) {
        DqnConfig cfg = Presets.get(name, preset).config();
        if (configFile != null) Presets.file(configFile, atari(name)).apply(cfg);
        for (Field f : DqnConfig.fields(atari(name))) {
            OptionSpec o = parsed.matchedOption(flag(f));
            if (o == null) continue;
            try {
                f.set(cfg, o.getValue());
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        // A preset's --envs is the single-process loop's: an Ape-X run steps --actor-envs per actor instead.
        if (cfg.actors > 0 && parsed.matchedOption("--envs") == null) cfg.envs = 1;
        if (atari(name)) {
            org.dqnscratch.env.atari.Roms.checkGame(cfg.game); // an unknown game is an error naming the known ones
            return cfg.validate();
        }
        org.dqnscratch.env.Envs.make(cfg.env, cfg.slippery); // an unknown id is an error naming the known ones
        boolean cartpole = cfg.env.startsWith("CartPole");
        if (cartpole != name.equals("cartpole")) {
            throw new IllegalArgumentException("--env " + cfg.env + " is not a " + name + " environment");
        }
        return cfg.validate();
    }

    /** Fields that make a different network or environment: a resumed run cannot change them. */
    private static final java.util.Set<String> FIXED = java.util.Set.of("env", "slippery", "game", "pipeline", "frameSkip", "frameStack",
            "hidden", "dueling", "duelingStreams", "distributional", "atoms", "vMin", "vMax", "noisy", "optimizer", "envs");

    /**
     * The config.json keys every resumable run has written: DqnConfig's fields when --resume came
     * (commit c265839; checkpoints older than that cannot be resumed at all). Fields added since
     * (lrEnd, diagnoseEvery, replayOnDevice, solveCheckEvery, and any added later) are missing from
     * older runs and take their defaults; a frozen list, so that a new field needs no entry here.
     */
    static final java.util.Set<String> REQUIRED_IN_CONFIG = java.util.Set.of("env", "slippery", "game", "rom", "pipeline", "noopMax",
            "frameSkip", "frameStack", "terminalOnLifeLoss", "maxEpisodeFrames", "rewardClip", "envs", "nStep", "checkpointEvery", "saveReplay",
            "seed", "totalSteps", "maxEpisodes", "hidden", "dueling", "init", "loss", "optimizer", "lr", "optimEps", "momentum", "rmspropAlpha",
            "clipNorm", "clipValue", "gamma", "rewardScale", "doubleDqn", "bufferSize", "batchSize", "learningStarts", "trainFreq", "trainUnit",
            "gradientSteps", "targetUpdate", "targetUnit", "tau", "epsSchedule", "epsStart", "epsEnd", "epsFraction", "epsSteps", "epsFactor",
            "epsDecrement", "epsEvery", "evalEpisodes", "evalEvery", "solveWindow", "solveAt", "stopWhenSolved", "evalEpsilon", "runDir", "gif");

    /** The config of the run in {@code --resume}'s folder with the flags given now applied over it. */
    DqnConfig resumed(ParseResult parsed) throws java.io.IOException {
        if (configFile != null) {
            throw new IllegalArgumentException("--config cannot be combined with --resume: the run has its settings (flags change what may change)");
        }
        Path file = resume.resolve("config.json");
        if (!Files.exists(resume)) throw new IllegalArgumentException("--resume " + resume + ": no run there (no such directory)");
        if (!Files.isDirectory(resume)) throw new IllegalArgumentException("--resume " + resume + ": not a directory (give the run directory, not a file in it)");
        if (Files.isDirectory(file)) throw new IllegalArgumentException("--resume " + resume + ": " + file + " is a directory, not a file");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--resume " + resume + ": no run there (no config.json)");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--resume " + resume + ": unreadable config.json (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        com.fasterxml.jackson.databind.JsonNode args = root.path("args");
        if (!args.isObject()) throw new IllegalArgumentException("--resume " + resume + ": " + file + " has no \"args\" object (not a run's config.json?)");
        // A key left out would silently become its default (a seed 5 run resumed as seed 1).
        java.util.List<String> missing = DqnConfig.fields().stream().map(Field::getName)
                .filter(n -> !args.has(n) && REQUIRED_IN_CONFIG.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("--resume " + resume + ": " + file + " lacks " + String.join(", ", missing) + " (a damaged config.json?)");
        }
        DqnConfig cfg = new DqnConfig();
        for (Field f : DqnConfig.fields()) {
            if (!args.has(f.getName())) continue;
            try {
                f.set(cfg, json.treeToValue(args.get(f.getName()), f.getType()));
            } catch (IllegalAccessException | com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("--resume " + resume + ": bad value of " + f.getName() + " in config.json");
            }
        }
        // The environment must be the command's: CartPole* for cartpole, FrozenLake* for frozenlake.
        boolean own = atari(name) ? cfg.atari() : !cfg.atari() && cfg.env.startsWith(name.equals("cartpole") ? "CartPole" : "FrozenLake");
        if (!own) {
            throw new IllegalArgumentException("--resume " + resume + ": that run trained " + (cfg.atari() ? cfg.game : cfg.env) + ", not a " + name + " environment");
        }
        if (!args.has("solveCheckEvery") && args.has("evalEvery")) {
            // Runs from before periodic evaluations: --eval-every was then the gap between solve checks.
            cfg.solveCheckEvery = Math.max(1, cfg.evalEvery);
            cfg.evalEvery = 0;
        }
        preset = root.path("preset").asText(preset);
        for (Field f : DqnConfig.fields(atari(name))) {
            OptionSpec o = parsed.matchedOption(flag(f));
            if (o == null) continue;
            Object before = get(f, cfg);
            if (FIXED.contains(f.getName()) && !java.util.Objects.deepEquals(before, o.getValue())) {
                throw new IllegalArgumentException("--resume " + resume + ": " + flag(f) + " cannot change (the run has " + show(before) + ")");
            }
            try {
                f.set(cfg, o.getValue());
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return cfg.validate();
    }

    @Override public Integer call() throws Exception {
        try (Backend backend = Devices.backend(device)) {
            return train(backend);
        }
    }

    private Integer train(Backend backend) throws Exception {
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1");
            WorkerPool.configure(threads);
        }
        DqnConfig cfg = resume != null ? resumed(spec.commandLine().getParseResult()) : config(spec.commandLine().getParseResult());
        // An unknown environment, a missing or wrong ROM: the error comes before any output.
        try (Dqn.Training training = Dqn.training(cfg).label(preset).backend(backend).resume(resume)) {
            return train(cfg, training, backend.name());
        }
    }

    private Integer train(DqnConfig cfg, Dqn.Training training, String device) throws Exception {
        // One process per run directory, for the whole run; a second one is refused before it writes
        // anything there. (Resuming read config.json before the lock: it is replaced atomically, and an
        // owner still running is refused here.)
        Path runDir = training.open();
        PrintStream out = System.out;
        out.println("run directory: " + runDir + " (" + device + ")");

        // Ctrl-C: ask the loop to stop, and keep the JVM alive until it has saved and released the run directory.
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        // No time limit (it was 60 s, and the JVM halted a run still evaluating, or saving a large replay, with
        // nothing saved): the loop stops within a step, or an evaluation step, of the request, and what is left
        // is the save, which takes as long as the disk needs for the replay (minutes for gigabytes on a slow
        // one). Halting it gains nothing (the previous checkpoint stays current either way) and loses the run's
        // progress since then. A save that truly hangs is abandoned with kill -9, as the limit did, but by choice.
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                if (!finished.await(10, TimeUnit.SECONDS)) {
                    out.println("stopping: still saving the run in " + runDir + " (kill -9 abandons the save)");
                    finished.await();
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        // The hook is released only after the closing lines are printed: the JVM halts as soon as
        // it returns, and after Ctrl-C it used to cut "trained ... steps/s" mid-line.
        try {
            return trainAndReport(cfg, training, runDir, stop, out);
        } finally {
            try {
                training.close(); // before the hook lets a stopping JVM go; a new run that failed before writing anything leaves no directory
            } finally {
                finished.countDown();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    /**
     * Where the output is not a terminal (piped to a file, to tail, a CI log), the bar's redraws would
     * pile up as one endless line: a plain status line is printed instead, at most this often (tests set 0).
     */
    static long plainStatusEveryMillis = 30_000;

    private Integer trainAndReport(DqnConfig cfg, Dqn.Training training, Path runDir, AtomicBoolean stop, PrintStream out) throws Exception {
        DqnTraining.Result result;
        boolean terminal = System.console() != null; // null when standard input or output is not a terminal
        long[] lastPlain = {System.nanoTime()};
        try (ProgressBar bar = progress && terminal ? new ProgressBarBuilder().setTaskName(name).setInitialMax(cfg.totalSteps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build() : null) {
            result = training.listener(new TrainingListener() {
                @Override public void progress(DqnTraining.Status s) {
                    String line = String.format(Locale.ROOT, "%.0f steps/s R100 %.1f eps %.3f loss %.3g", s.stepsPerSecond(), s.meanReturn100(), s.epsilon(), s.loss());
                    if (bar != null) {
                        bar.stepTo(s.step());
                        bar.setExtraMessage(line);
                    } else if (progress && System.nanoTime() - lastPlain[0] >= plainStatusEveryMillis * 1_000_000) {
                        lastPlain[0] = System.nanoTime();
                        out.printf(Locale.ROOT, "step %d/%d (%.0f%%): %s%n", s.step(), s.totalSteps(), 100.0 * s.step() / s.totalSteps(), line);
                    }
                }

                @Override public void message(String line) {
                    if (bar != null) System.err.print("\r\033[K");
                    out.println(line);
                }

                @Override public boolean stopRequested() { return stop.get(); }
            }).run();
            if (bar != null) bar.stepTo(result.steps());
        }
        out.printf(Locale.ROOT, "trained %d steps, %d episodes in %.1f s (%.0f steps/s)%s%n", result.steps(), result.episodes(),
                result.seconds(), (result.steps() - result.resumedFromStep()) / result.seconds(), // this process's steps over its time
                !result.solved() ? "; not solved" : Double.isNaN(result.secondsToSolve()) ? "; solved at step " + result.solvedAtStep() + " (before the resume)"
                        : String.format(Locale.ROOT, "; solved at step %d after %.1f s", result.solvedAtStep(), result.secondsToSolve()));
        out.println("saved: " + runDir.resolve("best.safetensors") + ", last.safetensors, metrics.csv, learning_curve.png"
                + (cfg.gif && !result.interrupted() ? ", episode.gif" : ""));
        if (result.interrupted()) {
            out.println("interrupted: no final evaluation");
            return 130;
        }
        // The last network's evaluation, then (last line, the format scripts read) that of the network handed over.
        out.println("last network (step " + result.steps() + "): " + result.lastEvaluation());
        out.println("handed over: best.safetensors, the best evaluated network (step " + result.bestStep() + ")");
        out.println("evaluation: " + result.evaluation());
        return 0;
    }
}
