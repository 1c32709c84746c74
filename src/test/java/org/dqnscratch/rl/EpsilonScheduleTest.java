package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EpsilonScheduleTest {
    @Test
    void linearOverStepsThenFlat() {
        var e = new EpsilonSchedule.LinearSteps(1.0, 0.05, 1000);
        assertEquals(1.0, e.value(0, 0), 1e-12);
        assertEquals(0.525, e.value(500, 3), 1e-12);
        assertEquals(0.05, e.value(1000, 0), 1e-12);
        assertEquals(0.05, e.value(5000, 0), 1e-12);
    }

    @Test
    void multiplicativePerStepWithAFloor() {
        var e = new EpsilonSchedule.Multiplicative(1.0, 0.995, 0.01);
        assertEquals(1.0, e.value(0, 0), 1e-12);
        assertEquals(0.995 * 0.995, e.value(2, 0), 1e-12);
        assertEquals(0.01, e.value(2000, 0), 1e-12); // 0.995^2000 = 4.4e-5 < floor
    }

    @Test
    void linearOverEpisodesAsMinimalRl() {
        var e = new EpsilonSchedule.LinearEpisodes(0.08, 0.01, 0.01, 200);
        assertEquals(0.08, e.value(123, 0), 1e-12);
        assertEquals(0.075, e.value(0, 100), 1e-12); // 0.08 - 0.01 * 100 / 200
        assertEquals(0.01, e.value(0, 1400), 1e-12);
        assertEquals(0.01, e.value(0, 3000), 1e-12);
    }

    @Test
    void configBuildsTheNamedSchedule() {
        DqnConfig c = new DqnConfig();
        c.totalSteps = 1000;
        c.epsSteps = 0;
        c.epsFraction = 0.5;
        assertEquals(new EpsilonSchedule.LinearSteps(1.0, 0.04, 500), c.epsilonSchedule());
        c.epsSteps = 300;
        assertEquals(new EpsilonSchedule.LinearSteps(1.0, 0.04, 300), c.epsilonSchedule());
        c.epsSchedule = "constant";
        c.epsStart = 0.3;
        assertEquals(0.3, c.epsilonSchedule().value(99, 99), 0);
    }
}
