// Optimizer steps, clipping and target updates over flat buffers, as CpuBackend's. 1D range
// over n, except sum_squares__partial (reduce.cl's first pass).

__kernel void sgd_step(__global float* p, int p_off, __global const float* g, int g_off, __global float* buf, int buf_off,
                       float lr, float momentum, int nesterov, int firstStep, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float gi = g[g_off + i], d = gi;
    if (momentum != 0.0f) {
        int bi = buf_off + i;
        buf[bi] = firstStep ? gi : momentum * buf[bi] + gi;
        d = nesterov ? gi + momentum * buf[bi] : buf[bi];
    }
    p[p_off + i] -= lr * d;
}

// The bias corrections stepSize = lr / (1 - beta1^t) and bc2Sqrt = sqrt(1 - beta2^t) come from the
// host (Adam.update, in double, once per step): in float here, 1 - beta2^t lost ~1e-5 of its value
// in the first steps, where beta2^t is close to 1.
__kernel void adam_step(__global float* p, int p_off, __global const float* g, int g_off, __global float* m, int m_off,
                        __global float* v, int v_off, float stepSize, float bc2Sqrt, float beta1, float beta2, float eps, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float gi = g[g_off + i];
    float mi = beta1 * m[m_off + i] + (1.0f - beta1) * gi;
    float vi = beta2 * v[v_off + i] + (1.0f - beta2) * gi * gi;
    m[m_off + i] = mi;
    v[v_off + i] = vi;
    p[p_off + i] -= stepSize * mi / (sqrt(vi) / bc2Sqrt + eps);
}

__kernel void rmsprop_step(__global float* p, int p_off, __global const float* g, int g_off, __global float* sq, int sq_off,
                           __global float* gavg, int gavg_off, __global float* mom, int mom_off, float lr, float alpha,
                           float eps, float momentum, int centered, int epsInside, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float gi = g[g_off + i];
    float s = alpha * sq[sq_off + i] + (1.0f - alpha) * gi * gi;
    sq[sq_off + i] = s;
    float var = s;
    if (centered) {
        float ga = alpha * gavg[gavg_off + i] + (1.0f - alpha) * gi;
        gavg[gavg_off + i] = ga;
        var -= ga * ga;
    }
    float avg = epsInside ? sqrt(var + eps) : sqrt(var) + eps;
    if (momentum != 0.0f) {
        float b = momentum * mom[mom_off + i] + gi / avg;
        mom[mom_off + i] = b;
        p[p_off + i] -= lr * b;
    } else {
        p[p_off + i] -= lr * gi / avg;
    }
}

__kernel void clip_by_value(__global float* g, int g_off, float clip, int n) {
    int i = get_global_id(0);
    if (i < n) g[g_off + i] = fmax(-clip, fmin(clip, g[g_off + i]));
}

// Pass 1 of reduce.cl's two-pass sum of g^2 (the gradient norm over every parameter).
__kernel void sum_squares__partial(__global float* dst, int dst_off, __global const float* g, int g_off, int n, float scale) {
    __local float sums[REDUCE];
    float s = 0.0f;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) { float v = g[g_off + i]; s += v * v; }
    float total = reduce_group(sums, s);
    if (get_local_id(0) == 0) dst[dst_off + get_group_id(0)] = total * scale;
}

__kernel void clip_by_norm(__global float* g, int g_off, __global const float* sumSquares, int sumSquares_off, float maxNorm, int n) {
    int i = get_global_id(0);
    float coef = maxNorm / (sqrt(sumSquares[sumSquares_off]) + 1e-6f);
    if (i < n && coef < 1.0f) g[g_off + i] *= coef;
}

__kernel void polyak(__global float* target, int target_off, __global const float* source, int source_off, float tau, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    target[target_off + i] = tau == 1.0f ? source[source_off + i] : tau * source[source_off + i] + (1.0f - tau) * target[target_off + i];
}
