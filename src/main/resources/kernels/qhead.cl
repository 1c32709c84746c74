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
