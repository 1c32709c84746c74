package org.dqnscratch.rl;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.random.RandomGenerator;
import org.dqnscratch.io.AtomicFiles;
import org.dqnscratch.tensor.Pixels;

/**
 * Replay memory for stacked Atari frames that keeps every frame once, as a byte. Consecutive
 * observations of an episode share stack-1 frames, so storing float stacks (as {@link ReplayBuffer}
 * does) would cost 2*stack*4 = 32 times more; here 1M transitions of 4x84x84 take about 7.2 GB.
 *
 * <p>Each stream (environment) has its own ring of transitions and ring of frame slots. At an
 * episode start all {@code stack} frames of the first observation are stored (whatever padding it
 * holds), then one frame per step (the newest frame of nextObs). So a stack never mixes two
 * episodes, and the last transition of an episode keeps its true next observation, which a
 * truncated transition needs to bootstrap from. Transition t records the frame number of obs_t's
 * newest frame: obs_t is that frame and the stack-1 before it, nextObs_t the same shifted by one.
 *
 * <p>Retention: per stream the newest {@code ceil(capacity/streams)} transitions are kept, except
 * that each episode costs {@code stack} frame slots beyond one per transition and the frame ring has
 * only {@code perStream/64 + stack + 2} spare slots (to fit 1M transitions in 7.5 GB). When a frame
 * write would overwrite a frame the oldest kept transition still needs, that transition is evicted
 * first; so {@link #size()} stays somewhat below capacity when the kept episodes average fewer than
 * about 64*stack steps (with 1-step episodes, about capacity/(stack+1) transitions are kept).
 *
 * <p>{@link #sample} allocates nothing: it fills caller-owned arrays with pixels 0..255, as floats or as bytes.
 */
public final class PixelReplay implements Replay {
    private static final long MAGIC = 0x44514E5049585231L; // "DQNPIXR1"
    private static final byte TERMINATED = 1, TRUNCATED = 2;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final long CHUNK_BYTES = 1L << 27; // 128 MiB arrays: many small arrays are easier on the GC than few huge ones

    public final long capacity;
    public final int stack, frameSize, streams;
    private final int perStream;          // transition slots per stream
    private final long framesPerStream;   // frame slots per stream
    private final int chunkShift;
    private final byte[][] chunks;        // frame slot (stream*framesPerStream + frame % framesPerStream) -> frameSize bytes
    // per transition, at stream*perStream + t % perStream
    private final long[] newestFrame;     // frame number (within its stream) of obs_t's newest frame
    private final float[] rewards;
    private final byte[] actions, flags;
    // per stream: transitions added ever, oldest kept transition, frames written ever
    private final long[] added, oldest, framesWritten;
    private FrameMirror mirror;
    /**
     * Prioritized replay (null: uniform): one priority per transition slot, positive exactly for the
     * transitions {@link #sample} may draw with {@code prioritizedNStep}: per stream, those from
     * oldest up to {@code ready} (exclusive; the rest have an open n-step window).
     */
    private Priorities priorities;
    private int prioritizedNStep;
    private long[] ready;

    /** capacity: transitions kept per the whole replay; streams: independent environments (>=1), each its own time order. */
    public PixelReplay(long capacity, int stack, int frameSize, int streams) {
        this(capacity, stack, frameSize, streams, chunkShift(frameSize));
    }

    /** chunkShift: log2 of frames per byte[] chunk; tests make it tiny so that chunk boundaries are exercised. */
    PixelReplay(long capacity, int stack, int frameSize, int streams, int chunkShift) {
        check(capacity, stack, frameSize, streams);
        this.capacity = capacity;
        this.stack = stack;
        this.frameSize = frameSize;
        this.streams = streams;
        this.perStream = (int) perStream(capacity, streams);
        this.framesPerStream = framesPerStream(perStream, stack);
        this.chunkShift = chunkShift;
        long totalFrames = framesPerStream * streams;
        long chunkFrames = 1L << chunkShift;
        chunks = new byte[(int) ((totalFrames + chunkFrames - 1) / chunkFrames)][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = new byte[(int) (Math.min(chunkFrames, totalFrames - c * chunkFrames) * frameSize)];
        }
        int transitions = perStream * streams;
        newestFrame = new long[transitions];
        rewards = new float[transitions];
        actions = new byte[transitions];
        flags = new byte[transitions];
        added = new long[streams];
        oldest = new long[streams];
        framesWritten = new long[streams];
    }

