package org.dqnscratch.env;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

/**
 * Gym's classic-control CartPole, with the same constants, the same double-precision operations
 * in the same order (Euler integration; CartPoleTest replays Gymnasium's episodes bit for bit),
 * termination and time limit. The reset distribution is Gym's, U(-0.05, 0.05) per value, drawn
 * from our own generator (so not Gym's start states). v0 truncates at 200 steps (solved at 195),
 * v1 at 500 (solved at 475).
 */
public final class CartPole implements Env {
    static final double GRAVITY = 9.8, MASS_CART = 1.0, MASS_POLE = 0.1, TOTAL_MASS = MASS_POLE + MASS_CART;
    static final double LENGTH = 0.5, POLE_MASS_LENGTH = MASS_POLE * LENGTH, FORCE_MAG = 10.0, TAU = 0.02;
    static final double THETA_THRESHOLD = 12 * 2 * Math.PI / 360, X_THRESHOLD = 2.4;

    private final String id;
    private final int maxSteps;
    private final double threshold;
    private final Box observationSpace;
    private Rng rng = new Rng(0);
    private double x, xDot, theta, thetaDot;
    private int steps;
    private boolean started, pastTerminal, warned;

    private CartPole(String id, int maxSteps, double threshold) {
        this.id = id;
        this.maxSteps = maxSteps;
        this.threshold = threshold;
        float big = Float.MAX_VALUE;
        this.observationSpace = new Box(
                new float[] {(float) -(X_THRESHOLD * 2), -big, (float) -(THETA_THRESHOLD * 2), -big},
                new float[] {(float) (X_THRESHOLD * 2), big, (float) (THETA_THRESHOLD * 2), big});
    }

    public static CartPole v0() { return new CartPole("CartPole-v0", 200, 195.0); }

    public static CartPole v1() { return new CartPole("CartPole-v1", 500, 475.0); }

    @Override public String id() { return id; }
    @Override public Box observationSpace() { return observationSpace; }
    @Override public Discrete actionSpace() { return new Discrete(2); }
    @Override public int maxEpisodeSteps() { return maxSteps; }
    @Override public double rewardThreshold() { return threshold; }

    @Override public float[] reset(long seed) {
        rng = new Rng(seed);
        return reset();
    }

    @Override public float[] reset() {
        x = uniform();
        xDot = uniform();
        theta = uniform();
        thetaDot = uniform();
        steps = 0;
        started = true;
        pastTerminal = false;
        warned = false;
        return observation();
    }

    /** U(-0.05, 0.05), as Gym's {@code np_random.uniform(low=-0.05, high=0.05)}. */
    private double uniform() { return -0.05 + 0.1 * rng.nextDouble(); }

    /** Sets the state directly (tests, known trajectories). */
    public void setState(double x, double xDot, double theta, double thetaDot) {
        this.x = x;
        this.xDot = xDot;
        this.theta = theta;
        this.thetaDot = thetaDot;
        this.steps = 0;
        this.started = true;
        this.pastTerminal = false;
    }

    /** Sets the state without restarting the episode clock (tests of the time limit). */
    void setStateKeepingTime(double x, double xDot, double theta, double thetaDot) {
        int t = steps;
        setState(x, xDot, theta, thetaDot);
        steps = t;
    }

    /** The exact double-precision state. */
    public double[] state() { return new double[] {x, xDot, theta, thetaDot}; }

    @Override public byte[] saveState() {
        return EnvState.write(id, out -> {
            out.writeLong(rng.state());
            for (double v : state()) out.writeDouble(v);
            out.writeInt(steps);
            out.writeBoolean(started);
            out.writeBoolean(pastTerminal);
            out.writeBoolean(warned);
        });
    }

    @Override public void restoreState(byte[] state) {
        EnvState.read(id, state, in -> {
            rng = new Rng(in.readLong());
            x = in.readDouble();
            xDot = in.readDouble();
            theta = in.readDouble();
            thetaDot = in.readDouble();
            steps = in.readInt();
            started = in.readBoolean();
            pastTerminal = in.readBoolean();
            warned = in.readBoolean();
        });
    }

    @Override public Step step(int action) {
        actionSpace().check(action);
        if (!started) throw new IllegalStateException(id + ".step() before reset()");
        double force = action == 1 ? FORCE_MAG : -FORCE_MAG;
        double cos = Math.cos(theta), sin = Math.sin(theta);
        // Gym's grouping: the squares first (polemass_length * theta_dot**2 * sintheta,
        // masspole * costheta**2). Left to right instead, a third of the steps differ in the last
        // bit, and this system is chaotic: episodes part after a few dozen steps.
        double temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sin) / TOTAL_MASS;
        double thetaAcc = (GRAVITY * sin - cos * temp) / (LENGTH * (4.0 / 3.0 - MASS_POLE * (cos * cos) / TOTAL_MASS));
        double xAcc = temp - POLE_MASS_LENGTH * thetaAcc * cos / TOTAL_MASS;
        x = x + TAU * xDot;
        xDot = xDot + TAU * xAcc;
        theta = theta + TAU * thetaDot;
        thetaDot = thetaDot + TAU * thetaAcc;
        steps++;
        boolean terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;
        double reward = 1.0;
        if (pastTerminal) { // as Gym: keep integrating, but reward 0 and say so once
            reward = 0.0;
            if (!warned) {
                System.err.println("warning: " + id + ".step() called after the episode terminated; call reset() (reward is 0)");
                warned = true;
            }
        }
        pastTerminal |= terminated;
        return new Step(observation(), reward, terminated, steps >= maxSteps);
    }

    private float[] observation() { return new float[] {(float) x, (float) xDot, (float) theta, (float) thetaDot}; }

    /** Gym's 600x400 picture: the track, the cart and the pole. */
    @Override public BufferedImage render() {
        int w = 600, h = 400;
        double scale = w / (X_THRESHOLD * 2), poleLen = scale * (2 * LENGTH), cartY = 100;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        // no antialiasing: a handful of exact colours keeps GIF frames small and fast to write
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double cx = x * scale + w / 2.0, top = h - cartY; // Gym draws y up; we flip here
        g.setColor(Color.BLACK);
        g.draw(new Line2D.Double(0, top, w, top));
        g.fill(new Rectangle2D.Double(cx - 25, top - 15, 50, 30));
        g.setColor(new Color(202, 152, 101));
        g.setStroke(new BasicStroke(10f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        double axleY = top - 15 + 15 * 0.25;
        g.draw(new Line2D.Double(cx, axleY, cx + poleLen * Math.sin(theta), axleY - poleLen * Math.cos(theta)));
        g.setColor(new Color(129, 132, 203));
        g.fill(new Ellipse2D.Double(cx - 5, axleY - 5, 10, 10));
        g.dispose();
        return img;
    }
}
