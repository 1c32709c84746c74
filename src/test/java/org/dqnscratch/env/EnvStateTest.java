package org.dqnscratch.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Env#saveState}: an environment made afresh and given the saved state takes the same
 * steps as the one that saved it (over episode ends, whose next starts come from the generator),
 * and a state of another environment or a cut one is refused.
 */
public class EnvStateTest {
    /** Steps both with the same actions for {@code steps} steps (reset at episode ends) and compares every step. */
    public static void sameFuture(Env a, Env b, int steps, long actionSeed) {
        Rng actions = new Rng(actionSeed);
        int n = a.actionSpace().n();
        for (int t = 0; t < steps; t++) {
            int action = actions.nextInt(n);
            Env.Step x = a.step(action), y = b.step(action);
            assertArrayEquals(x.observation(), y.observation(), "observation at step " + t);
            assertEquals(x.reward(), y.reward(), "reward at step " + t);
            assertEquals(x.terminated(), y.terminated(), "terminated at step " + t);
            assertEquals(x.truncated(), y.truncated(), "truncated at step " + t);
            if (x.done()) assertArrayEquals(a.reset(), b.reset(), "the next episode's start after step " + t);
        }
    }

    /** Runs {@code make()} for {@code before} random steps, saves, and checks a fresh one restored from it. */
    public static void restoresExactly(Supplier<Env> make, int before, int after) {
        Env a = make.get();
        a.reset(3);
        Rng actions = new Rng(11);
        for (int t = 0; t < before; t++) if (a.step(actions.nextInt(a.actionSpace().n())).done()) a.reset();
        byte[] state = a.saveState();
        Env b = make.get();
        b.reset(99); // another episode and generator: the restore must replace all of it
        b.restoreState(state);
        assertArrayEquals(state, b.saveState(), "the restored state saves as the same bytes");
        sameFuture(a, b, after, 5);
        a.close();
        b.close();
    }

    @Test
    void cartPoleContinuesExactly() {
        for (int before : new int[] {0, 7, 300}) restoresExactly(CartPole::v1, before, 2000);
    }

    @Test
    void frozenLakeContinuesExactly() {
        for (int before : new int[] {0, 5, 123}) restoresExactly(() -> FrozenLake.fourByFour(true), before, 2000);
        restoresExactly(() -> FrozenLake.eightByEight(false), 40, 500);
    }

    @Test
    void foreignOrCutStatesAreRefused() {
        CartPole cart = CartPole.v1();
        cart.reset(1);
        byte[] state = cart.saveState();
        FrozenLake lake = FrozenLake.fourByFour(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lake.restoreState(state));
        assertEquals("a saved state of CartPole-v1, not of FrozenLake-v1 slippery", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CartPole.v0().restoreState(state), "v0 is another environment");
        byte[] cut = java.util.Arrays.copyOf(state, state.length - 1);
        assertThrows(IllegalArgumentException.class, () -> CartPole.v1().restoreState(cut));
        byte[] longer = java.util.Arrays.copyOf(state, state.length + 1);
        assertThrows(IllegalArgumentException.class, () -> CartPole.v1().restoreState(longer));
    }

    /** Rng is SplittableRandom's generator: switching the environments to it changed no episode. */
    @Test
    void rngDrawsAsSplittableRandom() {
        java.util.SplittableRandom reference = new java.util.SplittableRandom(42);
        Rng rng = new Rng(42);
        List<Object> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            a.add(reference.nextDouble());
            b.add(rng.nextDouble());
            a.add(reference.nextInt(3));
            b.add(rng.nextInt(3));
            a.add(reference.nextInt(30));
            b.add(rng.nextInt(30));
        }
        assertEquals(a, b);
    }
}
