package org.dqnscratch.ray;

/** A problem with Ray (not installed, unreachable, a cluster that cannot place the actors): bad input, whose message is the one line a user sees (exit 2). */
public final class RayException extends IllegalArgumentException {
    public RayException(String message) { super(message); }

    public RayException(String message, Throwable cause) { super(message, cause); }
}