    /** Bytes this replay will allocate for these arguments (frames + per-transition fields), computed without allocating; used to refuse sizes that cannot fit in the heap before allocating anything. */
    public static long bytesNeeded(long capacity, int stack, int frameSize, int streams) {
        check(capacity, stack, frameSize, streams);
        long perStream = perStream(capacity, streams), totalFrames = framesPerStream(perStream, stack) * streams;
        long chunkFrames = 1L << chunkShift(frameSize), nChunks = (totalFrames + chunkFrames - 1) / chunkFrames;
        long header = 16; // per array, roughly
        return totalFrames * frameSize + nChunks * header + perStream * streams * (8 + 4 + 1 + 1) + 7 * header + 3L * streams * 8;
    }

    private static void check(long capacity, int stack, int frameSize, int streams) {
        if (capacity < 1) throw new IllegalArgumentException("replay capacity must be >= 1, got " + capacity);
        if (stack < 1) throw new IllegalArgumentException("frame stack must be >= 1, got " + stack);
        if (frameSize < 1) throw new IllegalArgumentException("frame size must be >= 1 byte, got " + frameSize);
        if (streams < 1) throw new IllegalArgumentException("replay streams must be >= 1, got " + streams);
        if ((long) stack * frameSize > MAX_ARRAY) throw new IllegalArgumentException("an observation of " + stack + " x " + frameSize + " floats is too large");
        if (perStream(capacity, streams) > MAX_ARRAY / streams) throw new IllegalArgumentException("replay capacity " + capacity + " is too large");
    }

    private static long perStream(long capacity, int streams) { return (capacity - 1) / streams + 1; }

    private static long framesPerStream(long perStream, int stack) { return perStream + perStream / 64 + stack + 2; }

    private static int chunkShift(int frameSize) { return 63 - Long.numberOfLeadingZeros(Math.max(1, CHUNK_BYTES / Math.max(1, frameSize))); }

    private int slot(int stream, long t) { return stream * perStream + (int) (t % perStream); }

    private byte[] chunkOf(long pos) { return chunks[(int) (pos >>> chunkShift)]; }

    private int offsetOf(long pos) { return (int) (pos & ((1L << chunkShift) - 1)) * frameSize; }

    private long framePos(int stream, long frame) { return stream * framesPerStream + frame % framesPerStream; }

    private static boolean ends(byte f) { return (f & (TERMINATED | TRUNCATED)) != 0; }

    /** Stores one transition of stream `stream`. A new episode starts at the first add of a stream and after an add whose terminated or truncated was true. */
    public void add(int stream, float[] obs, int action, float reward, float[] nextObs, boolean terminated, boolean truncated) {
        if (stream < 0 || stream >= streams) throw new IllegalArgumentException("stream " + stream + " is not in 0.." + (streams - 1));
        int len = stack * frameSize, last = len - frameSize;
        if (obs.length != len || nextObs.length != len) {
            throw new IllegalArgumentException("observations must have " + len + " floats, got " + obs.length + " and " + nextObs.length);
        }
        if (action < 0 || action > 255) throw new IllegalArgumentException("action " + action + " does not fit in a byte");
        // check everything before writing, so a rejected add leaves the replay as it was
        long evictedFrom = oldest[stream];
        boolean start = added[stream] == 0 || ends(flags[slot(stream, added[stream] - 1)]);
        if (start) checkPixels(obs, 0, len, "obs");
        else if (!matchesStored(stream, framesWritten[stream] - 1, obs)) {
            throw new IllegalArgumentException("obs of stream " + stream + " is not the previous nextObs (an episode ends only with terminated or truncated)");
        }
        for (int p = 0; p < last; p++) {
            if (nextObs[p] != obs[p + frameSize]) throw new IllegalArgumentException("nextObs is not obs slid by one frame (oldest frame first)");
        }
        checkPixels(nextObs, last, len, "nextObs");
        if (start) for (int f = 0; f < stack; f++) writeFrame(stream, obs, f * frameSize);
        long newest = framesWritten[stream] - 1;
        writeFrame(stream, nextObs, last);
        if (added[stream] - oldest[stream] == perStream) oldest[stream]++;
        int k = slot(stream, added[stream]);
        newestFrame[k] = newest;
        rewards[k] = reward;
        actions[k] = (byte) action;
        flags[k] = (byte) ((terminated ? TERMINATED : 0) | (truncated ? TRUNCATED : 0));
        added[stream]++;
        if (priorities != null) track(stream, evictedFrom);
    }

