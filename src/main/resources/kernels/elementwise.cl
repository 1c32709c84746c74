// Elementwise ops, 1D range over n, as CpuBackend.relu_forward / relu_backward / relu_backward_inplace / scale_forward / scale_u8_forward.

__kernel void relu_forward(__global float* out, int out_off, __global const float* inp, int inp_off, int n) {
    int i = get_global_id(0);
    if (i < n) { float v = inp[inp_off + i]; out[out_off + i] = v > 0.0f ? v : 0.0f; }
}

__kernel void relu_backward(__global float* dinp, int dinp_off, __global const float* dout, int dout_off,
                            __global const float* out, int out_off, int n) {
    int i = get_global_id(0);
    if (i < n && out[out_off + i] > 0.0f) dinp[dinp_off + i] += dout[dout_off + i];
}

// relu_backward into a zeroed buffer, in place (0 + dout: -0 comes out +0 as there), for the fused layers.
__kernel void relu_backward_inplace(__global float* dout, int dout_off, __global const float* out, int out_off, int n) {
    int i = get_global_id(0);
    if (i < n) dout[dout_off + i] = out[out_off + i] > 0.0f ? 0.0f + dout[dout_off + i] : 0.0f;
}

__kernel void scale_forward(__global float* out, int out_off, __global const float* inp, int inp_off, float scale, int n) {
    int i = get_global_id(0);
    if (i < n) out[out_off + i] = inp[inp_off + i] * scale;
}

// inp: bytes (uint8 observations, uploaded as stored).
__kernel void scale_u8_forward(__global float* out, int out_off, __global const uchar* inp, int inp_off, float scale, int n) {
    int i = get_global_id(0);
    if (i < n) out[out_off + i] = inp[inp_off + i] * scale;
}

// Rows of a byte table gathered as floats; index holds row numbers as floats. 1D range over rows*rowSize.
// tableRows bounds the rows read (an index outside leaves its output row as it was).
__kernel void gather_u8_forward(__global float* out, int out_off, __global const uchar* table, int table_off,
                                __global const float* index, int index_off, int rows, int rowSize, int tableRows) {
    int id = get_global_id(0);
    if (id >= rows * rowSize) return;
    int r = id / rowSize;
    float f = index[index_off + r];
    if (!(f >= 0.0f && f < (float) tableRows)) return;
    out[out_off + id] = table[table_off + (long) f * rowSize + id - r * rowSize];
}
