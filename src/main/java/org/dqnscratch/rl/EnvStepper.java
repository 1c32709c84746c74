package org.dqnscratch.rl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.dqnscratch.env.Env;

/** Steps every environment once: on the calling thread for one, on a small pool for several. */
final class EnvStepper implements AutoCloseable {
    private final Env[] envs;
    private final Env.Step[] results;
    private final ExecutorService pool;
    private final List<Callable<Void>> tasks = new ArrayList<>();
    private int[] actions;

    EnvStepper(Env[] envs) {
        this.envs = envs;
        this.results = new Env.Step[envs.length];
        int threads = Math.min(envs.length, Runtime.getRuntime().availableProcessors());
        this.pool = envs.length > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "env-stepper");
            t.setDaemon(true);
            return t;
        }) : null;
        for (int i = 0; i < envs.length; i++) {
            int k = i;
            tasks.add(() -> {
                results[k] = envs[k].step(actions[k]);
                return null;
            });
        }
    }

    Env.Step[] step(int[] actions) {
        this.actions = actions;
        if (pool == null) {
            results[0] = envs[0].step(actions[0]);
            return results;
        }
        try {
            for (var f : pool.invokeAll(tasks)) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stepping the environments");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
        return results;
    }

    @Override public void close() { if (pool != null) pool.shutdownNow(); }
}
