package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A backend releases what it created: many backends made, used and closed in turn; a closed one refuses new buffers. */
class OpenClCloseTest {
    @Test
    void backendsAreReleasedOnClose() {
        OpenClSupport.backend(); // skips (or fails under DQN_REQUIRE_OPENCL=1) without an OpenCL platform
        String spec = System.getenv().getOrDefault("DQN_OPENCL_DEVICE", "opencl");
        for (int i = 0; i < 12; i++) {
            OpenClBackend b = OpenClBackend.create(spec);
            Tensor x = b.zeros(1000), y = b.zeros(1000);
            b.fill(x, 2f);
            b.scale_forward(y, x, 1.5f, 1000);
            assertEquals(3f, b.toArray(y)[999]);
            b.close();
            b.close(); // twice is harmless
            assertThrows(OpenClException.class, () -> b.zeros(10));
        }
    }
}
