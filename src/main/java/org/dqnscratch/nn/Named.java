package org.dqnscratch.nn;

import org.dqnscratch.tensor.Tensor;

/**
 * Modules applied in order, each under an attribute name, as a PyTorch module with
 * {@code self.conv = nn.Sequential(...)} and {@code self.fc = ...}: parameter names become
 * {@code conv.0.weight}, {@code fc.2.bias}. A part named {@code null} declares no parameters
 * under a name of its own (a flatten between the attributes).
 */
public final class Named implements Module {
    private final String[] names;
    private final Module[] parts;

    private Named(String[] names, Module[] parts) {
        this.names = names;
        this.parts = parts;
    }

    /** Alternating name, module, name, module... */
    public static Named of(Object... nameModulePairs) {
        if (nameModulePairs.length % 2 != 0) throw new IllegalArgumentException("Named.of takes name, module pairs");
        int n = nameModulePairs.length / 2;
        String[] names = new String[n];
        Module[] parts = new Module[n];
        for (int i = 0; i < n; i++) {
            names[i] = (String) nameModulePairs[2 * i];
            parts[i] = (Module) nameModulePairs[2 * i + 1];
        }
        return new Named(names, parts);
    }

    @Override public Tensor forward(Graph g, Tensor x) {
        for (Module m : parts) x = m.forward(g, x);
        return x;
    }

    @Override public void declare(Parameters.Builder params, String prefix) {
        for (int i = 0; i < parts.length; i++) parts[i].declare(params, names[i] == null ? prefix : prefix + names[i] + ".");
    }
}
