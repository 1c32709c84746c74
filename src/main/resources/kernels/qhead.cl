// Q-value heads, one work-item per sample n (1D range over N), as CpuBackend's gather, max,
// dueling and td_target. Actions travel as floats.
//
// A kernel that indexes rows by an action checks it first: one that is not an integer in [0, A)
// is written to `error` (the backend's flag buffer: 1, the action, A) and skipped, and the backend
// throws CpuBackend's error when it next reads a result back. `error` is the last argument of
// such kernels and has no Java twin.

// The action as a column index, or -1 after flagging it.
int checked_action(float a, int A, __global float* error) {
    if (a >= 0.0f && a < (float) A && a == floor(a)) return (int) a; // false for NaN too
    error[0] = 1.0f;
    error[1] = a;
    error[2] = (float) A;
    return -1;
}

// The first index of the maximum; NaN counts as the maximum (CpuBackend.argmax).
int argmax_row(__global const float* q, int row, int A) {
    int best = 0;
    float m = q[row];
    for (int a = 1; a < A && !isnan(m); a++) {
        float v = q[row + a];
        if (v > m || isnan(v)) { m = v; best = a; }
    }
    return best;
}

__kernel void gather_forward(__global float* out, int out_off, __global const float* q, int q_off,
                             __global const float* actions, int actions_off, int N, int A, __global float* error) {
    int n = get_global_id(0);
    if (n >= N) return;
    int a = checked_action(actions[actions_off + n], A, error);
    if (a >= 0) out[out_off + n] = q[q_off + n * A + a];
}

__kernel void gather_backward(__global float* dq, int dq_off, __global const float* dout, int dout_off,
                              __global const float* actions, int actions_off, int N, int A, __global float* error) {
    int n = get_global_id(0);
    if (n >= N) return;
    int a = checked_action(actions[actions_off + n], A, error);
    if (a >= 0) dq[dq_off + n * A + a] += dout[dout_off + n];
}

__kernel void max_forward(__global float* outMax, int outMax_off, __global float* outArg, int outArg_off,
                          __global const float* q, int q_off, int N, int A) {
    int n = get_global_id(0);
    if (n >= N) return;
    int best = argmax_row(q, q_off + n * A, A);
    if (outMax_off >= 0) outMax[outMax_off + n] = q[q_off + n * A + best];
    if (outArg_off >= 0) outArg[outArg_off + n] = (float) best;
}

__kernel void max_backward(__global float* dq, int dq_off, __global const float* dout, int dout_off,
                           __global const float* arg, int arg_off, int N, int A, __global float* error) {
    int n = get_global_id(0);
    if (n >= N) return;
    int a = checked_action(arg[arg_off + n], A, error);
    if (a >= 0) dq[dq_off + n * A + a] += dout[dout_off + n];
}

// Over atoms k too (K = 1: Q values): q and adv [N, A, K], v [N, K].
__kernel void dueling_forward(__global float* q, int q_off, __global const float* v, int v_off,
                              __global const float* adv, int adv_off, int N, int A, int K) {
    int n = get_global_id(0);
    if (n >= N) return;
    for (int k = 0; k < K; k++) {
        int first = adv_off + n * A * K + k;
        float mean = 0.0f;
        for (int a = 0; a < A; a++) mean += adv[first + a * K];
        mean /= A;
        float base = v[v_off + n * K + k] - mean;
        for (int a = 0; a < A; a++) q[q_off + n * A * K + a * K + k] = base + adv[first + a * K];
    }
}

__kernel void dueling_backward(__global float* dv, int dv_off, __global float* dadv, int dadv_off,
                               __global const float* dq, int dq_off, int N, int A, int K) {
    int n = get_global_id(0);
    if (n >= N) return;
    for (int k = 0; k < K; k++) {
        int first = dq_off + n * A * K + k;
        float sum = 0.0f;
        for (int a = 0; a < A; a++) sum += dq[first + a * K];
        if (dv_off >= 0) dv[dv_off + n * K + k] += sum;
        if (dadv_off >= 0) {
            float mean = sum / A;
            for (int a = 0; a < A; a++) dadv[dadv_off + n * A * K + a * K + k] += dq[first + a * K] - mean;
        }
    }
}

// y = r + gamma * (1 - terminated) * qNextTarget[a*]; a* from qNextOnline when given (Double DQN).
__kernel void td_target(__global float* y, int y_off, __global const float* qNextTarget, int qNextTarget_off,
                        __global const float* qNextOnline, int qNextOnline_off, __global const float* reward, int reward_off,
                        __global const float* terminated, int terminated_off, float gamma, int N, int A) {
    int n = get_global_id(0);
    if (n >= N) return;
    int a = qNextOnline_off >= 0 ? argmax_row(qNextOnline, qNextOnline_off + n * A, A)
                                 : argmax_row(qNextTarget, qNextTarget_off + n * A, A);
    float next = qNextTarget[qNextTarget_off + n * A + a];
    y[y_off + n] = reward[reward_off + n] + gamma * (1.0f - terminated[terminated_off + n]) * next;
}

