package org.dqnscratch.apex;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Field;
import org.dqnscratch.rl.DqnConfig;

/**
 * The run's config as JSON bytes (every documented {@link DqnConfig} field by name, as config.json's
 * "args"): what an actor in another process is built from ({@link ApeXActor#create}).
 */
public final class ActorConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ActorConfig() {}

    public static byte[] encode(DqnConfig cfg) {
        ObjectNode root = JSON.createObjectNode();
        try {
            for (Field f : DqnConfig.fields()) root.set(f.getName(), JSON.valueToTree(f.get(cfg)));
            return JSON.writeValueAsBytes(root);
        } catch (IllegalAccessException | JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the config: " + e.getMessage(), e);
        }
    }

    /** The config {@link #encode} wrote; fields it lacks keep their defaults. */
    public static DqnConfig decode(byte[] json) {
        DqnConfig cfg = new DqnConfig();
        try {
            JsonNode root = JSON.readTree(json);
            for (Field f : DqnConfig.fields()) {
                if (root.has(f.getName())) f.set(cfg, JSON.treeToValue(root.get(f.getName()), f.getType()));
            }
        } catch (IOException | IllegalAccessException e) {
            throw new IllegalArgumentException("not an Ape-X actor config: " + e.getMessage(), e);
        }
        return cfg.validate();
    }
}
