package org.dqnscratch.env.atari;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntSupplier;
import org.dqnscratch.env.Env;
import org.dqnscratch.env.EnvState;
import org.dqnscratch.env.Rng;
import org.dqnscratch.tensor.Pixels;

/**
 * An Atari game on ALE with one of two preprocessing pipelines; observations are a stack of
 * {@code stack} 84x84 frames, oldest first, as floats holding the uint8 values 0..255 (the
 * network scales them to [0, 1] on its device). Rewards are the game's raw rewards; clipping is
 * the learner's business.
 *
 * <ul>
 * <li>{@code atari}: Gymnasium's {@code AtariPreprocessing}: after reset 1..noopMax random NOOP
 *     frames, each action repeated {@code frameSkip} frames with the last two grayscale screens
 *     (ALE's palette) max-pooled, area resize to 84x84, optional end of life as termination;
 *     then, when the game's action 1 is FIRE, SB3's {@code FireResetEnv} after reset (a FIRE
 *     step, then an action-2 step, each resetting again, without FIRE, if it ended the
 *     episode), then a stack padded at reset with copies of the first frame. Actions, emulator
 *     frames, rewards and ends are those of SB3's and CleanRL's wrapper stacks; the pixels are
 *     AtariPreprocessing's, not theirs (README: which wrappers, one by one).
 * <li>{@code lapan}: the seed's PyTorch Pong wrappers: the max of the last two RGB frames (kept
 *     across steps), FIRE then action 2 after reset, luminance 0.299/0.587/0.114 in float, area
 *     resize to 84 wide x 110 high, rows 18..101, truncated to uint8, a zero-padded stack.
 * </ul>
 * Episodes are truncated after {@code maxEpisodeFrames} emulator frames (108,000: 30 minutes,
 * as Gymnasium's v4 games). With {@code episodicLife} ({@code atari} only), SB3's
 * {@code EpisodicLifeEnv} sits between the frame skip and the FIRE reset, as in SB3 and CleanRL.
 */
public final class AtariEnv implements Env {
    public static final int SIZE = 84, FRAME = SIZE * SIZE;
    public static final String[] PIPELINES = {"atari", "lapan"};

    /**
     * How the game is played and seen; {@link #defaults} are CleanRL's but for {@code episodicLife}.
     * {@code terminalOnLifeLoss} is Gymnasium's rule (a lost life ends the episode, the next reset
     * starts a new game); {@code episodicLife} is SB3's {@code EpisodicLifeEnv} (a lost life ends
     * the episode for learning, the next reset lets the game go on).
     */
    public record Options(String game, String pipeline, int noopMax, int frameSkip, int stack, boolean terminalOnLifeLoss, int maxEpisodeFrames,
                          boolean episodicLife) {
        public static Options defaults(String game) { return builder(game).build(); }

        /** Options of {@code game} (an ALE ROM name: pong, breakout, ...) starting from the {@link #defaults}, set by name. */
        public static Builder builder(String game) { return new Builder(game); }

        /** Without SB3's episodic life. */
        public Options(String game, String pipeline, int noopMax, int frameSkip, int stack, boolean terminalOnLifeLoss, int maxEpisodeFrames) {
            this(game, pipeline, noopMax, frameSkip, stack, terminalOnLifeLoss, maxEpisodeFrames, false);
        }

        public Options {
            if (!Arrays.asList(PIPELINES).contains(pipeline)) throw new IllegalArgumentException("unknown --pipeline '" + pipeline + "' (atari, lapan)");
            if (noopMax < 0) throw new IllegalArgumentException("--noop-max must be >= 0");
            if (frameSkip < 1) throw new IllegalArgumentException("--frame-skip must be >= 1");
            if (stack < 1) throw new IllegalArgumentException("--frame-stack must be >= 1");
            if (maxEpisodeFrames < 1) throw new IllegalArgumentException("--max-episode-frames must be >= 1");
            // Two rules for the same event; SB3 and CleanRL use one or the other, never both.
            if (episodicLife && terminalOnLifeLoss) throw new IllegalArgumentException("--episodic-life and --terminal-on-life-loss exclude each other");
            if (episodicLife && pipeline.equals("lapan")) throw new IllegalArgumentException("--episodic-life needs --pipeline atari (the lapan wrappers have no lives)");
        }
    }

