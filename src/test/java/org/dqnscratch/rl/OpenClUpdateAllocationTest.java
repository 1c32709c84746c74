package org.dqnscratch.rl;

import org.dqnscratch.env.Rng;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.opencl.OpenClSupport;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL host path allocates (almost) nothing per update: launches assembled in reused arrays,
 * arguments already bound. What remains (a few hundred bytes) is one cl_event per upload (the
 * staging ring's completion marks) and what the JIT does not scalar-replace. Measured on the training path (TrainingBatch.train) of a Nature-CNN update, loss not read,
 * with fewer uploads than the staging ring has slots (a wait for a slot would be the device's doing).
 */
class OpenClUpdateAllocationTest {
    @Test
    void aNatureCnnUpdateAllocatesAlmostNothing() {
        long perUpdate = bytesPerUpdate(false);
        System.out.println("bytes allocated per Nature-CNN update on OpenCL: " + perUpdate);
        // 400-1,150 B here, as the JIT's escape analysis goes; setting arguments per launch as before issue 10
        // (boxed values, arrays and pointers per argument) cost about 1 KB per launch, some 50 KB per update
        assertTrue(perUpdate < 4096, perUpdate + " bytes per update");
    }

    /** Issue 21: with --noisy's networks (noise redrawn and uploaded before every update), still almost nothing. */
    @Test
    void aNoisyNatureCnnUpdateAllocatesAlmostNothing() {
        long perUpdate = bytesPerUpdate(true);
        System.out.println("bytes allocated per noisy Nature-CNN update on OpenCL: " + perUpdate);
        assertTrue(perUpdate < 4096, perUpdate + " bytes per update");
    }

    /** Bytes this thread allocates per update of the training path, after a warm-up. */
    static long bytesPerUpdate(boolean noisy) {
        OpenClBackend cl = OpenClSupport.backend();
        OpenClUpdateTrafficTest.Learner l = OpenClUpdateTrafficTest.Learner.create(cl, false, noisy);
        Rng rng = new Rng(3);
        l.batch().train(l.update(), rng, 5); // warm-up
        cl.finish(); // the staging ring's slots all free: the uploads measured wait for nothing
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int updates = 3;
        long before = threads.getCurrentThreadAllocatedBytes();
        l.batch().train(l.update(), rng, updates);
        return (threads.getCurrentThreadAllocatedBytes() - before) / updates;
    }
}
