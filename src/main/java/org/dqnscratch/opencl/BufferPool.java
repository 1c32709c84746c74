package org.dqnscratch.opencl;

import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clReleaseMemObject;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_mem;

/**
 * Device buffers, reused by size: when a {@link OpenClBackend.ClBuffer} becomes unreachable its
 * {@code cl_mem} goes back to the pool (through a {@link Cleaner}) and the next allocation of the
 * same size takes it, so graphs rebuilt per batch size do not grow device memory.
 */
final class BufferPool {
    private static final Cleaner CLEANER = Cleaner.create();
    private final cl_context context;
    private final Map<Integer, ArrayDeque<cl_mem>> free = new HashMap<>();
    private boolean closed;

    BufferPool(cl_context context) { this.context = context; }

    /** A buffer of {@code size} floats (contents undefined), returned to the pool when unreachable. */
    OpenClBackend.ClBuffer allocate(int size) {
        cl_mem mem = take(size);
        OpenClBackend.ClBuffer b = new OpenClBackend.ClBuffer(mem, size);
        CLEANER.register(b, () -> give(size, mem));
        return b;
    }

    /** A buffer of {@code size} bytes, kept as ceil(size/4) floats in the pool. */
    OpenClBackend.ClBytes allocateBytes(int size) {
        int floats = (size + 3) / 4;
        cl_mem mem = take(floats);
        OpenClBackend.ClBytes b = new OpenClBackend.ClBytes(mem, size);
        CLEANER.register(b, () -> give(floats, mem));
        return b;
    }

    /** A raw buffer kept for the backend's lifetime. */
    synchronized cl_mem take(int size) {
        if (closed) throw new OpenClException("the OpenCL backend was closed");
        ArrayDeque<cl_mem> q = free.get(size);
        if (q != null && !q.isEmpty()) return q.pop();
        int[] err = new int[1];
        cl_mem mem = clCreateBuffer(context, CL_MEM_READ_WRITE, (long) size * Sizeof.cl_float, null, err);
        OpenCl.check(err[0], () -> "allocating " + size + " floats on the device");
        return mem;
    }

    /** Back to the pool; released instead once the pool is closed (a tensor outlived its backend). */
    synchronized void give(int size, cl_mem mem) {
        if (closed) clReleaseMemObject(mem);
        else free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(mem);
    }

    /** Releases every pooled buffer; buffers still in use are released when they become unreachable. */
    synchronized void close() {
        closed = true;
        for (ArrayDeque<cl_mem> q : free.values()) for (cl_mem m : q) clReleaseMemObject(m);
        free.clear();
    }
}
