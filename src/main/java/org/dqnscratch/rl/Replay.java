package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.file.Path;

/** What a checkpoint needs of a replay memory ({@link ReplayBuffer}, {@link PixelReplay}). */
interface Replay {
    /** Writes the whole replay to {@code file} (atomically, synced). */
    void save(Path file) throws IOException;

    /** Reads a file {@link #save} wrote from a replay of the same shape. */
    void load(Path file) throws IOException;

    /**
     * Ends the episodes under way, for a resume whose environments start fresh episodes (their
     * states were not saved); nothing to do where each transition stands alone.
     */
    default void truncateEpisodes() {}
}
