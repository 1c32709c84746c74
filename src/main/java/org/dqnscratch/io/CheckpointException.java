package org.dqnscratch.io;

import java.io.IOException;

/** A checkpoint that cannot be read or does not fit the network; the message is one line for users. */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) { super(message); }
    public CheckpointException(String message, Throwable cause) { super(message, cause); }
}
