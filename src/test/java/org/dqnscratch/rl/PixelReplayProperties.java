package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte-frame replay must be indistinguishable from a naive replay that keeps every full float
 * stack: same retention, same sampleable set, same (s, a, r, s2, discount) for every transition,
 * across episode boundaries, padding styles, interleaved streams and eviction.
 */
class PixelReplayProperties {
    static final int STACK = 4, FRAME = 6;

    /** One full transition, as the naive replay keeps it. */
    record T(float[] obs, int action, float reward, float[] next, boolean terminated, boolean truncated) {
        boolean ends() { return terminated || truncated; }
    }

    /**
     * Keeps every transition with full stacks; retention follows the documented rule, modelled on
     * frame counts alone: per stream the newest ceil(capacity/streams), minus those whose first
     * frame the frame ring (perStream + perStream/64 + stack + 2 slots) has overwritten.
     */
    static final class Naive {
        final int perStream, stack;
        final long ringFrames;
        final List<List<T>> all = new ArrayList<>();
        final List<List<Long>> firstFrame = new ArrayList<>();
        final long[] framesWritten;

        Naive(long capacity, int stack, int streams) {
            this.stack = stack;
            perStream = (int) ((capacity + streams - 1) / streams);
            ringFrames = perStream + perStream / 64 + stack + 2;
            framesWritten = new long[streams];
            for (int s = 0; s < streams; s++) { all.add(new ArrayList<>()); firstFrame.add(new ArrayList<>()); }
        }

        void add(int stream, T t) {
            List<T> ts = all.get(stream);
            boolean start = ts.isEmpty() || ts.get(ts.size() - 1).ends();
            if (start) { firstFrame.get(stream).add(framesWritten[stream]); framesWritten[stream] += stack; }
            else firstFrame.get(stream).add(framesWritten[stream] - stack);
            framesWritten[stream]++;
            ts.add(t);
        }

        boolean kept(int stream, int t) {
            return t >= all.get(stream).size() - perStream && firstFrame.get(stream).get(t) >= framesWritten[stream] - ringFrames;
        }

        boolean sampleable(int stream, int t, int n) {
            List<T> ts = all.get(stream);
            if (!kept(stream, t)) return false;
            for (int j = 0; j < n; j++) {
                if (t + j >= ts.size()) return false;
                if (ts.get(t + j).ends()) return true;
            }
            return true;
        }

        long size() {
            long n = 0;
            for (int s = 0; s < all.size(); s++) for (int t = 0; t < all.get(s).size(); t++) if (kept(s, t)) n++;
            return n;
        }

        /** Walks forward from t: returns {reward sum, discount} and fills s, s2 for row i. */
        void view(int stream, int t, int n, double gamma, int i, float[] s, float[] a, float[] r, float[] d, float[] s2) {
            List<T> ts = all.get(stream);
            double sum = 0, g = 1;
            T last = null;
            for (int j = 0; j < n; j++) {
                last = ts.get(t + j);
                sum += g * last.reward;
                g *= gamma;
                if (last.ends()) break;
            }
            int len = ts.get(t).obs.length;
            System.arraycopy(ts.get(t).obs, 0, s, i * len, len);
            System.arraycopy(last.next, 0, s2, i * len, len);
            a[i] = ts.get(t).action;
            r[i] = (float) sum;
            d[i] = last.terminated ? 0f : (float) g;
        }
    }

    /** A fake Atari stream: frames say (stream, episode, step) and carry random bytes, so mixed-up frames are visible. */
    static final class FakeEnv {
        final int stream, stack, frameSize, maxEpisode;
        final SplittableRandom rng;
        int episode = -1, step, length, endKind;
        float[] obs;

        FakeEnv(int stream, int stack, int frameSize, int maxEpisode, SplittableRandom rng) {
            this.stream = stream; this.stack = stack; this.frameSize = frameSize; this.maxEpisode = maxEpisode; this.rng = rng;
            reset();
        }

        float[] frame() {
            float[] f = new float[frameSize];
            f[0] = stream + 1;
            if (frameSize > 1) f[1] = episode & 255;
            if (frameSize > 2) f[2] = step & 255;
            for (int p = 3; p < frameSize; p++) f[p] = rng.nextInt(256);
            return f;
        }

