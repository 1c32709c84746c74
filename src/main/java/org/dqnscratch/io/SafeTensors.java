package org.dqnscratch.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.dqnscratch.nn.Param;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.tensor.Tensor;

/**
 * Network parameters as a safetensors file (8-byte little-endian header length, JSON header
 * of {name: {dtype, shape, data_offsets}}, then raw little-endian data), with PyTorch
 * state_dict names and layouts: {@code model.load_state_dict(safetensors.torch.load_file(f))}
 * reads what we save, and we read what it saves. Loading is all or nothing: the whole file
 * is validated against the network before a single value is written.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** A name twice in the header is an error, not the last one silently winning (Jackson's default). */
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final long MAX_HEADER = 100L << 20;

    /** Saves every parameter as F32, atomically (a crash keeps the previous file intact). */
    public static void save(Path file, Parameters params, Map<String, String> metadata) throws IOException {
        Map<String, Entry> tensors = new java.util.LinkedHashMap<>();
        for (Param p : params.list()) tensors.put(p.name, new Entry(p.value().shape(), params.backend.toArray(p.value())));
        save(file, tensors, metadata);
    }

    /** Saves named F32 arrays, atomically. */
    public static void save(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        List<float[]> blobs = new ArrayList<>();
        for (var t : tensors.entrySet()) {
            ObjectNode e = header.putObject(t.getKey());
            e.put("dtype", "F32");
            var shape = e.putArray("shape");
            for (int d : t.getValue().shape()) shape.add(d);
            long size = t.getValue().data().length;
            e.putArray("data_offsets").add(offset).add(offset + 4L * size);
            offset += 4L * size;
            blobs.add(t.getValue().data());
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(head.length);
            out.write(len.array());
            out.write(head);
            for (float[] blob : blobs) {
                ByteBuffer bb = ByteBuffer.allocate(4 * blob.length).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(blob);
                out.write(bb.array());
            }
        });
    }

    /** A parsed file: tensors by name (in header order) and the metadata. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

    public record Entry(int[] shape, float[] data) {}

    /** Reads and validates a whole file; any defect is a {@link CheckpointException} naming it. */
    public static Contents read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint not found: " + file);
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        String where = "corrupt checkpoint " + file + ": ";
        if (bytes.length < 8) throw new CheckpointException(where + "only " + bytes.length + " bytes, not a safetensors file");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        if (n <= 0 || n > MAX_HEADER || n > bytes.length - 8) {
            throw new CheckpointException(where + "header length " + n + " does not fit a file of " + bytes.length + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.startsWith("Duplicate field ")) throw new CheckpointException(where + "tensor " + m.substring(16) + " appears twice in the header", e);
            throw new CheckpointException(where + "header is not valid JSON", e);
        } catch (IOException e) {
            throw new CheckpointException(where + "header is not valid JSON", e);
        }
        if (header == null || !header.isObject()) throw new CheckpointException(where + "header is not a JSON object");
        int dataStart = 8 + (int) n;
        long dataLen = bytes.length - dataStart;
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        long covered = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode e = f.getValue();
            if (f.getKey().equals("__metadata__")) {
                e.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String name = f.getKey();
            if (!e.isObject() || !e.path("shape").isArray() || !e.path("data_offsets").isArray() || e.path("data_offsets").size() != 2) {
                throw new CheckpointException(where + "tensor '" + name + "' lacks shape or data_offsets");
            }
            String dtype = e.path("dtype").asText();
            if (!dtype.equals("F32")) {
                throw new CheckpointException(where + "tensor '" + name + "' has dtype " + dtype + "; only F32 is supported");
            }
            int[] shape = new int[e.get("shape").size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                long d = e.get("shape").get(i).asLong(-1);
                if (d < 0 || d > Integer.MAX_VALUE) throw new CheckpointException(where + "tensor '" + name + "' has a bad shape");
                shape[i] = (int) d;
                numel *= d;
            }
            long begin = e.get("data_offsets").get(0).asLong(-1), end = e.get("data_offsets").get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataLen) {
                throw new CheckpointException(where + "tensor '" + name + "' data [" + begin + ", " + end
                        + ") lies outside the " + dataLen + " data bytes (truncated file?)");
            }
            if (end - begin != 4 * numel) {
                throw new CheckpointException(where + "tensor '" + name + "' has " + (end - begin) + " bytes for "
                        + numel + " floats");
            }
            covered = Math.max(covered, end);
            float[] data = new float[(int) numel];
            ByteBuffer.wrap(bytes, dataStart + (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            tensors.put(name, new Entry(shape, data));
        }
        if (covered != dataLen) {
            throw new CheckpointException(where + (dataLen - covered) + " bytes after the last tensor belong to no tensor "
                    + "(a tensor missing from the header, or data appended)");
        }
        return new Contents(tensors, metadata);
    }

    /**
     * Loads a file into {@code params}: every parameter must be present with its exact shape,
     * and nothing else may be there. On any mismatch nothing is written.
     */
    public static Contents load(Path file, Parameters params) throws IOException {
        Contents c = read(file);
        List<String> problems = new ArrayList<>();
        TreeSet<String> extra = new TreeSet<>(c.tensors().keySet());
        for (Param p : params.list()) {
            Entry e = c.tensors().get(p.name);
            extra.remove(p.name);
            if (e == null) problems.add("missing " + p.name);
            else if (!Arrays.equals(e.shape(), p.shape())) {
                problems.add(p.name + " is " + Arrays.toString(e.shape()) + ", network expects " + Arrays.toString(p.shape()));
            }
        }
        for (String x : extra) problems.add("unexpected " + x);
        for (Param p : params.list()) {
            Entry e = c.tensors().get(p.name);
            if (e == null) continue;
            int bad = 0;
            for (float v : e.data()) if (!Float.isFinite(v)) bad++;
            if (bad > 0) problems.add(p.name + " holds " + bad + " NaN or infinite values");
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException("checkpoint " + file + " does not fit this network: " + String.join("; ", problems));
        }
        for (Param p : params.list()) params.backend.upload(p.value(), c.tensors().get(p.name).data(), 0);
        return c;
    }
}
