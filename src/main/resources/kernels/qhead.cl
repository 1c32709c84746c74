// Q-value heads, one work-item per sample n (1D range over N), as CpuBackend's gather, max,
// dueling and td_target. Actions travel as floats.

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
                             __global const float* actions, int actions_off, int N, int A) {
    int n = get_global_id(0);
    if (n < N) out[out_off + n] = q[q_off + n * A + (int) actions[actions_off + n]];
}

__kernel void gather_backward(__global float* dq, int dq_off, __global const float* dout, int dout_off,
                              __global const float* actions, int actions_off, int N, int A) {
    int n = get_global_id(0);
    if (n < N) dq[dq_off + n * A + (int) actions[actions_off + n]] += dout[dout_off + n];
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
                           __global const float* arg, int arg_off, int N, int A) {
    int n = get_global_id(0);
    if (n < N) dq[dq_off + n * A + (int) arg[arg_off + n]] += dout[dout_off + n];
}

__kernel void dueling_forward(__global float* q, int q_off, __global const float* v, int v_off,
                              __global const float* adv, int adv_off, int N, int A) {
    int n = get_global_id(0);
    if (n >= N) return;
    int row = adv_off + n * A;
    float mean = 0.0f;
    for (int a = 0; a < A; a++) mean += adv[row + a];
    mean /= A;
    float base = v[v_off + n] - mean;
    for (int a = 0; a < A; a++) q[q_off + n * A + a] = base + adv[row + a];
}

__kernel void dueling_backward(__global float* dv, int dv_off, __global float* dadv, int dadv_off,
                               __global const float* dq, int dq_off, int N, int A) {
    int n = get_global_id(0);
    if (n >= N) return;
    int row = dq_off + n * A;
    float sum = 0.0f;
    for (int a = 0; a < A; a++) sum += dq[row + a];
    if (dv_off >= 0) dv[dv_off + n] += sum;
    if (dadv_off >= 0) {
        float mean = sum / A;
        for (int a = 0; a < A; a++) dadv[dadv_off + n * A + a] += dq[row + a] - mean;
    }
}

// y = r + gamma * (1 - done) * qNextTarget[a*]; a* from qNextOnline when given (Double DQN).
__kernel void td_target(__global float* y, int y_off, __global const float* qNextTarget, int qNextTarget_off,
                        __global const float* qNextOnline, int qNextOnline_off, __global const float* reward, int reward_off,
                        __global const float* done, int done_off, float gamma, int N, int A) {
    int n = get_global_id(0);
    if (n >= N) return;
    int a = qNextOnline_off >= 0 ? argmax_row(qNextOnline, qNextOnline_off + n * A, A)
                                 : argmax_row(qNextTarget, qNextTarget_off + n * A, A);
    float next = qNextTarget[qNextTarget_off + n * A + a];
    y[y_off + n] = reward[reward_off + n] + gamma * (1.0f - done[done_off + n]) * next;
}
