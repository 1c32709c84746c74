package org.dqnscratch.apex;

/**
 * The learner's side of {@link TransitionBatch}: puts a batch's steps into the replay, stream by
 * stream (stream = actor x --actor-envs + environment), as a single-process run would have added them.
 * Pixels: the frames become the observation stacks {@code PixelReplay.add} takes (it stores each frame
 * once again); flat: the actor's finished n-step transitions are stored as they are. Then the actor's
 * priorities replace the largest-seen ones new transitions got.
 *
 * <p>A lost batch (its actor's {@link TransitionBatch#sequence} skips a number) must not join the
 * steps before it to the steps after it: each of the actor's pixel streams ends its episode under way
 * at its last step received (truncated) and drops the steps that follow until an episode starts; those
 * added get the largest-seen priority (the actor's priorities no longer line up with them). Flat
 * transitions are whole, so only the lost ones are missing.
 */
final class ReplayFeed {
    /** What the feed writes into: the learner's replay (or a test's). */
    interface Target {
        void addPixels(int stream, float[] obs, int action, float reward, float[] next, boolean terminated, boolean truncated);

        void prioritizeNewest(int stream, float[] p, int from, int count);

        boolean episodeOpen(int stream);

        void truncateEpisode(int stream);

        /** {@code stream}: where the transition came from (the learner's flat replay is one ring for all). */
        void addFlat(int stream, float[] obs, int obsOffset, int action, float reward, float[] next, int nextOffset, float discount, double priority);
    }

    private final int envsPerActor, flatSize;
    /** Per stream, the observation its next step starts from (pixels). */
    private final float[][] stacks;
    /** Per stream: steps were lost since its last one added; nothing is added until an episode starts. */
    private final boolean[] broken;
    /** Per actor, the sequence number its next batch should have. */
    private final long[] expected;

    ReplayFeed(int actors, int envsPerActor, int flatSize) {
        this.envsPerActor = envsPerActor;
        this.flatSize = flatSize;
        this.stacks = new float[actors * envsPerActor][];
        this.broken = new boolean[actors * envsPerActor];
        this.expected = new long[actors];
    }

    /**
     * Puts batch {@code b} into {@code into}; returns how many of its actor's batches were lost just before it
     * (0 for the first batch of a restarted actor, sequence 0: what its old process lost is not known).
     */
    long add(TransitionBatch b, Target into) {
        boolean gap = b.sequence() != 0 && b.sequence() != expected[b.actor()];
        long lost = gap ? Math.max(0, b.sequence() - expected[b.actor()]) : 0;
        expected[b.actor()] = b.sequence() + 1;
        for (TransitionBatch.Segment s : b.segments()) {
            int stream = b.actor() * envsPerActor + s.env();
            if (gap && b.pixels()) broken[stream] = true;
            if (b.pixels()) addPixels(stream, s, b.stack(), b.frameSize(), into);
            else for (int i = 0; i < s.steps(); i++) {
                into.addFlat(stream, s.obs(), i * flatSize, s.actions()[i], s.rewards()[i], s.next(), i * flatSize, s.discounts()[i], s.priorities()[i]);
            }
        }
        return lost;
    }

    private void addPixels(int stream, TransitionBatch.Segment s, int stack, int frameSize, Target into) {
        // A new episode while the stream's last one is open: the actor was restarted, or steps between were lost;
        // that episode ends there (truncated).
        if ((s.startsEpisode() || broken[stream]) && into.episodeOpen(stream)) into.truncateEpisode(stream);
        boolean skipped = broken[stream] && !s.startsEpisode();
        int len = stack * frameSize, frame = 0;
        boolean starts = s.startsEpisode();
        float[] obs = stacks[stream];
        for (int i = 0; i < s.steps(); i++) {
            byte flags = s.flags()[i];
            boolean terminated = (flags & TransitionBatch.TERMINATED) != 0, truncated = (flags & TransitionBatch.TRUNCATED) != 0;
            if (broken[stream] && !starts) { // a step of an episode whose earlier steps were lost: dropped (its newest frame with it)
                frame++;
                starts = terminated || truncated;
                continue;
            }
            broken[stream] = false;
            if (starts) {
                obs = new float[len];
                for (int f = 0; f < stack; f++) toFloats(s.frames(), frame++ * frameSize, obs, f * frameSize, frameSize);
            }
            float[] next = new float[len];
            System.arraycopy(obs, frameSize, next, 0, len - frameSize);
            toFloats(s.frames(), frame++ * frameSize, next, len - frameSize, frameSize);
            into.addPixels(stream, obs, s.actions()[i], s.rewards()[i], next, terminated, truncated);
            starts = terminated || truncated;
            obs = next;
        }
        stacks[stream] = obs;
        if (!skipped) into.prioritizeNewest(stream, s.priorities(), 0, s.priorities().length);
    }

    private static void toFloats(byte[] src, int from, float[] dst, int at, int n) {
        for (int p = 0; p < n; p++) dst[at + p] = src[from + p] & 0xFF;
    }
}
