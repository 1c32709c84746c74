package org.dqnscratch.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.dqnscratch.check.Case;
import org.dqnscratch.check.Runner;
import org.dqnscratch.tensor.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code check}: the gradient-check, PyTorch golden, kernel-parity and whole-update cases of the
 * test suite, on the user's own device (whose compiler the CI's PoCL is not). Exit 0 when all
 * pass, 1 when any fails, 2 for a bad --device.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Runs the gradient checks, PyTorch golden cases, kernel-vs-Java parity cases and whole DQN updates "
                + "on a device; the first thing to run on a new GPU.")
final class CheckCommand implements Callable<Integer> {
    /** Tests break a case through this, to see the command fail. */
    static UnaryOperator<List<Case>> casesHook = UnaryOperator.identity();

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, opencl (first GPU, else first device) or opencl:P:D")
    String device;

    @Option(names = "--verbose", description = "Prints every case, not only one line per group.")
    boolean verbose;

    @Override public Integer call() {
        try (Backend b = Devices.backend(device)) { // a bad device is a one-line error and exit 2 (Main's handler)
            System.out.println("check on " + b.name());
            long start = System.nanoTime();
            int failed = Runner.run(casesHook.apply(Runner.suite(b)), b, System.out, verbose);
            System.err.printf("(%.1f s)%n", (System.nanoTime() - start) / 1e9);
            return failed == 0 ? 0 : 1;
        }
    }
}
