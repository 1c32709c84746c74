package org.dqnscratch.rl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dqnscratch.env.Env;
import org.dqnscratch.io.AtomicFiles;
import org.dqnscratch.io.CheckpointException;

/**
 * The training environments' episodes under way at a checkpoint: each environment's saved state
 * ({@link Env#saveState}), its current observation, and the return and length of its episode so
 * far. With the replay saved too, a resumed run takes the very steps the run would have taken.
 */
record OpenEpisodes(byte[][] states, float[][] observations, double[] returns, int[] lengths) {
    private static final long MAGIC = 0x44514E4550495331L; // "DQNEPIS1"

    /** The episodes of {@code envs} as they stand; null when an environment cannot save its state. */
    static OpenEpisodes of(Env[] envs, float[][] obs, double[] returns, int[] lengths) {
        byte[][] states = new byte[envs.length][];
        for (int i = 0; i < envs.length; i++) {
            states[i] = envs[i].saveState();
            if (states[i] == null) return null;
        }
        float[][] o = new float[obs.length][];
        for (int i = 0; i < obs.length; i++) o[i] = obs[i].clone();
        return new OpenEpisodes(states, o, returns.clone(), lengths.clone());
    }

    void save(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            DataOutputStream d = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
            d.writeLong(MAGIC);
            d.writeInt(states.length);
            for (int i = 0; i < states.length; i++) {
                d.writeInt(states[i].length);
                d.write(states[i]);
                d.writeInt(observations[i].length);
                for (float v : observations[i]) d.writeFloat(v);
                d.writeDouble(returns[i]);
                d.writeInt(lengths[i]);
            }
            d.flush(); // into out, which AtomicFiles syncs and closes
        });
    }

    /** Reads {@code file}, which must hold {@code envs} episodes with observations of {@code obsSize} values. */
    static OpenEpisodes load(Path file, int envs, int obsSize) throws IOException {
        try (DataInputStream d = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (d.readLong() != MAGIC) throw new CheckpointException(file + ": not the episodes of a checkpoint");
            int n = d.readInt();
            if (n != envs) throw new CheckpointException(file + ": the episodes of " + n + " environments, but this run has " + envs);
            OpenEpisodes e = new OpenEpisodes(new byte[n][], new float[n][], new double[n], new int[n]);
            for (int i = 0; i < n; i++) {
                int len = d.readInt();
                if (len < 0 || len > 1 << 26) throw new CheckpointException(file + ": a state of " + len + " bytes");
                e.states[i] = new byte[len];
                d.readFully(e.states[i]);
                int size = d.readInt();
                if (size != obsSize) throw new CheckpointException(file + ": observations of " + size + " values, expected " + obsSize);
                e.observations[i] = new float[size];
                for (int k = 0; k < size; k++) e.observations[i][k] = d.readFloat();
                e.returns[i] = d.readDouble();
                e.lengths[i] = d.readInt();
            }
            if (d.read() != -1) throw new CheckpointException(file + ": data after the last episode");
            return e;
        } catch (EOFException cut) {
            throw new CheckpointException(file + " is truncated");
        }
    }

    /** Puts every environment back where it was; a state it refuses is a CheckpointException naming the file. */
    void restore(Env[] envs, Path file) throws CheckpointException {
        for (int i = 0; i < envs.length; i++) {
            try {
                envs[i].restoreState(states[i]);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                throw new CheckpointException(file + ": environment " + i + ": " + e.getMessage());
            }
        }
    }
}
