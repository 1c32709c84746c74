package org.dqnscratch.cli;

import java.util.concurrent.Callable;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Gemm;
import org.dqnscratch.tensor.WorkerPool;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar target/dqn-scratch.jar <command>}. */
@Command(name = "dqn-scratch", mixinStandardHelpOptions = true, version = "dqn-scratch 0.1.0",
        description = "Deep Q-learning from scratch: hand-written backprop on the CPU and OpenCL.",
        subcommands = {Main.Info.class})
public final class Main implements Callable<Integer> {
    public static void main(String[] args) {
        var child = Launcher.relaunchWithVectorApi(Main.class.getName(), args);
        if (child.isPresent()) System.exit(child.get());
        if (Boolean.getBoolean(Launcher.RELAUNCHED)) Launcher.exitWithParent(); // no orphan if the launcher is killed
        // UTF-8 output whatever the locale: the evaluation line prints "mean ± std".
        System.setOut(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, java.nio.charset.StandardCharsets.UTF_8));
        System.exit(run(args));
    }

    /** Parses and runs; bad usage is one line on stderr and exit code 2, never a stack trace. */
    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand(TrainCommand.create("cartpole",
                "Trains a DQN on CartPole (v1 by default) until solved (greedy 20-episode mean >= 475) or the step budget ends, "
                        + "then evaluates and saves a run directory."));
        cli.addSubcommand(TrainCommand.create("frozenlake", "Trains a DQN on FrozenLake (4x4, or 8x8 with --env FrozenLake8x8-v1)."));
        cli.addSubcommand(TrainCommand.create("pong",
                "Trains a DQN on Pong (or --game NAME) from pixels on the Arcade Learning Environment until a 10-episode greedy "
                        + "evaluation averages >= 18 or the step budget ends, then evaluates and saves a run directory."));
        cli.addSubcommand("eval", new EvalCommand());
        cli.addSubcommand("import-roms", new ImportRomsCommand());
        cli.addSubcommand("devices", new Devices());
        cli.addSubcommand("check", new CheckCommand());
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage() + " (see --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + message(ex));
            return ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof org.dqnscratch.opencl.OpenClException ? 2 : 1;
        });
        return cli.execute(args);
    }

    /**
     * The error line's text. Java's file errors say only the path ("/proc/foo") or the decoder's
     * "Input length = 1": the path is kept and the reason added.
     */
    static String message(Exception ex) {
        if (ex instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + org.dqnscratch.io.AtomicFiles.reason(f);
        }
        if (ex instanceof java.nio.charset.CharacterCodingException) return "a file that should be UTF-8 text is not (" + ex.getMessage() + ")";
        return ex.getMessage() == null ? ex.toString() : ex.getMessage();
    }

    @Override public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Shows the CPU backend, GEMM kernel and threads in use; with --device opencl, the device and the kernel sizes chosen for it.")
    static final class Info implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--device", description = "also describe this OpenCL device: opencl or opencl:P:D") String device;

        @Override public Integer call() {
            boolean opencl = device != null && !device.equals("cpu");
            if (opencl && !device.equals("opencl") && !device.startsWith("opencl:")) {
                throw new IllegalArgumentException("unknown --device '" + device + "': use cpu, opencl or opencl:P:D");
            }
            System.out.println("backend: " + new CpuBackend().name());
            System.out.println("gemm kernel: " + Gemm.kernelDescription());
            System.out.println("threads: " + WorkerPool.shared().threads());
            System.out.println("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
            if (opencl) {
                try (org.dqnscratch.opencl.OpenClBackend b = org.dqnscratch.opencl.OpenClBackend.create(device)) {
                    System.out.println("opencl device: " + b.device().describe());
                    System.out.println("opencl kernels: " + b.tuning().describe());
                }
            }
            return 0;
        }
    }
}
