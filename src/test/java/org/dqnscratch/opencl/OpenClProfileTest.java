package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** DQN_OPENCL_PROFILE's per-kernel device times: every kernel launched, with its launch count; nothing without it. */
class OpenClProfileTest {
    @Test
    void reportsEachKernelsLaunchesAndTime() {
        OpenClBackend plain = OpenClSupport.backend();
        if (!KernelProfile.requested()) assertNull(plain.kernelProfile());
        String spec = System.getenv().getOrDefault("DQN_OPENCL_DEVICE", "opencl");
        try (OpenClBackend b = OpenClBackend.createProfiled(spec)) {
            Tensor x = b.zeros(64, 300), w = b.zeros(20, 300), y = b.zeros(64, 20);
            b.matmul_forward(y, x, w, null, 64, 300, 20);
            b.matmul_forward(y, x, w, null, 64, 300, 20);
            b.relu_forward(y, y, y.size);
            String report = b.kernelProfile();
            assertTrue(Pattern.compile("matmul_forward +2 launches").matcher(report).find(), report);
            assertTrue(Pattern.compile("relu_forward +1 launches").matcher(report).find(), report);
            assertTrue(b.kernelProfile().lines().count() == 1, "a report restarts the counts");
        }
    }
}
