package org.dqnscratch.apex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dqnscratch.rl.DqnConfig;
import org.junit.jupiter.api.Test;

/** The actor's inputs as they would cross a process boundary, and Ape-X's epsilons. */
class ApeXActorTest {
    @Test
    void epsilonsAreApeXs() {
        assertEquals(0.4, ApeXActor.epsilon(0, 1));
        assertEquals(0.4, ApeXActor.epsilon(0, 8), 1e-12);
        assertEquals(Math.pow(0.4, 8), ApeXActor.epsilon(7, 8), 1e-12);
        assertEquals(Math.pow(0.4, 1 + 7.0 * 3 / 7), ApeXActor.epsilon(3, 8), 1e-12);
    }

    @Test
    void anActorIsBuiltFromTheConfigAsJsonBytesAndSendsABatch() {
        DqnConfig cfg = new DqnConfig();
        cfg.actors = 3;
        cfg.actorEnvs = 2;
        cfg.actorBatch = 7;
        cfg.nStep = 3;
        cfg.hidden = new int[] {16, 8};
        cfg.seed = 42;
        byte[] json = ActorConfig.encode(cfg);
        DqnConfig back = ActorConfig.decode(json);
        for (var f : DqnConfig.fields()) {
            try {
                assertTrue(java.util.Objects.deepEquals(f.get(cfg), f.get(back)), f.getName());
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        ApeXActor actor = ApeXActor.create(json, 1, 3, 5);
        TransitionBatch b = TransitionBatch.decode(actor.collect(() -> null), 4);
        assertEquals(1, b.actor());
        assertEquals(14, b.envSteps(), "7 steps of each of 2 environments");
        assertEquals(2, b.segments().size());
        assertEquals((float) ApeXActor.epsilon(1, 3), b.epsilon());
        // The batch survives a second round trip unchanged.
        assertTrue(java.util.Arrays.equals(b.encode(), TransitionBatch.decode(b.encode(), 4).encode()));
    }
}
