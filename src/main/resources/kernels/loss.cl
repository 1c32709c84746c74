// Losses with mean reduction, as CpuBackend.mse_* / smooth_l1_*. The forward kernels are one
// work-group of REDUCE work-items (a fixed-order tree sum, so results are repeatable); the
// backward kernels are a 1D range over N.

#define REDUCE 256

// Sums the work-group's partial sums in local memory; work-item 0 gets the total.
float reduce_group(__local float* part, float mine) {
    int l = get_local_id(0);
    part[l] = mine;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (l < s) part[l] += part[l + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return part[0];
}

__kernel void mse_forward(__global float* loss, int loss_off, __global const float* pred, int pred_off,
                          __global const float* target, int target_off, int N) {
    __local float part[REDUCE];
    float s = 0.0f;
    for (int i = get_local_id(0); i < N; i += get_local_size(0)) {
        float d = pred[pred_off + i] - target[target_off + i];
        s += d * d;
    }
    float total = reduce_group(part, s);
    if (get_local_id(0) == 0) loss[loss_off] = total / N;
}

__kernel void mse_backward(__global float* dpred, int dpred_off, __global const float* dloss, int dloss_off,
                           __global const float* pred, int pred_off, __global const float* target, int target_off, int N) {
    int i = get_global_id(0);
    if (i < N) dpred[dpred_off + i] += 2.0f * dloss[dloss_off] / N * (pred[pred_off + i] - target[target_off + i]);
}

__kernel void smooth_l1_forward(__global float* loss, int loss_off, __global const float* pred, int pred_off,
                                __global const float* target, int target_off, float beta, int N) {
    __local float part[REDUCE];
    float s = 0.0f;
    for (int i = get_local_id(0); i < N; i += get_local_size(0)) {
        float d = fabs(pred[pred_off + i] - target[target_off + i]);
        s += d < beta ? 0.5f * d * d / beta : d - 0.5f * beta;
    }
    float total = reduce_group(part, s);
    if (get_local_id(0) == 0) loss[loss_off] = total / N;
}

__kernel void smooth_l1_backward(__global float* dpred, int dpred_off, __global const float* dloss, int dloss_off,
                                 __global const float* pred, int pred_off, __global const float* target, int target_off,
                                 float beta, int N) {
    int i = get_global_id(0);
    if (i >= N) return;
    float d = pred[pred_off + i] - target[target_off + i];
    float g = fabs(d) < beta ? d / beta : sign(d);
    dpred[dpred_off + i] += dloss[dloss_off] / N * g;
}
