package org.dqnscratch.opencl;

/**
 * What one backend asked of the OpenCL runtime, counted (not timed): for tests that pin down
 * how many launches, bytes and host-device synchronisations a training update or an acting step
 * costs, and for benchmarks. Launches are kernels; fills and copies are the other enqueued device
 * commands; bytesWritten counts what the uploads carried. Reads are non-blocking downloads
 * ({@code downloadLater}); readWaits the host's waits for them (and for mapping their pinned
 * memory, once per size). A sync is anything after which the host has waited for the device: a
 * blocking read or write, a {@code clFinish}, a wait for a staging buffer still in flight, or a
 * wait for a non-blocking read.
 */
public record Traffic(long launches, long fills, long argumentSets, long writes, long bytesWritten, long blockingWrites, long blockingReads,
                      long reads, long readWaits, long finishes, long waits) {
    /** Host-device synchronisations: blocking transfers, finishes and waits. */
    public long syncs() { return blockingWrites + blockingReads + readWaits + finishes + waits; }

    /** The counts between {@code before} and this snapshot. */
    public Traffic since(Traffic before) {
        return new Traffic(launches - before.launches, fills - before.fills, argumentSets - before.argumentSets, writes - before.writes,
                bytesWritten - before.bytesWritten, blockingWrites - before.blockingWrites, blockingReads - before.blockingReads,
                reads - before.reads, readWaits - before.readWaits, finishes - before.finishes, waits - before.waits);
    }

    @Override public String toString() {
        return launches + " launches, " + fills + " fills/copies, " + argumentSets + " kernel arguments set, " + writes + " writes of "
                + bytesWritten + " bytes (" + blockingWrites + " blocking), " + blockingReads + " blocking reads, " + reads
                + " non-blocking reads (" + readWaits + " waits), " + finishes + " finishes, " + waits + " staging waits";
    }
}
