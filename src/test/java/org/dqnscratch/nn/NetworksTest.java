package org.dqnscratch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.dqnscratch.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The networks' layouts (parameter names and shapes, PyTorch's) and outputs for every head. */
class NetworksTest {
    static Map<String, int[]> layout(Module m) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (Param p : Parameters.allocate(new CpuBackend(), m).list()) out.put(p.name, p.shape());
        return out;
    }

    @Test
    void separateDuelingStreamsEachHaveTheLastHiddenLayer() {
        Support c51 = new Support(5, -1f, 1f);
        Map<String, int[]> mlp = layout(Networks.mlp(4, new int[] {8, 6}, 3, new Networks.Head(true, true, c51)));
        assertEquals(java.util.List.of("0.weight", "0.bias", "2.value.0.weight", "2.value.0.bias", "2.value.2.weight", "2.value.2.bias",
                "2.advantage.0.weight", "2.advantage.0.bias", "2.advantage.2.weight", "2.advantage.2.bias"), java.util.List.copyOf(mlp.keySet()));
        assertArrayEquals(new int[] {6, 8}, mlp.get("2.value.0.weight"));
        assertArrayEquals(new int[] {5, 6}, mlp.get("2.value.2.weight"));
        assertArrayEquals(new int[] {15, 6}, mlp.get("2.advantage.2.weight"));
        Map<String, int[]> cnn = layout(Networks.natureCnn(4, 6, new Networks.Head(true, true, new Support(51, -10f, 10f))));
        assertArrayEquals(new int[] {512, 3136}, cnn.get("fc.value.0.weight"));
        assertArrayEquals(new int[] {51, 512}, cnn.get("fc.value.2.weight"));
        assertArrayEquals(new int[] {512, 3136}, cnn.get("fc.advantage.0.weight"));
        assertArrayEquals(new int[] {6 * 51, 512}, cnn.get("fc.advantage.2.weight"));
        assertEquals(14, cnn.size());
        // shared streams: the layout every earlier checkpoint has
        assertEquals(java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.value.weight", "4.value.bias", "4.advantage.weight",
                "4.advantage.bias"), java.util.List.copyOf(layout(Networks.mlp(4, new int[] {8, 6}, 3, true)).keySet()));
    }

    @Test
    void headsGiveQValuesPerAction() {
        Backend b = new CpuBackend();
        for (Networks.Head head : new Networks.Head[] {Networks.Head.Q, Networks.Head.of(true, null), new Networks.Head(true, true, null),
                Networks.Head.of(false, new Support(7, -2f, 2f)), new Networks.Head(true, true, new Support(7, -2f, 2f))}) {
            Module m = Networks.mlp(4, new int[] {8, 6}, 3, head);
            Parameters p = Parameters.allocate(b, m);
            Init.TORCH_DEFAULT.apply(p, 1);
            Tensor q = m.forward(Graph.inference(b), b.fromArray(new float[] {1, 2, 3, 4, -1, 0, 1, 0}, 2, 4));
            assertArrayEquals(new int[] {2, 3}, q.shape(), head.toString());
            if (head.support() != null) for (float v : b.toArray(q)) assertEquals(0, v, 2, "a mean on [-2, 2]: " + v);
        }
    }

    @Test
    void separateStreamsNeedADuelingHeadAndAHiddenLayer() {
        assertThrows(IllegalArgumentException.class, () -> new Networks.Head(false, true, null));
        assertThrows(IllegalArgumentException.class, () -> Networks.mlp(4, new int[0], 2, new Networks.Head(true, true, null)));
    }
}
