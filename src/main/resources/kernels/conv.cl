// Convolution, NCHW, weight [OC,C,KH,KW], as CpuBackend.conv2d_forward / conv2d_backward
// (ConvGeometry passed as N,C,H,W,OC,KH,KW,stride,pad): the forward pass and the weight gradient
// are implicit GEMMs (gemm.cl reads the input's patches in place, no im2col buffer), the input
// gradient a GEMM into a column buffer followed by a gather (col2im), the bias gradient one
// work-group per output channel. P = OH*OW pixels per output channel, CKK = C*KH*KW.

#define OH ((H + 2 * pad - KH) / stride + 1)
#define OW ((W + 2 * pad - KW) / stride + 1)
#define CONV_GEOMETRY Conv g = {C, H, W, KH, KW, stride, pad, OH, OW}; int P = OH * OW, CKK = C * KH * KW

// out[n,o,p] = sum_ckk weight[o,ckk] patches[ckk, (n,p)] + bias[o], then max(out, 0) when relu:
// M = OC, columns N*P, K = CKK.
void conv_forward(__global float* out, int out_off, __global const float* inp, int inp_off,
                  __global const float* weight, int weight_off, __global const float* bias, int bias_off,
                  int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad,
                  __global float* part, int kchunk, int relu,
                  __local float (*As)[TSM + 1], __local float (*Bs)[TSN + 1], float (*acc)[WPTN]) {
    CONV_GEOMETRY;
    gemm_tile(OC, N * P, split_begin(kchunk), split_end(kchunk, CKK), weight, view(STRIDED, weight_off, CKK, 1),
              inp, view(PATCHES, inp_off, 0, 0), g, As, Bs, acc);
    Out o = {out_off, CHANNELS, OC, P, bias_off, 1, 0, relu};
    gemm_store(OC, N * P, acc, out, o, bias, part);
}

__kernel void conv2d_forward(__global float* out, int out_off, __global const float* inp, int inp_off,
                             __global const float* weight, int weight_off, __global const float* bias, int bias_off,
                             int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad,
                             __global float* part, int kchunk) {
    GEMM_LOCALS;
    conv_forward(out, out_off, inp, inp_off, weight, weight_off, bias, bias_off, N, C, H, W, OC, KH, KW, stride, pad,
                 part, kchunk, 0, As, Bs, acc);
}

// The ReLU in the epilogue: one launch fewer than conv2d_forward then relu_forward.
__kernel void conv2d_relu_forward(__global float* out, int out_off, __global const float* inp, int inp_off,
                                  __global const float* weight, int weight_off, __global const float* bias, int bias_off,
                                  int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad,
                                  __global float* part, int kchunk) {
    GEMM_LOCALS;
    conv_forward(out, out_off, inp, inp_off, weight, weight_off, bias, bias_off, N, C, H, W, OC, KH, KW, stride, pad,
                 part, kchunk, 1, As, Bs, acc);
}

// col[ckk, (n,p)] = sum_o weight[o,ckk] dout[n,o,p]: the input gradient's columns. M = CKK, columns N*P, K = OC.
__kernel void conv2d_backward__dcol(__global float* col, __global const float* dout, int dout_off,
                                    __global const float* weight, int weight_off,
                                    int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad,
                                    __global float* part, int kchunk) {
    GEMM_LOCALS;
    CONV_GEOMETRY;
    gemm_tile(CKK, N * P, split_begin(kchunk), split_end(kchunk, OC), weight, view(STRIDED, weight_off, 1, CKK),
              dout, view(CHANNELS, dout_off, OC, P), g, As, Bs, acc);
    Out o = {0, STRIDED, N * P, 1, -1, 0, 0, 0};
    gemm_store(CKK, N * P, acc, col, o, col, part);
}

// dinp[n,c,ih,iw] += the columns of every output pixel the input pixel fed (col2im as a gather:
// no two work-items write one element). 1D range over N*C*H*W.
__kernel void conv2d_backward__dinp(__global float* dinp, int dinp_off, __global const float* col,
                                    int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad) {
    int id = get_global_id(0);
    if (id >= N * C * H * W) return;
    int iw = id % W, ih = id / W % H, c = id / (W * H) % C, n = id / (W * H * C);
    int NP = N * OH * OW;
    float s = 0.0f;
    for (int kh = 0; kh < KH; kh++) {
        int th = ih + pad - kh;
        if (th < 0 || th % stride != 0 || th / stride >= OH) continue;
        for (int kw = 0; kw < KW; kw++) {
            int tw = iw + pad - kw;
            if (tw < 0 || tw % stride != 0 || tw / stride >= OW) continue;
            s += col[((c * KH + kh) * KW + kw) * NP + (n * OH + th / stride) * OW + tw / stride];
        }
    }
    dinp[dinp_off + id] += s;
}

// dweight[o,ckk] += sum_(n,p) dout[n,o,p] patches[ckk, (n,p)]: M = OC, columns CKK, K = N*P (long:
// split across work-groups, see gemm.cl).
__kernel void conv2d_backward__dweight(__global float* dweight, int dweight_off, __global const float* dout, int dout_off,
                                       __global const float* inp, int inp_off,
                                       int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad,
                                       __global float* part, int kchunk) {
    GEMM_LOCALS;
    CONV_GEOMETRY;
    gemm_tile(OC, CKK, split_begin(kchunk), split_end(kchunk, N * P), dout, view(CHANNELS, dout_off, OC, P),
              inp, view(PATCHES_T, inp_off, 0, 0), g, As, Bs, acc);
    Out o = {dweight_off, STRIDED, CKK, 1, -1, 0, 1, 0};
    gemm_store(OC, CKK, acc, dweight, o, dweight, part);
}

// dbias[o] += sum over samples and pixels of dout[n,o,p]: work-group o (REDUCE work-items at most) sums channel o.
__kernel void conv2d_backward__dbias(__global float* dbias, int dbias_off, __global const float* dout, int dout_off, int N, int OC, int P) {
    __local float sums[REDUCE];
    int o = get_group_id(0);
    float s = 0.0f;
    for (int i = get_local_id(0); i < N * P; i += get_local_size(0)) {
        int n = i / P;
        s += dout[dout_off + (n * OC + o) * P + i - n * P];
    }
    float total = reduce_group(sums, s);
    if (get_local_id(0) == 0) dbias[dbias_off + o] += total;
}

#undef OH
#undef OW
