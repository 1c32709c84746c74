package org.dqnscratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dqnscratch.env.atari.AtariEnv;
import org.dqnscratch.nn.Init;
import org.dqnscratch.opencl.OpenClBackend;
import org.dqnscratch.opencl.OpenClSupport;
import org.dqnscratch.opencl.Traffic;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * The acting policy of a pixel network uploads its observations as bytes (4x84x84 per
 * environment) and turns them into floats on the backend: the same Q values, bit for bit, as a
 * float upload, for a quarter of the traffic.
 */
class PixelActingTest {
    static final int N = 2, OBS = 4 * 84 * 84, ACTIONS = 6;

    static QNetwork natureCnn(Backend b) {
        QNetwork net = QNetwork.create(b, new EnvSpec(null, false, AtariEnv.Options.defaults("pong"), null), OBS, ACTIONS, new int[0], false);
        Init.parse(Presets.get("pong", "default").config().init).apply(net.params(), 7);
        return net;
    }

    /** The float path: the same network through the public constructor, which uploads floats. */
    static GreedyPolicy floats(QNetwork net, Backend b) {
        return new GreedyPolicy(net.module(), b, new int[] {4, 84, 84}, ACTIONS, N);
    }

    static float[] frames(long seed) {
        Random r = new Random(seed);
        float[] x = new float[N * OBS];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(256);
        x[0] = 0; // both ends of the range
        x[1] = 255;
        return x;
    }

    @Test
    void bytesGiveTheFloatUploadsQValuesOnTheCpu() { sameQValues(new CpuBackend()); }

    @Test
    void bytesGiveTheFloatUploadsQValuesOnOpenCl() { sameQValues(OpenClSupport.backend()); }

    private static void sameQValues(Backend b) {
        QNetwork net = natureCnn(b);
        GreedyPolicy bytes = GreedyPolicy.of(net, b, N), plain = floats(net, b);
        for (long seed = 1; seed <= 2; seed++) {
            float[] obs = frames(seed);
            float[] want = plain.qValues(obs).clone();
            assertArrayEquals(want, bytes.qValues(obs), b.name() + ", frames " + seed);
            assertTrue(want[0] != want[1] || want[1] != want[2], "Q values that tell actions apart: " + java.util.Arrays.toString(want));
        }
    }

    @Test
    void aValueThatIsNotAByteIsAnError() {
        Backend b = new CpuBackend();
        GreedyPolicy p = GreedyPolicy.of(natureCnn(b), b, N);
        for (float bad : new float[] {12.5f, 256f, -1f, Float.NaN}) {
            float[] obs = frames(1);
            obs[100] = bad;
            var e = assertThrows(IllegalArgumentException.class, () -> p.qValues(obs), "value " + bad);
            assertEquals("pixel observation value " + bad + " (at 100) is not an integer in 0..255", e.getMessage());
        }
    }

    /** One acting call: one write of N x 28,224 bytes, where floats took four times that. */
    @Test
    void anActingCallUploadsBytes() {
        OpenClBackend cl = OpenClSupport.backend();
        QNetwork net = natureCnn(cl);
        float[] obs = frames(3);
        long[] bytes = new long[2];
        GreedyPolicy[] policies = {GreedyPolicy.of(net, cl, N), floats(net, cl)};
        for (int k = 0; k < 2; k++) {
            policies[k].qValues(obs); // warm-up: buffers allocated, arguments bound
            Traffic before = cl.traffic();
            policies[k].qValues(obs);
            Traffic call = cl.traffic().since(before);
            System.out.println((k == 0 ? "acting with bytes: " : "acting with floats: ") + call);
            assertEquals(1, call.writes(), call.toString());
            bytes[k] = call.bytesWritten();
        }
        assertEquals((long) N * OBS, bytes[0], "the observations as bytes");
        assertEquals(4L * N * OBS, bytes[1], "the observations as floats");
    }
}
