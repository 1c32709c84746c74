package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The backend calls OpenCL from the thread that calls it, and from no other. JOCL's public
 * non-blocking transfers start a pool thread per transfer ({@code AsyncOpThread-N}) that waits in
 * {@code clWaitForEvents}: under Oclgrind, which runs queued commands in whichever thread waits,
 * that ran two kernels at once and aborted ({@code m_kernelInvocation == NULL}); on a GPU
 * each is a thread blocked in that wait while its upload is in flight. {@link NonBlocking} makes the same
 * calls without those threads; this test failed before it (one thread per upload and download).
 */
class OpenClSingleThreadTest {
    @Test
    void uploadsAndDownloadsStartNoThread() {
        OpenClBackend b = OpenClSupport.backend();
        float[] src = {1, 2, 3, 4, 5}, dst = new float[5];
        byte[] bytes = {7, 8, 9};
        Tensor t = b.zeros(5), u = b.zeros(5);
        Tensor pixels = b.bytes(3);
        for (int i = 0; i < 40; i++) { // more than the staging ring's 16 slots: a slot is reused after its event completed
            b.upload(t, src, 0);
            b.uploadBytes(pixels, 0, bytes, 0, 3);
            b.scale_forward(u, t, 2f, 5);
            Backend.Download d = b.downloadLater(dst, 0, u);
            d.await();
        }
        assertArrayEquals(new float[] {2, 4, 6, 8, 10}, dst);
        List<String> jocl = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("AsyncOpThread")).toList();
        assertEquals(List.of(), jocl, "threads JOCL started for non-blocking transfers");
    }
}
