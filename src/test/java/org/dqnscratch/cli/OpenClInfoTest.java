package org.dqnscratch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.opencl.OpenClSupport;
import org.junit.jupiter.api.Test;

/** {@code info --device opencl} names the device and the kernel sizes chosen for it; a bad device is a one-line error. */
class OpenClInfoTest {
    @Test
    void infoPrintsTheDeviceAndItsTuning() {
        OpenClBackend b = OpenClSupport.backend();
        String spec = System.getenv().getOrDefault("DQN_OPENCL_DEVICE", "opencl");
        CliTest.Run r = CliTest.run("info", "--device", spec);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("opencl device: " + b.device().describe()), r.out());
        assertTrue(r.out().contains("opencl kernels: " + b.tuning().describe()), r.out());
        CliTest.assertOneLineError(CliTest.run("info", "--device", "tpu"), "--device");
    }
}
