// Reductions over many work-groups, in two passes with a fixed order (repeatable results): pass 1
// (an op's `__partial` kernel, e.g. sum_squares__partial in optim.cl) runs G work-groups of at most
// REDUCE work-items, each summing a grid-strided share of the terms and writing its group's total,
// times `scale`, to dst[g]; when G > 1 the host points dst at a scratch buffer and sum_partials
// adds the G totals (pass 2). With G = 1 pass 1 writes the result itself.

#define REDUCE 256

// Sums the work-group's values in local memory (a power-of-two group); every work-item gets the total.
float reduce_group(__local float* part, float mine) {
    int l = get_local_id(0);
    part[l] = mine;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        if (l < s) part[l] += part[l + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float total = part[0];
    barrier(CLK_LOCAL_MEM_FENCE); // the caller may reduce again with the same array
    return total;
}

// Pass 2: out[0] = scale * (part[0] + ... + part[groups-1]); one work-group.
__kernel void sum_partials(__global float* out, int out_off, __global const float* part, int groups, float scale) {
    __local float sums[REDUCE];
    float s = 0.0f;
    for (int i = get_local_id(0); i < groups; i += get_local_size(0)) s += part[i];
    float total = reduce_group(sums, s);
    if (get_local_id(0) == 0) out[out_off] = total * scale;
}
