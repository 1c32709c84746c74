package org.dqnscratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Bytes read as unsigned pixels and scaled, on the CPU (the OpenCL kernel is held to this by the parity cases). */
class ScaleU8Test {
    @Test
    void bytesAreUnsignedPixels() {
        Backend b = new CpuBackend();
        Tensor x = b.bytes(6), y = b.zeros(5);
        b.uploadBytes(x, new byte[] {9, 0, 1, 127, (byte) 128, (byte) 255}, 0);
        b.scale_u8_forward(y, new Tensor(x.storage, 1, 5), 2f, 5);
        assertArrayEquals(new float[] {0, 2, 254, 256, 510}, b.toArray(y));
    }

    @Test
    void floatOpsRefuseByteTensorsAndBack() {
        Backend b = new CpuBackend();
        Tensor bytes = b.bytes(4), floats = b.zeros(4);
        assertThrows(IllegalArgumentException.class, () -> b.relu_forward(floats, bytes, 4));
        assertThrows(IllegalArgumentException.class, () -> b.scale_u8_forward(floats, floats, 1f, 4));
    }
}
