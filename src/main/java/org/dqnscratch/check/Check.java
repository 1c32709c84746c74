package org.dqnscratch.check;

/**
 * The comparisons of one case. It does not stop at the first bad element: the command reports the
 * worst error against its tolerance, so every element is measured and the first violation kept.
 */
public final class Check {
    private double worstErr, worstTol = 1, worstRatio = -1;
    private String failure;

    /** Element-wise {@code |actual - expected| <= atol + rtol * |expected|} (Approx's rule in the tests). */
    public void close(String what, double[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
            return;
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            error(what + "[" + i + "]: got " + a + ", expected " + e + " (atol " + atol + ", rtol " + rtol + ")",
                    Math.abs(a - e), atol + rtol * Math.abs(e));
        }
    }

    public void close(String what, float[] expected, float[] actual, double atol, double rtol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        close(what, e, actual, atol, rtol);
    }

    /**
     * Bit-for-bit equality (+0 and -0 differ; NaN equals only the same NaN), the first difference failing:
     * for results that must be the same floats, such as a fused op against the ops it replaces.
     */
    public void same(String what, float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
            return;
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + "[" + i + "]: got " + actual[i] + ", expected the bits of " + expected[i]);
                return;
            }
        }
        error(what, 0, 0);
    }

    /** One measured error against its tolerance; NaN fails. */
    public void error(String what, double err, double tol) {
        double ratio = err == 0 ? 0 : tol == 0 ? Double.POSITIVE_INFINITY : err / tol;
        if (Double.isNaN(err)) ratio = Double.POSITIVE_INFINITY;
        if (ratio > worstRatio) {
            worstRatio = ratio;
            worstErr = err;
            worstTol = tol;
        }
        if (!(err <= tol) && failure == null) failure = what;
    }

    public void fail(String why) {
        if (failure == null) failure = why;
        worstRatio = Double.POSITIVE_INFINITY;
    }

    public boolean passed() { return failure == null; }

    public String failure() { return failure; }

    public double worstErr() { return worstErr; }

    public double worstTol() { return worstTol; }

    /** Worst error / its tolerance; above 1 fails. */
    public double worstRatio() { return Math.max(worstRatio, 0); }

    /** For the test runner: an AssertionError with the first violation. */
    public void orThrow() {
        if (failure != null) throw new AssertionError(failure);
    }
}
