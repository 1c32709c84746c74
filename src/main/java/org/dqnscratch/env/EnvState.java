package org.dqnscratch.env;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The byte form of {@link Env#saveState}: the environment's id, then its fields in the order its
 * writer puts them. The reader checks the id and that every byte was read, so a state of another
 * environment, or of another version of this one, is an error and not a garbled episode.
 */
public final class EnvState {
    private EnvState() {}

    public interface Fields<T> {
        void accept(T stream) throws IOException;
    }

    /** The state of environment {@code id}: the id, then what {@code fields} writes. */
    public static byte[] write(String id, Fields<DataOutputStream> fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(id);
            fields.accept(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** Reads a state written by {@link #write} for {@code id} with {@code fields}; anything else is an IllegalArgumentException. */
    public static void read(String id, byte[] state, Fields<DataInputStream> fields) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            String saved = in.readUTF();
            if (!saved.equals(id)) throw new IllegalArgumentException("a saved state of " + saved + ", not of " + id);
            fields.accept(in);
            if (in.read() != -1) throw new IllegalArgumentException("a saved state of " + id + " from another version (bytes left over)");
        } catch (IOException e) {
            throw new IllegalArgumentException("a saved state of " + id + " that is cut short or from another version (" + e + ")");
        }
    }
}
