package org.dqnscratch.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * PyTorch-computed reference values (src/main/resources/torch-golden.json: shared/reference's
 * cases, plus those scripts/golden-rainbow.py adds for the Rainbow ops). A main resource so that
 * the jar's {@code check} runs them too.
 */
public final class Golden {
    private Golden() {}

    private static JsonNode root;

    public static synchronized JsonNode root() {
        if (root == null) {
            try (InputStream in = Golden.class.getResourceAsStream("/torch-golden.json")) {
                if (in == null) throw new IllegalStateException("torch-golden.json missing from the resources");
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    public static List<JsonNode> cases(String op) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : root().get("cases")) if (c.get("op").asText().equals(op)) out.add(c);
        if (out.isEmpty()) throw new IllegalStateException("no golden cases for " + op);
        return out;
    }

    public static int[] shape(JsonNode t) {
        JsonNode s = t.get("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).asInt();
        return shape;
    }

    public static float[] data(JsonNode t) {
        JsonNode d = t.has("data") ? t.get("data") : t;
        float[] a = new float[d.size()];
        for (int i = 0; i < a.length; i++) a[i] = (float) d.get(i).asDouble();
        return a;
    }

    public static double[] expected(JsonNode t) {
        JsonNode d = t.has("data") ? t.get("data") : t;
        double[] a = new double[d.size()];
        for (int i = 0; i < a.length; i++) a[i] = d.get(i).asDouble();
        return a;
    }

    public static Tensor tensor(Backend b, JsonNode t) {
        return b.fromArray(data(t), shape(t));
    }
}
