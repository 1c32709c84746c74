package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.dqnscratch.env.Env;
import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.opencl.OpenClSupport;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training loop lets a device learn while the environments step: in a round with a gradient
 * step due, the acting forward pass and the read-back of its Q values are queued before the
 * update's launches, the queue is flushed, and the host waits for the Q values only (one sync,
 * counted by OpenCL's Traffic), then steps the environments; it does not wait for the update
 * before they have stepped. The CPU, which computes as it is called, keeps the paper's order
 * (learn after storing the step's transition). Watched from outside: a backend and environments
 * that write what is asked of them into one log.
 */
class ActingOverlapTest {
    /** The update's launches: the TD target, the loss's gradient, the optimizer step. */
    static final Set<String> UPDATE = Set.of("td_target", "smooth_l1_backward", "mse_backward", "adam_step");
    /** What makes the host wait for the device. */
    static final Set<String> WAITS = Set.of("download", "await", "finish");

    /** One entry: what was asked, and (OpenCL) the host-device syncs counted when it was asked. */
    record Entry(String what, long syncs) {}

    static final class Watch {
        final List<Entry> log = new ArrayList<>();
        final Backend inner, backend;

        Watch(Backend inner) {
            this.inner = inner;
            this.backend = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
                Object r = call(m, inner, args);
                String name = m.getName();
                if (r instanceof Backend.Download d) {
                    log(name);
                    return (Backend.Download) () -> {
                        d.await();
                        log("await");
                    };
                }
                if (!name.equals("traffic")) log(name);
                return r;
            });
        }

        synchronized void log(String what) { log.add(new Entry(what, inner instanceof OpenClBackend cl ? cl.traffic().syncs() : 0)); }

        UnaryOperator<Env> envs() {
            return env -> (Env) Proxy.newProxyInstance(Env.class.getClassLoader(), new Class<?>[] {Env.class}, (proxy, m, args) -> {
                if (m.getName().equals("step")) log("env step");
                return call(m, env, args);
            });
        }

        static Object call(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** CartPole, greedy from the start, a gradient step every step from step 40 on; two environments (a round is two steps). */
    static DqnConfig config() {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.envs = 2;
        cfg.totalSteps = 200;
        cfg.learningStarts = 40;
        cfg.trainFreq = 1;
        cfg.trainUnit = "steps";
        cfg.gradientSteps = 1;
        cfg.epsSchedule = "constant";
        cfg.epsStart = 0;
        cfg.evalEvery = 0;
        cfg.evalEpisodes = 1;
        cfg.gif = false;
        return cfg;
    }

    @Test
    void onTheCpu(@TempDir Path dir) throws Exception { watchRounds(new CpuBackend(), dir); }

    @Test
    void onOpenCl(@TempDir Path dir) throws Exception { watchRounds(OpenClSupport.backend(), dir); }

    private static void watchRounds(Backend inner, Path dir) throws Exception {
        Watch w = new Watch(inner);
        DqnConfig cfg = config();
        DqnTraining.run(cfg, "overlap-test", dir, new DqnTrainingTest.Log(), () -> false, w.backend, false, w.envs());
        // Rounds: the entries up to each round's environment steps (two, one per environment, on two threads).
        List<List<Entry>> rounds = new ArrayList<>();
        List<Entry> round = new ArrayList<>();
        for (Entry e : w.log) {
            boolean stepped = !round.isEmpty() && round.get(round.size() - 1).what().equals("env step");
            if (stepped && !e.what().equals("env step")) {
                rounds.add(round);
                round = new ArrayList<>();
            }
            round.add(e);
        }
        if (!round.isEmpty() && round.get(round.size() - 1).what().equals("env step")) rounds.add(round);
        assertEquals(cfg.totalSteps / cfg.envs, rounds.size(), "one round per two steps");
        boolean queues = inner.queuesWork();
        int checked = 0;
        for (int k = 0; k < rounds.size(); k++) {
            List<String> what = round(rounds.get(k));
            int firstUpdate = firstOf(what, UPDATE);
            if (firstUpdate < 0) continue; // before --learning-starts
            if (what.contains("download")) continue; // a loss read (every 50 gradient steps) waits for its update: by design
            checked++;
            int read = what.indexOf("downloadLater"), flush = what.lastIndexOf("flush"), await = what.indexOf("await"), step = what.indexOf("env step");
            String where = "round " + k + ": " + what;
            assertTrue(read >= 0 && read < await && await < step, "Q values read back, awaited, environments stepped: " + where);
            assertEquals(1, what.stream().filter(WAITS::contains).count(), "the host waits once, for the Q values: " + where);
            assertEquals(2, what.size() - step, "both environments step after the wait: " + where);
            if (!queues) {
                // The CPU keeps the paper's order: a step's update after its transition is stored, here
                // at the start of the next round's entries, and none between the acting and the steps.
                assertTrue(firstUpdate < read && firstOf(what.subList(read, what.size()), UPDATE) < 0, "updates after the steps: " + where);
                continue;
            }
            assertTrue(read < firstUpdate, "the Q values' read-back is queued before the update: " + where);
            assertTrue(firstUpdate < flush && flush < await, "update queued and flushed before the actions are awaited: " + where);
            List<Entry> r = rounds.get(k);
            long syncs = r.get(step).syncs() - r.get(firstUpdate).syncs();
            assertEquals(1, syncs, "between the update's first launch and the environment steps, one sync (the Q values' read-back): " + where);
        }
        // steps 40-200 train, 80 rounds; 3 of them read the loss back
        assertTrue(checked >= 70, checked + " rounds with an update checked");
    }

    /** With --learning-starts 0 the first step's training is queued before any transition is stored: it has nothing to sample yet. */
    @Test
    void learningFromTheFirstStepOnOpenCl(@TempDir Path dir) throws Exception {
        DqnConfig cfg = config();
        cfg.learningStarts = 0;
        cfg.totalSteps = 20;
        DqnTraining.Result r = DqnTraining.run(cfg, "overlap-test", dir, new DqnTrainingTest.Log(), () -> false, OpenClSupport.backend());
        assertEquals(20, r.steps());
    }

    /** The names of a round's entries. */
    static List<String> round(List<Entry> r) { return r.stream().map(Entry::what).toList(); }

    static int firstOf(List<String> what, Set<String> names) {
        for (int i = 0; i < what.size(); i++) if (names.contains(what.get(i))) return i;
        return -1;
    }
}
