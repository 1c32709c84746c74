package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.dqnscratch.check.ParityCases;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The kernels at tile sizes other than the device's choice: every parity case (the Nature-CNN
 * layers included) with small 16x16 tiles and a target of 64 work-groups per launch, so that
 * GEMMs split K across work-groups and sums run in several groups; and with 32x32 tiles of 2x2
 * outputs per work-item, no splits.
 */
class OpenClTuningTest {
    static final Tuning SPLITTING = Tuning.parse("16x16x4/2x2/64"), UNSPLIT = Tuning.parse("32x32x16/2x2/1");
    private static OpenClBackend splitting, unsplit;

    static synchronized OpenClBackend backend(Tuning t) {
        OpenClSupport.backend(); // skips (or fails under DQN_REQUIRE_OPENCL=1) without an OpenCL platform
        String spec = System.getenv().getOrDefault("DQN_OPENCL_DEVICE", "opencl");
        if (t == SPLITTING) return splitting != null ? splitting : (splitting = OpenClBackend.create(spec, t));
        return unsplit != null ? unsplit : (unsplit = OpenClBackend.create(spec, t));
    }

    @AfterAll
    static void close() {
        if (splitting != null) splitting.close();
        if (unsplit != null) unsplit.close();
    }

    @TestFactory
    Stream<DynamicTest> parityWithSplitKAndManyGroups() {
        return ParityCases.all().stream().map(c -> DynamicTest.dynamicTest(SPLITTING + " " + c, () -> c.runOrThrow(backend(SPLITTING))));
    }

    @TestFactory
    Stream<DynamicTest> parityWithOtherTilesUnsplit() {
        return ParityCases.all().stream().map(c -> DynamicTest.dynamicTest(UNSPLIT + " " + c, () -> c.runOrThrow(backend(UNSPLIT))));
    }

    /** The split path is taken: conv1's weight gradient (K = 32*20*20) is a GEMM plus the sum of its splits. */
    @Test
    void smallTilesSplitConv1sWeightGradient() {
        for (Tuning t : new Tuning[] {SPLITTING, UNSPLIT}) {
            OpenClBackend b = backend(t);
            ConvGeometry g = new ConvGeometry(32, 4, 84, 84, 32, 8, 8, 4, 0);
            Tensor dout = b.zeros(32, 32, 20, 20), inp = b.zeros(32, 4, 84, 84), w = b.zeros(32, 4, 8, 8), dw = b.zeros(32, 4, 8, 8);
            Traffic before = b.traffic();
            b.conv2d_backward(null, dw, null, dout, inp, w, g);
            assertEquals(t == SPLITTING ? 2 : 1, b.traffic().since(before).launches(), t.toString());
        }
    }

    @Test
    void badTuningIsAOneLineError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tuning.parse("64x64"));
        assertEquals(1, e.getMessage().lines().count());
        assertThrows(IllegalArgumentException.class, () -> Tuning.parse("48x64x16/4x4/8"), "tiles are powers of two");
        assertThrows(IllegalArgumentException.class, () -> Tuning.parse("64x64x16/3x4/8"), "a tile is a multiple of its work per item");
    }
}
