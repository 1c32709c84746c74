package org.dqnscratch.tensor;

/**
 * Naive references for the fast CPU paths, kept forever: direct loops straight from the
 * definitions, double accumulation. Tests treat them as ground truth; nothing else calls them.
 */
public final class Reference {
    private Reference() {}

    /** y[n,o,oh,ow] = b[o] + sum_{c,kh,kw} x[n,c,oh*s-p+kh,ow*s-p+kw] * w[o,c,kh,kw]. */
    public static float[] conv2dForward(float[] x, float[] w, float[] b, ConvGeometry g) {
        int OH = g.OH(), OW = g.OW();
        float[] y = new float[g.N() * g.OC() * OH * OW];
        for (int n = 0; n < g.N(); n++)
            for (int o = 0; o < g.OC(); o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        double s = b == null ? 0 : b[o];
                        for (int c = 0; c < g.C(); c++)
                            for (int kh = 0; kh < g.KH(); kh++)
                                for (int kw = 0; kw < g.KW(); kw++) {
                                    int ih = oh * g.stride() - g.pad() + kh, iw = ow * g.stride() - g.pad() + kw;
                                    if (ih < 0 || ih >= g.H() || iw < 0 || iw >= g.W()) continue;
                                    s += (double) x[((n * g.C() + c) * g.H() + ih) * g.W() + iw]
                                            * w[((o * g.C() + c) * g.KH() + kh) * g.KW() + kw];
                                }
                        y[((n * g.OC() + o) * OH + oh) * OW + ow] = (float) s;
                    }
        return y;
    }

    /** Returns {dx, dw, db} of sum(y * dy), each written from scratch. */
    public static float[][] conv2dBackward(float[] dy, float[] x, float[] w, ConvGeometry g) {
        int OH = g.OH(), OW = g.OW();
        double[] dx = new double[x.length], dw = new double[w.length], db = new double[g.OC()];
        for (int n = 0; n < g.N(); n++)
            for (int o = 0; o < g.OC(); o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        double d = dy[((n * g.OC() + o) * OH + oh) * OW + ow];
                        db[o] += d;
                        for (int c = 0; c < g.C(); c++)
                            for (int kh = 0; kh < g.KH(); kh++)
                                for (int kw = 0; kw < g.KW(); kw++) {
                                    int ih = oh * g.stride() - g.pad() + kh, iw = ow * g.stride() - g.pad() + kw;
                                    if (ih < 0 || ih >= g.H() || iw < 0 || iw >= g.W()) continue;
                                    int xi = ((n * g.C() + c) * g.H() + ih) * g.W() + iw;
                                    int wi = ((o * g.C() + c) * g.KH() + kh) * g.KW() + kw;
                                    dx[xi] += d * w[wi];
                                    dw[wi] += d * x[xi];
                                }
                    }
        return new float[][] {toFloat(dx), toFloat(dw), toFloat(db)};
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }
}
