package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import org.dqnscratch.env.Env;
import org.dqnscratch.env.Envs;
import org.dqnscratch.env.atari.AtariEnv;
import org.dqnscratch.env.atari.Roms;

/**
 * Which environment a network acts in, enough to make it again: built from a run's config, or
 * from a checkpoint's metadata. Classic control by Gym id, an Atari game with its
 * preprocessing options and the ROM found for it (the ROM's path is not stored: it is looked
 * up again on the machine that loads the checkpoint), or a caller's own environment
 * ({@link Custom}, the Java API's).
 */
public record EnvSpec(String env, boolean slippery, AtariEnv.Options atari, Path rom, Custom custom) {
    public EnvSpec(String env, boolean slippery, AtariEnv.Options atari, Path rom) { this(env, slippery, atari, rom, null); }

    /**
     * A caller's environment: made by {@code factory} from a seed (null when read from a checkpoint,
     * until the caller gives it again), named by its {@link Env#id()}, with its observation size, its
     * actions and, for pixels ({@code {stack, 84, 84}} observations), its frames per stack (0: flat).
     */
    public record Custom(String name, LongFunction<? extends Env> factory, int observationSize, int actions, int stack) {}

    public boolean pixels() { return atari != null || custom != null && custom.stack > 0; }

    /** Frames per observation: the stack of a pixel environment, 1 for a flat one. */
    public int frameStack() { return atari != null ? atari.stack() : pixels() ? custom.stack : 1; }

    /**
     * The spec of the environments {@code factory} makes, from one it makes now (with seed 0) and
     * closes: its id, observation shape (flat, or {@code {stack, 84, 84}} pixels) and actions, which
     * every environment it makes later must share.
     */
    public static EnvSpec custom(LongFunction<? extends Env> factory) {
        try (Env e = factory.apply(0)) {
            if (e == null) throw new IllegalArgumentException("the environment factory returned null");
            String name = e.id();
            if (name == null || name.isBlank()) throw new IllegalArgumentException(e.getClass().getName() + ".id() must name the environment");
            int size = e.observationSpace().size(), actions = e.actionSpace().n();
            int[] shape = e.observationShape();
            int stack;
            if (shape.length == 1 && shape[0] == size) {
                stack = 0;
            } else if (shape.length == 3 && shape[1] == 84 && shape[2] == 84 && shape[0] >= 1 && shape[0] * 84 * 84 == size) {
                stack = shape[0];
            } else {
                throw new IllegalArgumentException(name + ": observation shape " + Arrays.toString(shape) + " with " + size
                        + " values in observationSpace(): give {size} (flat) or {stack, 84, 84} (pixels)");
            }
            if (size < 1) throw new IllegalArgumentException(name + ": the observation space is empty");
            if (actions < 1 || stack > 0 && actions > 256) {
                throw new IllegalArgumentException(name + ": " + actions + " actions (1.." + (stack > 0 ? 256 : "") + " needed)");
            }
            return new EnvSpec(null, false, null, null, new Custom(name, factory, size, actions, stack));
        }
    }

    /** The environment of {@code cfg}; for Atari the ROM is located (and checked) now. */
    public static EnvSpec of(DqnConfig cfg) {
        if (!cfg.atari()) {
            Envs.make(cfg.env, cfg.slippery); // an unknown id is an error naming the known ones
            return new EnvSpec(cfg.env, cfg.slippery, null, null);
        }
        AtariEnv.Options o = new AtariEnv.Options(Roms.checkGame(cfg.game), cfg.pipeline, cfg.noopMax, cfg.frameSkip, cfg.frameStack,
                cfg.terminalOnLifeLoss, cfg.maxEpisodeFrames, cfg.episodicLife);
        return new EnvSpec(null, false, o, rom(o.game(), cfg.rom.isEmpty() ? null : Path.of(cfg.rom)));
    }

    private static Path rom(String game, Path explicit) {
        try {
            return Roms.locate(game, explicit);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** A fresh environment; {@code seed} seeds the emulator (Atari) and is otherwise unused until reset. */
    public Env make(long seed) {
        if (custom != null) {
            if (custom.factory == null) {
                throw new IllegalArgumentException("this network was trained on " + custom.name + ", an environment of a Java program, not one of dqn-scratch's: "
                        + "load it from Java with Dqn.load(checkpoint, factory), giving that environment's factory");
            }
            return new CheckedEnv(custom, custom.factory.apply(seed));
        }
        if (!pixels()) return Envs.make(env, slippery);
        try {
            return new AtariEnv(atari, rom, seed);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    public String id() { return custom != null ? custom.name : pixels() ? Roms.title(atari.game()).replace(" ", "") + "NoFrameskip-v4" : env; }

    /** Checkpoint metadata that {@link #fromMetadata} reads back. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        if (custom != null) {
            m.put("env", custom.name);
            m.put("custom", "true");
            if (custom.stack > 0) m.put("frame_stack", Integer.toString(custom.stack));
            return m;
        }
        if (!pixels()) {
            m.put("env", env);
            m.put("slippery", Boolean.toString(slippery));
            return m;
        }
        m.put("env", id());
        m.put("game", atari.game());
        m.put("pipeline", atari.pipeline());
        m.put("noop_max", Integer.toString(atari.noopMax()));
        m.put("frame_skip", Integer.toString(atari.frameSkip()));
        m.put("frame_stack", Integer.toString(atari.stack()));
        m.put("terminal_on_life_loss", Boolean.toString(atari.terminalOnLifeLoss()));
        m.put("max_episode_frames", Integer.toString(atari.maxEpisodeFrames()));
        m.put("episodic_life", Boolean.toString(atari.episodicLife()));
        return m;
    }

    /** The spec a checkpoint describes; {@code rom} (may be null) overrides the ROM search for Atari games. */
    public static EnvSpec fromMetadata(Map<String, String> m, Path rom) {
        String game = m.get("game");
        if (Boolean.parseBoolean(m.get("custom"))) {
            return new EnvSpec(null, false, null, null, new Custom(m.get("env"), null, Integer.parseInt(m.getOrDefault("observation_size", "")),
                    Integer.parseInt(m.getOrDefault("actions", "")), Integer.parseInt(m.getOrDefault("frame_stack", "0"))));
        }
        if (game == null) return new EnvSpec(m.get("env"), Boolean.parseBoolean(m.get("slippery")), null, null);
        AtariEnv.Options o = new AtariEnv.Options(Roms.checkGame(game), m.getOrDefault("pipeline", "atari"),
                Integer.parseInt(m.getOrDefault("noop_max", "30")), Integer.parseInt(m.getOrDefault("frame_skip", "4")),
                Integer.parseInt(m.getOrDefault("frame_stack", "4")), Boolean.parseBoolean(m.get("terminal_on_life_loss")),
                Integer.parseInt(m.getOrDefault("max_episode_frames", "108000")), Boolean.parseBoolean(m.get("episodic_life")));
        return new EnvSpec(null, false, o, rom(game, rom));
    }
}
