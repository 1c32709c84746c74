package org.dqnscratch.tensor;

/** Whether this JVM can run the Vector API kernels (module jdk.incubator.vector resolved at start). */
public final class VectorSupport {
    private VectorSupport() {}

    public static final String MODULE = "jdk.incubator.vector";

    public static boolean available() {
        if (Boolean.getBoolean("dqn.noVector")) return false;
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }
}