    /**
     * From now on, priorities for every transition (the replay must be empty): a transition gets its
     * priority when its n-step window closes and loses it when it is evicted.
     */
    void prioritize(Priorities p, int nStep) {
        if (p.tree.capacity != transitionSlots()) throw new IllegalArgumentException("priorities for " + p.tree.capacity + " slots, not " + transitionSlots());
        for (long a : added) if (a != 0) throw new IllegalStateException("prioritize an empty replay");
        priorities = p;
        prioritizedNStep = nStep;
        ready = new long[streams];
    }

    Priorities priorities() { return priorities; }

    /** Transition slots, all streams: one priority each. */
    int transitionSlots() { return perStream * streams; }

    /** Keeps the priorities of a stream in step after an add (evictions from {@code evictedFrom} on) or a truncation. */
    private void track(int stream, long evictedFrom) {
        for (long t = evictedFrom; t < Math.min(oldest[stream], ready[stream]); t++) priorities.removed(slot(stream, t));
        long now = oldest[stream] + sampleable(stream, prioritizedNStep);
        for (long t = Math.max(ready[stream], oldest[stream]); t < now; t++) priorities.added(slot(stream, t));
        ready[stream] = Math.max(now, oldest[stream]);
    }

    private static void checkPixels(float[] x, int from, int to, String what) {
        for (int p = from; p < to; p++) {
            float v = x[p];
            if (!(v >= 0 && v <= 255 && v == (int) v)) throw new IllegalArgumentException(what + "[" + p + "] = " + v + " is not a pixel value 0..255");
        }
    }

    private boolean matchesStored(int stream, long newest, float[] obs) {
        for (int f = 0; f < stack; f++) {
            long pos = framePos(stream, newest - stack + 1 + f);
            byte[] c = chunkOf(pos);
            for (int p = 0, o = offsetOf(pos), d = f * frameSize; p < frameSize; p++) if ((c[o + p] & 0xFF) != obs[d + p]) return false;
        }
        return true;
    }

    private void writeFrame(int stream, float[] src, int from) {
        long frame = framesWritten[stream];
        // this overwrites frame (frame - framesPerStream): evict the oldest transitions whose obs still reads it
        while (oldest[stream] < added[stream] && newestFrame[slot(stream, oldest[stream])] - stack + 1 <= frame - framesPerStream) oldest[stream]++;
        long pos = framePos(stream, frame);
        byte[] c = chunkOf(pos);
        for (int p = 0, o = offsetOf(pos); p < frameSize; p++) c[o + p] = (byte) (int) src[from + p];
        framesWritten[stream] = frame + 1;
        if (mirror != null) mirror.frame(pos, c, offsetOf(pos));
    }

    /**
     * Ends every stream's episode under way as a truncation (its last transition bootstraps from
     * its true next observation), so the next add of each stream starts a new episode: for a run
     * resumed from a checkpoint, whose environments start fresh episodes.
     */
    @Override public void truncateEpisodes() {
        for (int st = 0; st < streams; st++) truncateEpisode(st);
    }

    /** As {@link #truncateEpisodes} for one stream (an Ape-X actor restarted: its environment starts a new episode). */
    public void truncateEpisode(int stream) {
        if (added[stream] > 0) {
            int k = slot(stream, added[stream] - 1);
            if (!ends(flags[k])) flags[k] |= TRUNCATED;
        }
        if (priorities != null) track(stream, oldest[stream]);
    }

    /** True when the next {@link #add} of {@code stream} continues an episode (its last transition did not end one). */
    public boolean episodeOpen(int stream) { return added[stream] > 0 && !ends(flags[slot(stream, added[stream] - 1)]); }