// ---- distributional heads (C51), as CpuBackend's: one work-item per row of K atoms (or per sample),
// sums in float in index order. Atom j of the support is vMin + j * ((vMax - vMin) / (K - 1)).

float atom(float vMin, float vMax, int j, int K) { return vMin + j * ((vMax - vMin) / (K - 1)); }

__kernel void log_softmax_forward(__global float* out, int out_off, __global const float* inp, int inp_off, int rows, int K) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int in = inp_off + r * K, at = out_off + r * K;
    float mx = inp[in];
    for (int j = 1; j < K; j++) mx = fmax(mx, inp[in + j]);
    float sum = 0.0f;
    for (int j = 0; j < K; j++) sum += exp(inp[in + j] - mx);
    float lse = mx + log(sum);
    for (int j = 0; j < K; j++) out[at + j] = inp[in + j] - lse;
}

__kernel void log_softmax_backward(__global float* dinp, int dinp_off, __global const float* dout, int dout_off,
                                   __global const float* out, int out_off, int rows, int K) {
    int r = get_global_id(0);
    if (r >= rows) return;
    int g = dout_off + r * K;
    float sum = 0.0f;
    for (int j = 0; j < K; j++) sum += dout[g + j];
    for (int j = 0; j < K; j++) dinp[dinp_off + r * K + j] += dout[g + j] - exp(out[out_off + r * K + j]) * sum;
}

__kernel void categorical_q_forward(__global float* q, int q_off, __global const float* logp, int logp_off,
                                    float vMin, float vMax, int rows, int K) {
    int r = get_global_id(0);
    if (r >= rows) return;
    float s = 0.0f;
    for (int j = 0; j < K; j++) s += exp(logp[logp_off + r * K + j]) * atom(vMin, vMax, j, K);
    q[q_off + r] = s;
}

// m[n] = the atoms of logpNext[n, nextAction[n]] moved to r + gamma (1 - terminated) z_j and split
// between the two atoms around each (CleanRL's c51.py projection). One work-item writes a whole row.
__kernel void categorical_projection(__global float* m, int m_off, __global const float* logpNext, int logpNext_off,
                                     __global const float* nextAction, int nextAction_off, __global const float* reward, int reward_off,
                                     __global const float* terminated, int terminated_off, float gamma, float vMin, float vMax,
                                     int N, int A, int K, __global float* error) {
    int n = get_global_id(0);
    if (n >= N) return;
    int a = checked_action(nextAction[nextAction_off + n], A, error);
    if (a < 0) return;
    int row = logpNext_off + (n * A + a) * K, to = m_off + n * K;
    float dz = (vMax - vMin) / (K - 1);
    float discount = gamma * (1.0f - terminated[terminated_off + n]), rn = reward[reward_off + n];
    for (int j = 0; j < K; j++) m[to + j] = 0.0f;
    for (int j = 0; j < K; j++) {
        float tz = fmin(vMax, fmax(vMin, rn + discount * atom(vMin, vMax, j, K)));
        float b = (tz - vMin) / dz;
        int l = clamp((int) floor(b), 0, K - 1), u = clamp((int) ceil(b), 0, K - 1);
        float p = exp(logpNext[row + j]);
        m[to + l] += ((float) u + (l == u ? 1.0f : 0.0f) - b) * p;
        m[to + u] += (b - (float) l) * p;
    }
}

// The first launch of categorical_loss_forward: each sample's cross-entropy.
__kernel void categorical_loss_forward__per_sample(__global float* perSample, int perSample_off, __global const float* logp, int logp_off,
                                                   __global const float* actions, int actions_off, __global const float* target, int target_off,
                                                   int N, int A, int K, __global float* error) {
    int n = get_global_id(0);
    if (n >= N) return;
    int a = checked_action(actions[actions_off + n], A, error);
    if (a < 0) return;
    int row = logp_off + (n * A + a) * K;
    float ce = 0.0f;
    for (int j = 0; j < K; j++) ce -= target[target_off + n * K + j] * logp[row + j];
    perSample[perSample_off + n] = ce;
}

__kernel void categorical_loss_backward(__global float* dlogp, int dlogp_off, __global const float* dloss, int dloss_off,
                                        __global const float* actions, int actions_off, __global const float* target, int target_off,
                                        __global const float* weight, int weight_off, int N, int A, int K, __global float* error) {
    int n = get_global_id(0);
    if (n >= N) return;
    int a = checked_action(actions[actions_off + n], A, error);
    if (a < 0) return;
    int row = dlogp_off + (n * A + a) * K;
    float wk = dloss[dloss_off] / N * (weight_off < 0 ? 1.0f : weight[weight_off + n]);
    for (int j = 0; j < K; j++) dlogp[row + j] -= wk * target[target_off + n * K + j];
}
