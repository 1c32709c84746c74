package org.dqnscratch.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrozenLakeTest {
    static final int LEFT = 0, DOWN = 1, RIGHT = 2, UP = 3;

    @Test
    void shortestPathReachesTheGoal() {
        FrozenLake env = FrozenLake.fourByFour(false);
        float[] obs = env.reset(0);
        assertEquals(16, obs.length);
        assertEquals(1f, obs[0]);
        int[] path = {DOWN, DOWN, RIGHT, RIGHT, DOWN, RIGHT};
        Env.Step st = null;
        for (int i = 0; i < path.length; i++) {
            st = env.step(path[i]);
            assertEquals(i == path.length - 1, st.terminated(), "step " + i);
        }
        assertEquals(1.0, st.reward());
        assertEquals(15, env.cell());
        assertEquals(1f, st.observation()[15]);
    }

    /** Gym: terminal cells are absorbing with reward 0, so the goal pays once however often one steps on. */
    @Test
    void stepsFromTheGoalOrAHoleStayThereAndPayNothing() {
        for (boolean slippery : new boolean[] {false, true}) {
            FrozenLake env = FrozenLake.fourByFour(slippery);
            env.reset(0);
            int guard = 0;
            Env.Step st;
            do { // slippery: walk the shortest path's moves until the episode ends, wherever it ends
                st = env.step(new int[] {DOWN, DOWN, RIGHT, RIGHT, DOWN, RIGHT}[guard++ % 6]);
            } while (!st.terminated() && guard < 1000);
            int cell = env.cell();
            for (int a = 0; a < 4; a++) {
                Env.Step again = env.step(a);
                assertEquals(0.0, again.reward(), "slippery=" + slippery + " from cell " + cell + ", action " + a);
                assertTrue(again.terminated());
                assertEquals(cell, env.cell());
            }
        }
        FrozenLake env = FrozenLake.fourByFour(false);
        env.reset(0);
        for (int a : new int[] {DOWN, DOWN, RIGHT, RIGHT, DOWN, RIGHT}) env.step(a);
        assertEquals(15, env.cell());
        assertEquals(0.0, env.step(LEFT).reward(), "the goal pays once");
    }

    @Test
    void holesEndTheEpisodeWithoutRewardAndWallsHoldTheAgent() {
        FrozenLake env = FrozenLake.fourByFour(false);
        env.reset(0);
        Env.Step st = env.step(LEFT); // wall
        assertEquals(0, env.cell());
        assertFalse(st.done());
        env.step(UP);
        assertEquals(0, env.cell());
        env.step(RIGHT);
        st = env.step(DOWN); // (1,1) is a hole
        assertEquals(5, env.cell());
        assertTrue(st.terminated());
        assertEquals(0.0, st.reward());
    }

    @Test
    void truncatesAt100StepsOn4x4And200On8x8() {
        for (FrozenLake env : new FrozenLake[] {FrozenLake.fourByFour(false), FrozenLake.eightByEight(false)}) {
            env.reset(0);
            Env.Step st = null;
            for (int t = 1; t <= env.maxEpisodeSteps(); t++) {
                st = env.step(LEFT); // stays at the start forever
                assertEquals(t == env.maxEpisodeSteps(), st.truncated());
            }
            assertEquals(env.id().equals("FrozenLake-v1") ? 100 : 200, env.maxEpisodeSteps());
            assertEquals(env.id().equals("FrozenLake-v1") ? 16 : 64, env.observationSpace().size());
        }
    }

    @Test
    void slipperyIceMovesAsIntendedOrPerpendicularEachAThird() {
        // From cell 5's neighbour (the start row), push DOWN from cell 1: intended (5, a hole),
        // or perpendicular: LEFT -> 0, RIGHT -> 2. Never UP.
        FrozenLake env = FrozenLake.fourByFour(true);
        int[] counts = new int[16];
        int n = 30_000;
        env.reset(42);
        for (int i = 0; i < n; i++) {
            env.reset();
            env.step(RIGHT); // slippery too; only count runs that got to cell 1
            if (env.cell() != 1) continue;
            env.step(DOWN);
            counts[env.cell()]++;
        }
        int total = counts[0] + counts[2] + counts[5];
        assertEquals(total, java.util.Arrays.stream(counts).sum(), "only the intended and perpendicular moves happen");
        for (int c : new int[] {0, 2, 5}) assertEquals(1.0 / 3, counts[c] / (double) total, 0.02, "cell " + c);
    }
}