    /**
     * Gives the newest {@code count} transitions of {@code stream} whose n-step window has closed the
     * priorities {@code p[from..]} (oldest first; |TD error| + eps computed by an Ape-X actor) instead of
     * the largest seen; those already evicted are skipped.
     */
    public void prioritizeNewest(int stream, float[] p, int from, int count) {
        long end = ready[stream];
        for (int j = 0; j < count; j++) {
            long t = end - count + j;
            if (t >= oldest[stream]) priorities.set(slot(stream, t), p[from + j]);
        }
    }

    /** Transitions kept, all streams: those that can be sampled with nStep = 1 (see {@link #sampleable}). */
    public long size() {
        long n = 0;
        for (int st = 0; st < streams; st++) n += added[st] - oldest[st];
        return n;
    }

    /** Transitions that {@link #sample} can draw with this nStep: a stream's newest ones whose n-step window is still open are not. */
    public long sampleable(int nStep) {
        long n = 0;
        for (int st = 0; st < streams; st++) n += sampleable(st, nStep);
        return n;
    }

    /** Sampleable transitions of one stream: oldest(stream) and the ones after it. */
    long sampleable(int stream, int nStep) {
        long kept = added[stream] - oldest[stream], open = 0;
        // the newest transitions after the last episode end, up to n-1 of them, lack a full window
        while (open < Math.min(nStep - 1, kept) && !ends(flags[slot(stream, added[stream] - 1 - open)])) open++;
        return kept - open;
    }

    long oldest(int stream) { return oldest[stream]; }

    long added(int stream) { return added[stream]; }

    /**
     * Samples `batch` transitions uniformly (with replacement) with n-step returns: for sampled
     * transition t, k = the steps from t up to n or to the end of t's episode, whichever first;
     * r = sum_{j<k} gamma^j reward_{t+j}, s = obs_t, a = action_t, s2 = nextObs_{t+k-1} (the true
     * next observation, also when truncated), discount = 0 if transition t+k-1 terminated, else
     * gamma^k (truncation bootstraps; termination does not). A transition whose n-step window is not
     * complete yet (among the newest n-1 of its stream, its episode not ended within them) is not sampled.
     */
    public void sample(RandomGenerator rng, int batch, int nStep, double gamma, float[] s, float[] a, float[] r, float[] discount, float[] s2) {
        sample(rng, batch, nStep, gamma, s, a, r, discount, s2, null, null);
    }

    /**
     * As {@link #sample}, with the pixels as stored (unsigned bytes, {@code stack * frameSize} per row):
     * a quarter of the floats' size to copy and to upload.
     */
    public void sample(RandomGenerator rng, int batch, int nStep, double gamma, byte[] s, float[] a, float[] r, float[] discount, byte[] s2) {
        sampleInto(rng, batch, nStep, gamma, s, a, r, discount, s2, null, null);
    }

    /**
     * As {@link #sample}, with where the pixels are instead of the pixels: for each row, the frame
     * slots (see {@link #frameSlots}) of its {@code stack} frames, oldest first; for a replay whose
     * frames are mirrored in device memory ({@link #mirror}).
     */
    public void sample(RandomGenerator rng, int batch, int nStep, double gamma, int[] s, float[] a, float[] r, float[] discount, int[] s2) {
        sampleInto(rng, batch, nStep, gamma, s, a, r, discount, s2, null, null);
    }

    /** As {@link #sample}, also telling which (stream, transition number) each row came from, for tests. */
    void sample(RandomGenerator rng, int batch, int nStep, double gamma, float[] s, float[] a, float[] r, float[] discount, float[] s2,
                int[] streamOut, long[] transitionOut) {
        sampleInto(rng, batch, nStep, gamma, s, a, r, discount, s2, streamOut, transitionOut);
    }