    /**
     * {@link Options} by name, from the defaults (CleanRL's Atari settings but for episodic life):
     * {@code AtariEnv.Options.builder("breakout").episodicLife(true).build()}. {@link #build} checks
     * the game's name and the values, with the command line's messages.
     */
    public static final class Builder {
        private final String game;
        private String pipeline = "atari";
        private int noopMax = 30, frameSkip = 4, stack = 4, maxEpisodeFrames = 108_000;
        private boolean terminalOnLifeLoss, episodicLife;

        private Builder(String game) { this.game = game; }

        /** {@code atari} (default: Gymnasium's AtariPreprocessing) or {@code lapan} (the seed tutorial's wrappers). */
        public Builder pipeline(String pipeline) { this.pipeline = pipeline; return this; }

        /** Up to this many random no-op frames after each reset (default 30; 0: none). */
        public Builder noopMax(int noopMax) { this.noopMax = noopMax; return this; }

        /** Emulator frames per agent step (default 4). */
        public Builder frameSkip(int frameSkip) { this.frameSkip = frameSkip; return this; }

        /** Frames stacked into one observation (default 4). */
        public Builder frameStack(int stack) { this.stack = stack; return this; }

        /** A lost life ends the episode, the next reset starts a new game (Gymnasium's rule; default false). */
        public Builder terminalOnLifeLoss(boolean on) { this.terminalOnLifeLoss = on; return this; }

        /** Emulator frames after which an episode is truncated (default 108,000, as the v4 games'). */
        public Builder maxEpisodeFrames(int frames) { this.maxEpisodeFrames = frames; return this; }

        /** A lost life ends the episode for learning only, the game goes on (SB3's EpisodicLifeEnv, as CleanRL; default false). */
        public Builder episodicLife(boolean on) { this.episodicLife = on; return this; }

        public Options build() {
            return new Options(Roms.checkGame(game), pipeline, noopMax, frameSkip, stack, terminalOnLifeLoss, maxEpisodeFrames, episodicLife);
        }
    }

    private final Options opt;
    private final Ale ale;
    private final boolean lapan, fireReset;
    private final Discrete actions;
    private final AreaResize resize;
    private Rng rng = new Rng(0);
    private IntSupplier noopOverride; // tests: the reference's no-op counts
    private int lives;
    // SB3's EpisodicLifeEnv: was_real_done (the last step ended the game itself, or none was taken
    // since a seeded reset), and whether the last step ended the episode on a lost life only.
    private boolean realDone = true, gameGoesOn;
    // atari: Gymnasium's two screen buffers, each palette indices (rawN) or grey levels: after the
    // max-pool buffer 0 holds the pooled grey levels (numpy's out=), here pooled.grey() while raw0
    // is false; screen1 is zeroed at reset.
    private final byte[] screen0, screen1;
    private boolean raw0, raw1;
    private final PooledScreen pooled;
    // lapan: palette indices of the last two frames (MaxAndSkipEnv's deque, swapped per frame) and
    // ALE's RGB palette: two index copies a frame instead of ALE's RGB screen (~32 us) each frame.
    private byte[] newest, older;
    private final int[] rgbPalette;
    private final byte[] frame = new byte[FRAME];
    private boolean haveTwo, lastDone;
    private final float[] luminance, tall;
    private float[] obs;

    /**
     * The game of {@code options} with its ROM found as the {@code pong} command finds it ($ALE_ROMS, an
     * installed ale-py, the import-roms folder) and checked by MD5; {@code seed} seeds the emulator and
     * the no-op generator. A missing or wrong ROM is an IOException saying what is wrong and how to get it.
     */
    public AtariEnv(Options options, long seed) throws IOException { this(options, Roms.locate(options.game(), null), seed); }

    /** As {@link #AtariEnv(Options, long)} with the ROM file {@code rom} (null: searched), checked by MD5 to be the game's. */
    public static AtariEnv checked(Options options, Path rom, long seed) throws IOException {
        return new AtariEnv(options, Roms.locate(options.game(), rom), seed);
    }

