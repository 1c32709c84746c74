package org.dqnscratch.opencl;

/** An OpenCL failure, with a message a user can act on (error name, build log, devices that exist). */
public final class OpenClException extends RuntimeException {
    public OpenClException(String message) { super(message); }
}
