package org.dqnscratch.apex;

/**
 * The learner's side of {@link TransitionBatch}: puts a batch's steps into the replay, stream by
 * stream (stream = actor x --actor-envs + environment), as a single-process run would have added them.
 * Pixels: the frames become the observation stacks {@code PixelReplay.add} takes (it stores each frame
 * once again); flat: the actor's finished n-step transitions are stored as they are. Then the actor's
 * priorities replace the largest-seen ones new transitions got.
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

    ReplayFeed(int actors, int envsPerActor, int flatSize) {
        this.envsPerActor = envsPerActor;
        this.flatSize = flatSize;
        this.stacks = new float[actors * envsPerActor][];
    }

    void add(TransitionBatch b, Target into) {
        for (TransitionBatch.Segment s : b.segments()) {
            int stream = b.actor() * envsPerActor + s.env();
            if (b.pixels()) addPixels(stream, s, b.stack(), b.frameSize(), into);
            else for (int i = 0; i < s.steps(); i++) {
                into.addFlat(stream, s.obs(), i * flatSize, s.actions()[i], s.rewards()[i], s.next(), i * flatSize, s.discounts()[i], s.priorities()[i]);
            }
        }
    }

    private void addPixels(int stream, TransitionBatch.Segment s, int stack, int frameSize, Target into) {
        // A new episode while the stream's last one is open: the actor was restarted; that episode ends there (truncated).
        if (s.startsEpisode() && into.episodeOpen(stream)) into.truncateEpisode(stream);
        int len = stack * frameSize, frame = 0;
        boolean starts = s.startsEpisode();
        float[] obs = stacks[stream];
        for (int i = 0; i < s.steps(); i++) {
            if (starts) {
                obs = new float[len];
                for (int f = 0; f < stack; f++) toFloats(s.frames(), frame++ * frameSize, obs, f * frameSize, frameSize);
            }
            float[] next = new float[len];
            System.arraycopy(obs, frameSize, next, 0, len - frameSize);
            toFloats(s.frames(), frame++ * frameSize, next, len - frameSize, frameSize);
            byte flags = s.flags()[i];
            boolean terminated = (flags & TransitionBatch.TERMINATED) != 0, truncated = (flags & TransitionBatch.TRUNCATED) != 0;
            into.addPixels(stream, obs, s.actions()[i], s.rewards()[i], next, terminated, truncated);
            starts = terminated || truncated;
            obs = next;
        }
        stacks[stream] = obs;
        into.prioritizeNewest(stream, s.priorities(), 0, s.priorities().length);
    }

    private static void toFloats(byte[] src, int from, float[] dst, int at, int n) {
        for (int p = 0; p < n; p++) dst[at + p] = src[from + p] & 0xFF;
    }
}