    /** The game of {@code options} from the ROM file {@code rom}, taken as it is (see {@link #checked} for one checked by MD5). */
    public AtariEnv(Options options, Path rom, long seed) throws IOException {
        this.opt = options;
        this.ale = new Ale(options.game(), rom, (int) seed);
        this.lapan = options.pipeline().equals("lapan");
        this.fireReset = ale.actionCount() > 1 && ale.aleAction(1) == 1; // ALE action 1 is PLAYER_A_FIRE
        this.actions = new Discrete(ale.actionCount());
        int screen = Ale.HEIGHT * Ale.WIDTH;
        screen0 = lapan ? null : new byte[screen];
        screen1 = lapan ? null : new byte[screen];
        newest = lapan ? new byte[screen] : null;
        older = lapan ? new byte[screen] : null;
        rgbPalette = lapan ? ale.rgbPalette() : null;
        pooled = lapan ? null : new PooledScreen(GrayMaxPool.of(ale.grayTable()), Ale.WIDTH, Ale.HEIGHT);
        resize = lapan ? new AreaResize(Ale.WIDTH, Ale.HEIGHT, SIZE, 110) : new AreaResize(Ale.WIDTH, Ale.HEIGHT, SIZE, SIZE);
        luminance = lapan ? new float[Ale.HEIGHT * Ale.WIDTH] : null;
        tall = lapan ? new float[SIZE * 110] : null;
        rng = new Rng(seed);
    }

    @Override public String id() { return Roms.title(opt.game()).replace(" ", "") + "NoFrameskip-v4"; }

    public Options options() { return opt; }

    @Override public Box observationSpace() {
        float[] high = new float[opt.stack() * FRAME];
        Arrays.fill(high, 255f);
        return new Box(new float[high.length], high);
    }

    @Override public int[] observationShape() { return new int[] {opt.stack(), SIZE, SIZE}; }

    /**
     * The newest preprocessed frame (the last of the observation's stack) as 84x84 bytes, row by row,
     * each a grey level 0..255 (read it with {@code b & 0xFF}); a new array, null before the first reset.
     */
    public byte[] newestFrame() {
        if (obs == null) return null;
        byte[] out = new byte[FRAME];
        for (int i = 0, from = obs.length - FRAME; i < FRAME; i++) out[i] = (byte) (int) obs[from + i];
        return out;
    }

    @Override public Discrete actionSpace() { return actions; }

    @Override public int maxEpisodeSteps() { return opt.maxEpisodeFrames() / opt.frameSkip(); }

    /** No official threshold; Pong counts as solved at 18 in this project's presets. */
    @Override public double rewardThreshold() { return opt.game().equals("pong") ? 18 : Double.POSITIVE_INFINITY; }

    /** Tests: emulator frames since the episode began. */
    int episodeFrame() { return ale.episodeFrame(); }

    /** Tests: the lives the game has left. */
    int lives() { return ale.lives(); }

    /** Tests: take the no-op counts from here instead of the generator. */
    void overrideNoops(IntSupplier counts) { this.noopOverride = counts; }

    /** A seeded reset starts a new game, also with {@code episodicLife} after a lost life. */
    @Override public float[] reset(long seed) {
        rng = new Rng(seed);
        realDone = true;
        return reset();
    }

    /**
     * With {@code episodicLife}: whether the last step ended the episode on a lost life while the
     * game goes on (the next {@link #reset()} continues it). Returns, lengths and evaluations count
     * games, so they go on through it; the learner's transition was terminal.
     */
    @Override public boolean gameGoesOn() { return gameGoesOn; }

    @Override public float[] reset() {
        obs = new float[opt.stack() * FRAME];
        if (lapan) {
            resetEmulator();
            step(1);
            if (lastDone) resetEmulator();
            float[] first = step(2).observation(); // returned even when that step ended the episode
            if (lastDone) resetEmulator();
            // Lapan's stack starts from zeros with the observation after FIRE, RIGHT as newest.
            obs = new float[opt.stack() * FRAME];
            System.arraycopy(first, first.length - FRAME, obs, obs.length - FRAME, FRAME);
            return obs;
        }
        innerReset();
        if (fireReset) {
            // SB3's FireResetEnv (CleanRL's and RL-Zoo's Atari stack): FIRE, then action 2, each a
            // full step, resetting after either one that ended the episode. FIRE alone starts the
            // game too, but leaves every later frame 4 emulator frames off theirs.
            step(1);
            if (lastDone) innerReset();
            step(2);
            if (lastDone) innerReset();
        }
        gameGoesOn = false;
        // Gymnasium's FrameStackObservation(padding_type="reset"): the first frame in every slot.
        float[] first = obs;
        obs = new float[opt.stack() * FRAME];
        for (int s = 0; s < opt.stack(); s++) System.arraycopy(first, first.length - FRAME, obs, s * FRAME, FRAME);
        return obs;
    }

