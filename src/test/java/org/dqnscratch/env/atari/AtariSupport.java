package org.dqnscratch.env.atari;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The Pong ROM for tests, found the way users find it (Roms.locate: $ALE_ROMS, an installed
 * ale-py, the import-roms folder). Without one the Atari tests are skipped with the reason,
 * unless {@code DQN_REQUIRE_ALE=1} (CI sets it after installing ale-py), where they fail.
 */
public final class AtariSupport {
    private AtariSupport() {}

    private static Path rom;
    private static String failure;

    public static synchronized Path pongRom() {
        if (rom == null && failure == null) {
            try {
                rom = Roms.locate("pong", null);
            } catch (IOException e) {
                failure = e.getMessage();
            }
        }
        if (rom != null) return rom;
        if ("1".equals(System.getenv("DQN_REQUIRE_ALE"))) throw new AssertionError("DQN_REQUIRE_ALE=1 but " + failure);
        System.err.println("Atari tests skipped: " + failure);
        Assumptions.abort("no Pong ROM: " + failure);
        return null;
    }

    /** Another game's ROM (a game with lives, for the episodic-life tests), found and skipped the same way. */
    public static Path rom(String game) {
        try {
            return Roms.locate(game, null);
        } catch (IOException e) {
            if ("1".equals(System.getenv("DQN_REQUIRE_ALE"))) throw new AssertionError("DQN_REQUIRE_ALE=1 but " + e.getMessage());
            System.err.println("Atari tests skipped: " + e.getMessage());
            Assumptions.abort("no " + game + " ROM: " + e.getMessage());
            return null;
        }
    }
}
