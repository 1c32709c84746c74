package org.dqnscratch.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * An action index that is not an integer in [0, A) is an error on the device as on the CPU (the
 * same exception, the same message), not a read or write in another row. The CPU throws at the
 * call; the device flags it and the backend throws when the next result is read back.
 */
class OpenClActionCheckTest {
    static final int N = 3, A = 3;
    static final String[] OPS = {"gather_forward", "gather_backward", "max_backward"};

    /** Runs {@code op} with {@code bad} as the second row's action and reads its output back. */
    static float[] run(Backend b, String op, float bad) {
        Tensor q = b.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, N, A);
        Tensor actions = b.fromArray(new float[] {0, bad, 2}, N), ones = b.fromArray(new float[] {1, 1, 1}, N);
        switch (op) {
            case "gather_forward" -> {
                Tensor out = b.zeros(N);
                b.gather_forward(out, q, actions, N, A);
                return b.toArray(out);
            }
            case "gather_backward" -> {
                Tensor dq = b.zeros(N, A);
                b.gather_backward(dq, ones, actions, N, A);
                return b.toArray(dq);
            }
            case "max_backward" -> {
                Tensor dq = b.zeros(N, A);
                b.max_backward(dq, ones, actions, N, A);
                return b.toArray(dq);
            }
            default -> throw new IllegalArgumentException(op);
        }
    }

    @Test
    void badActionsAreTheCpusErrorOnTheDevice() {
        Backend cl = OpenClSupport.backend(), cpu = new CpuBackend();
        for (String op : OPS) {
            for (float bad : new float[] {A, -1f, 1.5f, Float.NaN, 1e9f}) {
                String want = assertThrows(IllegalArgumentException.class, () -> run(cpu, op, bad)).getMessage();
                var got = assertThrows(IllegalArgumentException.class, () -> run(cl, op, bad), op + " with action " + bad);
                assertEquals(want, got.getMessage(), op);
            }
            // the error was reported once: the same op with good actions reads back normally
            assertArrayEquals(run(cpu, op, 1f), run(cl, op, 1f), op);
        }
    }
}
