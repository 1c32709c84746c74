package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Non-blocking downloads ({@link Backend#downloadLater}): the values arrive with the await, into
 * the caller's array at its offset; the wait is for the read, counted as one; one at a time; a
 * bad action queued before the read is reported at the await, as a blocking download reports it.
 */
class OpenClReadbackTest {
    @Test
    void valuesArriveWithTheAwait() {
        OpenClBackend b = OpenClSupport.backend();
        for (int n : new int[] {5, 3000, 70_000}) { // the pinned memory grows on the way
            float[] want = new float[n];
            for (int i = 0; i < n; i++) want[i] = i * 0.5f - 7;
            Tensor t = b.fromArray(want, n);
            Tensor y = b.zeros(n);
            b.scale_forward(y, t, 2f, n); // a kernel queued before the read
            float[] dst = new float[n + 3];
            Traffic before = b.traffic();
            Backend.Download d = b.downloadLater(dst, 3, y);
            d.await();
            Traffic read = b.traffic().since(before);
            for (int i = 0; i < n; i++) want[i] *= 2;
            assertArrayEquals(want, Arrays.copyOfRange(dst, 3, n + 3), "n " + n);
            assertEquals(1, read.reads(), read.toString());
            assertEquals(0, read.blockingReads() + read.finishes(), read.toString());
            d.await(); // a second await returns at once
            assertEquals(read.readWaits(), b.traffic().since(before).readWaits(), "no second wait");
        }
    }

    /** One under way at a time: a second download completes the first (a wait) before it starts. */
    @Test
    void oneDownloadAtATime() {
        OpenClBackend b = OpenClSupport.backend();
        Tensor t = b.fromArray(new float[] {1, 2, 3}, 3), u = b.fromArray(new float[] {4, 5}, 2);
        float[] first = new float[3], second = new float[2];
        Backend.Download d = b.downloadLater(first, 0, t);
        Traffic before = b.traffic();
        Backend.Download e = b.downloadLater(second, 0, u);
        assertEquals(1, b.traffic().since(before).readWaits(), "the first download was waited for");
        assertArrayEquals(new float[] {1, 2, 3}, first);
        d.await();
        e.await();
        assertArrayEquals(new float[] {4, 5}, second);
        assertThrows(IndexOutOfBoundsException.class, () -> b.downloadLater(new float[3], 1, t), "checked when started, not when the device writes");
        b.downloadLater(first, 0, t).await(); // nothing was left under way
    }

    @Test
    void aBadActionIsReportedAtTheAwait() {
        OpenClBackend b = OpenClSupport.backend();
        Tensor q = b.fromArray(new float[] {1, 2, 3, 4}, 2, 2), actions = b.fromArray(new float[] {0, 2}, 2), out = b.zeros(2);
        String want = assertThrows(IllegalArgumentException.class, () -> new CpuBackend().gather_forward(
                new CpuBackend().zeros(2), new CpuBackend().fromArray(new float[] {1, 2, 3, 4}, 2, 2), new CpuBackend().fromArray(new float[] {0, 2}, 2), 2, 2)).getMessage();
        b.gather_forward(out, q, actions, 2, 2);
        Backend.Download d = b.downloadLater(new float[2], 0, out);
        assertEquals(want, assertThrows(IllegalArgumentException.class, d::await).getMessage());
        float[] ok = new float[4];
        b.downloadLater(ok, 0, q).await(); // reported once; the next download is clean
        assertArrayEquals(new float[] {1, 2, 3, 4}, ok);
    }
}
