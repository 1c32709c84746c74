package org.dqnscratch.cli;

import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dqnscratch.tensor.VectorSupport;

/**
 * Gives plain {@code java -jar dqn-scratch.jar} the SIMD fast path. The Vector API module must
 * be resolved when the JVM starts and a jar manifest cannot ask for it, so when this runtime
 * has the module but did not resolve it, the launcher starts the same JVM again with
 * {@code --add-modules jdk.incubator.vector}, the same JVM options, class path and arguments,
 * and passes its exit code through. Runtimes without the module run the plain-Java kernels.
 * {@code -Ddqn.relaunch=false} turns this off. The relaunched JVM also gets the heap a large
 * pixel replay needs (the Atari commands' {@code --buffer-size}), unless {@code -Xmx} was given.
 */
final class Launcher {
    private Launcher() {}

    static final String RELAUNCHED = "dqn.relaunched";

    /**
     * Preloads the JVM's signal-chaining library into the child. ALE's bundled SDL 1.2 saves and
     * restores the SIGSEGV handler with {@code signal()}, which drops the JVM handler's
     * SA_SIGINFO: the next fault the JVM uses on purpose (an implicit null check, a safepoint
     * poll) then kills the process with a bare "Segmentation fault" and no hs_err file. With
     * libjsig the JVM keeps its handlers and chains to SDL's. Linux JDKs ship it in lib/.
     */
    static void chainSignals(Map<String, String> env) {
        Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
        if (!Files.isRegularFile(jsig)) return;
        String preload = env.getOrDefault("LD_PRELOAD", "");
        if (!preload.contains("libjsig")) env.put("LD_PRELOAD", preload.isEmpty() ? jsig.toString() : jsig + ":" + preload);
    }

    /** Returns the child's exit code, or empty when this JVM should run the command itself. */
    static Optional<Integer> relaunchWithVectorApi(String mainClass, String[] args) {
        if (VectorSupport.available() || Boolean.getBoolean(RELAUNCHED)
                || "false".equals(System.getProperty("dqn.relaunch"))
                || ModuleFinder.ofSystem().find(VectorSupport.MODULE).isEmpty()) {
            return Optional.empty();
        }
        Optional<String> java = ProcessHandle.current().info().command();
        if (java.isEmpty()) return Optional.empty();
        List<String> cmd = new ArrayList<>();
        cmd.add(java.get());
        cmd.add("--add-modules=" + VectorSupport.MODULE);
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        cmd.addAll(jvmArgs);
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxRAM"))) {
            TrainCommand.heapNeeded(args).ifPresent(bytes -> cmd.add("-Xmx" + (bytes >> 20) + "m"));
        }
        cmd.add("-D" + RELAUNCHED + "=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(cmd).inheritIO().redirectError(ProcessBuilder.Redirect.PIPE);
            chainSignals(builder.environment());
            Process child = builder.start();
            Thread stderr = new Thread(new AleBannerFilter(child.getErrorStream(), System.err), "stderr-filter");
            stderr.setDaemon(true);
            stderr.start();
            // Ctrl-C reaches both processes; wait for the child to finish saving before we go.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    child.waitFor();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }));
            int code = child.waitFor();
            stderr.join(2000); // the last lines the child wrote
            return Optional.of(code);
        } catch (Exception e) {
            return Optional.empty(); // cannot start a JVM: run here on the plain kernels
        }
    }
}
