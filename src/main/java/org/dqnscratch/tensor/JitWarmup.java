package org.dqnscratch.tensor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets the Vector API kernels compiled by C2 before the training loop needs them. Until C2 has
 * compiled a method that uses the Vector API, the interpreter and C1 run it without
 * intrinsics, boxing every vector (20-50x slower); a CartPole run spent its first 3-4 seconds
 * there, longer than the whole rest of the run. A daemon thread calls each kernel on tiny
 * arrays past C2's invocation threshold (about a tenth of a second of one core), once per JVM.
 * It computes nothing anyone reads.
 */
final class JitWarmup {
    private JitWarmup() {}

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Comfortably past C2's thresholds (Tier4InvocationThreshold 5000, Tier4CompileThreshold 15000). */
    static final int CALLS = 20_000;

    /**
     * Starts the warm-up thread the first time it is called in a JVM with the Vector API kernels; {@code wide},
     * when not null, is the second kernel the wide convolutions run on (its tile loops are methods of their own).
     */
    static void start(MicroKernel kernel, MicroKernel wide) {
        if (kernel == null || !STARTED.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> { run(kernel); if (wide != null) tiles(wide); }, "dqn-jit-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run(MicroKernel kernel) {
        int MR = kernel.mr(), NR = kernel.nr(), n = 2 * NR;
        float[] a = new float[MR], b = new float[NR], tile = new float[MicroKernel.MAX_TILE], c = new float[MR * NR];
        float[] x = new float[n], y = new float[n], z = new float[n], w = new float[n];
        int[] base = new int[MR], koff = new int[1];
        float[] xT = new float[VectorDots.ROWS], rowsB = new float[8], dots = new float[VectorDots.ROWS * 8], sums = new float[VectorDots.ROWS * 8];
        boolean unpacked = kernel.readsUnpacked();
        ElementwiseKernels ew = ElementwiseKernels.INSTANCE;
        for (int i = 0; i < CALLS; i++) {
            kernel.tile(1, a, 0, b, 0, tile);
            if (unpacked) kernel.imageTile(1, a, base, koff, 0, b, 0, tile); // the convolutions' gather: a loop of its own
            kernel.addTile(tile, c, 0, NR, MR, NR);
            VectorDots.add(xT, 0, VectorDots.ROWS, 0, 1, rowsB, 0, 1, 8, dots, 0, 8, sums); // acting batches' products
            ew.reluForward(x, 0, y, 0, 0, n);
            ew.reluBackward(x, 0, y, 0, z, 0, 0, n);
            ew.reluBackwardInplace(w, 0, z, 0, 0, n);
            ew.adam(x, 0, y, 0, z, 0, w, 0, 0f, 1f, 0.9f, 0.999f, 1f, 0, n);
            ew.rmsprop(x, 0, y, 0, z, 0, null, 0, null, 0, 0f, 0.9f, 1f, 0f, false, 0, n);
        }
    }

    /** A kernel's own loops only: its tiles and the image gather. */
    private static void tiles(MicroKernel kernel) {
        int MR = kernel.mr(), NR = kernel.nr();
        float[] a = new float[MR], b = new float[NR], tile = new float[MicroKernel.MAX_TILE], c = new float[MR * NR];
        int[] base = new int[MR], koff = new int[1];
        for (int i = 0; i < CALLS; i++) {
            kernel.tile(1, a, 0, b, 0, tile);
            kernel.imageTile(1, a, base, koff, 0, b, 0, tile);
            kernel.addTile(tile, c, 0, NR, MR, NR);
        }
    }
}
