// Convolution, NCHW, weight [OC,C,KH,KW], as CpuBackend.conv2d_forward / conv2d_backward
// (ConvGeometry passed as N,C,H,W,OC,KH,KW,stride,pad). Direct loops, one work-item per
// output element: the same sums as the im2col + GEMM path on the CPU, in a different order.

#define OH ((H + 2 * pad - KH) / stride + 1)
#define OW ((W + 2 * pad - KW) / stride + 1)

// 1D range over N*OC*OH*OW.
__kernel void conv2d_forward(__global float* out, int out_off, __global const float* inp, int inp_off,
                             __global const float* weight, int weight_off, __global const float* bias, int bias_off,
                             int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad) {
    int id = get_global_id(0);
    if (id >= N * OC * OH * OW) return;
    int ow = id % OW, oh = id / OW % OH, o = id / (OW * OH) % OC, n = id / (OW * OH * OC);
    float s = bias_off >= 0 ? bias[bias_off + o] : 0.0f;
    for (int c = 0; c < C; c++) {
        for (int kh = 0; kh < KH; kh++) {
            int ih = oh * stride - pad + kh;
            if (ih < 0 || ih >= H) continue;
            for (int kw = 0; kw < KW; kw++) {
                int iw = ow * stride - pad + kw;
                if (iw < 0 || iw >= W) continue;
                s += inp[inp_off + ((n * C + c) * H + ih) * W + iw] * weight[weight_off + ((o * C + c) * KH + kh) * KW + kw];
            }
        }
    }
    out[out_off + id] = s;
}

// dinp += sum over the outputs each input pixel fed; 1D range over N*C*H*W.
__kernel void conv2d_backward__dinp(__global float* dinp, int dinp_off, __global float* dweight, int dweight_off,
                                    __global float* dbias, int dbias_off, __global const float* dout, int dout_off,
                                    __global const float* inp, int inp_off, __global const float* weight, int weight_off,
                                    int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad) {
    int id = get_global_id(0);
    if (id >= N * C * H * W) return;
    int iw = id % W, ih = id / W % H, c = id / (W * H) % C, n = id / (W * H * C);
    float s = 0.0f;
    for (int kh = 0; kh < KH; kh++) {
        int th = ih + pad - kh;
        if (th < 0 || th % stride != 0 || th / stride >= OH) continue;
        int oh = th / stride;
        for (int kw = 0; kw < KW; kw++) {
            int tw = iw + pad - kw;
            if (tw < 0 || tw % stride != 0 || tw / stride >= OW) continue;
            int ow = tw / stride;
            for (int o = 0; o < OC; o++) {
                s += dout[dout_off + ((n * OC + o) * OH + oh) * OW + ow] * weight[weight_off + ((o * C + c) * KH + kh) * KW + kw];
            }
        }
    }
    dinp[dinp_off + id] += s;
}

// dweight[o,c,kh,kw] += sum over samples and output pixels; 1D range over OC*C*KH*KW.
__kernel void conv2d_backward__dweight(__global float* dinp, int dinp_off, __global float* dweight, int dweight_off,
                                       __global float* dbias, int dbias_off, __global const float* dout, int dout_off,
                                       __global const float* inp, int inp_off, __global const float* weight, int weight_off,
                                       int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad) {
    int id = get_global_id(0);
    if (id >= OC * C * KH * KW) return;
    int kw = id % KW, kh = id / KW % KH, c = id / (KW * KH) % C, o = id / (KW * KH * C);
    float s = 0.0f;
    for (int n = 0; n < N; n++) {
        for (int oh = 0; oh < OH; oh++) {
            int ih = oh * stride - pad + kh;
            if (ih < 0 || ih >= H) continue;
            for (int ow = 0; ow < OW; ow++) {
                int iw = ow * stride - pad + kw;
                if (iw < 0 || iw >= W) continue;
                s += dout[dout_off + ((n * OC + o) * OH + oh) * OW + ow] * inp[inp_off + ((n * C + c) * H + ih) * W + iw];
            }
        }
    }
    dweight[dweight_off + id] += s;
}

// dbias[o] += sum over samples and output pixels; 1D range over OC.
__kernel void conv2d_backward__dbias(__global float* dinp, int dinp_off, __global float* dweight, int dweight_off,
                                     __global float* dbias, int dbias_off, __global const float* dout, int dout_off,
                                     __global const float* inp, int inp_off, __global const float* weight, int weight_off,
                                     int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad) {
    int o = get_global_id(0);
    if (o >= OC) return;
    float s = 0.0f;
    for (int n = 0; n < N; n++) {
        int row = dout_off + (n * OC + o) * OH * OW;
        for (int p = 0; p < OH * OW; p++) s += dout[row + p];
    }
    dbias[dbias_off + o] += s;
}

#undef OH
#undef OW
