package org.dqnscratch.opencl;

import java.util.function.Supplier;
import org.jocl.CL;

/** Status checks: an OpenCL error code becomes an {@link OpenClException} naming the code and what was being done. */
final class OpenCl {
    private OpenCl() {}

    static {
        CL.setExceptionsEnabled(false); // we check every status ourselves, with context
    }

    static void check(int status, String what) {
        if (status != CL.CL_SUCCESS) throw new OpenClException(what + " failed: " + CL.stringFor_errorCode(status) + " (" + status + ")");
    }

    static void check(int status, Supplier<String> what) {
        if (status != CL.CL_SUCCESS) check(status, what.get());
    }

    /** Loads the native OpenCL library (the ICD loader); a readable error when it is missing. */
    static void load() {
        try {
            CL.setExceptionsEnabled(false);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new OpenClException("no OpenCL runtime: libOpenCL.so.1 could not be loaded (install an OpenCL ICD loader and a driver, "
                    + "e.g. apt-get install ocl-icd-libopencl1 pocl-opencl-icd): " + e.getMessage());
        }
    }
}
