package org.dqnscratch.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dqnscratch.env.Env;
import org.dqnscratch.io.Gif;
import org.dqnscratch.rl.Evaluation;
import org.dqnscratch.rl.GreedyPolicy;
import org.dqnscratch.rl.QNetwork;
import org.dqnscratch.tensor.CpuBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eval CHECKPOINT}: load a saved network, run greedy episodes, optionally render one as a GIF. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluates a saved checkpoint (best.safetensors or last.safetensors of a run) with the greedy policy.")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "a .safetensors file written by cartpole, frozenlake or pong")
    Path checkpoint;

    @Option(names = "--episodes", paramLabel = "N", description = "episodes to run (default: 20)")
    int episodes = 20;

    @Option(names = "--seed", paramLabel = "N", description = "episode i starts from seed + i (default: 0)")
    long seed = 0;

    @Option(names = "--epsilon", paramLabel = "X", description = "probability of a random action (default: 0, greedy)")
    double epsilon = 0;

    @Option(names = "--gif", paramLabel = "FILE", description = "render the first episode to this animated GIF")
    Path gif;

    @Option(names = "--rom", paramLabel = "FILE", description = "Atari checkpoints: the game's ROM (default: searched as the pong command does)")
    Path rom;

    @Override public Integer call() throws Exception {
        if (episodes < 1) throw new IllegalArgumentException("--episodes must be >= 1");
        if (epsilon < 0 || epsilon > 1) throw new IllegalArgumentException("--epsilon must be in [0, 1]");
        if (Files.isDirectory(checkpoint)) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " is a directory (give a file in it, such as best.safetensors)");
        }
        if (!Files.isRegularFile(checkpoint)) throw new IllegalArgumentException("checkpoint not found: " + checkpoint);
        if (gif != null && Files.isDirectory(gif)) throw new IllegalArgumentException("--gif " + gif + " is a directory, not a file");
        CpuBackend backend = new CpuBackend();
        QNetwork net = QNetwork.load(backend, checkpoint, rom);
        try (Env env = net.makeEnv(seed)) {
            GreedyPolicy policy = GreedyPolicy.evaluation(net, backend, 1);
            List<BufferedImage> frames = gif == null ? null : new ArrayList<>();
            Evaluation ev = Evaluation.run(env, policy, episodes, seed, epsilon, frames);
            if (gif != null) {
                Gif.write(gif, frames, net.spec().pixels() ? 70 : env.id().startsWith("CartPole") ? 20 : 300);
                System.out.println("gif: " + gif + " (" + frames.size() + " frames)");
            }
            System.out.println(env.id() + ": " + ev);
        }
        return 0;
    }
}
