package org.dqnscratch.cli;

import static org.dqnscratch.cli.CliTest.assertOneLineError;
import static org.dqnscratch.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.dqnscratch.rl.DqnConfig;
import org.dqnscratch.rl.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --config FILE}: a user's settings in a preset's shape (RL-Zoo's keys or ours), between the preset and the flags. */
class ConfigFileTest {
    static Path write(Path dir, String yaml) throws Exception {
        Path f = dir.resolve("settings.yml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void rlZooKeysAndOursApplyOverThePresetAndUnderTheFlags(@TempDir Path dir) throws Exception {
        Path f = write(dir, """
                # RL-Zoo's spelling
                n_timesteps: !!float 6e2
                learning_rate: 1.0e-3
                policy_kwargs: "dict(net_arch=[16, 8])"
                train_freq: [2, step]
                exploration_fraction: 0.5
                exploration_final_eps: 0.1
                # and ours
                learning_starts: 100
                double_dqn: false
                seed: 3
                """);
        CliTest.Run r = run("cartpole", "--config", f.toString(), "--seed", "4", "--gif=false", "--progress=false", "--eval-every", "0",
                "--run-dir", dir.resolve("runs").toString());
        assertEquals(0, r.code(), r.toString());
        Path runDir;
        try (Stream<Path> s = Files.list(dir.resolve("runs"))) {
            runDir = s.findFirst().orElseThrow();
        }
        JsonNode args = new ObjectMapper().readTree(runDir.resolve("config.json").toFile()).get("args");
        assertEquals(600, args.get("totalSteps").asLong());
        assertEquals(1e-3, args.get("lr").asDouble());
        assertEquals("[16,8]", args.get("hidden").toString());
        assertEquals(2, args.get("trainFreq").asInt());
        assertEquals(0.5, args.get("epsFraction").asDouble());
        assertEquals(0, args.get("epsSteps").asLong(), "exploration_fraction: the schedule is a fraction of the run");
        assertEquals(0.1, args.get("epsEnd").asDouble());
        assertEquals(4, args.get("seed").asLong(), "the flag overrides the file");
        assertEquals(64, args.get("batchSize").asInt(), "unset: the preset's");
        assertTrue(runDir.getFileName().toString().contains("__s4__"));
    }

    @Test
    void mistakesAreOneLineErrorsNamingTheFileAndTheKey(@TempDir Path dir) throws Exception {
        assertOneLineError(run("cartpole", "--config", write(dir, "learning_rat: 1e-3\n").toString()),
                "settings.yml: unknown key 'learning_rat' (did you mean 'learning_rate'?)");
        assertOneLineError(run("cartpole", "--config", write(dir, "frame_stack: 4\n").toString()),
                "unknown key 'frame_stack' (a setting of the Atari commands)");
        assertOneLineError(run("cartpole", "--config", write(dir, "batch_size: many\n").toString()), "settings.yml: batch_size: expected a number");
        assertOneLineError(run("cartpole", "--config", write(dir, "batch_size: 3.5\n").toString()), "batch_size: expected a whole number, got 3.5");
        assertOneLineError(run("cartpole", "--config", write(dir, "dueling: yes please\n").toString()), "dueling: expected true or false");
        assertOneLineError(run("cartpole", "--config", write(dir, "train_freq: [4, fortnight]\n").toString()), "the unit must be step or episode");
        assertOneLineError(run("cartpole", "--config", write(dir, "policy_kwargs: {net_arch: [64], activation_fn: tanh}\n").toString()),
                "policy_kwargs: expected {net_arch: [...]}");
        assertOneLineError(run("cartpole", "--config", write(dir, "gamma: 1.5\n").toString()), "--gamma must be in [0, 1]");
        assertOneLineError(run("cartpole", "--config", write(dir, "- a list\n- not a map\n").toString()), "expected a map of settings");
        assertOneLineError(run("cartpole", "--config", write(dir, "a: [unclosed\n").toString()), "settings.yml: not a YAML file");
        assertOneLineError(run("cartpole", "--config", dir.resolve("missing.yml").toString()), "cannot read");
    }

    /**
     * rainbow-cpu is what was measured (docs/performance.md, "Rainbow's pieces on `default`"): `--preset default
     * --per --per-alpha 0.5 --per-beta 0.4 --dueling --eps-steps 100000`, nothing else changed.
     */
    @Test
    void rainbowCpuIsDefaultWithTheMeasuredFlags() throws Exception {
        DqnConfig base = Presets.get("pong", "default").config();
        DqnConfig fast = Presets.get("pong", "rainbow-cpu").config();
        var differ = new java.util.TreeSet<String>();
        for (var f : DqnConfig.class.getFields()) {
            if (!java.lang.reflect.Modifier.isStatic(f.getModifiers()) && !java.util.Objects.deepEquals(f.get(base), f.get(fast))) {
                differ.add(f.getName());
            }
        }
        assertEquals(new java.util.TreeSet<>(java.util.List.of("dueling", "epsSteps", "per", "perAlpha")), differ);
        assertTrue(fast.per && fast.dueling && !fast.duelingStreams && !fast.noisy && !fast.distributional, "PER and one dueling head, no C51 or noise");
        assertEquals(0.5, fast.perAlpha);
        assertEquals(0.4, fast.perBeta);
        assertEquals(100_000, fast.epsSteps);
    }

    @Test
    void everyPresetFileReadsAndAUserFileReadsAsAPreset(@TempDir Path dir) throws Exception {
        for (String cmd : new String[] {"cartpole", "frozenlake", "pong"}) {
            for (var p : Presets.forCommand(cmd).values()) {
                assertTrue(!p.description().isBlank(), cmd + " " + p.name());
                p.config().validate();
            }
        }
        var pong = java.util.List.copyOf(Presets.forCommand("pong").keySet());
        assertTrue(pong.containsAll(java.util.List.of("default", "rainbow-cpu", "pytorch-pong", "cleanrl", "c51", "rainbow", "tianshou")), pong.toString());
        assertTrue(pong.stream().noneMatch(n -> n.startsWith("_")), "a base (_atari) is not a preset: " + pong);
        // A preset's entry copied into a file gives the same settings
        DqnConfig fromFile = new DqnConfig();
        Presets.file(write(dir, """
                description: copied from cartpole.yaml
                env: CartPole-v1
                double_dqn: false
                policy_kwargs: {net_arch: [120, 84]}
                loss: mse
                learning_rate: 2.5e-4
                max_grad_norm: 0
                buffer_size: 10000
                batch_size: 128
                learning_starts: 10000
                train_freq: 10
                gradient_steps: 1
                target_update_interval: 500
                exploration_final_eps: 0.05
                exploration_fraction: 0.5
                n_timesteps: 500000
                stop_when_solved: false
                """), false).apply(fromFile);
        DqnConfig preset = Presets.get("cartpole", "cleanrl").config();
        for (var f : DqnConfig.fields()) {
            Object a = f.get(preset), b = f.get(fromFile);
            if (a instanceof int[] ai) assertArrayEquals(ai, (int[]) b, f.getName());
            else assertEquals(a, b, f.getName());
        }
    }
}
