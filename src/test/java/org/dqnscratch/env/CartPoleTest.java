package org.dqnscratch.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CartPoleTest {
    /** Gym's step written out in Python (double precision) from state (0.01, -0.02, 0.03, 0.04). */
    private static final int[] ACTIONS = {1, 1, 0, 1, 0, 0, 0, 1};
    private static final double[][] EXPECTED = {
        {0.009600000000000001, 0.17467919574755525, 0.030799999999999998, -0.2430687179600081},
        {0.013093583914951107, 0.3693479760579556, 0.025938625640799837, -0.5258796280501483},
        {0.02048054343611022, 0.17387081260481596, 0.01542103307979687, -0.22513741609237464},
        {0.02395795968820654, 0.3687690101747617, 0.010918284757949377, -0.5129163478026587},
        {0.03133333989170178, 0.17349499275068458, 0.0006599578018962032, -0.21681286835696195},
        {0.03480323974671547, -0.021636386741578473, -0.0036762995652430356, 0.07607816471983775},
        {0.034370512011883896, -0.21670544277345885, -0.0021547362708462803, 0.36759894183747555},
        {0.030036403156414718, -0.021552939941453797, 0.005197242565903231, 0.07423737516925016},
    };

    @Test
    void stepsMatchGymsPhysics() {
        CartPole env = CartPole.v1();
        env.setState(0.01, -0.02, 0.03, 0.04);
        for (int i = 0; i < ACTIONS.length; i++) {
            Env.Step st = env.step(ACTIONS[i]);
            double[] s = env.state();
            for (int k = 0; k < 4; k++) assertEquals(EXPECTED[i][k], s[k], "step " + i + " component " + k); // bit for bit
            for (int k = 0; k < 4; k++) assertEquals((float) s[k], st.observation()[k], "observation is the state cast to float");
            assertEquals(1.0, st.reward());
            assertFalse(st.terminated() || st.truncated());
        }
    }

    /**
     * Whole episodes recorded from Gymnasium's CartPole-v1 (scripts/cartpole-gym-reference.py):
     * from each recorded start state, the recorded actions give the same doubles, bit for bit, at
     * every step, and the same terminated / truncated flags. The dynamics are chaotic, so a
     * last-bit difference anywhere (an operation grouped otherwise) grows until episodes part.
     */
    @Test
    void replaysGymnasiumEpisodesBitForBit() throws Exception {
        List<String> lines;
        try (var in = CartPoleTest.class.getResourceAsStream("/cartpole-gym-v1.csv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).skip(1).toList();
        }
        CartPole env = CartPole.v1();
        int steps = 0, episodes = 0;
        for (String line : lines) {
            String[] f = line.split(",");
            int step = Integer.parseInt(f[1]), action = Integer.parseInt(f[2]);
            double[] want = {Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6])};
            if (step == 0) {
                env.setState(want[0], want[1], want[2], want[3]);
                episodes++;
                continue;
            }
            Env.Step st = env.step(action);
            double[] got = env.state();
            String at = "episode " + f[0] + " step " + step;
            for (int k = 0; k < 4; k++) assertEquals(want[k], got[k], at + " component " + k); // no tolerance: Double.equals
            assertEquals(f[7].equals("1"), st.terminated(), at + " terminated");
            assertEquals(f[8].equals("1"), st.truncated(), at + " truncated");
            steps++;
        }
        assertEquals(8, episodes);
        assertTrue(steps > 2000, steps + " steps");
    }

    @Test
    void terminatesStrictlyBeyondTheLimits() {
        CartPole env = CartPole.v1();
        env.setState(2.4 - 0.02 * 1.0, 1.0, 0, 0); // x reaches 2.4 exactly: not beyond
        assertFalse(env.step(1).terminated());
        env.setState(2.39, 1.0, 0, 0); // 2.39 + 0.02 > 2.4
        assertTrue(env.step(1).terminated());
        env.setState(0, 0, -0.2094, -1.0); // theta below -12 degrees after one step
        assertTrue(env.step(0).terminated());
    }

    @Test
    void timeLimitsTruncateAt200And500() {
        for (CartPole env : new CartPole[] {CartPole.v0(), CartPole.v1()}) {
            int limit = env.maxEpisodeSteps();
            assertEquals(env.id().equals("CartPole-v0") ? 200 : 500, limit);
            assertEquals(env.id().equals("CartPole-v0") ? 195.0 : 475.0, env.rewardThreshold());
            env.reset(3);
            for (int t = 1; t <= limit; t++) {
                env.setStateKeepingTime(0, 0, 0, 0); // keep the pole up
                Env.Step st = env.step(t % 2);
                assertEquals(t == limit, st.truncated(), "step " + t);
                assertFalse(st.terminated());
            }
        }
    }

    @Property(tries = 50)
    void resetIsUniformWithinFiveHundredthsAndSeeded(@ForAll long seed) {
        float[] a = CartPole.v1().reset(seed), b = CartPole.v1().reset(seed);
        assertArrayEquals(a, b);
        for (float v : a) assertTrue(v > -0.05f && v < 0.05f, "reset value " + v);
    }

    @Property(tries = 30)
    void randomEpisodesEndAndRewardEveryStep(@ForAll @IntRange(min = 0, max = 1000) int seed) {
        CartPole env = CartPole.v1();
        env.reset(seed);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double total = 0;
        for (int t = 0; t < 500; t++) {
            Env.Step st = env.step(rng.nextInt(2));
            total += st.reward();
            if (st.done()) {
                double[] s = env.state();
                assertTrue(st.truncated() || Math.abs(s[0]) > 2.4 || Math.abs(s[2]) > CartPole.THETA_THRESHOLD);
                assertEquals(t + 1, total, "reward 1 on every step including the last");
                return;
            }
        }
        throw new AssertionError("episode did not end within 500 steps");
    }

    @Test
    void stepAfterTerminationGivesZeroRewardAndInvalidActionsAreErrors() {
        CartPole env = CartPole.v1();
        env.setState(2.39, 1.0, 0, 0);
        assertTrue(env.step(1).terminated());
        Env.Step after = env.step(1);
        assertEquals(0.0, after.reward());
        assertTrue(after.terminated());
        var e = assertThrows(IllegalArgumentException.class, () -> env.step(2));
        assertTrue(e.getMessage().contains("Discrete(2)"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> CartPole.v1().step(0));
    }
}