        void reset() {
            episode++;
            step = 0;
            length = 1 + rng.nextInt(maxEpisode);
            endKind = rng.nextInt(5); // 0,1 terminated; 2,3 truncated; 4 both
            boolean zeroPad = rng.nextBoolean();
            float[] first = frame();
            obs = new float[stack * frameSize];
            for (int f = 0; f < stack; f++) if (!zeroPad || f == stack - 1) System.arraycopy(first, 0, obs, f * frameSize, frameSize);
        }

        T step() {
            step++;
            float[] next = new float[obs.length];
            System.arraycopy(obs, frameSize, next, 0, obs.length - frameSize);
            System.arraycopy(frame(), 0, next, obs.length - frameSize, frameSize);
            boolean end = step == length;
            T t = new T(obs, rng.nextInt(256), (float) rng.nextDouble(-2, 2), next, end && endKind != 2 && endKind != 3, end && endKind >= 2);
            if (end) reset(); else obs = next;
            return t;
        }
    }

    static void add(PixelReplay rb, Naive naive, int stream, T t) {
        rb.add(stream, t.obs, t.action, t.reward, t.next, t.terminated, t.truncated);
        naive.add(stream, t);
    }

    static void assertClose(float expected, float actual, String what) {
        assertEquals(expected, actual, 1e-5f * Math.max(1f, Math.abs(expected)), what);
    }

    /** Retention, the sampleable set, and every sampled row agree with the naive replay. */
    static void assertAgrees(PixelReplay rb, Naive naive, int streams, int n, double gamma, SplittableRandom rng) {
        int len = STACK * FRAME;
        assertEquals(naive.size(), rb.size(), "kept transitions");
        long total = 0;
        for (int st = 0; st < streams; st++) {
            List<Integer> expected = new ArrayList<>(), actual = new ArrayList<>();
            for (int t = 0; t < naive.all.get(st).size(); t++) if (naive.sampleable(st, t, n)) expected.add(t);
            for (long t = rb.oldest(st); t < rb.oldest(st) + rb.sampleable(st, n); t++) actual.add((int) t);
            assertEquals(expected, actual, "sampleable transitions of stream " + st + " with n=" + n);
            total += expected.size();
            // every sampleable transition, not only the drawn ones, has the naive n-step view
            float[] s = new float[len], a = new float[1], r = new float[1], d = new float[1], s2 = new float[len];
            float[] es = new float[len], ea = new float[1], er = new float[1], ed = new float[1], es2 = new float[len];
            for (int t : expected) {
                rb.transition(st, t, n, gamma, 0, s, a, r, d, s2);
                naive.view(st, t, n, gamma, 0, es, ea, er, ed, es2);
                String at = "stream " + st + " transition " + t + " n=" + n;
                assertArrayEquals(es, s, at + " s");
                assertArrayEquals(es2, s2, at + " s2");
                assertEquals(ea[0], a[0], at + " a");
                assertClose(er[0], r[0], at + " r");
                assertClose(ed[0], d[0], at + " discount");
            }
        }
        assertEquals(total, rb.sampleable(n));
        int batch = 16;
        float[] s = new float[batch * len], a = new float[batch], r = new float[batch], d = new float[batch], s2 = new float[batch * len];
        int[] ids = new int[batch];
        long[] ts = new long[batch];
        if (total == 0) {
            assertThrows(IllegalStateException.class, () -> rb.sample(rng, batch, n, gamma, s, a, r, d, s2));
            return;
        }
        rb.sample(rng, batch, n, gamma, s, a, r, d, s2, ids, ts);
        float[] es = new float[batch * len], ea = new float[batch], er = new float[batch], ed = new float[batch], es2 = new float[batch * len];
        for (int i = 0; i < batch; i++) {
            assertTrue(naive.sampleable(ids[i], (int) ts[i], n), "drew unsampleable transition " + ts[i] + " of stream " + ids[i]);
            naive.view(ids[i], (int) ts[i], n, gamma, i, es, ea, er, ed, es2);
            assertClose(er[i], r[i], "r row " + i);
            assertClose(ed[i], d[i], "discount row " + i);
        }
        assertArrayEquals(es, s);
        assertArrayEquals(es2, s2);
        assertArrayEquals(ea, a);
    }

