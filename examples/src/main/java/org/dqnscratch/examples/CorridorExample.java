package org.dqnscratch.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dqnscratch.api.Agent;
import org.dqnscratch.api.Dqn;
import org.dqnscratch.api.TrainingListener;
import org.dqnscratch.env.Env;
import org.dqnscratch.rl.DqnConfig;

/**
 * Trains a DQN agent to leave a {@link Corridor} by the shortest path from every cell, saves it,
 * loads it back, and checks both: exit code 0 when the agent is optimal, 1 when it is not.
 */
public final class CorridorExample {
    static final int LENGTH = 8;

    public static void main(String[] args) throws Exception {
        DqnConfig config = new DqnConfig();   // the defaults: Double DQN, Adam, Huber loss, a target network
        config.hidden = new int[] {32};
        config.totalSteps = 3_000;
        config.learningStarts = 200;
        config.epsSteps = 1_000;               // epsilon 1 -> 0.04 over the first 1,000 steps
        config.trainFreq = 16;
        config.gradientSteps = 8;
        config.batchSize = 32;
        config.targetUpdate = 200;
        config.lr = 1e-3;
        config.evalEvery = 1_000;
        config.runDir = "target/runs";

        Agent agent = Dqn.train(config, seed -> new Corridor(LENGTH), TrainingListener.printing(System.out, 1_000));
        System.out.println("trained: " + agent + ", evaluation " + agent.trainingResult().evaluation());

        Path saved = Path.of("target", "corridor.safetensors");
        Files.createDirectories(saved.getParent());
        agent.save(saved);
        Agent loaded = Dqn.load(saved, seed -> new Corridor(LENGTH));

        boolean optimal = true;
        for (int start = 0; start < LENGTH - 1; start++) {
            int best = LENGTH - 1 - start, trained = stepsToExit(agent, start), reloaded = stepsToExit(loaded, start);
            System.out.printf("from cell %d: %d step(s) (shortest %d), after save and load %d%n", start, trained, best, reloaded);
            optimal &= trained == best && reloaded == best;
        }
        System.out.println(optimal ? "OK: the shortest path from every cell" : "FAILED: not the shortest path from every cell");
        System.exit(optimal ? 0 : 1);
    }

    /** Steps the agent's greedy policy takes from {@code start} to the exit (-1 if the episode is cut first). */
    static int stepsToExit(Agent agent, int start) {
        try (Env env = new Corridor(LENGTH, start)) {
            float[] observation = env.reset(0);
            for (int t = 1; ; t++) {
                Env.Step step = env.step(agent.act(observation));
                if (step.terminated()) return t;
                if (step.truncated()) return -1;
                observation = step.observation();
            }
        }
    }
}
