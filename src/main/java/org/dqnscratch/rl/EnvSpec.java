package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dqnscratch.env.Env;
import org.dqnscratch.env.Envs;
import org.dqnscratch.env.atari.AtariEnv;
import org.dqnscratch.env.atari.Roms;

/**
 * Which environment a network acts in, enough to make it again: built from a run's config, or
 * from a checkpoint's metadata. Classic control by Gym id, or an Atari game with its
 * preprocessing options and the ROM found for it (the ROM's path is not stored: it is looked
 * up again on the machine that loads the checkpoint).
 */
public record EnvSpec(String env, boolean slippery, AtariEnv.Options atari, Path rom) {
    public boolean pixels() { return atari != null; }

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
        if (!pixels()) return Envs.make(env, slippery);
        try {
            return new AtariEnv(atari, rom, seed);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    public String id() { return pixels() ? Roms.title(atari.game()).replace(" ", "") + "NoFrameskip-v4" : env; }

    /** Checkpoint metadata that {@link #fromMetadata} reads back. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
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
        if (game == null) return new EnvSpec(m.get("env"), Boolean.parseBoolean(m.get("slippery")), null, null);
        AtariEnv.Options o = new AtariEnv.Options(Roms.checkGame(game), m.getOrDefault("pipeline", "atari"),
                Integer.parseInt(m.getOrDefault("noop_max", "30")), Integer.parseInt(m.getOrDefault("frame_skip", "4")),
                Integer.parseInt(m.getOrDefault("frame_stack", "4")), Boolean.parseBoolean(m.get("terminal_on_life_loss")),
                Integer.parseInt(m.getOrDefault("max_episode_frames", "108000")), Boolean.parseBoolean(m.get("episodic_life")));
        return new EnvSpec(null, false, o, rom(game, rom));
    }
}