    @Property(tries = 300)
    void agreesWithANaiveFullStackReplay(@ForAll @IntRange(min = 1, max = 40) int capacity,
                                         @ForAll @IntRange(min = 1, max = 3) int streams,
                                         @ForAll @IntRange(min = 1, max = 4) int n,
                                         @ForAll @IntRange(min = 0, max = 300) int adds,
                                         @ForAll @IntRange(min = 1, max = 30) int maxEpisode,
                                         @ForAll @IntRange(min = 0, max = 4) int chunkShift,
                                         @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        // chunks of 1..16 frames, so that frames of one stack lie in several byte[] chunks
        PixelReplay rb = new PixelReplay(capacity, STACK, FRAME, streams, chunkShift);
        Naive naive = new Naive(capacity, STACK, streams);
        FakeEnv[] envs = new FakeEnv[streams];
        for (int st = 0; st < streams; st++) envs[st] = new FakeEnv(st, STACK, FRAME, maxEpisode, rng);
        double gamma = rng.nextBoolean() ? 0.9 : rng.nextDouble();
        for (int i = 0; i < adds; i++) {
            int st = rng.nextInt(streams);
            add(rb, naive, st, envs[st].step());
            if (rng.nextInt(25) == 0) assertAgrees(rb, naive, streams, n, gamma, rng);
        }
        assertAgrees(rb, naive, streams, n, gamma, rng);
    }

    // ---- known cases by hand: stack 4, 1-byte frames whose value names them ----

    static float[] f(float... x) { return x; }

    /** Episodes: A terminates after 3 steps (repeat padding), B is 1 step truncated (zero padding), C truncates after 2, D is open. */
    static PixelReplay handWritten() {
        PixelReplay rb = new PixelReplay(100, 4, 1, 1);
        rb.add(0, f(10, 10, 10, 10), 1, 1, f(10, 10, 10, 11), false, false);
        rb.add(0, f(10, 10, 10, 11), 2, 2, f(10, 10, 11, 12), false, false);
        rb.add(0, f(10, 10, 11, 12), 3, 4, f(10, 11, 12, 13), true, false);
        rb.add(0, f(0, 0, 0, 20), 4, 8, f(0, 0, 20, 21), false, true);
        rb.add(0, f(30, 30, 30, 30), 5, 1, f(30, 30, 30, 31), false, false);
        rb.add(0, f(30, 30, 30, 31), 6, 1, f(30, 30, 31, 32), false, true);
        rb.add(0, f(40, 40, 40, 40), 7, 1, f(40, 40, 40, 41), false, false);
        return rb;
    }

    static void assertView(PixelReplay rb, long t, int n, float[] s, int a, float r, float[] s2, float discount) {
        float[] gs = new float[4], ga = new float[1], gr = new float[1], gd = new float[1], gs2 = new float[4];
        rb.transition(0, t, n, 0.5, 0, gs, ga, gr, gd, gs2);
        String at = "transition " + t + " n=" + n;
        assertArrayEquals(s, gs, at + " s");
        assertEquals(a, ga[0], at + " a");
        assertEquals(r, gr[0], 1e-6f, at + " r");
        assertArrayEquals(s2, gs2, at + " s2");
        assertEquals(discount, gd[0], 1e-6f, at + " discount");
    }

    @Test
    void nStepAcrossATerminationStopsTheSumAndDoesNotBootstrap() {
        PixelReplay rb = handWritten();
        assertView(rb, 0, 3, f(10, 10, 10, 10), 1, 1 + 0.5f * 2 + 0.25f * 4, f(10, 11, 12, 13), 0);
        assertView(rb, 1, 3, f(10, 10, 10, 11), 2, 2 + 0.5f * 4, f(10, 11, 12, 13), 0);
        assertView(rb, 2, 3, f(10, 10, 11, 12), 3, 4, f(10, 11, 12, 13), 0);
        assertView(rb, 0, 2, f(10, 10, 10, 10), 1, 1 + 0.5f * 2, f(10, 10, 11, 12), 0.25f);
        assertView(rb, 0, 1, f(10, 10, 10, 10), 1, 1, f(10, 10, 10, 11), 0.5f);
    }

    @Test
    void nStepAcrossATruncationBootstrapsFromTheTrueNextObservation() {
        PixelReplay rb = handWritten();
        // C: 2 steps then truncated; n=3 gives k=2, s2 = C's last nextObs, not D's first obs
        assertView(rb, 4, 3, f(30, 30, 30, 30), 5, 1 + 0.5f, f(30, 30, 31, 32), 0.25f);
        assertView(rb, 5, 3, f(30, 30, 30, 31), 6, 1, f(30, 30, 31, 32), 0.5f);
    }

