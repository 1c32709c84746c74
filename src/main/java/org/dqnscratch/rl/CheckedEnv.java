package org.dqnscratch.rl;

import java.awt.image.BufferedImage;
import org.dqnscratch.env.Env;

/**
 * A caller's environment (the Java API's), held to what its {@link EnvSpec.Custom} says and the
 * training loop relies on: every one the factory makes has the same id, observation size and
 * actions; every observation has that size; pixel observations are integers 0..255 and each
 * step's stack is the previous one shifted by one frame (the replay keeps each frame once). A
 * breach is an {@link IllegalStateException} naming the environment, not a network that silently
 * learns from garbage.
 */
final class CheckedEnv implements Env {
    private final EnvSpec.Custom spec;
    private final Env env;
    private final int frame;
    /** Pixels: the last observation's newest stack-1 frames, which the next step's must begin with (valid when {@link #hasLast}). */
    private final float[] last;
    private boolean hasLast;

    CheckedEnv(EnvSpec.Custom spec, Env env) {
        if (env == null) throw new IllegalStateException("the environment factory of " + spec.name() + " returned null");
        this.spec = spec;
        this.env = env;
        String id = env.id();
        int size = env.observationSpace().size(), actions = env.actionSpace().n();
        if (!spec.name().equals(id) || size != spec.observationSize() || actions != spec.actions()) {
            throw new IllegalStateException("the environment factory made " + id + " with " + size + " observation values and " + actions
                    + " actions; the first one it made was " + spec.name() + " with " + spec.observationSize() + " and " + spec.actions()
                    + " (every environment of a run must be the same)");
        }
        frame = spec.stack() > 0 ? spec.observationSize() / spec.stack() : 0;
        last = spec.stack() > 0 ? new float[spec.observationSize() - frame] : null;
    }

    private float[] checked(float[] obs, String where, boolean reset) {
        if (obs == null || obs.length != spec.observationSize()) {
            throw new IllegalStateException(spec.name() + "." + where + " returned " + (obs == null ? "no observation" : "an observation of " + obs.length
                    + " values") + "; its observation space has " + spec.observationSize());
        }
        if (last == null) return obs;
        int rest = last.length;
        for (int i = reset ? 0 : rest; i < obs.length; i++) {
            float v = obs[i];
            if (v != (int) v || v < 0 || v > 255) {
                throw new IllegalStateException(spec.name() + "." + where + ": pixel value " + v + " (at " + i + ") is not an integer in 0..255");
            }
        }
        if (!reset && hasLast && !java.util.Arrays.equals(obs, 0, rest, last, 0, rest)) {
            throw new IllegalStateException(spec.name() + ".step: the observation's first " + (spec.stack() - 1) + " frames are not the previous "
                    + "observation's last ones (pixel observations are a stack of frames, each step's shifted by one, newest last)");
        }
        System.arraycopy(obs, frame, last, 0, rest);
        hasLast = true;
        return obs;
    }

    @Override public String id() { return env.id(); }
    @Override public Box observationSpace() { return env.observationSpace(); }
    @Override public Discrete actionSpace() { return env.actionSpace(); }
    @Override public int[] observationShape() { return env.observationShape(); }
    @Override public float[] reset(long seed) { return checked(env.reset(seed), "reset", true); }
    @Override public float[] reset() { return checked(env.reset(), "reset", true); }

    @Override public Step step(int action) {
        env.actionSpace().check(action);
        Step st = env.step(action);
        if (st == null) throw new IllegalStateException(spec.name() + ".step returned null");
        checked(st.observation(), "step", false);
        return st;
    }

    @Override public BufferedImage render() { return env.render(); }
    @Override public int maxEpisodeSteps() { return env.maxEpisodeSteps(); }
    @Override public double rewardThreshold() { return env.rewardThreshold(); }
    @Override public byte[] saveState() { return env.saveState(); }

    @Override public void restoreState(byte[] state) {
        env.restoreState(state);
        hasLast = false; // the stack the restored episode continues from is not known here
    }

    @Override public boolean gameGoesOn() { return env.gameGoesOn(); }
    @Override public void close() { env.close(); }
}
