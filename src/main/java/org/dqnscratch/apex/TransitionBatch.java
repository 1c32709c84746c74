package org.dqnscratch.apex;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What an actor sends the learner: its steps since the last batch, as one {@code byte[]} (a transport
 * such as Ray passes a {@code byte[]} without a serializer of its own). One {@link Segment} per
 * environment of the actor, in the order the replay must take them, and the episodes that ended.
 *
 * <p>Pixels travel as the learner's {@code PixelReplay} keeps them: a stream of uint8 frames per
 * environment, where a step that starts an episode brings its first observation's {@code stack}
 * frames and every step one new frame (the newest of its next observation); with actions, rewards,
 * and flags (terminated, truncated) per step. The n-step returns are made by the replay when it
 * samples, exactly as in a single-process run. Flat observations travel as the flat replay stores
 * them: finished n-step transitions (obs, action, n-step return, discount, next obs).
 *
 * <p>Priorities: flat, one per transition. Pixels: one per transition whose n-step window closed
 * during this batch, in order; they belong to the stream's newest transitions with a closed window
 * once the segment is added (a step's window closes up to n - 1 steps later, maybe in a later batch).
 *
 * <p>Sequence: the batch's number among its actor's (0, 1, 2, ... from the actor's start or restart),
 * so that the learner sees a batch that never arrived (a call that failed while the actor lived on)
 * and does not join the steps before it to the steps after it.
 *
 * <p>Wire layout (big-endian): magic, header (actor, sequence, weights version, epsilon, the actor's steps so far and in this batch,
 * stack and frame size: 0 for flat), the episodes (return, length), then per segment: env, the starts-an-episode flag, steps,
 * actions, rewards, flags, and either the frames or the flat transitions, then the priorities.
 */
public record TransitionBatch(int actor, long sequence, long weightsVersion, float epsilon, long actorSteps, int envSteps, int stack, int frameSize,
                              double[] episodeReturns, int[] episodeLengths, List<Segment> segments) {
    private static final int MAGIC = 0x41505832; // "APX2"
    /** Per-step flags of a pixel segment. */
    public static final byte TERMINATED = 1, TRUNCATED = 2;

    /**
     * One environment's part. Pixels ({@code frames} not null): {@code steps} steps, {@code flags} per
     * step, {@code startsEpisode} when its first step starts an episode. Flat ({@code obs} not null):
     * {@code steps} finished transitions with {@code discounts}, observations in {@code obs}/{@code next}
     * ({@code steps * size} floats each); {@code flags} and {@code startsEpisode} unused.
     */
    public record Segment(int env, boolean startsEpisode, int steps, int[] actions, float[] rewards, byte[] flags, byte[] frames,
                          float[] discounts, float[] obs, float[] next, float[] priorities) {}

    /** True for a pixel batch (frame streams), false for flat transitions. */
    public boolean pixels() { return stack > 0; }

    /** Environment steps (pixels) or transitions (flat) in the batch. */
    public int transitions() { return segments.stream().mapToInt(Segment::steps).sum(); }

    public byte[] encode() {
        int size = 4 + 4 + 8 + 8 + 4 + 8 + 4 + 4 + 4 + 4 + episodeReturns.length * 12 + 4;
        for (Segment s : segments) {
            size += 4 + 1 + 4 + s.steps * 4 * 2 + 4 + 4 * s.priorities.length;
            size += s.frames != null ? s.steps + 4 + s.frames.length : s.steps * 4 + 2 * 4 * s.obs.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(MAGIC).putInt(actor).putLong(sequence).putLong(weightsVersion).putFloat(epsilon).putLong(actorSteps).putInt(envSteps).putInt(stack).putInt(frameSize);
        b.putInt(episodeReturns.length);
        for (int e = 0; e < episodeReturns.length; e++) b.putDouble(episodeReturns[e]).putInt(episodeLengths[e]);
        b.putInt(segments.size());
        for (Segment s : segments) {
            b.putInt(s.env).put((byte) (s.startsEpisode ? 1 : 0)).putInt(s.steps);
            for (int i = 0; i < s.steps; i++) b.putInt(s.actions[i]);
            for (int i = 0; i < s.steps; i++) b.putFloat(s.rewards[i]);
            if (s.frames != null) {
                b.put(s.flags, 0, s.steps).putInt(s.frames.length).put(s.frames);
            } else {
                for (int i = 0; i < s.steps; i++) b.putFloat(s.discounts[i]);
                for (float v : s.obs) b.putFloat(v);
                for (float v : s.next) b.putFloat(v);
            }
            b.putInt(s.priorities.length);
            for (float p : s.priorities) b.putFloat(p);
        }
        return b.array();
    }

    /** The batch {@link #encode} wrote; flat observations have {@code flatSize} floats (the receiver knows its environment). */
    public static TransitionBatch decode(byte[] bytes, int flatSize) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt() != MAGIC) throw new IllegalArgumentException("not an Ape-X transition batch");
        int actor = b.getInt();
        long sequence = b.getLong();
        long version = b.getLong();
        float eps = b.getFloat();
        long actorSteps = b.getLong();
        int envSteps = b.getInt();
        int stack = b.getInt(), frameSize = b.getInt();
        int episodes = b.getInt();
        double[] returns = new double[episodes];
        int[] lengths = new int[episodes];
        for (int e = 0; e < episodes; e++) {
            returns[e] = b.getDouble();
            lengths[e] = b.getInt();
        }
        int n = b.getInt();
        List<Segment> segments = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int env = b.getInt();
            boolean starts = b.get() != 0;
            int steps = b.getInt();
            int[] actions = new int[steps];
            float[] rewards = new float[steps];
            for (int i = 0; i < steps; i++) actions[i] = b.getInt();
            for (int i = 0; i < steps; i++) rewards[i] = b.getFloat();
            byte[] flags = null, frames = null;
            float[] discounts = null, obs = null, next = null;
            if (stack > 0) {
                flags = new byte[steps];
                b.get(flags);
                frames = new byte[b.getInt()];
                b.get(frames);
            } else {
                discounts = floats(b, steps);
                obs = floats(b, steps * flatSize);
                next = floats(b, steps * flatSize);
            }
            float[] priorities = floats(b, b.getInt());
            segments.add(new Segment(env, starts, steps, actions, rewards, flags, frames, discounts, obs, next, priorities));
        }
        if (b.hasRemaining()) throw new IllegalArgumentException("an Ape-X batch with " + b.remaining() + " bytes after its end");
        return new TransitionBatch(actor, sequence, version, eps, actorSteps, envSteps, stack, frameSize, returns, lengths, segments);
    }

    private static float[] floats(ByteBuffer b, int n) {
        float[] out = new float[n];
        b.asFloatBuffer().get(out);
        b.position(b.position() + 4 * n);
        return out;
    }
}
