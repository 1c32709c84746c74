package org.dqnscratch.opencl;

import org.dqnscratch.check.UpdateCases;
import org.junit.jupiter.api.Test;

/**
 * Whole DQN updates, run on the device and on the CPU from the same start: the same losses and
 * parameters. The cases live in {@link UpdateCases}, which the {@code check} command runs too.
 */
class OpenClDqnUpdateTest {
    @Test
    void mlpWithDuelingDoubleDqnAdamAndNormClip() throws Exception {
        UpdateCases.MLP_DUELING_DOUBLE_ADAM_NORM_CLIP.runOrThrow(OpenClSupport.backend());
    }

    @Test
    void rainbowNoisyDuelingStreamsC51DoubleDqnWeighted() throws Exception {
        UpdateCases.RAINBOW_MLP.runOrThrow(OpenClSupport.backend());
    }

    @Test
    void c51WithDuelingDoubleDqnAndImportanceWeights() throws Exception {
        UpdateCases.C51_DUELING_DOUBLE_WEIGHTED_ADAM.runOrThrow(OpenClSupport.backend());
    }

    @Test
    void smallCnnWithNatureRmsPropAndValueClip() throws Exception {
        UpdateCases.SMALL_CNN_NATURE_RMSPROP_VALUE_CLIP.runOrThrow(OpenClSupport.backend());
    }

    @Test
    void noisyMlpWithDuelingDoubleDqnAndAdam() throws Exception {
        UpdateCases.NOISY_MLP_DUELING_DOUBLE_ADAM.runOrThrow(OpenClSupport.backend());
    }
}
