// Dense layer: out[N,OC] = inp[N,C] . weight[OC,C]^T + bias[OC], and its backward, as in
// CpuBackend.matmul_forward / matmul_backward, through gemm.cl's tiled GEMM. Every tensor is
// passed as (buffer, offset); an offset < 0 means the tensor is null. The GEMM kernels take a
// split-K scratch buffer and chunk last (see gemm.cl); range: dim 0 over output columns in
// TSN tiles, dim 1 over rows in TSM tiles, dim 2 over K's chunks.

// out = inp . weight^T (+ bias), then max(out, 0) when relu: M = N, columns OC, K = C.
void dense_forward(__global float* out, int out_off, __global const float* inp, int inp_off,
                   __global const float* weight, int weight_off, __global const float* bias, int bias_off,
                   int N, int C, int OC, __global float* part, int kchunk, int relu,
                   __local float (*As)[TSM + 1], __local float (*Bs)[TSN + 1], float (*acc)[WPTN]) {
    Conv none = {0};
    gemm_tile(N, OC, split_begin(kchunk), split_end(kchunk, C), inp, view(STRIDED, inp_off, C, 1),
              weight, view(STRIDED, weight_off, 1, C), none, As, Bs, acc);
    Out o = {out_off, STRIDED, OC, 1, bias_off, 0, 0, relu};
    gemm_store(N, OC, acc, out, o, bias, part);
}

__kernel void matmul_forward(__global float* out, int out_off, __global const float* inp, int inp_off,
                             __global const float* weight, int weight_off, __global const float* bias, int bias_off,
                             int N, int C, int OC, __global float* part, int kchunk) {
    GEMM_LOCALS;
    dense_forward(out, out_off, inp, inp_off, weight, weight_off, bias, bias_off, N, C, OC, part, kchunk, 0, As, Bs, acc);
}

// The ReLU in the epilogue (a split K's in gemm_sum_splits'): one launch fewer than matmul_forward then relu_forward.
__kernel void matmul_relu_forward(__global float* out, int out_off, __global const float* inp, int inp_off,
                                  __global const float* weight, int weight_off, __global const float* bias, int bias_off,
                                  int N, int C, int OC, __global float* part, int kchunk) {
    GEMM_LOCALS;
    dense_forward(out, out_off, inp, inp_off, weight, weight_off, bias, bias_off, N, C, OC, part, kchunk, 1, As, Bs, acc);
}

// dinp += dout . weight: M = N, columns C, K = OC.
__kernel void matmul_backward__dinp(__global float* dinp, int dinp_off, __global const float* dout, int dout_off,
                                    __global const float* weight, int weight_off, int N, int C, int OC,
                                    __global float* part, int kchunk) {
    GEMM_LOCALS;
    Conv none = {0};
    gemm_tile(N, C, split_begin(kchunk), split_end(kchunk, OC), dout, view(STRIDED, dout_off, OC, 1),
              weight, view(STRIDED, weight_off, C, 1), none, As, Bs, acc);
    Out o = {dinp_off, STRIDED, C, 1, -1, 0, 1, 0};
    gemm_store(N, C, acc, dinp, o, dinp, part);
}

// dweight += dout^T . inp: M = OC, columns C, K = N.
__kernel void matmul_backward__dweight(__global float* dweight, int dweight_off, __global const float* dout, int dout_off,
                                       __global const float* inp, int inp_off, int N, int C, int OC,
                                       __global float* part, int kchunk) {
    GEMM_LOCALS;
    Conv none = {0};
    gemm_tile(OC, C, split_begin(kchunk), split_end(kchunk, N), dout, view(STRIDED, dout_off, 1, OC),
              inp, view(STRIDED, inp_off, C, 1), none, As, Bs, acc);
    Out o = {dweight_off, STRIDED, C, 1, -1, 0, 1, 0};
    gemm_store(OC, C, acc, dweight, o, dweight, part);
}

// dbias[OC] += sum_n dout[n, o]; 1D range over OC (neighbouring work-items read neighbouring words).
__kernel void matmul_backward__dbias(__global float* dbias, int dbias_off, __global const float* dout, int dout_off, int N, int OC) {
    int o = get_global_id(0);
    if (o >= OC) return;
    float s = 0.0f;
    for (int n = 0; n < N; n++) s += dout[dout_off + n * OC + o];
    dbias[dbias_off + o] += s;
}
