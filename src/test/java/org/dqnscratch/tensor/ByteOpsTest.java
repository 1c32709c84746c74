package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Bytes read as unsigned pixels, scaled or gathered, on the CPU (the OpenCL kernels are held to this by the parity cases). */
class ByteOpsTest {
    @Test
    void bytesAreUnsignedPixels() {
        Backend b = new CpuBackend();
        Tensor x = b.bytes(6), y = b.zeros(5);
        b.uploadBytes(x, 0, new byte[] {9, 0, 1, 127, (byte) 128, (byte) 255}, 0, 6);
        b.scale_u8_forward(y, new Tensor(x.storage, 1, 5), 2f, 5);
        assertArrayEquals(new float[] {0, 2, 254, 256, 510}, b.toArray(y));
    }

    @Test
    void floatOpsRefuseByteTensorsAndBack() {
        Backend b = new CpuBackend();
        Tensor bytes = b.bytes(4), floats = b.zeros(4);
        assertThrows(IllegalArgumentException.class, () -> b.relu_forward(floats, bytes, 4));
        assertThrows(IllegalArgumentException.class, () -> b.scale_u8_forward(floats, floats, 1f, 4));
        assertThrows(IllegalArgumentException.class, () -> b.uploadBytes(bytes, 2, new byte[8], 0, 3), "past the end");
    }

    @Test
    void gatheredRowsAreUnsignedAndIndicesChecked() {
        Backend b = new CpuBackend();
        Tensor table = b.bytes(6), y = b.zeros(6);
        b.uploadBytes(table, 0, new byte[] {1, 2, 3, (byte) 200, 5, 6}, 0, 6);
        b.gather_u8_forward(y, table, b.fromArray(new float[] {1, 0, 1}, 3), 3, 2);
        assertArrayEquals(new float[] {3, 200, 1, 2, 3, 200}, b.toArray(y));
        assertThrows(IllegalArgumentException.class, () -> b.gather_u8_forward(y, table, b.fromArray(new float[] {3}, 1), 1, 2));
        assertThrows(IllegalArgumentException.class, () -> b.gather_u8_forward(y, table, b.fromArray(new float[] {0.5f}, 1), 1, 2));
    }
}
