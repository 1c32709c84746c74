package org.dqnscratch.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ElementwiseKernels} on the Java Vector API: the same operations in the same order, so
 * the same bits; the tail that does not fill a vector runs the plain loop. Loaded only when
 * the module is present.
 */
final class VectorElementwise extends ElementwiseKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    @Override String name() { return "vector-" + S.vectorBitSize(); }

    // As many bytes as S has floats (none where that is under the smallest, 64-bit, shape: the plain
    // loop). B2F reads bytes as signed: (x ^ 0x80) as signed is x - 128, and float(x - 128) + 128 is
    // float(x) exactly (small integers), so the product is the plain loop's.
    private static final VectorSpecies<Byte> BYTES = VL * 8 < 64 ? null
            : VectorSpecies.of(byte.class, jdk.incubator.vector.VectorShape.forBitSize(VL * 8));

    @Override
    void unsignedToFloat(float[] o, int oOff, byte[] x, int xOff, float scale, int n) {
        if (BYTES == null) {
            super.unsignedToFloat(o, oOff, x, xOff, scale, n);
            return;
        }
        int i = 0;
        for (; i + VL <= n; i += VL) {
            ByteVector b = ByteVector.fromArray(BYTES, x, xOff + i).lanewise(VectorOperators.XOR, (byte) 0x80);
            FloatVector f = ((FloatVector) b.convertShape(VectorOperators.B2F, S, 0)).add(128f);
            (scale == 1f ? f : f.mul(scale)).intoArray(o, oOff + i);
        }
        super.unsignedToFloat(o, oOff + i, x, xOff + i, scale, n - i);
    }

    @Override
    void reluForward(float[] o, int oOff, float[] x, int xOff, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (; i + VL <= to; i += VL) {
            FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
            zero.blend(xv, xv.compare(VectorOperators.GT, 0f)).intoArray(o, oOff + i);
        }
        super.reluForward(o, oOff, x, xOff, i, to);
    }

    @Override
    void addBias(float[] o, int oOff, float[] x, int xOff, float bias, boolean relu, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (; i + VL <= to; i += VL) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i).add(bias);
            (relu ? zero.blend(v, v.compare(VectorOperators.GT, 0f)) : v).intoArray(o, oOff + i);
        }
        super.addBias(o, oOff, x, xOff, bias, relu, i, to);
    }

    @Override
    void reluBackward(float[] dx, int dxOff, float[] dy, int dyOff, float[] y, int yOff, int from, int to) {
        int i = from;
        for (; i + VL <= to; i += VL) {
            VectorMask<Float> on = FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.GT, 0f);
            FloatVector d = FloatVector.fromArray(S, dx, dxOff + i);
            d.add(FloatVector.fromArray(S, dy, dyOff + i), on).intoArray(dx, dxOff + i);
        }
        super.reluBackward(dx, dxOff, dy, dyOff, y, yOff, i, to);
    }

    @Override
    void reluBackwardInplace(float[] dy, int dyOff, float[] y, int yOff, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (; i + VL <= to; i += VL) {
            VectorMask<Float> on = FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.GT, 0f);
            zero.blend(zero.add(FloatVector.fromArray(S, dy, dyOff + i)), on).intoArray(dy, dyOff + i);
        }
        super.reluBackwardInplace(dy, dyOff, y, yOff, i, to);
    }

    @Override
    void adam(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
              float stepSize, float bc2Sqrt, float beta1, float beta2, float eps, int from, int to) {
        float c1 = 1f - beta1, c2 = 1f - beta2;
        int i = from;
        for (; i + VL <= to; i += VL) {
            FloatVector gi = FloatVector.fromArray(S, g, gOff + i);
            FloatVector mv = FloatVector.fromArray(S, m, mOff + i).mul(beta1).add(gi.mul(c1));
            FloatVector vv = FloatVector.fromArray(S, v, vOff + i).mul(beta2).add(gi.mul(c2).mul(gi));
            mv.intoArray(m, mOff + i);
            vv.intoArray(v, vOff + i);
            FloatVector denom = vv.sqrt().div(bc2Sqrt).add(eps);
            FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
            pv.sub(mv.mul(stepSize).div(denom)).intoArray(p, pOff + i);
        }
        super.adam(p, pOff, g, gOff, m, mOff, v, vOff, stepSize, bc2Sqrt, beta1, beta2, eps, i, to);
    }

    @Override
    void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] s, int sOff, float[] ga, int gaOff, float[] mb, int mbOff,
                 float lr, float alpha, float eps, float momentum, boolean epsInside, int from, int to) {
        float c = 1f - alpha;
        int i = from;
        for (; i + VL <= to; i += VL) {
            FloatVector gi = FloatVector.fromArray(S, g, gOff + i);
            FloatVector sv = FloatVector.fromArray(S, s, sOff + i).mul(alpha).add(gi.mul(c).mul(gi));
            sv.intoArray(s, sOff + i);
            FloatVector var = sv;
            if (ga != null) {
                FloatVector av = FloatVector.fromArray(S, ga, gaOff + i).mul(alpha).add(gi.mul(c));
                av.intoArray(ga, gaOff + i);
                var = var.sub(av.mul(av));
            }
            FloatVector avg = epsInside ? var.add(eps).sqrt() : var.sqrt().add(eps);
            FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
            if (mb != null) {
                FloatVector bv = FloatVector.fromArray(S, mb, mbOff + i).mul(momentum).add(gi.div(avg));
                bv.intoArray(mb, mbOff + i);
                pv.sub(bv.mul(lr)).intoArray(p, pOff + i);
            } else {
                pv.sub(gi.mul(lr).div(avg)).intoArray(p, pOff + i);
            }
        }
        super.rmsprop(p, pOff, g, gOff, s, sOff, ga, gaOff, mb, mbOff, lr, alpha, eps, momentum, epsInside, i, to);
    }

    /**
     * {@link ElementwiseKernels#exp}'s operations lane by lane (the same bits), the tail by the plain loop. Written
     * around what JDK 17's C2 intrinsifies: test(IS_NAN) and convert(F2I) were not (500-1,000 bytes allocated per
     * vector, slower than Math.exp); NaN is found by v != v and 2^n from the rounding sum's bits (its mantissa holds n).
     */
    @Override
    void expShifted(float[] x, int xOff, float shift, float[] o, int oOff, int n) {
        int i = 0;
        for (; i + VL <= n; i += VL) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i).sub(shift);
            FloatVector c = v.max(LO).min(HI); // in range (NaN and out-of-range lanes are replaced below)
            FloatVector t = c.mul(LOG2E).add(ROUND), nf = t.sub(ROUND);
            FloatVector r = c.sub(nf.mul(LN2_HI)).sub(nf.mul(LN2_LO));
            FloatVector p = r.mul(P0).add(P1).mul(r).add(P2).mul(r).add(P3).mul(r).add(P4).mul(r).add(P5);
            p = p.mul(r.mul(r)).add(r).add(1f);
            FloatVector scale = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND) - 126).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            VectorMask<Float> low = v.compare(VectorOperators.LT, LO), high = v.compare(VectorOperators.GT, HI), nan = v.compare(VectorOperators.NE, v);
            p.mul(scale).mul(2f).blend(0f, low).blend(Float.POSITIVE_INFINITY, high).blend(v, nan).intoArray(o, oOff + i);
        }
        super.expShifted(x, xOff + i, shift, o, oOff + i, n - i);
    }
}
