package org.dqnscratch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.dqnscratch.nn.Init;
import org.dqnscratch.nn.Linear;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.Relu;
import org.dqnscratch.nn.Sequential;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    final Backend b = new CpuBackend();
    @TempDir Path dir;

    Parameters mlp() {
        Module m = new Sequential(new Linear(3, 2), new Relu(), new Linear(2, 1));
        return Parameters.allocate(b, m);
    }

    @Test
    void roundTripKeepsEveryValueAndTheMetadata() throws IOException {
        Parameters p = mlp(), q = mlp();
        Init.TORCH_DEFAULT.apply(p, 42);
        Path f = dir.resolve("net.safetensors");
        SafeTensors.save(f, p, Map.of("step", "123"));
        SafeTensors.Contents c = SafeTensors.load(f, q);
        assertArrayEquals(b.toArray(p.values), b.toArray(q.values));
        assertEquals("123", c.metadata().get("step"));
        assertEquals(java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias"), java.util.List.copyOf(c.tensors().keySet()));
        assertEquals(0, (Files.size(f) - 8 - ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()) % 4);
    }

    /** Bytes laid out the way the Python safetensors writer does: sorted keys, no padding, metadata "pt". */
    static byte[] torchStyleFile(String header, float[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h);
        for (float v : data) bb.putFloat(v);
        return bb.array();
    }

    @Test
    void readsAFileWrittenByPyTorch() throws IOException {
        // 0.bias [2], 0.weight [2,3], 2.bias [1], 2.weight [1,2]: the order safetensors.torch.save_file uses
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]},"
                + "\"2.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]},"
                + "\"2.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[36,44]}}";
        float[] data = {0.5f, -0.5f, 1, 2, 3, 4, 5, 6, 7f, 8, 9};
        Path f = dir.resolve("torch.safetensors");
        Files.write(f, torchStyleFile(header, data));
        Parameters p = mlp();
        SafeTensors.load(f, p);
        // our flat layout is declaration order: 0.weight, 0.bias, 2.weight, 2.bias
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 0.5f, -0.5f, 8, 9, 7}, b.toArray(p.values));
    }

    @Test
    void truncatedFileIsAClearErrorAndLoadsNothing() throws IOException {
        Parameters p = mlp(), q = mlp();
        Init.TORCH_DEFAULT.apply(p, 1);
        Init.TORCH_DEFAULT.apply(q, 2);
        float[] before = b.toArray(q.values);
        Path f = dir.resolve("t.safetensors");
        SafeTensors.save(f, p, Map.of());
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 5));
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.load(f, q));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertArrayEquals(before, b.toArray(q.values));
    }

    @Test
    void garbageMissingAndWrongDtypeFilesAreClearErrors() throws IOException {
        Path f = dir.resolve("x.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(assertThrows(CheckpointException.class, () -> SafeTensors.read(f)).getMessage().contains("not a safetensors"));
        Files.write(f, torchStyleFile("{not json", new float[0]));
        assertTrue(assertThrows(CheckpointException.class, () -> SafeTensors.read(f)).getMessage().contains("JSON"));
        Files.write(f, torchStyleFile("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new float[1]));
        assertTrue(assertThrows(CheckpointException.class, () -> SafeTensors.read(f)).getMessage().contains("F16"));
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        huge.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        Files.write(f, huge.toByteArray());
        assertTrue(assertThrows(CheckpointException.class, () -> SafeTensors.read(f)).getMessage().contains("header length"));
        assertTrue(assertThrows(CheckpointException.class, () -> SafeTensors.read(dir.resolve("nope")))
                .getMessage().contains("not found"));
    }

    @Test
    void aFileOfAnotherNetworkNamesEveryMismatch() throws IOException {
        Parameters p = mlp();
        Path f = dir.resolve("other.safetensors");
        SafeTensors.save(f, Parameters.allocate(b, new Sequential(new Linear(3, 4), new Relu(), new Linear(4, 1), new Relu(), new Linear(1, 1))), Map.of());
        String msg = assertThrows(CheckpointException.class, () -> SafeTensors.load(f, p)).getMessage();
        assertTrue(msg.contains("0.weight is [4, 3], network expects [2, 3]"), msg);
        assertTrue(msg.contains("unexpected 4.weight"), msg);
    }

    @Test
    void aFailedWriteKeepsTheLastGoodFile() throws IOException {
        Path f = dir.resolve("keep.bin");
        AtomicFiles.write(f, out -> out.write(new byte[] {1, 2, 3}));
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[] {9, 9});
            throw new IOException("disk full");
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temp file left behind");
        }
    }

    /** Issue 24: accepted before (the second 0.bias won, a NaN network evaluated), now a one-line error and nothing loaded. */
    @Test
    void duplicateNamesAndNonFiniteWeightsAreRefused() throws IOException {
        String dup = "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        Path f = dir.resolve("dup.safetensors");
        Files.write(f, torchStyleFile(dup, new float[] {1, 2, 3, 4}));
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("'0.bias' appears twice"), e.getMessage());

        Parameters p = mlp(), q = mlp();
        Init.TORCH_DEFAULT.apply(p, 1);
        Init.TORCH_DEFAULT.apply(q, 2);
        float[] before = b.toArray(q.values), values = b.toArray(p.values);
        values[0] = Float.NaN;
        values[values.length - 1] = Float.POSITIVE_INFINITY;
        b.upload(p.values, values, 0);
        Path nan = dir.resolve("nan.safetensors");
        SafeTensors.save(nan, p, Map.of());
        e = assertThrows(CheckpointException.class, () -> SafeTensors.load(nan, q));
        assertTrue(e.getMessage().contains("0.weight holds 1 NaN or infinite values") && e.getMessage().contains("2.bias holds 1"), e.getMessage());
        assertArrayEquals(before, b.toArray(q.values), "nothing loaded");
    }

    /** A tensor cut from the end of the header: its bytes are named as belonging to no tensor, not as mere "trailing bytes". */
    @Test
    void dataOfATensorMissingFromTheHeaderIsNamed() throws IOException {
        String header = "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Path f = dir.resolve("missing.safetensors");
        Files.write(f, torchStyleFile(header, new float[] {1, 2, 3, 4}));
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("8 bytes after the last tensor belong to no tensor (a tensor missing from the header"), e.getMessage());
    }
}