    /**
     * What FireResetEnv resets: with {@code episodicLife} SB3's EpisodicLifeEnv.reset, which after
     * a lost life takes one NOOP step of the frame skip (no life check) instead of a new game, and
     * a new game only if that step ended it; otherwise the emulator's reset.
     */
    private void innerReset() {
        if (!opt.episodicLife() || realDone) {
            resetEmulator();
            return;
        }
        skip(0);
        if (lastDone) resetEmulator();
        lives = ale.lives();
    }

    /** The emulator's reset plus no-ops; the frame seen then becomes the newest of the stack. */
    private void resetEmulator() {
        ale.resetGame();
        int noops = noopOverride != null ? noopOverride.getAsInt() : opt.noopMax() > 0 ? 1 + rng.nextInt(opt.noopMax()) : 0;
        if (lapan) {
            haveTwo = false;
            for (int i = 0; i < noops; i++) {
                ale.act(0);
                if (ale.gameOver()) ale.resetGame();
            }
            ale.screen(newest);
            processLapan(newest, null);
        } else {
            for (int i = 0; i < noops; i++) {
                ale.act(0);
                if (ale.gameOver() || ale.episodeFrame() >= opt.maxEpisodeFrames()) ale.resetGame();
            }
            lives = ale.lives();
            ale.screen(screen0);
            raw0 = true;
            Arrays.fill(screen1, (byte) 0);
            raw1 = false;
            maxPoolAndResize();
        }
        push();
    }

    @Override public Step step(int action) {
        actionSpace().check(action);
        Step st = skip(action);
        if (!opt.episodicLife()) return st;
        // SB3's EpisodicLifeEnv.step, once per agent step (after the frame skip, not per frame as
        // terminal_on_life_loss): a life lost with lives left ends the episode, not the game.
        realDone = st.done();
        int now = ale.lives();
        boolean lost = now > 0 && now < lives;
        lives = now;
        gameGoesOn = lost && !realDone;
        if (!lost) return st;
        lastDone = true;
        return new Step(st.observation(), st.reward(), true, st.truncated());
    }

    /** The frame skip with Gymnasium's max-pool (or Lapan's), the game's own ends and truncation. */
    private Step skip(int action) {
        double total = 0;
        boolean terminated = false, truncated = false;
        for (int t = 0; t < opt.frameSkip(); t++) {
            total += ale.act(action);
            terminated = ale.gameOver();
            truncated = ale.episodeFrame() >= opt.maxEpisodeFrames();
            if (lapan) {
                // deque(maxlen=2) of raw screens: every frame enters, the older of the two drops out
                byte[] dropped = older;
                older = newest;
                newest = dropped;
                ale.screen(newest);
                haveTwo = true;
                if (terminated || truncated) break;
                continue;
            }
            if (opt.terminalOnLifeLoss()) {
                int now = ale.lives();
                terminated |= now < lives;
                lives = now;
            }
            if (terminated || truncated) break;
            if (t == opt.frameSkip() - 2) {
                ale.screen(screen1);
                raw1 = true;
            } else if (t == opt.frameSkip() - 1) {
                ale.screen(screen0);
                raw0 = true;
            }
        }
        if (lapan) {
            processLapan(newest, haveTwo ? older : null);
        } else {
            maxPoolAndResize();
        }
        obs = stackPush(obs, frame);
        lastDone = terminated || truncated;
        return new Step(obs, total, terminated, truncated);
    }

    /**
     * Gymnasium's _get_obs: max of the two screens' grey levels, kept as buffer 0 (a step that ends
     * before both screens were taken pools stale buffers, as there), then the resize, told which
     * rows the pooling may have changed.
     */
    private void maxPoolAndResize() {
        boolean[] rows = null;
        if (opt.frameSkip() > 1) rows = pooled.pool(raw0 ? screen0 : pooled.grey(), raw0, screen1, raw1);
        else if (raw0) pooled.gray(screen0);
        raw0 = false;
        resize.resize(pooled.grey(), frame, rows);
    }

    /**
     * Lapan's max of the two RGB frames (channel by channel; {@code b} null: one frame) and
     * ProcessFrame84: float luminance, area resize to 84x110, rows 18..101, truncated to uint8.
     * The colours are ALE's palette entries for the screens' indices, as its getScreenRGB gives them.
     */
    private void processLapan(byte[] a, byte[] b) {
        for (int i = 0; i < luminance.length; i++) {
            int c = rgbPalette[a[i] & 0xFF], red = c >>> 16 & 0xFF, green = c >>> 8 & 0xFF, blue = c & 0xFF;
            if (b != null) {
                int d = rgbPalette[b[i] & 0xFF];
                red = Math.max(red, d >>> 16 & 0xFF);
                green = Math.max(green, d >>> 8 & 0xFF);
                blue = Math.max(blue, d & 0xFF);
            }
            luminance[i] = red * 0.299f + green * 0.587f + blue * 0.114f;
        }
        resize.resize(luminance, tall);
        for (int i = 0; i < FRAME; i++) frame[i] = (byte) (int) tall[18 * SIZE + i];
    }