    @Test
    void aOneStepEpisodeAndEpisodeStartsHoldOnlyTheirOwnPaddedFrames() {
        PixelReplay rb = handWritten();
        // B right after A's termination: zero padding, nothing of A; C right after B: repeat padding
        assertView(rb, 3, 4, f(0, 0, 0, 20), 4, 8, f(0, 0, 20, 21), 0.5f);
        assertView(rb, 4, 1, f(30, 30, 30, 30), 5, 1, f(30, 30, 30, 31), 0.5f);
        assertView(rb, 6, 1, f(40, 40, 40, 40), 7, 1, f(40, 40, 40, 41), 0.5f);
        // D's only transition has an open 2-step window; everything else is complete
        assertEquals(7, rb.size());
        assertEquals(7, rb.sampleable(1));
        assertEquals(6, rb.sampleable(2));
        assertEquals(6, rb.sampleable(4));
        int[] seen = new int[7];
        float[] s = new float[4 * 500], s2 = new float[4 * 500], a = new float[500], r = new float[500], d = new float[500];
        long[] ts = new long[500];
        rb.sample(new SplittableRandom(3), 500, 3, 0.5, s, a, r, d, s2, null, ts);
        for (long t : ts) seen[(int) t]++;
        for (int t = 0; t < 6; t++) assertTrue(seen[t] > 0, "transition " + t + " never sampled");
        assertEquals(0, seen[6], "open window sampled");
    }

    /** A resumed run cuts the episodes under way: their last transitions bootstrap, and new episodes start cleanly. */
    @Test
    void truncateEpisodesEndsTheOpenEpisodeAsATruncation() {
        PixelReplay rb = handWritten(); // D (transition 6) is open
        rb.truncateEpisodes();
        assertEquals(7, rb.sampleable(4), "D's window is complete now");
        assertView(rb, 6, 3, f(40, 40, 40, 40), 7, 1, f(40, 40, 40, 41), 0.5f);
        // the next add starts a new episode: its first observation need not continue D
        rb.add(0, f(50, 50, 50, 50), 2, 3, f(50, 50, 50, 51), false, false);
        assertView(rb, 7, 1, f(50, 50, 50, 50), 2, 3, f(50, 50, 50, 51), 0.5f);
        assertView(rb, 6, 3, f(40, 40, 40, 40), 7, 1, f(40, 40, 40, 41), 0.5f); // no reward from the new episode
    }

    @Test
    void framesTheOldestTransitionNeedsAreNeverOverwritten() {
        // 1-step episodes cost stack+1 = 5 frames each; a ring of 8+0+4+2 = 14 frames keeps 2 of them, not 8
        PixelReplay rb = new PixelReplay(8, 4, 1, 1);
        for (int e = 0; e < 10; e++) rb.add(0, f(0, 0, 0, e), e, e, f(0, 0, e, 100 + e), e % 2 == 0, e % 2 == 1);
        assertEquals(2, rb.size());
        assertEquals(8, rb.oldest(0));
        assertView(rb, 8, 1, f(0, 0, 0, 8), 8, 8, f(0, 0, 8, 108), 0);
        assertView(rb, 9, 2, f(0, 0, 0, 9), 9, 9, f(0, 0, 9, 109), 0.5f);
    }

