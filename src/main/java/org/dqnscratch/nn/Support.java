package org.dqnscratch.nn;

/**
 * The fixed support of a distributional (C51) Q-network: {@code atoms} returns evenly spaced on
 * [vMin, vMax], atom j being {@code vMin + j * (vMax - vMin) / (atoms - 1)} (torch.linspace's).
 */
public record Support(int atoms, float vMin, float vMax) {
    public Support {
        if (atoms < 2) throw new IllegalArgumentException("a distributional head needs at least 2 atoms, got " + atoms);
        if (!(vMin < vMax) || !Float.isFinite(vMin) || !Float.isFinite(vMax)) {
            throw new IllegalArgumentException("the support needs v-min < v-max, got [" + vMin + ", " + vMax + "]");
        }
    }

    /** The distance between neighbouring atoms. */
    public float delta() { return (vMax - vMin) / (atoms - 1); }
}
