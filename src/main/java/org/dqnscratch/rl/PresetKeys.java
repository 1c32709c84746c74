package org.dqnscratch.rl;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys of a preset file: every flag's name with underscores ({@code --double-dqn} is
 * {@code double_dqn}), and RL-Zoo's names for the same settings: {@code n_timesteps},
 * {@code learning_rate}, {@code target_update_interval}, {@code exploration_fraction} (which also
 * makes the linear schedule use the fraction: eps_steps 0), {@code exploration_initial_eps},
 * {@code exploration_final_eps}, {@code max_grad_norm} (0: no clipping), {@code train_freq}
 * ({@code 4} or RL-Zoo's {@code [1, episode]}) and {@code policy_kwargs} (the hidden layers:
 * {@code {net_arch: [64, 64]}} or RL-Zoo's string {@code "dict(net_arch=[64, 64])"}).
 */
final class PresetKeys {
    private PresetKeys() {}

    /** RL-Zoo's name -> the field it sets (train_freq, exploration_fraction, policy_kwargs are handled apart). */
    private static final Map<String, String> ZOO = Map.of(
            "n_timesteps", "totalSteps",
            "learning_rate", "lr",
            "target_update_interval", "targetUpdate",
            "exploration_initial_eps", "epsStart",
            "exploration_final_eps", "epsEnd",
            "max_grad_norm", "clipNorm");

    /** Every field by its key (its flag with underscores), for the flags of Atari commands or of classic control. */
    private static Map<String, Field> fields(boolean atari) {
        Map<String, Field> out = new LinkedHashMap<>();
        for (Field f : DqnConfig.fields(atari)) out.put(key(f.getName()), f);
        return out;
    }

    static String key(String fieldName) { return fieldName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT); }

    /** Fails, naming {@code where}, unless {@code key} is a key of the command's settings. */
    static void check(String key, boolean atari, String where) {
        if (fields(atari).containsKey(key) || ZOO.containsKey(key) || key.equals("exploration_fraction") || key.equals("policy_kwargs")) return;
        TreeSet<String> known = new TreeSet<>(fields(atari).keySet());
        known.addAll(ZOO.keySet());
        known.add("exploration_fraction");
        known.add("policy_kwargs");
        String hint = fields(!atari).containsKey(key) ? " (a setting of the " + (atari ? "classic-control" : "Atari") + " commands)"
                : known.stream().filter(k -> distance(k, key) <= 2).findFirst().map(k -> " (did you mean '" + k + "'?)")
                        .orElse(" (the keys are the flags without -- and with _ for -, or RL-Zoo's names: see --help)");
        throw new IllegalArgumentException(where + ": unknown key '" + key + "'" + hint);
    }

    /** Levenshtein distance, for the suggestion of a mistyped key. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }

    /** Sets {@code key} to {@code value} on {@code c}; a value of the wrong kind is an error naming the key and {@code where}. */
    static void set(DqnConfig c, String key, JsonNode value, String where) {
        try {
            switch (key) {
                case "exploration_fraction" -> {
                    c.epsFraction = number(value);
                    c.epsSteps = 0; // RL-Zoo's schedule: a fraction of the run
                }
                case "train_freq" -> trainFreq(c, value);
                case "policy_kwargs" -> c.hidden = netArch(value);
                default -> {
                    Field f = DqnConfig.class.getField(ZOO.getOrDefault(key, camel(key)));
                    f.set(c, convert(value, f.getType()));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + key + ": " + e.getMessage());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(key, e);
        }
    }

    private static String camel(String key) {
        Matcher m = Pattern.compile("_([a-z0-9])").matcher(key);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, m.group(1).toUpperCase(Locale.ROOT));
        return m.appendTail(out).toString();
    }

    private static Object convert(JsonNode v, Class<?> type) {
        if (type == boolean.class) {
            if (!v.isBoolean()) throw new IllegalArgumentException("expected true or false, got " + v);
            return v.booleanValue();
        }
        if (type == String.class) {
            if (!v.isTextual() && !v.isNumber()) throw new IllegalArgumentException("expected a string, got " + v);
            return v.asText();
        }
        if (type == double.class) return number(v);
        if (type == int.class || type == long.class) {
            double d = number(v);
            long l = (long) d;
            if (l != d) throw new IllegalArgumentException("expected a whole number, got " + v);
            if (type == int.class && (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE)) throw new IllegalArgumentException(v + " is too large");
            return type == int.class ? (Object) (int) l : (Object) l;
        }
        if (type == int[].class) return ints(v);
        throw new AssertionError(type);
    }

    /** A number; RL-Zoo writes some as strings ({@code !!float 5e4} or "5e4"). */
    private static double number(JsonNode v) {
        if (v.isNumber()) return v.doubleValue();
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("expected a number, got " + v);
    }

    private static int[] ints(JsonNode v) {
        if (v.isTextual()) v = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().addAll(
                java.util.Arrays.stream(v.asText().split(",")).filter(s -> !s.isBlank())
                        .map(s -> com.fasterxml.jackson.databind.node.TextNode.valueOf(s.trim())).toList());
        if (!v.isArray()) throw new IllegalArgumentException("expected a list of whole numbers, got " + v);
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) convert(v.get(i), int.class);
        return out;
    }

    /** {@code 4} (steps) or RL-Zoo's {@code [4, step]} / {@code [1, episode]}. */
    private static void trainFreq(DqnConfig c, JsonNode v) {
        if (v.isArray() && v.size() == 2) {
            c.trainFreq = (int) convert(v.get(0), int.class);
            String unit = v.get(1).asText();
            c.trainUnit = switch (unit) {
                case "step", "steps" -> "steps";
                case "episode", "episodes" -> "episodes";
                default -> throw new IllegalArgumentException("the unit must be step or episode, got " + v.get(1));
            };
        } else {
            c.trainFreq = (int) convert(v, int.class);
            c.trainUnit = "steps";
        }
    }

    private static final Pattern DICT = Pattern.compile("\\s*dict\\(\\s*net_arch\\s*=\\s*\\[([0-9,\\s]*)]\\s*\\)\\s*");

    /** The hidden layers of {@code {net_arch: [64, 64]}} or RL-Zoo's {@code "dict(net_arch=[64, 64])"}; other keys are refused. */
    private static int[] netArch(JsonNode v) {
        if (v.isTextual()) {
            Matcher m = DICT.matcher(v.asText());
            if (!m.matches()) throw new IllegalArgumentException("expected dict(net_arch=[...]) (the hidden layers), got " + v);
            return ints(com.fasterxml.jackson.databind.node.TextNode.valueOf(m.group(1)));
        }
        if (!v.isObject() || v.size() != 1 || !v.has("net_arch")) {
            throw new IllegalArgumentException("expected {net_arch: [...]} (the hidden layers), got " + v);
        }
        return ints(v.get("net_arch"));
    }
}
