package org.dqnscratch.opencl;

import java.util.function.Supplier;
import org.jocl.CL;

/** Status checks: an OpenCL error code becomes an {@link OpenClException} naming the code and what was being done. */
final class OpenCl {
    private OpenCl() {}

    static void check(int status, String what) {
        if (status != CL.CL_SUCCESS) throw new OpenClException(what + " failed: " + CL.stringFor_errorCode(status) + " (" + status + ")");
    }

    static void check(int status, Supplier<String> what) {
        if (status != CL.CL_SUCCESS) check(status, what.get());
    }

    private static String firstLine(String message) {
        return message == null || message.isBlank() ? "" : ": " + message.strip().lines().findFirst().orElse("");
    }

    /**
     * Loads JOCL and the native OpenCL library (the ICD loader), with status codes returned rather
     * than thrown (we check each one, with context); a readable error when the library is missing.
     */
    static void load() {
        try {
            CL.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            throw new OpenClException("no OpenCL runtime: libOpenCL.so.1 could not be loaded (install an OpenCL ICD loader and a driver, "
                    + "e.g. apt-get install ocl-icd-libopencl1 pocl-opencl-icd)" + firstLine(e.getMessage()));
        }
    }
}
