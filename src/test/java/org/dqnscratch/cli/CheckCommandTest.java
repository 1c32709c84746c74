package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dqnscratch.check.Case;
import org.dqnscratch.opencl.OpenClSupport;
import org.junit.jupiter.api.Test;

/** {@code check}: the suite's cases on a device, its report and its exit codes. */
class CheckCommandTest {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) passed, (\\d+) failed");

    static int[] summary(CliTest.Run r) {
        Matcher m = SUMMARY.matcher(r.lastLine());
        assertTrue(m.matches(), "summary line: " + r.lastLine());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    static void assertGroupLine(CliTest.Run r, String group, String verdict) {
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(group + " ") && l.matches(".* \\d+ cases? .*") && l.endsWith(verdict)),
                "a " + verdict + " line for " + group + " in\n" + r.out());
    }

    @Test
    void allCasesPassOnTheCpu() {
        CliTest.Run r = CliTest.run("check");
        assertEquals(0, r.code(), r.toString());
        int[] s = summary(r);
        assertTrue(s[0] > 40 && s[1] == 0, r.lastLine());
        for (String g : List.of("gradcheck linear", "gradcheck conv2d", "golden linear", "golden conv2d", "golden optimizer",
                "golden dqn_update_mlp")) {
            assertGroupLine(r, g, "PASS");
        }
    }

    @Test
    void allCasesPassOnOpenCl() {
        OpenClSupport.backend(); // skips without OpenCL, unless DQN_REQUIRE_OPENCL=1
        CliTest.Run r = CliTest.run("check", "--device", "opencl");
        assertEquals(0, r.code(), r.toString());
        assertEquals(0, summary(r)[1], r.lastLine());
        for (String g : List.of("gradcheck conv2d", "golden conv2d", "parity matmul_forward", "parity conv2d_backward",
                "parity nature-cnn N=32", "dqn-update")) {
            assertGroupLine(r, g, "PASS");
        }
    }

    @Test
    void aBrokenCaseFailsTheCommand() {
        // A wrong expected value, and a tolerance of 0 on a rounded op (0.1 * 3 in float is not 0.3).
        Case wrong = new Case("golden linear", "tampered", (b, c) -> c.close("y", new double[] {1.0}, new float[] {1.5f}, 1e-5, 1e-5));
        Case exact = new Case("tolerance zero", "0.1 * 3", (b, c) -> {
            var x = b.fromArray(new float[] {0.1f}, 1);
            var y = b.zeros(1);
            b.scale_forward(y, x, 3f, 1);
            c.close("y", new double[] {0.3}, b.toArray(y), 0, 0);
        });
        CheckCommand.casesHook = cases -> {
            List<Case> some = new ArrayList<>(cases.stream().filter(c -> c.group().equals("golden linear")).toList());
            some.add(wrong);
            some.add(exact);
            return some;
        };
        try {
            CliTest.Run r = CliTest.run("check", "--verbose");
            assertEquals(1, r.code(), r.toString());
            int[] s = summary(r);
            assertEquals(2, s[1], r.lastLine());
            assertGroupLine(r, "golden linear", "FAIL");
            assertGroupLine(r, "tolerance zero", "FAIL");
            assertTrue(r.out().contains("tampered") && r.out().contains("y[0]: got 1.5, expected 1.0"), r.out());
        } finally {
            CheckCommand.casesHook = java.util.function.UnaryOperator.identity();
        }
    }

    @Test
    void noSuchDeviceIsABadInput() {
        CliTest.assertOneLineError(CliTest.run("check", "--device", "tpu"), "unknown --device 'tpu'");
        CliTest.assertOneLineError(CliTest.run("check", "--device", "opencl:9:9"), "");
    }
}