    /** The current frame as the newest of the (fresh) stack. */
    private void push() {
        obs = new float[opt.stack() * FRAME];
        pushInto(obs);
    }

    private void pushInto(float[] stack) { widen(frame, stack, stack.length - FRAME); }

    /**
     * A new stack (callers keep the previous one): the older frames shifted down, copied without
     * first zeroing what the copy overwrites, then {@code frame} as the newest.
     */
    static float[] stackPush(float[] stack, byte[] frame) {
        float[] next = Arrays.copyOfRange(stack, FRAME, stack.length + FRAME);
        widen(frame, next, next.length - FRAME);
        return next;
    }

    private static void widen(byte[] frame, float[] stack, int base) {
        Pixels.toFloats(frame, 0, stack, base, FRAME, 1f);
    }

    /**
     * The emulator's state and everything this wrapper keeps between steps: the no-op generator,
     * lives, the screen buffers (a step that ends early pools stale ones, as Gymnasium does), the
     * pooled grey levels and the frame stack. Options are not saved: the id names the game, and a
     * restoring environment is made from the same run's config.
     */
    @Override public byte[] saveState() {
        return EnvState.write(stateId(), out -> {
            out.writeLong(rng.state());
            bytes(out, ale.saveState());
            out.writeInt(lives);
            if (opt.episodicLife()) { // only then: states saved before it existed still read
                out.writeBoolean(realDone);
                out.writeBoolean(gameGoesOn);
            }
            out.writeBoolean(raw0);
            out.writeBoolean(raw1);
            out.writeBoolean(haveTwo);
            out.writeBoolean(lastDone);
            for (byte[] b : lapan ? new byte[][] {newest, older, frame} : new byte[][] {screen0, screen1, pooled.grey(), frame}) out.write(b);
            out.writeInt(obs == null ? -1 : obs.length);
            if (obs != null) for (float v : obs) out.writeFloat(v);
        });
    }

    @Override public void restoreState(byte[] state) {
        EnvState.read(stateId(), state, in -> {
            rng = new Rng(in.readLong());
            byte[] emulator = new byte[in.readInt()];
            in.readFully(emulator);
            lives = in.readInt();
            if (opt.episodicLife()) {
                realDone = in.readBoolean();
                gameGoesOn = in.readBoolean();
            }
            raw0 = in.readBoolean();
            raw1 = in.readBoolean();
            haveTwo = in.readBoolean();
            lastDone = in.readBoolean();
            for (byte[] b : lapan ? new byte[][] {newest, older, frame} : new byte[][] {screen0, screen1, pooled.grey(), frame}) in.readFully(b);
            if (!lapan) pooled.forget(); // its grey levels came from here, not from the screens it remembers
            int n = in.readInt();
            if (n != -1 && n != opt.stack() * FRAME) throw new IOException("a stack of " + n + " values, expected " + opt.stack() * FRAME);
            obs = n < 0 ? null : new float[n];
            for (int i = 0; i < Math.max(n, 0); i++) obs[i] = in.readFloat();
            ale.restoreState(emulator);
        });
    }

    /** What a saved state must match: the game, its pipeline and frame geometry, episodic life. */
    private String stateId() { return id() + " " + opt.pipeline() + " skip " + opt.frameSkip() + " stack " + opt.stack() + (opt.episodicLife() ? " episodic-life" : ""); }

    private static void bytes(java.io.DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** The emulator's screen in its own colours (for GIFs). */
    @Override public BufferedImage render() {
        byte[] rgb = new byte[Ale.HEIGHT * Ale.WIDTH * 3];
        ale.rgb(rgb);
        BufferedImage img = new BufferedImage(Ale.WIDTH, Ale.HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = 0, p = 0; y < Ale.HEIGHT; y++) {
            for (int x = 0; x < Ale.WIDTH; x++, p += 3) img.setRGB(x, y, (rgb[p] & 0xFF) << 16 | (rgb[p + 1] & 0xFF) << 8 | (rgb[p + 2] & 0xFF));
        }
        return img;
    }

    @Override public void close() { ale.close(); }
}
