package org.dqnscratch.ray;

import java.nio.ByteBuffer;

/** A remote actor's work for the fleet's own tests: a batch says who made it, how many steps, its config and the weights it had. */
public final class EchoWork implements RemoteWork {
    private final int index, count;
    private final byte[] config;
    private long version = -1;
    private long weightsSum;
    private int batches;

    private EchoWork(byte[] config, int index, int count) {
        this.config = config;
        this.index = index;
        this.count = count;
    }

    public static RemoteWork create(byte[] config, int index, int count, long incarnation) { return new EchoWork(config, index, count); }

    /** index, count, steps, batches made by this process, weights version, sum of the weights' bytes, pid, then the config, "|" and $DQN_ECHO. */
    @Override public byte[] collect(int steps) {
        byte[] tail = (new String(config) + "|" + System.getenv("DQN_ECHO")).getBytes();
        ByteBuffer b = ByteBuffer.allocate(4 * 4 + 3 * 8 + tail.length);
        b.putInt(index).putInt(count).putInt(steps).putInt(++batches).putLong(version).putLong(weightsSum).putLong(ProcessHandle.current().pid()).put(tail);
        return b.array();
    }

    @Override public void weights(byte[] encoded, long version) {
        this.version = version;
        long sum = 0;
        for (byte x : encoded) sum += x;
        weightsSum = sum;
    }
}
