package org.dqnscratch.rl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named recipes: the tutorials this project grew from (T1-T5 in shared/reference/seed-configs.md)
 * and well-known implementations, as data: {@code src/main/resources/presets/COMMAND.yaml}, one
 * entry per preset, in RL-Zoo's shape (its key names where they exist, {@link PresetKeys}). A
 * preset sets every key it names on top of the defaults (DqnConfig's fields, the {@code default}
 * recipe); flags given with it override it. A user's file ({@code --config FILE}) is read the same way.
 */
public final class Presets {
    private Presets() {}

    /**
     * A preset: its settings, applied in order (an {@code extends} first), to a fresh config;
     * {@code parent} the preset it extends (or null), {@code own} the number of settings after the parent's.
     */
    public record Preset(String name, String description, List<Map.Entry<String, JsonNode>> settings, String source, String parent, int own) {
        public DqnConfig config() {
            DqnConfig c = new DqnConfig();
            apply(c);
            return c;
        }

        /** Sets this preset's keys on {@code c}. */
        public void apply(DqnConfig c) {
            for (Map.Entry<String, JsonNode> e : settings) PresetKeys.set(c, e.getKey(), e.getValue(), source);
        }
    }

    private static final YAMLMapper YAML = new YAMLMapper();
    /** Each command's file: its presets and the bases they extend (names starting with an underscore), in the file's order. */
    private static final Map<String, Map<String, Preset>> LOADED = new LinkedHashMap<>();

    /** Presets of a command: {@code cartpole}, {@code frozenlake} or {@code pong}, in their file's order. */
    public static Map<String, Preset> forCommand(String command) {
        Map<String, Preset> out = new LinkedHashMap<>(withBases(command));
        out.keySet().removeIf(n -> n.startsWith("_")); // bases that presets extend, not presets
        return Collections.unmodifiableMap(out);
    }

    private static synchronized Map<String, Preset> withBases(String command) { return LOADED.computeIfAbsent(command, Presets::load); }

    public static Preset get(String command, String name) {
        Preset p = forCommand(command).get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "' for " + command + " (" + String.join(", ", forCommand(command).keySet()) + ")");
        }
        return p;
    }

    private static Map<String, Preset> load(String command) {
        String resource = "presets/" + command + ".yaml";
        try (InputStream in = Presets.class.getResourceAsStream("/" + resource)) {
            if (in == null) throw new IllegalArgumentException("no presets for " + command);
            return Collections.unmodifiableMap(parse(YAML.readTree(in), resource, atari(command)));
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": " + e.getMessage(), e);
        }
    }

    private static boolean atari(String command) { return command.equals("pong"); }

    /**
     * The presets of a file's root map (name to entry): each entry's keys checked against the flags
     * of the command ({@code atari} or classic control), {@code extends} resolved to the settings of
     * an earlier entry.
     */
    static Map<String, Preset> parse(JsonNode root, String source, boolean atari) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": expected a map of preset names to their settings");
        Map<String, Preset> out = new LinkedHashMap<>();
        root.fields().forEachRemaining(entry -> {
            String name = entry.getKey();
            JsonNode body = entry.getValue();
            if (!body.isObject()) throw new IllegalArgumentException(source + ": preset '" + name + "' is not a map of settings");
            List<Map.Entry<String, JsonNode>> settings = new ArrayList<>();
            String description = "", parent = null;
            for (var it = body.fields(); it.hasNext(); ) {
                var e = it.next();
                switch (e.getKey()) {
                    case "description" -> description = e.getValue().asText();
                    case "extends" -> {
                        Preset base = out.get(e.getValue().asText());
                        if (base == null) {
                            throw new IllegalArgumentException(source + ": preset '" + name + "' extends '" + e.getValue().asText()
                                    + "', which is not defined above it");
                        }
                        if (parent != null || !settings.isEmpty()) {
                            throw new IllegalArgumentException(source + ": preset '" + name + "': extends must come first, once");
                        }
                        settings.addAll(base.settings());
                        parent = base.name();
                    }
                    default -> {
                        PresetKeys.check(e.getKey(), atari, source + ": preset '" + name + "'");
                        settings.add(Map.entry(e.getKey(), e.getValue()));
                    }
                }
            }
            int inherited = parent == null ? 0 : out.get(parent).settings().size();
            Preset p = new Preset(name, description, List.copyOf(settings), source + ": preset '" + name + "'", parent, settings.size() - inherited);
            p.config().validate(); // a bad value fails when the file is read, naming it
            out.put(name, p);
        });
        return out;
    }

    /** A user's settings file ({@code --config FILE}): one map of keys, as a preset's, for the command's flags ({@code atari}). */
    public static Preset file(Path file, boolean atari) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException(file + ": not a YAML file (" + msg + ")");
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": expected a map of settings (key: value)");
        List<Map.Entry<String, JsonNode>> settings = new ArrayList<>();
        root.fields().forEachRemaining(e -> {
            if (e.getKey().equals("description")) return; // a preset's entry copied into a file: its description says nothing to the run
            PresetKeys.check(e.getKey(), atari, file.toString());
            settings.add(Map.entry(e.getKey(), e.getValue()));
        });
        return new Preset(file.getFileName().toString(), "", List.copyOf(settings), file.toString(), null, settings.size());
    }

    /** A value as a YAML file would spell it: 1e-4, [32, 32], {net_arch: [64]}. */
    static String yaml(JsonNode v) {
        if (v.isTextual()) return v.asText();
        if (v.isFloatingPointNumber()) return Double.toString(v.doubleValue()).replace("E", "e").replace(".0e", "e");
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(x -> items.add(yaml(x)));
            return "[" + String.join(", ", items) + "]";
        }
        if (v.isObject()) {
            List<String> items = new ArrayList<>();
            v.fields().forEachRemaining(e -> items.add(e.getKey() + ": " + yaml(e.getValue())));
            return "{" + String.join(", ", items) + "}";
        }
        return v.asText();
    }

    /** The commands with presets, in the order the docs list them. */
    public static final List<String> COMMANDS = List.of("cartpole", "frozenlake", "pong");

    /**
     * docs/presets.md's generated section: for each command a table of its presets and the settings
     * each names (those of the preset it extends first, by name), as the YAML files give them.
     */
    public static String markdown() {
        StringBuilder md = new StringBuilder();
        for (String command : COMMANDS) {
            md.append("\n`").append(command).append("` (src/main/resources/presets/").append(command).append(".yaml):\n\n");
            md.append("| preset | settings over the defaults |\n|---|---|\n");
            for (Preset p : withBases(command).values()) {
                List<String> parts = new ArrayList<>();
                if (p.parent() != null) parts.add(p.parent().startsWith("_") ? "the common `" + p.parent() + "` settings"
                        : "`" + p.parent() + "`'s settings");
                for (var e : p.settings().subList(p.settings().size() - p.own(), p.settings().size())) {
                    parts.add(e.getKey() + ": " + yaml(e.getValue()));
                }
                if (parts.isEmpty()) parts.add("none: the defaults (every flag's default in `" + command + " --help`)");
                md.append("| `").append(p.name()).append(p.name().startsWith("_") ? "` (a base, not a preset) | " : "` | ").append(String.join(", ", parts).replace("|", "\\|")).append(" |\n");
            }
        }
        return md.toString();
    }
}
