package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dqnscratch.env.CartPole;
import org.dqnscratch.env.Env;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An episode that ends for learning only (an Atari life lost under --episodic-life, Env.gameGoesOn)
 * is not a game's end: the training loop logs one return and length per game, as CleanRL's
 * RecordEpisodeStatistics (placed before EpisodicLifeEnv) does, and an evaluation episode is a
 * whole game. Here CartPole stands in for the game: every other pole episode "loses a life".
 */
class GameGoesOnTest {
    /** CartPole whose odd-numbered episode ends say the game goes on; records each game's return and length. */
    static final class Lives {
        final List<double[]> games = new ArrayList<>(); // {return, length}
        int ends;
        boolean goesOn;
        double ret, len;

        Env wrap(Env env) {
            return (Env) Proxy.newProxyInstance(Env.class.getClassLoader(), new Class<?>[] {Env.class}, (proxy, m, args) -> {
                if (m.getName().equals("gameGoesOn")) return goesOn;
                Object r = m.invoke(env, args);
                if (m.getName().equals("reset") && args != null) { // a seeded reset starts a new game, as AtariEnv's
                    ret = 0;
                    len = 0;
                    goesOn = false;
                }
                if (m.getName().equals("step")) {
                    Env.Step st = (Env.Step) r;
                    ret += st.reward();
                    len++;
                    goesOn = false;
                    if (st.done()) {
                        goesOn = ++ends % 2 == 1;
                        if (!goesOn) {
                            games.add(new double[] {ret, len});
                            ret = 0;
                            len = 0;
                        }
                    }
                }
                return r;
            });
        }
    }

    @Test
    void trainingLogsGamesNotLives(@TempDir Path dir) throws Exception {
        DqnConfig cfg = Presets.get("cartpole", "default").config();
        cfg.totalSteps = 600;
        cfg.learningStarts = 10_000; // acting only: the loop's bookkeeping is what is tested
        cfg.evalEvery = 0;
        cfg.evalEpisodes = 1;
        cfg.gif = false;
        Lives lives = new Lives();
        DqnTraining.run(cfg, "lives-test", dir, new DqnTrainingTest.Log(), () -> false, new CpuBackend(), false, lives::wrap);
        List<String> rows = Files.readAllLines(dir.resolve("metrics.csv"));
        List<String> header = List.of(rows.get(0).split(","));
        int episode = header.indexOf("episode"), ret = header.indexOf("charts/episodic_return"), len = header.indexOf("charts/episodic_length");
        assertTrue(lives.ends >= 6, "pole episodes: " + lives.ends);
        assertEquals(lives.games.size(), rows.size() - 1, "one row per game (" + lives.ends + " pole episodes)");
        for (int k = 1; k < rows.size(); k++) {
            String[] f = rows.get(k).split(",");
            assertEquals(k, Long.parseLong(f[episode]), "episodes count games");
            assertEquals(lives.games.get(k - 1)[0], Double.parseDouble(f[ret]), 0, "a game's return: both of its pole episodes, row " + k);
            assertEquals(lives.games.get(k - 1)[1], Double.parseDouble(f[len]), 0, "a game's length, row " + k);
        }
    }

    @Test
    void evaluationEpisodesAreGames() {
        Lives lives = new Lives();
        Env env = lives.wrap(CartPole.v1());
        Evaluation e = Evaluation.run(env, null, 3, 5, 1.0, null); // epsilon 1: random actions, no network needed
        assertEquals(6, lives.ends, "each evaluation episode plays two pole episodes");
        for (int i = 0; i < 3; i++) assertEquals(lives.games.get(i)[0], e.returns()[i], 0);
    }
}
