package org.dqnscratch.check;

import org.dqnscratch.tensor.Backend;

/**
 * One check, defined once and run by both the test suite (one dynamic test each) and the
 * {@code check} command (one line per group).
 *
 * @param group what the command's line is about, e.g. {@code golden linear}
 */
public record Case(String group, String name, Body body) {
    /** Runs on {@code device}, recording every comparison in {@code c}. */
    public interface Body {
        void run(Backend device, Check c) throws Exception;
    }

    /** For the command: an exception is a failed case, not the end of the run. */
    public Check run(Backend device) {
        Check c = new Check();
        try {
            body.run(device, c);
        } catch (Exception | AssertionError e) {
            c.fail(e.toString());
        }
        return c;
    }

    /** For the tests: exceptions propagate with their stack trace, a bad value is an AssertionError. */
    public void runOrThrow(Backend device) throws Exception {
        Check c = new Check();
        body.run(device, c);
        c.orThrow();
    }

    @Override public String toString() { return group + " " + name; }
}
