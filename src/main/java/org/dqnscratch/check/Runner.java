package org.dqnscratch.check;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;

/**
 * The {@code check} command's runner: every case on one device, one line per group
 * ({@code group  cases  worst error / its tolerance  PASS|FAIL}), then {@code N passed, N failed}.
 */
public final class Runner {
    private Runner() {}

    /**
     * The whole suite for a device. Parity and whole-update cases compare the device with the CPU
     * backend, so on the CPU they would compare it with itself and are left out; the fusion cases
     * compare a backend with itself and run everywhere.
     */
    public static List<Case> suite(Backend device) {
        List<Case> all = new ArrayList<>(GradCheckCases.all());
        all.addAll(GoldenCases.all());
        all.addAll(FusionCases.all());
        if (!(device instanceof CpuBackend)) {
            all.addAll(ParityCases.all());
            all.addAll(UpdateCases.all());
        }
        return all;
    }

    /** Runs {@code cases} on {@code device}, prints the report; returns the number of failed cases. */
    public static int run(List<Case> cases, Backend device, PrintStream out, boolean verbose) {
        Map<String, List<Case>> groups = new LinkedHashMap<>();
        for (Case c : cases) groups.computeIfAbsent(c.group(), g -> new ArrayList<>()).add(c);
        int width = groups.keySet().stream().mapToInt(String::length).max().orElse(10);
        int passed = 0, failed = 0;
        for (var g : groups.entrySet()) {
            Check worst = null;
            String firstFailure = null;
            int groupFailed = 0;
            for (Case c : g.getValue()) {
                Check r = c.run(device);
                if (verbose) out.printf("  %-" + width + "s  %-40s %s  %s%n", c.group(), c.name(), error(r), verdict(r.passed()));
                if (r.passed()) {
                    passed++;
                } else {
                    failed++;
                    groupFailed++;
                    if (firstFailure == null) firstFailure = c.name() + ": " + r.failure();
                    if (verbose) out.println("      " + r.failure());
                }
                if (worst == null || r.worstRatio() > worst.worstRatio()) worst = r;
            }
            int n = g.getValue().size();
            out.printf("%-" + width + "s  %4d %-5s  %s  %s%n", g.getKey(), n, n == 1 ? "case" : "cases", error(worst), verdict(groupFailed == 0));
            if (firstFailure != null && !verbose) out.println("    first failure: " + firstFailure);
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed;
    }

    private static String error(Check c) {
        return String.format("worst %.1e / tol %.1e", c.worstErr(), c.worstTol());
    }

    private static String verdict(boolean ok) { return ok ? "PASS" : "FAIL"; }
}