    /** The sampling of every form: s and s2 are float[], byte[] or int[] (see {@link #copyStack}). */
    private void sampleInto(RandomGenerator rng, int batch, int nStep, double gamma, Object s, float[] a, float[] r, float[] discount, Object s2,
                            int[] streamOut, long[] transitionOut) {
        if (nStep < 1) throw new IllegalArgumentException("nStep must be >= 1, got " + nStep);
        if (!(gamma >= 0 && gamma <= 1)) throw new IllegalArgumentException("gamma must be in [0, 1], got " + gamma);
        if (batch < 0 || length(s) < batch * rowWidth(s) || length(s2) < batch * rowWidth(s2) || a.length < batch || r.length < batch || discount.length < batch) {
            throw new IllegalArgumentException("batch arrays are too small for a batch of " + batch);
        }
        long total = sampleable(nStep);
        if (total == 0) throw new IllegalStateException("nothing to sample: " + size() + " transitions kept, none with a complete " + nStep + "-step window");
        for (int i = 0; i < batch; i++) {
            long u = rng.nextLong(total);
            int st = 0;
            for (long c; u >= (c = sampleable(st, nStep)); st++) u -= c;
            long t = oldest[st] + u;
            transitionInto(st, t, nStep, gamma, i, s, a, r, discount, s2);
            if (streamOut != null) streamOut[i] = st;
            if (transitionOut != null) transitionOut[i] = t;
        }
    }

    /**
     * Prioritized sampling (see {@link #prioritize}): {@code batch} transitions drawn in proportion to
     * their priorities (stratified) into {@code slots}, their importance weights (exponent {@code beta})
     * into {@code weights}, and their n-step views as {@link #sample} writes them; s and s2 in any of its forms.
     */
    void samplePrioritized(RandomGenerator rng, int batch, double gamma, Object s, float[] a, float[] r, float[] discount, Object s2,
                           int[] slots, float[] weights, double beta) {
        if (sampleable(prioritizedNStep) == 0) throw new IllegalStateException("nothing to sample");
        priorities.sample(rng, batch, slots, weights, beta);
        for (int i = 0; i < batch; i++) {
            int st = slots[i] / perStream;
            long o = oldest[st], t = o + Math.floorMod(slots[i] % perStream - o % perStream, perStream);
            transitionInto(st, t, prioritizedNStep, gamma, i, s, a, r, discount, s2);
        }
    }

    /** Writes the n-step view of transition t of a stream into batch row i (t must be sampleable). */
    void transition(int stream, long t, int nStep, double gamma, int i, float[] s, float[] a, float[] r, float[] discount, float[] s2) {
        transitionInto(stream, t, nStep, gamma, i, s, a, r, discount, s2);
    }

    private void transitionInto(int stream, long t, int nStep, double gamma, int i, Object s, float[] a, float[] r, float[] discount, Object s2) {
        double ret = 0, g = 1;
        int first = slot(stream, t), last = first;
        for (int j = 0; j < nStep; j++) {
            last = slot(stream, t + j);
            ret += g * rewards[last];
            g *= gamma;
            if (ends(flags[last])) break;
        }
        copyStack(stream, newestFrame[first], s, i * rowWidth(s));
        copyStack(stream, newestFrame[last] + 1, s2, i * rowWidth(s2));
        a[i] = actions[first] & 0xFF;
        r[i] = (float) ret;
        discount[i] = (flags[last] & TERMINATED) != 0 ? 0f : (float) g;
    }

    /** Copies a stack into dst from index at: into a byte[] as stored, into a float[] as 0..255, into an int[] as frame slots. */
    private void copyStack(int stream, long newest, Object dst, int at) {
        for (int f = 0; f < stack; f++) {
            long pos = framePos(stream, newest - stack + 1 + f);
            if (dst instanceof int[] slots) {
                slots[at + f] = (int) pos;
                continue;
            }
            byte[] c = chunkOf(pos);
            int o = offsetOf(pos), d = at + f * frameSize;
            if (dst instanceof byte[] b) {
                System.arraycopy(c, o, b, d, frameSize);
            } else {
                float[] x = (float[]) dst;
                Pixels.toFloats(c, o, x, d, frameSize, 1f);
            }
        }
    }

    private static int length(Object array) {
        return array instanceof byte[] b ? b.length : array instanceof int[] i ? i.length : ((float[]) array).length;
    }

    /** Elements per batch row: a stack of pixels, or of frame slots. */
    private int rowWidth(Object array) { return array instanceof int[] ? stack : stack * frameSize; }

    /** Receives every frame as it is written (and all of them after a {@link #load}): a copy kept elsewhere, e.g. on the device. */
    public interface FrameMirror {
        /** Frame slot {@code slot} now holds {@code frameSize} bytes at {@code bytes[offset..]}. */
        void frame(long slot, byte[] bytes, int offset);
    }

    /** Sends every frame write to {@code m} from now on (null: none). */
    public void mirror(FrameMirror m) { mirror = m; }

