package org.dqnscratch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.dqnscratch.check.Check;
import org.dqnscratch.check.FusionCases;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * The fused Linear/Conv2d + ReLU on the CPU backend gives the bits of the two ops it replaces: over
 * random shapes (tails of every tile; K over several of GEMM's K blocks, where a ReLU applied before
 * the last block would show; batches 1-64), the Nature CNN's layers at batch 1, 32 and 64, and whole
 * networks forward and backward. The checks are {@link FusionCases}, which {@code check} also runs.
 */
class FusedReluProperties {
    final Backend b = new CpuBackend();

    @Property(tries = 60)
    void matmulReluIsMatmulThenRelu(@ForAll @IntRange(min = 1, max = 64) int N, @ForAll @IntRange(min = 1, max = 700) int C,
                                    @ForAll @IntRange(min = 1, max = 80) int OC, @ForAll boolean bias, @ForAll long seed) {
        run(c -> FusionCases.matmulRelu(b, c, N, C, OC, bias, seed));
    }

    /**
     * Each path of the CPU's dense forward, K over two KC blocks: the packed tiles (N >= OC), their
     * parallel slices (over 2^20 multiply-adds), the dot products (N < MR, or a handful of columns) and
     * the transposed product (N < OC). jqwik favours small sizes, so the properties alone rarely get here.
     */
    @Test
    void everyDensePathWithSeveralKBlocks() {
        int[][] shapes = {{64, 700, 40}, {70, 600, 70}, {3, 700, 40}, {64, 700, 5}, {20, 700, 60}};
        for (int[] s : shapes) run(c -> FusionCases.matmulRelu(b, c, s[0], s[1], s[2], true, s[0] + s[2]));
    }

    @Property(tries = 60)
    void conv2dReluIsConv2dThenRelu(@ForAll @IntRange(min = 1, max = 64) int N, @ForAll @IntRange(min = 1, max = 4) int C,
                                    @ForAll @IntRange(min = 1, max = 11) int H, @ForAll @IntRange(min = 1, max = 11) int W,
                                    @ForAll @IntRange(min = 1, max = 9) int OC, @ForAll @IntRange(min = 1, max = 5) int K,
                                    @ForAll @IntRange(min = 1, max = 4) int stride, @ForAll @IntRange(min = 0, max = 2) int pad,
                                    @ForAll boolean bias, @ForAll long seed) {
        Assume.that(H + 2 * pad >= K && W + 2 * pad >= K);
        run(c -> FusionCases.conv2dRelu(b, c, new ConvGeometry(N, C, H, W, OC, K, K, stride, pad), bias, seed));
    }

    @Property(tries = 40)
    void reluBackwardInplaceIsReluBackwardIntoZeros(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed) {
        run(c -> FusionCases.reluBackwardInplace(b, c, n, seed));
    }

    @Test
    void natureCnnLayersAtBatch1And32And64() {
        for (int N : new int[] {1, 32, 64}) {
            for (int l = 0; l < 3; l++) {
                ConvGeometry g = FusionCases.natureConv(l, N);
                run(c -> FusionCases.conv2dRelu(b, c, g, true, g.N() + g.C()));
            }
            run(c -> FusionCases.matmulRelu(b, c, N, 3136, 512, true, N));
            run(c -> FusionCases.matmulRelu(b, c, N, 512, 6, true, N)); // the Q head: not fused in the network, the op still holds
        }
    }

    @Property(tries = 20)
    void mlpFusedIsMlpUnfused(@ForAll @IntRange(min = 1, max = 64) int N, @ForAll @IntRange(min = 1, max = 40) int h1,
                              @ForAll @IntRange(min = 1, max = 40) int h2, @ForAll boolean dueling, @ForAll long seed) {
        int[] hidden = {h1, h2};
        run(c -> FusionCases.network(b, c, () -> Networks.mlp(4, hidden, 3, dueling), () -> FusionCases.mlpUnfused(4, hidden, 3, dueling),
                new int[] {N, 4}, false, seed));
    }

    @Test
    void natureCnnFusedIsNatureCnnUnfused() {
        for (int N : new int[] {1, 32}) {
            for (boolean dueling : new boolean[] {false, true}) {
                run(c -> FusionCases.network(b, c, () -> Networks.natureCnn(4, 6, dueling), () -> FusionCases.natureCnnUnfused(4, 6, dueling),
                        new int[] {N, 4, 84, 84}, true, N));
            }
        }
    }

    /** PyTorch's nn.Sequential numbering: the ReLUs count, fused or not. */
    @Test
    void parameterNamesAreTorchs() {
        Parameters p = Parameters.allocate(b, Networks.natureCnn(4, 6, false));
        assertEquals(List.of("conv.0.weight", "conv.0.bias", "conv.2.weight", "conv.2.bias", "conv.4.weight", "conv.4.bias",
                "fc.0.weight", "fc.0.bias", "fc.2.weight", "fc.2.bias"), p.list().stream().map(q -> q.name).toList());
        Parameters m = Parameters.allocate(b, Networks.mlp(4, new int[] {8, 8}, 2, true));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.value.weight", "4.value.bias", "4.advantage.weight",
                "4.advantage.bias"), m.list().stream().map(q -> q.name).toList());
    }

    static void run(java.util.function.Consumer<Check> body) {
        Check c = new Check();
        body.accept(c);
        c.orThrow();
    }
}
