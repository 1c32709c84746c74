package org.dqnscratch.opencl;

import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL backend for tests, created once (kernels compile once). Without an OpenCL platform
 * the tests are skipped, unless {@code DQN_REQUIRE_OPENCL=1} (CI sets it), where they fail.
 */
public final class OpenClSupport {
    private OpenClSupport() {}

    private static OpenClBackend backend;
    private static RuntimeException failure;

    public static synchronized OpenClBackend backend() {
        if (backend == null && failure == null) {
            try {
                String spec = System.getenv().getOrDefault("DQN_OPENCL_DEVICE", "opencl");
                backend = OpenClBackend.create(spec);
            } catch (RuntimeException | LinkageError e) {
                failure = e instanceof RuntimeException re ? re : new OpenClException(e.toString());
            }
        }
        if (backend != null) return backend;
        if ("1".equals(System.getenv("DQN_REQUIRE_OPENCL"))) throw failure;
        Assumptions.abort("no OpenCL: " + failure.getMessage());
        return null;
    }
}
