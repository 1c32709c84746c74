// Dense layer: out[N,OC] = inp[N,C] . weight[OC,C]^T + bias[OC], and its backward, as in
// CpuBackend.matmul_forward / matmul_backward. Every tensor is passed as (buffer, offset);
// an offset < 0 means the tensor is null (skipped). Each kernel of the matmul_backward set
// takes the Java method's whole argument list and computes one of its outputs.

#define TILE 16

// C(i, j) = sum_k A(i, k) * B(k, j) for the work-item's (i, j), with A(i, k) at
// a[a_off + i * a_rs + k * a_cs] and B(k, j) at b[b_off + k * b_rs + j * b_cs], through
// TILE x TILE tiles in local memory. Work-items outside M x N load zeros and return 0.
float tiled_dot(int M, int Ncols, int K,
                __global const float* a, int a_off, int a_rs, int a_cs,
                __global const float* b, int b_off, int b_rs, int b_cs,
                __local float (*As)[TILE], __local float (*Bs)[TILE]) {
    int j = get_global_id(0), i = get_global_id(1);
    int lj = get_local_id(0), li = get_local_id(1);
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        int ka = k0 + lj, kb = k0 + li;
        As[li][lj] = (i < M && ka < K) ? a[a_off + i * a_rs + ka * a_cs] : 0.0f;
        Bs[li][lj] = (kb < K && j < Ncols) ? b[b_off + kb * b_rs + j * b_cs] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TILE; k++) acc += As[li][k] * Bs[k][lj];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return acc;
}

// 2D range: dim 0 over OC, dim 1 over N, TILE x TILE work-groups.
__kernel void matmul_forward(__global float* out, int out_off, __global const float* inp, int inp_off,
                             __global const float* weight, int weight_off, __global const float* bias, int bias_off,
                             int N, int C, int OC) {
    __local float As[TILE][TILE], Bs[TILE][TILE];
    float acc = tiled_dot(N, OC, C, inp, inp_off, C, 1, weight, weight_off, 1, C, As, Bs);
    int o = get_global_id(0), n = get_global_id(1);
    if (n < N && o < OC) out[out_off + n * OC + o] = acc + (bias_off >= 0 ? bias[bias_off + o] : 0.0f);
}

// dinp[N,C] += dout[N,OC] . weight[OC,C]; 2D range: dim 0 over C, dim 1 over N.
__kernel void matmul_backward__dinp(__global float* dinp, int dinp_off, __global float* dweight, int dweight_off,
                                    __global float* dbias, int dbias_off, __global const float* dout, int dout_off,
                                    __global const float* inp, int inp_off, __global const float* weight, int weight_off,
                                    int N, int C, int OC) {
    __local float As[TILE][TILE], Bs[TILE][TILE];
    float acc = tiled_dot(N, C, OC, dout, dout_off, OC, 1, weight, weight_off, C, 1, As, Bs);
    int c = get_global_id(0), n = get_global_id(1);
    if (n < N && c < C) dinp[dinp_off + n * C + c] += acc;
}

// dweight[OC,C] += dout^T . inp; 2D range: dim 0 over C, dim 1 over OC.
__kernel void matmul_backward__dweight(__global float* dinp, int dinp_off, __global float* dweight, int dweight_off,
                                       __global float* dbias, int dbias_off, __global const float* dout, int dout_off,
                                       __global const float* inp, int inp_off, __global const float* weight, int weight_off,
                                       int N, int C, int OC) {
    __local float As[TILE][TILE], Bs[TILE][TILE];
    float acc = tiled_dot(OC, C, N, dout, dout_off, 1, OC, inp, inp_off, C, 1, As, Bs);
    int c = get_global_id(0), o = get_global_id(1);
    if (o < OC && c < C) dweight[dweight_off + o * C + c] += acc;
}

// dbias[OC] += sum_n dout[n, o]; 1D range over OC.
__kernel void matmul_backward__dbias(__global float* dinp, int dinp_off, __global float* dweight, int dweight_off,
                                     __global float* dbias, int dbias_off, __global const float* dout, int dout_off,
                                     __global const float* inp, int inp_off, __global const float* weight, int weight_off,
                                     int N, int C, int OC) {
    int o = get_global_id(0);
    if (o >= OC) return;
    float s = 0.0f;
    for (int n = 0; n < N; n++) s += dout[dout_off + n * OC + o];
    dbias[dbias_off + o] += s;
}
