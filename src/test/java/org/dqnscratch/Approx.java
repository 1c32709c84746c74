package org.dqnscratch;

import static org.junit.jupiter.api.Assertions.fail;

/** Element-wise comparison with |actual - expected| <= atol + rtol * |expected|. */
public final class Approx {
    private Approx() {}

    public static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                fail(what + "[" + i + "]: got " + a + ", expected " + e + " (atol " + atol + ", rtol " + rtol + ")");
            }
        }
    }

    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        assertClose(what, e, actual, atol, rtol);
    }
}
