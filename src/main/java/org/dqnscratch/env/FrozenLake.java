package org.dqnscratch.env;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * Gym's toy-text FrozenLake on its 4x4 and 8x8 maps. Actions 0 LEFT, 1 DOWN, 2 RIGHT, 3 UP;
 * on slippery ice the intended move happens with probability 1/3 and each perpendicular move
 * with 1/3. Reward 1 on reaching G; the episode terminates in a hole or at the goal (both
 * absorbing: further steps stay there with reward 0) and is truncated at 100 steps (200 on
 * 8x8). The observation is the agent's cell, one-hot.
 */
public final class FrozenLake implements Env {
    static final String[] MAP_4X4 = {"SFFF", "FHFH", "FFFH", "HFFG"};
    static final String[] MAP_8X8 = {"SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"};
    private static final int LEFT = 0, DOWN = 1, RIGHT = 2, UP = 3;

    private final String id;
    private final String[] map;
    private final int rows, cols, maxSteps, start;
    private final boolean slippery;
    private final double threshold;
    private Rng rng = new Rng(0);
    private int cell, steps;
    private boolean started;

    private FrozenLake(String id, String[] map, boolean slippery, int maxSteps, double threshold) {
        this.id = id;
        this.map = map;
        this.rows = map.length;
        this.cols = map[0].length();
        this.slippery = slippery;
        this.maxSteps = maxSteps;
        this.threshold = threshold;
        this.start = String.join("", map).indexOf('S');
    }

    /** FrozenLake-v1, 4x4. */
    public static FrozenLake fourByFour(boolean slippery) { return new FrozenLake("FrozenLake-v1", MAP_4X4, slippery, 100, 0.70); }

    /** FrozenLake8x8-v1. */
    public static FrozenLake eightByEight(boolean slippery) { return new FrozenLake("FrozenLake8x8-v1", MAP_8X8, slippery, 200, 0.85); }

    @Override public String id() { return id; }
    @Override public Discrete actionSpace() { return new Discrete(4); }
    @Override public int maxEpisodeSteps() { return maxSteps; }
    @Override public double rewardThreshold() { return threshold; }
    public boolean slippery() { return slippery; }

    @Override public Box observationSpace() {
        float[] high = new float[rows * cols];
        java.util.Arrays.fill(high, 1f);
        return new Box(new float[rows * cols], high);
    }

    @Override public float[] reset(long seed) {
        rng = new Rng(seed);
        return reset();
    }

    @Override public float[] reset() {
        cell = start;
        steps = 0;
        started = true;
        return observation();
    }

    @Override public Step step(int action) {
        actionSpace().check(action);
        if (!started) throw new IllegalStateException(id + ".step() before reset()");
        int move = action;
        if (slippery) move = (action + 3 + rng.nextInt(3)) % 4; // (a-1), a, (a+1) mod 4, each 1/3
        steps++;
        // Gym: terminal cells are absorbing with reward 0; only the step onto G pays.
        if (terminal(cell)) return new Step(observation(), 0.0, true, steps >= maxSteps);
        cell = moved(cell, move);
        return new Step(observation(), letter(cell) == 'G' ? 1.0 : 0.0, terminal(cell), steps >= maxSteps);
    }

    private int moved(int from, int move) {
        int r = from / cols, c = from % cols;
        switch (move) {
            case LEFT -> c = Math.max(c - 1, 0);
            case DOWN -> r = Math.min(r + 1, rows - 1);
            case RIGHT -> c = Math.min(c + 1, cols - 1);
            default -> r = Math.max(r - 1, 0);
        }
        return r * cols + c;
    }

    private char letter(int at) { return map[at / cols].charAt(at % cols); }

    private boolean terminal(int at) { char c = letter(at); return c == 'G' || c == 'H'; }

    @Override public byte[] saveState() {
        return EnvState.write(id + (slippery ? " slippery" : ""), out -> {
            out.writeLong(rng.state());
            out.writeInt(cell);
            out.writeInt(steps);
            out.writeBoolean(started);
        });
    }

    @Override public void restoreState(byte[] state) {
        EnvState.read(id + (slippery ? " slippery" : ""), state, in -> {
            rng = new Rng(in.readLong());
            int at = in.readInt();
            if (at < 0 || at >= rows * cols) throw new java.io.IOException("cell " + at + " is not on the map");
            cell = at;
            steps = in.readInt();
            started = in.readBoolean();
        });
    }

    /** The agent's cell (row-major index). */
    public int cell() { return cell; }

    private float[] observation() {
        float[] o = new float[rows * cols];
        o[cell] = 1f;
        return o;
    }

    /** The map, 64 px a cell: ice, holes, start, goal and the agent. */
    @Override public BufferedImage render() {
        int size = 64;
        BufferedImage img = new BufferedImage(cols * size, rows * size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                char ch = map[r].charAt(c);
                g.setColor(switch (ch) {
                    case 'H' -> new Color(20, 40, 90);
                    case 'G' -> new Color(240, 200, 40);
                    case 'S' -> new Color(180, 220, 240);
                    default -> new Color(210, 235, 250);
                });
                g.fillRect(c * size, r * size, size, size);
                g.setColor(new Color(150, 180, 200));
                g.drawRect(c * size, r * size, size - 1, size - 1);
            }
        }
        int ar = cell / cols, ac = cell % cols;
        g.setColor(new Color(200, 40, 40));
        g.fillOval(ac * size + 14, ar * size + 14, size - 28, size - 28);
        g.dispose();
        return img;
    }
}
