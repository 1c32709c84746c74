// Losses with mean reduction, as CpuBackend.mse_* / smooth_l1_*. The forward kernels are the
// first pass of reduce.cl's two-pass sum (the host passes scale = 1/N); the backward kernels are
// a 1D range over N. weight: per-sample weights, or (weight_off < 0) none, w = 1.

#define WEIGHT(i) (weight_off < 0 ? 1.0f : weight[weight_off + (i)])

__kernel void mse_forward__partial(__global float* dst, int dst_off, __global const float* pred, int pred_off,
                                   __global const float* target, int target_off, __global const float* weight, int weight_off,
                                   int N, float scale) {
    __local float sums[REDUCE];
    float s = 0.0f;
    for (int i = get_global_id(0); i < N; i += get_global_size(0)) {
        float d = pred[pred_off + i] - target[target_off + i];
        s += WEIGHT(i) * (d * d);
    }
    float total = reduce_group(sums, s);
    if (get_local_id(0) == 0) dst[dst_off + get_group_id(0)] = total * scale;
}

__kernel void mse_backward(__global float* dpred, int dpred_off, __global const float* dloss, int dloss_off,
                           __global const float* pred, int pred_off, __global const float* target, int target_off,
                           __global const float* weight, int weight_off, int N) {
    int i = get_global_id(0);
    if (i < N) dpred[dpred_off + i] += 2.0f * dloss[dloss_off] / N * WEIGHT(i) * (pred[pred_off + i] - target[target_off + i]);
}

__kernel void smooth_l1_forward__partial(__global float* dst, int dst_off, __global const float* pred, int pred_off,
                                         __global const float* target, int target_off, __global const float* weight, int weight_off,
                                         float beta, int N, float scale) {
    __local float sums[REDUCE];
    float s = 0.0f;
    for (int i = get_global_id(0); i < N; i += get_global_size(0)) {
        float d = fabs(pred[pred_off + i] - target[target_off + i]);
        s += WEIGHT(i) * (d < beta ? 0.5f * d * d / beta : d - 0.5f * beta);
    }
    float total = reduce_group(sums, s);
    if (get_local_id(0) == 0) dst[dst_off + get_group_id(0)] = total * scale;
}

__kernel void smooth_l1_backward(__global float* dpred, int dpred_off, __global const float* dloss, int dloss_off,
                                 __global const float* pred, int pred_off, __global const float* target, int target_off,
                                 __global const float* weight, int weight_off, float beta, int N) {
    int i = get_global_id(0);
    if (i >= N) return;
    float d = pred[pred_off + i] - target[target_off + i];
    float g = fabs(d) < beta ? d / beta : sign(d);
    dpred[dpred_off + i] += dloss[dloss_off] / N * WEIGHT(i) * g;
}

// The second launch of categorical_loss_forward (qhead.cl computes perSample): the weighted mean.
__kernel void categorical_loss_forward__mean(__global float* dst, int dst_off, __global const float* perSample, int perSample_off,
                                             __global const float* weight, int weight_off, int N, float scale) {
    __local float sums[REDUCE];
    float s = 0.0f;
    for (int i = get_global_id(0); i < N; i += get_global_size(0)) s += WEIGHT(i) * perSample[perSample_off + i];
    float total = reduce_group(sums, s);
    if (get_local_id(0) == 0) dst[dst_off + get_group_id(0)] = total * scale;
}
