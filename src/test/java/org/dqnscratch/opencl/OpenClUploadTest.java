package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Uploads do not block, yet the caller may reuse its array at once: one array, changed after each
 * of more uploads than the staging ring has slots, and of growing sizes, arrives as it was at each.
 */
class OpenClUploadTest {
    @Test
    void eachUploadTakesTheArrayAsItWasThen() {
        OpenClBackend b = OpenClSupport.backend();
        int uploads = 3 * Staging.SLOTS;
        float[] host = new float[100_000];
        byte[] bytes = new byte[uploads];
        Tensor[] t = new Tensor[uploads];
        Tensor packed = b.bytes(uploads);
        Traffic before = b.traffic();
        for (int i = 0; i < uploads; i++) {
            int n = 1000 * (i + 1);
            Arrays.fill(host, 0, n, i);
            t[i] = b.zeros(n);
            b.upload(t[i], host, 0);
            bytes[0] = (byte) (200 + i);
            b.uploadBytes(packed, i, bytes, 0, 1);
        }
        assertEquals(0, b.traffic().since(before).blockingReads());
        for (int i = 0; i < uploads; i++) {
            float[] want = new float[1000 * (i + 1)];
            Arrays.fill(want, i);
            assertArrayEquals(want, b.toArray(t[i]), "upload " + i);
        }
        Tensor y = b.zeros(uploads);
        b.scale_u8_forward(y, packed, 1f, uploads);
        float[] got = b.toArray(y);
        for (int i = 0; i < uploads; i++) assertEquals(200 + i & 0xFF, got[i], "byte upload " + i);
    }
}
