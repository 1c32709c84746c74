package org.dqnscratch.rl;

import org.dqnscratch.env.Rng;
import org.dqnscratch.tensor.Backend;

/**
 * The noise of a --noisy run (issue 21), drawn from one generator seeded from --seed:
 * <ul>
 * <li>before every gradient step, the online network's noise and then the target network's, as
 *     CleanRL's rainbow_atari.py calls {@code q_network.reset_noise(); target_network.reset_noise()}
 *     before each update (Kaixhin's Rainbow redraws the target's at each learn too);</li>
 * <li>before every acting step, the online network's noise. Here we part from CleanRL, which acts
 *     with the noise of the last update (its train_frequency is 4; the CartPole preset trains every
 *     64 steps, and with the noise held that long seeds 3, 4 and 5 kept pushing one way for 100k steps
 *     and never solved; redrawn per step, seeds 1-6 solved in 33.7k-52.5k steps). Fortunato et al.'s
 *     Algorithm 1 samples a new noisy network at every environment step, and Kaixhin redraws the
 *     acting noise every replay_frequency (4) steps, also before learning starts.</li>
 * </ul>
 * Evaluations use the means (GreedyPolicy.evaluation). As every noisy forward pass of the loop
 * comes right after a draw, the noise vectors themselves never need saving: the generator's state
 * ({@link #state}, in the checkpoint's counters) is enough for an exact resume.
 */
final class NoisyExploration {
    private final Backend backend;
    private final QNetwork online, target;
    private final Rng rng;

    /** The generator at {@code state}; nothing drawn yet (the first acting step draws). */
    NoisyExploration(Backend backend, QNetwork online, QNetwork target, long state) {
        if (!online.noisy() || !target.noisy()) throw new IllegalArgumentException("noisy exploration needs noisy networks");
        this.backend = backend;
        this.online = online;
        this.target = target;
        this.rng = new Rng(state);
    }

    /** New noise for the online network before it acts (once per round of environment steps). */
    void beforeActing() { online.noise().resample(backend, rng); }

    /** New noise for the online network, then the target network (when it is a network of its own), before a gradient step. */
    void beforeStep() {
        online.noise().resample(backend, rng);
        if (target != online) target.noise().resample(backend, rng);
    }

    /** The generator's state: what a checkpoint saves. */
    long state() { return rng.state(); }
}
