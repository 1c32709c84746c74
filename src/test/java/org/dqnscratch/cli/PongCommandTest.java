package org.dqnscratch.cli;

import static org.dqnscratch.cli.CliTest.assertOneLineError;
import static org.dqnscratch.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.dqnscratch.env.atari.AtariSupport;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.opencl.OpenClSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pong command as a user runs it: a short run writing its run directory, eval of its checkpoint, bad input. */
class PongCommandTest {
    /** Short episodes (truncated after 1,200 frames) keep the evaluations quick. */
    static final String[] SHORT = {"--max-episode-frames", "1200", "--buffer-size", "3000", "--eval-episodes", "1", "--progress=false"};

    static String[] args(Path dir, String... more) {
        String[] a = new String[1 + SHORT.length + 2 + more.length];
        a[0] = "pong";
        System.arraycopy(SHORT, 0, a, 1, SHORT.length);
        a[1 + SHORT.length] = "--run-dir";
        a[2 + SHORT.length] = dir.toString();
        System.arraycopy(more, 0, a, 3 + SHORT.length, more.length);
        return a;
    }

    static Path onlyRun(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    @Test
    void shortRunOnTheCpuWritesItsRunDirectoryAndItsCheckpointEvaluates(@TempDir Path dir) throws Exception {
        AtariSupport.pongRom();
        CliTest.Run r = run(args(dir, "--total-steps", "1600", "--learning-starts", "800", "--envs", "2", "--seed", "5"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.lastLine().matches("evaluation: -?\\d+\\.\\d\\d ± \\d+\\.\\d\\d over 1 episodes"), r.lastLine());
        Path run = onlyRun(dir);
        for (String f : new String[] {"config.json", "metrics.csv", "learning_curve.png", "best.safetensors", "last.safetensors", "episode.gif"}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        // 1,600 steps of 2 envs with episodes cut at 300 steps: at least 4 episodes logged.
        assertTrue(Files.readAllLines(run.resolve("metrics.csv")).size() >= 5);
        // The checkpoint carries the seed's PyTorch DQN names and what is needed to rebuild the game.
        var st = SafeTensors.read(run.resolve("best.safetensors"));
        Map<String, String> meta = st.metadata();
        assertEquals("pong", meta.get("game"));
        assertEquals("nature-cnn", meta.get("network"));
        assertTrue(st.tensors().containsKey("conv.0.weight") && st.tensors().containsKey("fc.2.bias"), st.tensors().keySet().toString());
        CliTest.Run eval = run("eval", run.resolve("best.safetensors").toString(), "--episodes", "1");
        assertEquals(0, eval.code(), eval.toString());
        assertTrue(eval.lastLine().startsWith("PongNoFrameskip-v4: "), eval.lastLine());
    }

    @Test
    void shortRunOnOpenCl(@TempDir Path dir) throws Exception {
        AtariSupport.pongRom();
        OpenClSupport.backend();
        CliTest.Run r = run(args(dir, "--device", "opencl", "--total-steps", "600", "--learning-starts", "400", "--train-freq", "100",
                "--gif=false"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.lastLine().startsWith("evaluation: "), r.lastLine());
        assertTrue(Files.size(onlyRun(dir).resolve("last.safetensors")) > 0);
    }

    /** The current checkpoint's folder: the one the run directory's pointer names. */
    private static Path checkpoint(Path runDir) throws Exception {
        return runDir.resolve("checkpoints").resolve(Files.readString(runDir.resolve("checkpoint")).strip());
    }

    /** A run stopped at a checkpoint continues with --resume: same folder, its log extended, counters and optimizer carried on. */
    @Test
    void resumeContinuesTheRun(@TempDir Path dir) throws Exception {
        AtariSupport.pongRom();
        CliTest.Run first = run(args(dir, "--total-steps", "900", "--learning-starts", "300", "--train-freq", "20", "--save-replay",
                "--gif=false", "--seed", "3"));
        assertEquals(0, first.code(), first.toString());
        Path runDir = onlyRun(dir);
        var state1 = SafeTensors.read(checkpoint(runDir).resolve("state.safetensors")).metadata();
        assertEquals("900", state1.get("step"));
        assertTrue(Files.size(checkpoint(runDir).resolve("replay.bin")) > 900L * 84 * 84, "the replay was saved");
        long rows1 = Files.readAllLines(runDir.resolve("metrics.csv")).size();

        CliTest.Run second = run("pong", "--resume", runDir.toString(), "--total-steps", "1500", "--progress=false");
        assertEquals(0, second.code(), second.toString());
        assertTrue(second.lastLine().startsWith("evaluation: "), second.lastLine());
        var state2 = SafeTensors.read(checkpoint(runDir).resolve("state.safetensors")).metadata();
        assertEquals("1500", state2.get("step"));
        // 300 more gradient steps' worth of training: 600 steps / 20 per training, 1 gradient step each
        assertEquals(Integer.parseInt(state1.get("optimizer_steps")) + 30, Integer.parseInt(state2.get("optimizer_steps")));
        assertTrue(Files.readAllLines(runDir.resolve("metrics.csv")).size() >= rows1, "the log keeps its history");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no second run directory");
        }
        assertOneLineError(run("pong", "--resume", dir.resolve("nope").toString()), "no run there");
        assertOneLineError(run("pong", "--resume", runDir.toString(), "--game", "breakout"), "--game cannot change");
        assertOneLineError(run("cartpole", "--resume", runDir.toString()), "not a cartpole environment");
    }

    /**
     * --episodic-life (the cleanrl preset's, as dqn_atari.py's EpisodicLifeEnv) on a game with
     * lives: the run and its checkpoint's evaluation go through, the checkpoint remembers it.
     */
    @Test
    void episodicLifeOnBreakout(@TempDir Path dir) throws Exception {
        assertTrue(org.dqnscratch.rl.Presets.get("pong", "cleanrl").config().episodicLife, "the cleanrl preset");
        Path rom = AtariSupport.rom("breakout");
        CliTest.Run r = run(args(dir, "--game", "breakout", "--rom", rom.toString(), "--episodic-life", "--total-steps", "800",
                "--learning-starts", "10000", "--gif=false"));
        assertEquals(0, r.code(), r.toString());
        Path run = onlyRun(dir);
        assertTrue(Files.readString(run.resolve("config.json")).matches("(?s).*\"episodicLife\"\\s*:\\s*true.*"));
        assertEquals("true", SafeTensors.read(run.resolve("last.safetensors")).metadata().get("episodic_life"));
        CliTest.Run eval = run("eval", run.resolve("last.safetensors").toString(), "--episodes", "1", "--rom", rom.toString());
        assertEquals(0, eval.code(), eval.toString());
        assertTrue(eval.lastLine().startsWith("BreakoutNoFrameskip-v4: "), eval.lastLine());
    }

    @Test
    void badInputIsOneLineAndWritesNothing(@TempDir Path dir) throws Exception {
        Path rom = AtariSupport.pongRom();
        assertOneLineError(run(args(dir, "--game", "pacman2000")), "unknown game 'pacman2000'");
        assertOneLineError(run(args(dir, "--envs", "0")), "--envs");
        assertOneLineError(run(args(dir, "--n-step", "0")), "--n-step");
        assertOneLineError(run(args(dir, "--pipeline", "sb3")), "--pipeline");
        assertOneLineError(run(args(dir, "--episodic-life", "--terminal-on-life-loss")), "--episodic-life and --terminal-on-life-loss exclude each other");
        CliTest.Run noRom = run(args(dir, "--rom", dir.resolve("nope.bin").toString()));
        assertOneLineError(noRom, "no ROM file");
        assertEquals("", noRom.out().strip(), "nothing on stdout (no run directory named) before the error");
        Path notPong = dir.resolve("pong.bin");
        Files.write(notPong, new byte[2048]);
        assertOneLineError(run(args(dir, "--rom", notPong.toString())), "is not the Pong ROM");
        assertOneLineError(run(args(dir, "--game", "breakout", "--rom", rom.toString())), "is not the Breakout ROM (md5 60e0ea3cbe0913d39803477945e9e5ec");
        // A replay larger than the heap is refused before anything is allocated or written.
        assertOneLineError(run("pong", "--buffer-size", "2000000000", "--run-dir", dir.toString(), "--progress=false"), "heap");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the fake ROM: no run directory was written");
        }
    }
}
