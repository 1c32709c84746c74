package org.dqnscratch.env.atari;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.bytedeco.ale.ALEInterface;
import org.bytedeco.javacpp.IntPointer;

/**
 * One Arcade Learning Environment emulator (ALE 0.6.1 through JavaCPP), set up as Gymnasium's
 * {@code NoFrameskip-v4} games: no sticky actions, one emulator frame per {@link #act}, the
 * game's minimal action set. The only class that touches {@code org.bytedeco}.
 *
 * <p>ALE picks a game's settings (rewards, end of game, action set) by the ROM file's name, so
 * the verified ROM is copied to a private folder as {@code <game>.bin} before loading.
 * {@code reset_game} is deterministic without sticky actions (ALE's random seed changes no frame
 * of Pong: checked), so episodes start with {@link #resetGame} and the ROM is loaded once.
 */
public final class Ale implements AutoCloseable {
    public static final int HEIGHT = 210, WIDTH = 160;

    private final ALEInterface ale;
    // ALE writes screens here directly; byte[] arguments would be copied in and out by JNI.
    private final java.nio.ByteBuffer screen = java.nio.ByteBuffer.allocateDirect(HEIGHT * WIDTH * 3);
    private final int[] actions;
    // ALE's own screen of palette indices, read in place: the ALEScreen is the environment's
    // member and its pixel array is sized once, so the view stays valid for the emulator's life.
    private final java.nio.ByteBuffer indices;
    public final String game;

    public Ale(String game, Path rom, int seed) throws IOException {
        Path dir = Files.createTempDirectory("dqn-ale-");
        Path named = dir.resolve(game + ".bin");
        Files.copy(rom, named, StandardCopyOption.REPLACE_EXISTING);
        this.game = game;
        ALEInterface a;
        try {
            a = new ALEInterface();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("cannot load the Arcade Learning Environment's native library (shipped for linux-x86_64, macosx-x86_64 and windows-x86_64; this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + e.getMessage());
        }
        ale = a;
        ale.setInt("random_seed", seed);
        ale.setFloat("repeat_action_probability", 0f);
        ale.setInt("frame_skip", 1);
        ale.loadROM(named.toString());
        Files.deleteIfExists(named);
        Files.deleteIfExists(dir);
        IntPointer set = ale.getMinimalActionSet();
        actions = new int[(int) set.limit()];
        for (int i = 0; i < actions.length; i++) actions[i] = set.get(i);
        if (actions.length == 0) throw new IOException("ALE does not know the game '" + game + "' (no action set)");
        indices = ale.getScreen().getArray().capacity(HEIGHT * WIDTH).asByteBuffer();
    }

    /** Size of the minimal action set: actions are indices 0..n-1 into it. */
    public int actionCount() { return actions.length; }

    /** ALE's action id (0 NOOP, 1 FIRE, 3 RIGHT, ...) behind minimal-set index {@code i}. */
    public int aleAction(int i) { return actions[i]; }

    /** One emulator frame with minimal-set action {@code i}; returns the reward of that frame. */
    public int act(int i) { return ale.act(actions[i]); }

    public boolean gameOver() { return ale.game_over(); }

    public int lives() { return ale.lives(); }

    public void resetGame() { ale.reset_game(); }

    /** Frames since the episode began (including ALE's own reset frames). */
    public int episodeFrame() { return ale.getEpisodeFrameNumber(); }

    /**
     * The emulator's whole state (the console, the game's score and lives, the frame counters and
     * ALE's generator) as bytes: {@link #restoreState} of an emulator of the same game continues from it.
     */
    public byte[] saveState() {
        org.bytedeco.ale.ALEState state = ale.cloneSystemState();
        try (org.bytedeco.javacpp.BytePointer bytes = state.serialize()) {
            byte[] out = new byte[(int) bytes.limit()];
            bytes.get(out);
            return out;
        } finally {
            state.close();
        }
    }

    /** Continues from {@link #saveState}'s bytes. */
    public void restoreState(byte[] saved) {
        try (org.bytedeco.javacpp.BytePointer bytes = new org.bytedeco.javacpp.BytePointer(saved);
             org.bytedeco.ale.ALEState state = new org.bytedeco.ale.ALEState(bytes)) {
            ale.restoreSystemState(state);
        }
    }

    /** ALE's grayscale of the screen, {@link #HEIGHT} x {@link #WIDTH} bytes. */
    public void grayscale(byte[] out) {
        ale.getScreenGrayscale(screen.clear());
        screen.get(0, out, 0, HEIGHT * WIDTH);
    }

    /** The screen as palette indices, {@link #HEIGHT} x {@link #WIDTH} bytes ({@link #grayTable} gives their grey levels). */
    public void screen(byte[] out) { indices.get(0, out, 0, HEIGHT * WIDTH); }

    /**
     * Grey level of each palette index as ALE's {@code getScreenGrayscale} gives it: the palette
     * keeps a grey entry after each (even-indexed) colour and ALE reads {@code palette[p + 1]}.
     * Odd indices never reach the screen; index 255 would read past ALE's table, so it gets 0.
     */
    public byte[] grayTable() {
        org.bytedeco.ale.ColourPalette palette = ale.theOSystem().colourPalette();
        byte[] table = new byte[256];
        for (int p = 0; p < 255; p++) table[p] = (byte) palette.getRGB(p + 1);
        return table;
    }

    /** Colour of each palette index as ALE's {@code getScreenRGB} gives it: {@code 0xRRGGBB} = {@code palette[p]}. */
    public int[] rgbPalette() {
        org.bytedeco.ale.ColourPalette palette = ale.theOSystem().colourPalette();
        int[] table = new int[256];
        for (int p = 0; p < 256; p++) table[p] = palette.getRGB(p) & 0xFFFFFF;
        return table;
    }

    /** The screen as RGB, {@link #HEIGHT} x {@link #WIDTH} x 3 bytes, row-major. */
    public void rgb(byte[] out) {
        ale.getScreenRGB(screen.clear());
        screen.get(0, out, 0, HEIGHT * WIDTH * 3);
    }

    @Override public void close() { ale.close(); }
}