    /** Frame slots, all streams: where a {@link FrameMirror} keeps frames ({@code frameSlots() * frameSize} bytes). */
    public long frameSlots() { return framesPerStream * streams; }

    /** Writes the whole replay (all streams, counters) to a file atomically; for `--resume --save-replay`. */
    @Override public void save(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            DataOutputStream d = new DataOutputStream(out);
            d.writeLong(MAGIC);
            d.writeLong(capacity);
            d.writeInt(stack);
            d.writeInt(frameSize);
            d.writeInt(streams);
            for (int st = 0; st < streams; st++) { d.writeLong(added[st]); d.writeLong(oldest[st]); d.writeLong(framesWritten[st]); }
            for (long f : newestFrame) d.writeLong(f);
            for (float x : rewards) d.writeFloat(x);
            d.write(actions);
            d.write(flags);
            for (byte[] c : chunks) d.write(c);
            d.writeBoolean(priorities != null);
            if (priorities != null) priorities.save(d, transitionSlots());
            d.flush();
        });
    }

    /** Reads a file written by {@link #save} from a replay of the same shape; on failure this replay is left empty (or untouched if the header does not match). */
    @Override public void load(Path file) throws IOException {
        try (DataInputStream d = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            long[] counters = new long[3 * streams];
            try {
                if (d.readLong() != MAGIC) throw new IOException(file + " is not a pixel replay file");
                long cap = d.readLong();
                int st = d.readInt(), fs = d.readInt(), ns = d.readInt();
                if (cap != capacity || st != stack || fs != frameSize || ns != streams) {
                    throw new IOException(file + " holds a replay of capacity " + cap + ", stack " + st + ", frame " + fs + ", streams " + ns
                            + "; expected capacity " + capacity + ", stack " + stack + ", frame " + frameSize + ", streams " + streams);
                }
                for (int k = 0; k < counters.length; k++) counters[k] = d.readLong();
            } catch (EOFException e) {
                throw new IOException(file + " is not a pixel replay file (too short)");
            }
            try {
                for (int k = 0; k < newestFrame.length; k++) newestFrame[k] = d.readLong();
                for (int k = 0; k < rewards.length; k++) rewards[k] = d.readFloat();
                d.readFully(actions);
                d.readFully(flags);
                for (byte[] c : chunks) d.readFully(c);
                int flag = d.read(); // -1: a file of a version before prioritized replay, uniform
                boolean prioritized = flag > 0;
                if (prioritized != (priorities != null)) {
                    throw new IOException(file + " holds a " + (prioritized ? "prioritized" : "uniform") + " replay; this run's is "
                            + (prioritized ? "uniform" : "prioritized (--per)"));
                }
                if (prioritized) priorities.load(d, transitionSlots());
                if (flag != -1 && d.read() != -1) throw new IOException(file + " has data after the replay; not a replay of this shape");
                for (int s = 0; s < streams; s++) {
                    added[s] = counters[3 * s];
                    oldest[s] = counters[3 * s + 1];
                    framesWritten[s] = counters[3 * s + 2];
                    if (!consistent(s)) throw new IOException(file + " has inconsistent counters for stream " + s);
                    if (priorities != null) ready[s] = oldest[s] + sampleable(s, prioritizedNStep);
                }
                if (mirror != null) for (long pos = 0; pos < frameSlots(); pos++) mirror.frame(pos, chunkOf(pos), offsetOf(pos));
            } catch (IOException e) {
                java.util.Arrays.fill(added, 0);
                java.util.Arrays.fill(oldest, 0);
                java.util.Arrays.fill(framesWritten, 0);
                throw e instanceof EOFException ? new IOException(file + " is truncated") : e;
            }
        }
    }

    /** Counters of a loaded stream describe frames that are still in the ring, so sampling cannot read outside it. */
    private boolean consistent(int s) {
        if (oldest[s] < 0 || oldest[s] > added[s] || added[s] - oldest[s] > perStream || framesWritten[s] < 0) return false;
        for (long t = oldest[s]; t < added[s]; t++) {
            long f = newestFrame[slot(s, t)];
            if (f - stack + 1 < Math.max(0, framesWritten[s] - framesPerStream) || f + 1 >= framesWritten[s]) return false;
        }
        return true;
    }
}