    @Test
    void samplingIsUniformOverSampleableTransitionsOfAllStreams() {
        PixelReplay rb = new PixelReplay(1000, 4, 1, 2); // 1-step episodes cost 5 frames each: room for 100 a stream
        for (int t = 0; t < 10; t++) rb.add(0, f(0, 0, 0, 0), t, t, f(0, 0, 0, 0), false, true);
        for (int t = 0; t < 30; t++) rb.add(1, f(1, 1, 1, 1), t, 100 + t, f(1, 1, 1, 1), false, true);
        int draws = 200_000;
        int[] counts = new int[40];
        float[] s = new float[4], a = new float[1], r = new float[1], d = new float[1], s2 = new float[4];
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < draws; i++) {
            rb.sample(rng, 1, 1, 0.99, s, a, r, d, s2);
            counts[r[0] >= 100 ? 10 + (int) r[0] - 100 : (int) r[0]]++;
        }
        for (int k = 0; k < 40; k++) assertEquals(1 / 40.0, counts[k] / (double) draws, 0.003, "transition " + k);
    }

    // ---- save / load ----

    static PixelReplay filled(long seed, int capacity, int streams, int adds) {
        SplittableRandom rng = new SplittableRandom(seed);
        PixelReplay rb = new PixelReplay(capacity, STACK, FRAME, streams);
        FakeEnv[] envs = new FakeEnv[streams];
        for (int st = 0; st < streams; st++) envs[st] = new FakeEnv(st, STACK, FRAME, 12, rng);
        for (int i = 0; i < adds; i++) {
            int st = rng.nextInt(streams);
            T t = envs[st].step();
            rb.add(st, t.obs, t.action, t.reward, t.next, t.terminated, t.truncated);
        }
        return rb;
    }

    static float[][] draw(PixelReplay rb, long seed) {
        int batch = 64, len = STACK * FRAME;
        float[][] out = {new float[batch * len], new float[batch], new float[batch], new float[batch], new float[batch * len]};
        rb.sample(new SplittableRandom(seed), batch, 3, 0.97, out[0], out[1], out[2], out[3], out[4]);
        return out;
    }

    @Test
    void saveThenLoadSamplesTheSameAndKeepsAddingTheSame(@TempDir Path dir) throws IOException {
        PixelReplay a = filled(5, 50, 3, 200);
        Path file = dir.resolve("replay.bin");
        a.save(file);
        PixelReplay b = new PixelReplay(50, STACK, FRAME, 3);
        b.load(file);
        assertEquals(a.size(), b.size());
        for (int k = 0; k < 5; k++) assertArrayEquals(draw(a, 9)[k], draw(b, 9)[k]);
        // the counters came back too: the same next adds leave both replays the same
        PixelReplay c = filled(5, 50, 3, 260), d = filled(5, 50, 3, 200);
        d.save(file);
        PixelReplay e = new PixelReplay(50, STACK, FRAME, 3);
        e.load(file);
        SplittableRandom rng = new SplittableRandom(5);
        FakeEnv[] envs = new FakeEnv[3];
        for (int st = 0; st < 3; st++) envs[st] = new FakeEnv(st, STACK, FRAME, 12, rng);
        for (int i = 0; i < 260; i++) {
            int st = rng.nextInt(3);
            T t = envs[st].step();
            if (i >= 200) e.add(st, t.obs, t.action, t.reward, t.next, t.terminated, t.truncated);
        }
        assertEquals(c.size(), e.size());
        for (int k = 0; k < 5; k++) assertArrayEquals(draw(c, 4)[k], draw(e, 4)[k]);
    }

    @Test
    void loadingSomethingElseIsAOneLineIOException(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("replay.bin");
        filled(1, 20, 2, 60).save(file);
        for (PixelReplay wrong : new PixelReplay[] {filled(4, 21, 2, 60), new PixelReplay(20, 3, FRAME, 2),
                new PixelReplay(20, STACK, FRAME + 1, 2), filled(4, 20, 1, 60)}) {
            long size = wrong.size();
            IOException e = assertThrows(IOException.class, () -> wrong.load(file));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("expected capacity"), "a shape mismatch says so: " + e.getMessage());
            assertEquals(size, wrong.size(), "a shape mismatch is found before anything is overwritten");
        }
        Path garbage = dir.resolve("garbage.bin");
        byte[] junk = new byte[5000];
        new SplittableRandom(2).nextBytes(junk);
        Files.write(garbage, junk);
        assertOneLine(assertThrows(IOException.class, () -> new PixelReplay(20, STACK, FRAME, 2).load(garbage)));
        Files.write(garbage, new byte[3]);
        assertOneLine(assertThrows(IOException.class, () -> new PixelReplay(20, STACK, FRAME, 2).load(garbage)));
        byte[] good = Files.readAllBytes(file);
        Files.write(garbage, Arrays.copyOf(good, good.length - 7));
        PixelReplay truncatedInto = filled(3, 20, 2, 60);
        assertOneLine(assertThrows(IOException.class, () -> truncatedInto.load(garbage)));
        assertEquals(0, truncatedInto.size(), "a failed load leaves the replay empty, not half-loaded");
        Files.write(garbage, Arrays.copyOf(good, good.length + 1));
        assertOneLine(assertThrows(IOException.class, () -> new PixelReplay(20, STACK, FRAME, 2).load(garbage)));
    }

    static void assertOneLine(IOException e) {
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank() && !e.getMessage().contains("\n"), "message: " + e.getMessage());
    }

    // ---- size and allocation ----

    @Test
    void aMillionAtariTransitionsFitIn7_5GB() {
        long bytes = PixelReplay.bytesNeeded(1_000_000, 4, 84 * 84, 1);
        assertTrue(bytes <= 7.5e9, bytes + " bytes");
        assertTrue(bytes >= 1_000_000L * 84 * 84, bytes + " bytes cannot hold a million frames");
        assertTrue(PixelReplay.bytesNeeded(1_000_000, 4, 84 * 84, 8) <= 7.5e9);
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void bytesNeededIsWhatTheConstructorAllocates() {
        // Atari-sized frames, and 1-byte frames where the per-transition fields dominate
        int[][] shapes = {{3000, 4, 84 * 84, 1}, {3000, 4, 84 * 84, 3}, {100_000, 1, 1, 1}, {100_000, 4, 1, 7}};
        for (int[] x : shapes) {
            long before = allocatedBytes();
            PixelReplay rb = new PixelReplay(x[0], x[1], x[2], x[3]);
            long used = allocatedBytes() - before, predicted = PixelReplay.bytesNeeded(x[0], x[1], x[2], x[3]);
            assertEquals(predicted, used, 2048, Arrays.toString(x));
            assertEquals(0, rb.size());
        }
    }

    @Test
    void samplingAllocatesNothing() {
        PixelReplay rb = filled(8, 500, 4, 2000);
        int batch = 32, len = STACK * FRAME;
        float[] s = new float[batch * len], a = new float[batch], r = new float[batch], d = new float[batch], s2 = new float[batch * len];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) rb.sample(rng, batch, 3, 0.99, s, a, r, d, s2);
        long before = allocatedBytes();
        for (int i = 0; i < 2000; i++) rb.sample(rng, batch, 3, 0.99, s, a, r, d, s2);
        long used = allocatedBytes() - before;
        assertTrue(used < 1024, used + " bytes allocated by 2000 sample calls");
    }

    // ---- bad use ----

    @Test
    void badUseIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> new PixelReplay(0, 4, 6, 1));
        assertThrows(IllegalArgumentException.class, () -> new PixelReplay(10, 0, 6, 1));
        assertThrows(IllegalArgumentException.class, () -> new PixelReplay(10, 4, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PixelReplay(10, 4, 6, 0));
        assertThrows(IllegalArgumentException.class, () -> PixelReplay.bytesNeeded(Long.MAX_VALUE, 4, 6, 1));
        PixelReplay rb = new PixelReplay(10, 4, 1, 2);
        float[] s = new float[4], a = new float[1], r = new float[1], d = new float[1], s2 = new float[4];
        assertThrows(IllegalStateException.class, () -> rb.sample(new SplittableRandom(1), 1, 1, 0.9, s, a, r, d, s2));
        assertThrows(IllegalArgumentException.class, () -> rb.add(2, f(1, 1, 1, 1), 0, 0, f(1, 1, 1, 2), false, false));
        assertThrows(IllegalArgumentException.class, () -> rb.add(0, f(1, 1, 1), 0, 0, f(1, 1, 2), false, false));
        assertThrows(IllegalArgumentException.class, () -> rb.add(0, f(1, 1, 1, 1.5f), 0, 0, f(1, 1, 1.5f, 2), false, false));
        assertThrows(IllegalArgumentException.class, () -> rb.add(0, f(1, 1, 1, 1), 0, 0, f(1, 1, 1, 256), false, false));
        assertThrows(IllegalArgumentException.class, () -> rb.add(0, f(1, 1, 1, 1), 0, 0, f(1, 1, 2, 2), false, false), "not slid");
        assertThrows(IllegalArgumentException.class, () -> rb.add(0, f(1, 1, 1, 1), 256, 0, f(1, 1, 1, 2), false, false));
        assertEquals(0, rb.size(), "rejected adds store nothing");
        rb.add(0, f(1, 1, 1, 1), 0, 0, f(1, 1, 1, 2), false, false);
        assertThrows(IllegalArgumentException.class, () -> rb.add(0, f(1, 1, 1, 3), 0, 0, f(1, 1, 3, 4), false, false), "obs is not the last nextObs");
        assertEquals(1, rb.size());
        assertFalse(rb.sampleable(2) > 0);
        assertThrows(IllegalStateException.class, () -> rb.sample(new SplittableRandom(1), 1, 2, 0.9, s, a, r, d, s2));
        assertThrows(IllegalArgumentException.class, () -> rb.sample(new SplittableRandom(1), 2, 1, 0.9, s, a, r, d, s2));
    }
}
