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
 *
 * <p>The two JVMs stop together: signals sent to the launcher go on to the child
 * ({@link #forwardSignals}), and a child whose launcher is gone stops by itself ({@link #exitWithParent}).
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
            Thread stderr = new Thread(new StderrFilter(child.getErrorStream(), System.err), "stderr-filter");
            stderr.setDaemon(true);
            stderr.start();
            forwardSignals(child);
            // Any other way this JVM shuts down (a signal before the handlers were in place): stop the
            // child as SIGTERM does, and wait for it to finish saving before we go.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    child.destroy();
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

    static final String[] STOP_SIGNALS = {"INT", "TERM", "HUP"};

    /**
     * Passes INT, TERM and HUP sent to this JVM on to {@code child}, instead of shutting down: the
     * child stops as on Ctrl-C (its shutdown hook saves the run) and this JVM then exits with the
     * child's code, 128 + the signal's number. The same signal, not TERM for all, so that the code
     * says which it was. A terminal's Ctrl-C reaches both JVMs, so the child gets INT twice: harmless,
     * a JVM already running its shutdown hooks ignores another request to shut down.
     * {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to handle a signal. Where
     * it is refused (-Xrs) or the signal was ignored when the JVM started (nohup: HUP), the default
     * stays; a child whose launcher dies still stops by itself.
     */
    static void forwardSignals(Process child) {
        for (String name : STOP_SIGNALS) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> signal(child, name));
            } catch (IllegalArgumentException | LinkageError refused) {
                // the JVM's default for this signal (LinkageError: a runtime without jdk.unsupported)
            }
        }
    }

    /** Sends SIG{@code name} to {@code child}: the JDK can only send TERM (destroy) and KILL, so through the shell's kill. */
    private static void signal(Process child, String name) {
        if (!name.equals("TERM")) {
            try {
                Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -" + name + " " + child.pid())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (kill.waitFor() == 0) return;
            } catch (java.io.IOException e) {
                // no shell: TERM below stops the child the same way, with code 143
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        child.destroy();
    }

    /** The child's exit code when its launcher is gone: SIGHUP's (the process that ran it hung up); no one reads it. */
    static final int PARENT_GONE = 128 + 1;

    /**
     * In the relaunched JVM: a watchdog that stops this JVM as Ctrl-C does once the launcher is gone
     * (kill -9, a crash), so the child never trains on as an orphan. {@code System.exit} runs the
     * shutdown hooks, and TrainCommand's stops the training loop and waits for it to save
     * last.safetensors and release the run directory. It polls once a second: the JDK's
     * {@code onExit()} for a process that is not our child polls too, every few seconds after a while.
     */
    static void exitWithParent() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        if (parent == null) return;
        Thread watchdog = new Thread(() -> {
            while (alive(parent)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.exit(PARENT_GONE);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Alive and still our parent: a dead launcher no one has reaped yet (a zombie) counts as alive, but we are moved to another parent at once. */
    private static boolean alive(ProcessHandle parent) {
        return parent.isAlive() && ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == parent.pid();
    }
}
