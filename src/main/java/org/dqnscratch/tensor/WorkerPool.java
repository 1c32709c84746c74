package org.dqnscratch.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads that run the parts of one job at a time, without allocating
 * per job (a fork/join task or a capturing lambda per GEMM would show up in the GC profile of
 * a training step). The caller runs part 0 itself, workers the others. Idle workers spin
 * briefly (jobs come back to back within a training step) and then park.
 */
public final class WorkerPool {
    /** One job: {@code run(part)} for every part in [0, parts). Implementations are reused objects. */
    public interface Job {
        void run(int part);
    }

    private static final long SPIN_NANOS = 200_000;
    private static volatile WorkerPool shared;

    /** Bits of a ticket that hold the part count (the rest is the job's number). */
    private static final int PART_BITS = 16;

    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    /**
     * The job being run, in one word: its number (counting from 1) above {@link #PART_BITS} and its
     * part count below. A worker decides from this one read whether it has a part in the job; with
     * number and count in separate fields, a worker left out of job k could read job k+1's count
     * after job k's number and run its part of job k+1 twice.
     */
    private volatile long ticket;
    private long jobs;
    // Set before the ticket is published; read only by workers with a part in that job, for
    // which the caller waits, so they cannot change under a worker that reads them.
    private Job job;
    private volatile Thread caller;

    /** Tests only: runs on a worker just after it reads a ticket, standing in for a preemption there. */
    static volatile Runnable afterTicketRead;

    WorkerPool(int threads) {
        if (threads >= 1 << PART_BITS) throw new IllegalArgumentException("at most " + ((1 << PART_BITS) - 1) + " threads, got " + threads);
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            Thread t = new Thread(() -> workLoop(part), "dqn-worker-" + part);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** The process-wide pool; its size comes from {@code -Ddqn.threads=N} or the number of cores. */
    public static WorkerPool shared() {
        WorkerPool p = shared;
        if (p == null) {
            synchronized (WorkerPool.class) {
                if (shared == null) shared = new WorkerPool(defaultThreads());
                p = shared;
            }
        }
        return p;
    }

    /** Replaces the shared pool (the {@code --threads} flag, benchmarks); old workers end when idle. */
    public static synchronized void configure(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        WorkerPool old = shared;
        shared = new WorkerPool(threads);
        if (old != null) old.shutdown();
    }

    static int defaultThreads() {
        String s = System.getProperty("dqn.threads");
        if (s != null) {
            try {
                int n = Integer.parseInt(s.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() { return workers.length + 1; }

    private volatile boolean stopped;

    void shutdown() {
        stopped = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }

    /** True on a worker thread: nested parallel calls run serially there. */
    public static boolean onWorker() { return Thread.currentThread().getName().startsWith("dqn-worker-"); }

    /** True inside a job of this pool (on a worker, or on the caller running part 0): nest serially. */
    public boolean inJob() { return onWorker() || caller == Thread.currentThread(); }

    /** Runs {@code job.run(p)} for p in [0, n), n <= threads(), and returns when all are done. */
    public synchronized void run(Job job, int n) {
        if (n > threads()) throw new IllegalArgumentException(n + " parts for " + threads() + " threads");
        if (n <= 1 || inJob()) {
            for (int p = 0; p < n; p++) job.run(p);
            return;
        }
        this.job = job;
        this.caller = Thread.currentThread();
        pending.set(n - 1);
        ticket = ++jobs << PART_BITS | n; // publishes the three writes above
        for (int i = 0; i < n - 1; i++) LockSupport.unpark(workers[i]);
        Throwable failure = null;
        try {
            job.run(0);
        } catch (Throwable t) {
            failure = t;
        }
        long start = System.nanoTime();
        while (pending.get() > 0) {
            if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
            else LockSupport.parkNanos(this, 50_000);
        }
        this.job = null;
        this.caller = null;
        if (workerFailure != null) {
            Throwable t = workerFailure;
            workerFailure = null;
            if (failure == null) failure = t;
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    private volatile Throwable workerFailure;

    private void workLoop(int part) {
        long seen = 0;
        while (true) {
            long t = awaitTicketAfter(seen);
            if (stopped) return;
            seen = t;
            Runnable pause = afterTicketRead;
            if (pause != null) pause.run();
            if (part < (int) (t & ((1 << PART_BITS) - 1))) runPart(part);
        }
    }

    /** Spins briefly, then parks, until a ticket other than {@code seen} is published (or the pool stops). */
    private long awaitTicketAfter(long seen) {
        long start = System.nanoTime(), t;
        while ((t = ticket) == seen && !stopped) {
            if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
            else LockSupport.park(this);
        }
        return t;
    }

    /** This worker's part of the published job; the caller waits for it, so job and caller are that job's. */
    private void runPart(int part) {
        Thread c = caller;
        try {
            job.run(part);
        } catch (Throwable t) {
            workerFailure = t;
        }
        if (pending.decrementAndGet() == 0) LockSupport.unpark(c);
    }
}
