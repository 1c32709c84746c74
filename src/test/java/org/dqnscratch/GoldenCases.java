package org.dqnscratch;

import java.util.List;
import org.dqnscratch.check.Case;
import org.dqnscratch.tensor.Backend;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of the PyTorch golden file, run on one backend. The cases are defined once, in
 * {@link org.dqnscratch.check.GoldenCases}, which the {@code check} command runs too.
 */
public abstract class GoldenCases {
    protected abstract Backend backend();

    private List<DynamicTest> each(String op) {
        return org.dqnscratch.check.GoldenCases.of(op).stream()
                .map((Case c) -> DynamicTest.dynamicTest(op + " " + c.name(), () -> c.runOrThrow(backend())))
                .toList();
    }

    @TestFactory List<DynamicTest> linear() { return each("linear"); }

    @TestFactory List<DynamicTest> conv2d() { return each("conv2d"); }

    @TestFactory List<DynamicTest> relu() { return each("relu"); }

    @TestFactory List<DynamicTest> mse() { return each("mse"); }

    @TestFactory List<DynamicTest> smoothL1() { return each("smooth_l1"); }

    @TestFactory List<DynamicTest> weightedMse() { return each("weighted_mse"); }

    @TestFactory List<DynamicTest> weightedSmoothL1() { return each("weighted_smooth_l1"); }

    @TestFactory List<DynamicTest> tdTarget() { return each("td_target"); }

    @TestFactory List<DynamicTest> optimizers() { return each("optimizer"); }

    @TestFactory List<DynamicTest> dqnUpdateMlp() { return each("dqn_update_mlp"); }

    @TestFactory List<DynamicTest> noisyLinear() { return each("noisy_linear"); }

    @TestFactory List<DynamicTest> duelingAtoms() { return each("dueling_atoms"); }

    @TestFactory List<DynamicTest> c51() { return each("c51"); }

    /** Every op of the golden file has its test above (a new op cannot go untested here while `check` runs it). */
    @org.junit.jupiter.api.Test void everyGoldenOpIsTested() {
        java.util.Set<String> tested = new java.util.HashSet<>();
        for (var m : GoldenCases.class.getDeclaredMethods()) {
            if (m.isAnnotationPresent(TestFactory.class)) tested.add(m.getName().toLowerCase());
        }
        tested.add("optimizer"); // the factory is named optimizers
        for (String op : org.dqnscratch.check.GoldenCases.OPS) {
            org.junit.jupiter.api.Assertions.assertTrue(tested.contains(op.replace("_", "")), "no test factory for golden op " + op);
        }
    }
}
