package org.dqnscratch.env.atari;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import org.dqnscratch.env.Env;
import org.junit.jupiter.api.Test;

/**
 * The emulator and both preprocessing pipelines (atari also with SB3's episodic life) against files
 * recorded from ale-py 0.12.1, Gymnasium 1.3 and OpenCV 5 for a fixed action sequence (src/test/resources/atari/README.md,
 * made by scripts/atari-reference.py): every frame, reward and end-of-episode flag.
 */
class AtariReferenceTest {
    private static DataInputStream open(String name) throws IOException {
        InputStream in = AtariReferenceTest.class.getResourceAsStream("/atari/" + name);
        if (in == null) throw new IOException("missing test resource /atari/" + name);
        return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(in)));
    }

    private static void magic(DataInputStream in, String expected) throws IOException {
        byte[] m = new byte[8];
        in.readFully(m);
        assertEquals(expected, new String(m, java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }

    /** ALE 0.6.1 through JavaCPP shows the same screens (gray and RGB), rewards and game-overs as ale-py 0.12.1. */
    @Test
    void emulatorMatchesAlePy() throws IOException {
        try (DataInputStream in = open("pong-raw.ref.gz"); Ale ale = new Ale("pong", AtariSupport.pongRom(), 0)) {
            magic(in, "DQNRAW1\n");
            int seed = in.readInt(), frames = in.readInt();
            assertEquals(6, ale.actionCount());
            int[] expectedActions = {0, 1, 3, 4, 11, 12}; // NOOP FIRE RIGHT LEFT RIGHTFIRE LEFTFIRE
            for (int i = 0; i < 6; i++) assertEquals(expectedActions[i], ale.aleAction(i));
            byte[] gray = new byte[Ale.HEIGHT * Ale.WIDTH], rgb = new byte[gray.length * 3], stored = new byte[gray.length];
            byte[] indices = new byte[gray.length], looked = new byte[gray.length];
            GrayMaxPool table = GrayMaxPool.of(ale.grayTable());
            int[] palette = ale.rgbPalette();
            byte[] coloured = new byte[rgb.length];
            ale.resetGame();
            for (int f = 0; f < frames; f++) {
                int action = in.readInt(), reward = in.readInt();
                boolean over = in.readByte() != 0;
                int crcGray = in.readInt(), crcRgb = in.readInt();
                boolean hasFrame = in.readByte() != 0;
                if (hasFrame) in.readFully(stored);
                assertEquals(reward, ale.act(action), "reward at frame " + f + " (ALE seed " + seed + ")");
                assertEquals(over, ale.gameOver(), "game over at frame " + f);
                ale.grayscale(gray);
                ale.rgb(rgb);
                if (hasFrame) assertArrayEquals(stored, gray, "grayscale screen at frame " + f);
                ale.screen(indices); // what the atari pipeline reads instead of ALE's grayscale
                table.gray(indices, looked);
                assertArrayEquals(gray, looked, "grey levels looked up from the palette indices at frame " + f);
                for (int p = 0; p < indices.length; p++) { // what the lapan pipeline reads instead of ALE's RGB screen
                    int c = palette[indices[p] & 0xFF];
                    coloured[3 * p] = (byte) (c >>> 16);
                    coloured[3 * p + 1] = (byte) (c >>> 8);
                    coloured[3 * p + 2] = (byte) c;
                }
                assertArrayEquals(rgb, coloured, "colours looked up from the palette indices at frame " + f);
                assertEquals(crcGray, crc(gray), "grayscale screen at frame " + f);
                assertEquals(crcRgb, crc(rgb), "RGB screen at frame " + f);
                if (over) ale.resetGame();
            }
        }
    }

    @Test
    void atariPipelineMatchesGymnasium() throws IOException { pipeline("pong-atari", "atari", false); }

    @Test
    void lapanPipelineMatchesTheTutorialsWrappers() throws IOException { pipeline("pong-lapan", "lapan", false); }

    /**
     * SB3's EpisodicLifeEnv under FireResetEnv, on Breakout (5 lives): the lost lives end episodes
     * whose next reset lets the game go on (recorded as no-op count -1), the games' ends reset.
     */
    @Test
    void atariPipelineWithEpisodicLifeMatchesSb3() throws IOException { pipeline("breakout-atari-episodic", "atari", true); }

    /**
     * Replays the recorded actions, forcing the recorded no-op counts, and compares every
     * observation's whole stack (rebuilt from the newest frames with the pipeline's padding rule),
     * reward and flags. Frames must be equal; the tolerance asked for (off by one on fewer than
     * 0.1% of pixels) is reported, but the resize reproduces OpenCV's float arithmetic exactly.
     */
    private void pipeline(String file, String name, boolean episodicLife) throws IOException {
        try (DataInputStream in = open(file + ".ref.gz")) {
            magic(in, "DQNREF1\n");
            assertEquals(name, in.readUTF());
            String game = in.readUTF();
            long seed = in.readLong();
            int h = in.readInt(), w = in.readInt(), stack = in.readInt(), records = in.readInt();
            assertEquals(AtariEnv.FRAME, h * w);
            // Read everything first: the no-op counts must be known when the environment resets.
            ArrayDeque<Integer> noops = new ArrayDeque<>();
            int[] noopsAt = new int[records];
            byte[][] frames = new byte[records][h * w];
            char[] tags = new char[records];
            int[] actions = new int[records];
            float[] rewards = new float[records];
            boolean[] terminated = new boolean[records], truncated = new boolean[records];
            for (int k = 0; k < records; k++) {
                tags[k] = (char) in.readByte();
                if (tags[k] == 'R') {
                    noopsAt[k] = in.readInt();
                    if (noopsAt[k] >= 0) noops.add(noopsAt[k]); // -1: the game went on after a lost life, no reset
                    assertEquals(0, in.readByte(), "FIRE ended an episode in the reference");
                } else {
                    actions[k] = in.readInt();
                    rewards[k] = in.readFloat();
                    terminated[k] = in.readByte() != 0;
                    truncated[k] = in.readByte() != 0;
                }
                in.readFully(frames[k]);
            }
            assertEquals(-1, in.read(), "trailing bytes");

            AtariEnv.Options o = new AtariEnv.Options(game, name, name.equals("lapan") ? 0 : 30, 4, stack, false, 108_000, episodicLife);
            long pixels = 0, offByOne = 0;
            int episodes = 0, livesLost = 0;
            try (AtariEnv env = new AtariEnv(o, game.equals("pong") ? AtariSupport.pongRom() : AtariSupport.rom(game), seed)) {
                env.overrideNoops(noops::remove);
                byte[][] expected = new byte[stack][];
                for (int k = 0; k < records; k++) {
                    float[] obs;
                    if (tags[k] == 'R') {
                        obs = episodes++ == 0 ? env.reset(seed) : env.reset();
                        byte[] zero = new byte[h * w];
                        for (int s = 0; s < stack; s++) expected[s] = name.equals("lapan") && s < stack - 1 ? zero : frames[k];
                    } else {
                        Env.Step st = env.step(actions[k]);
                        assertEquals(rewards[k], st.reward(), 0, "reward at record " + k);
                        assertEquals(terminated[k], st.terminated(), "terminated at record " + k);
                        assertEquals(truncated[k], st.truncated(), "truncated at record " + k);
                        obs = st.observation();
                        if (st.done()) {
                            boolean goesOn = k + 1 < records && tags[k + 1] == 'R' && noopsAt[k + 1] < 0;
                            assertEquals(goesOn, env.gameGoesOn(), "the game goes on after record " + k);
                            if (goesOn) livesLost++;
                        }
                        System.arraycopy(expected, 1, expected, 0, stack - 1);
                        expected[stack - 1] = frames[k];
                    }
                    assertEquals(stack * h * w, obs.length);
                    for (int s = 0; s < stack; s++) {
                        for (int i = 0; i < h * w; i++) {
                            int d = Math.abs((int) obs[s * h * w + i] - (expected[s][i] & 0xFF));
                            assertTrue(d <= 1, "record " + k + " (" + tags[k] + "), stack slot " + s + ", pixel " + i
                                    + ": " + (int) obs[s * h * w + i] + " vs " + (expected[s][i] & 0xFF));
                            if (d == 1) offByOne++;
                            pixels++;
                        }
                    }
                }
            }
            assertTrue(noops.isEmpty(), "unused no-op counts " + noops);
            assertEquals(0, offByOne, "pixels off by one: " + offByOne + " of " + pixels);
            assertTrue(episodes >= 3, "the recording crosses episode ends: " + episodes + " resets");
            assertEquals(episodicLife, livesLost > 0, "lives lost with the game going on: " + livesLost);
        }
    }

    /** The area resize against OpenCV's known outputs: constant images stay constant, one bright pixel spreads by area. */
    @Test
    void areaResizeKnownCases() {
        AreaResize r = new AreaResize(160, 210, 84, 84);
        byte[] src = new byte[160 * 210], dst = new byte[84 * 84];
        Arrays.fill(src, (byte) 200);
        r.resize(src, dst);
        for (byte b : dst) assertEquals(200, b & 0xFF);
        float[] fs = new float[160 * 210], fd = new float[84 * 110];
        Arrays.fill(fs, 17.25f);
        new AreaResize(160, 210, 84, 110).resize(fs, fd);
        for (float v : fd) assertEquals(17.25f, v, 1e-4f);
        // One pixel of 255 at (0,0) in a 160x210 image: destination (0,0) covers 1.905 x 2.5 source
        // pixels, so it gets 255 / (1.905 * 2.5) = 53.55 -> 54 (and nothing else changes).
        Arrays.fill(src, (byte) 0);
        src[0] = (byte) 255;
        r.resize(src, dst);
        assertEquals(54, dst[0] & 0xFF);
        for (int i = 1; i < dst.length; i++) assertEquals(0, dst[i]);
    }

    /**
     * Unchanged pixels keep their reduction: sequences of images changing a few pixels at a time
     * (as game screens do: runs within a row, far-apart pixels in one row, whole images now and
     * then), with a float resize in between, with and without the caller's hint of which rows may
     * have changed, give what a fresh resizer gives each image, at both of the pipelines' sizes.
     */
    @Test
    void areaResizeReusesUnchangedPixelsExactly() {
        java.util.Random rng = new java.util.Random(11);
        for (int height : new int[] {84, 110}) {
            for (boolean hinted : new boolean[] {false, true}) {
                AreaResize reused = new AreaResize(160, 210, 84, height);
                byte[] src = new byte[160 * 210], got = new byte[84 * height], want = new byte[84 * height];
                rng.nextBytes(src);
                for (int image = 0; image < 120; image++) {
                    boolean[] rows = new boolean[210];
                    if (image % 20 == 0) {
                        rng.nextBytes(src);
                        java.util.Arrays.fill(rows, true);
                    }
                    for (int k = rng.nextInt(8); k > 0; k--) {
                        int y = rng.nextInt(210), x = rng.nextInt(160), run = 1 + rng.nextInt(rng.nextBoolean() ? 3 : 40);
                        for (int i = x; i < Math.min(160, x + run); i++) src[y * 160 + i] = (byte) rng.nextInt(256);
                        rows[y] = true;
                    }
                    for (int k = rng.nextInt(4); k > 0; k--) rows[rng.nextInt(210)] = true; // a hint may say more than changed
                    if (image == 60) reused.resize(new float[160 * 210], new float[84 * height]); // the float path clobbers the reduced rows
                    reused.resize(src, got, hinted ? rows : null);
                    new AreaResize(160, 210, 84, height).resize(src, want);
                    assertArrayEquals(want, got, "image " + image + ", height " + height + ", hinted " + hinted);
                }
            }
        }
    }
}
