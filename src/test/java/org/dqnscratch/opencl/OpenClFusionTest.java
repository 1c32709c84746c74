package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.dqnscratch.check.FusionCases;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * On the device, the fused kernels (matmul_relu_forward, conv2d_relu_forward: the ReLU in gemm.cl's
 * epilogue, or in gemm_sum_splits' when K is split) give the bits of the GEMM kernel then relu_forward,
 * and fused networks those of the unfused ones; with the device's tiles, and with small tiles that
 * split K. Parity with the Java twins is OpenClParityTest's.
 */
class OpenClFusionTest {
    private static OpenClBackend splitting;

    static synchronized OpenClBackend splitting() {
        OpenClSupport.backend(); // skips (or fails under DQN_REQUIRE_OPENCL=1) without an OpenCL platform
        if (splitting == null) {
            splitting = OpenClBackend.create(System.getenv().getOrDefault("DQN_OPENCL_DEVICE", "opencl"), OpenClTuningTest.SPLITTING);
        }
        return splitting;
    }

    @AfterAll
    static void close() {
        if (splitting != null) splitting.close();
    }

    @TestFactory
    Stream<DynamicTest> fusedKernelsGiveTheUnfusedBits() {
        return FusionCases.all().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> c.runOrThrow(OpenClSupport.backend())));
    }

    @TestFactory
    Stream<DynamicTest> alsoWithKSplitAcrossWorkGroups() {
        return FusionCases.all().stream().map(c -> DynamicTest.dynamicTest(OpenClTuningTest.SPLITTING + " " + c,
                () -> c.runOrThrow(splitting())));
    }

    /** The split path is taken by the fused fc1 acting on one state (K = 3136, 32 tiles): the GEMM, then the sums with the ReLU. */
    @Test
    void smallTilesSplitFc1() {
        OpenClBackend b = splitting();
        Tensor y = b.zeros(1, 512), x = b.zeros(1, 3136), w = b.zeros(512, 3136), bias = b.zeros(512);
        Traffic before = b.traffic();
        b.matmul_relu_forward(y, x, w, bias, 1, 3136, 512);
        assertEquals(2, b.traffic().since(before).launches());
    }
}
