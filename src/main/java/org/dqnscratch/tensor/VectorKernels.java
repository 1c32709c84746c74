package org.dqnscratch.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * The Vector API micro-kernel for this machine's vector width and register count (issue 20), loaded
 * by {@link MicroKernel#choose} only when the module is present. Six rows of two vectors (12
 * accumulators, 15 registers) fit x86's 16; with 32 registers at 128 bits (NEON, or AVX-512 limited to
 * 128-bit vectors) six rows of four vectors (24 accumulators, 29 registers) halve the broadcasts per
 * multiply-add and give four 128-bit pipes enough independent chains (on Zen 4 at 128 bits: 1.32-1.38x the
 * 6 x 2 tile's speed at the Nature CNN's GEMM shapes; with 16 registers it spills and is slower, on Zen 1:
 * docs/performance.md, "Zen 4 again" and "The micro-kernel's shape per vector width"). At 256 and 512 bits the tile stays
 * 6 x 2 vectors even with 32 registers: two vectors are already 16 or 32 floats across, the width of
 * the Nature CNN's narrowest outputs (32 channels), and an 8-row tile measured no faster on AVX-512
 * (docs/performance.md). Both shapes give the same bits, so the choice never changes a result.
 *
 * <p>Beside a 6 x 2 tile on 32 registers (AVX-512 at 256 or 512 bits) the 6 x 4 one still runs the
 * convolutions with at least its width of output channels (the Nature CNN's conv2 and conv3, 64 channels at 512
 * bits): {@link DirectConv} gathers each A value from the image, and four vectors per gathered value instead of
 * two made their forward 1.12-1.18x and their backward 1.09-1.15x faster on Zen 4 (docs/performance.md, "The
 * convolutions on one thread"). A narrower layer (conv1, 32 channels) would leave half the wide tile empty.
 */
final class VectorKernels {
    private VectorKernels() {}

    /** Vectors per row of the tile: the override when it is 2 or 4, else the rule for this machine. */
    static MicroKernel.Choice choose(int vectorsOverride) {
        VectorRegisters regs = VectorRegisters.detect();
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int vectors = vectorsOverride == 2 || vectorsOverride == 4 ? vectorsOverride : vectorsPerRow(bits, regs.count());
        MicroKernel k = vectors == 4 ? new VectorWideMicroKernel() : new VectorMicroKernel();
        boolean forced = vectors == vectorsOverride;
        String why = forced ? "set by -D" + MicroKernel.VECTORS_PROPERTY + "=" + vectors
                : "for " + regs.count() + " vector registers (" + regs.why() + ") at " + bits + " bits";
        MicroKernel wide = !forced && vectors == 2 && regs.count() >= 32 ? new VectorWideMicroKernel() : null;
        String wideWhy = wide == null ? "" : "; convolutions with " + wide.nr() + " or more output channels: "
                + wide.mr() + " rows x 4 vectors (" + wide.name() + ", the same bits)";
        return new MicroKernel.Choice(k, wide, k.mr() + " rows x " + vectors + " vectors of " + bits / 32 + " floats, "
                + k.mr() * vectors + " accumulators, " + why + wideWhy);
    }

    /** The rule: 4 vectors per row with 32 registers at 128 bits, else 2. */
    static int vectorsPerRow(int bits, int registers) {
        return registers >= 32 && bits <= 128 ? 4 : 2;
    }
}
