// The one matrix product behind the dense and convolution kernels (dense.cl, conv.cl): a tiled
// GEMM with register blocking, C(m, j) = sum_k A(m, k) B(k, j) over M x NC outputs and K terms.
//
// A work-group computes one TSM x TSN tile of C. Each of its RTSM x RTSN work-items keeps
// WPTM x WPTN outputs in registers, at rows ty + i*RTSM and columns tx + j*RTSN: strided, so that
// neighbouring work-items read neighbouring local-memory words and write neighbouring outputs.
// TSK-deep slices of A and B are staged in local memory, loaded with neighbouring work-items on
// neighbouring global addresses (coalesced) whichever way the operand is laid out.
//
// Split-K: the range's third dimension cuts K into chunks of kchunk (a multiple of TSK). With one
// chunk the results go through the caller's epilogue (`Out`); with several, each chunk writes its
// partial tile to `part` ([chunk][M][NC]) and gemm_sum_splits adds them in order and applies the
// epilogue. Convolutions read their operands in place (implicit GEMM: `View` kinds below).
//
// TSM, TSN, TSK, WPTM, WPTN are -D defines the host chooses per device (Tuning.java).

#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)

// How an operand's element (r, c) sits in its buffer x.
#define STRIDED 0    // x[off + r*rs + c*cs]
#define CHANNELS 1   // an NCHW tensor as a [channel][n*P + p] matrix, rs = channels, cs = P pixels
#define PATCHES 2    // im2col of an NCHW input (Conv): row c*KH*KW + kh*KW + kw, column n*OH*OW + oh*OW + ow; 0 in the padding
#define PATCHES_T 3  // its transpose

typedef struct { int kind, off, rs, cs; } View;
// The work-group's staging tiles and the work-item's outputs, declared at kernel scope as OpenCL requires.
#define GEMM_LOCALS __local float As[TSK][TSM + 1], Bs[TSK][TSN + 1]; float acc[WPTM][WPTN]
typedef struct { int C, H, W, KH, KW, stride, pad, OH, OW; } Conv;

View view(int kind, int off, int rs, int cs) {
    View v = {kind, off, rs, cs};
    return v;
}

float patch_at(__global const float* x, int off, Conv g, int row, int col) {
    int kw = row % g.KW, kh = row / g.KW % g.KH, c = row / (g.KW * g.KH);
    int ow = col % g.OW, oh = col / g.OW % g.OH, n = col / (g.OW * g.OH);
    int ih = oh * g.stride - g.pad + kh, iw = ow * g.stride - g.pad + kw;
    return ih >= 0 && ih < g.H && iw >= 0 && iw < g.W ? x[off + ((n * g.C + c) * g.H + ih) * g.W + iw] : 0.0f;
}

float at(__global const float* x, View v, Conv g, int r, int c) {
    if (v.kind == STRIDED) return x[v.off + r * v.rs + c * v.cs];
    if (v.kind == CHANNELS) {
        int n = c / v.cs;
        return x[v.off + (n * v.rs + r) * v.cs + c - n * v.cs];
    }
    return v.kind == PATCHES ? patch_at(x, v.off, g, r, c) : patch_at(x, v.off, g, c, r);
}

// True when neighbouring columns of the view are neighbouring words (else neighbouring rows are).
bool columns_contiguous(View v) { return v.kind == STRIDED ? v.cs == 1 : v.kind != PATCHES_T; }

// acc = the work-group tile's share of A(m, k) B(k, j) for k in [k0, k1).
void gemm_tile(int M, int NC, int k0, int k1, __global const float* a, View av, __global const float* b, View bv, Conv g,
               __local float (*As)[TSM + 1], __local float (*Bs)[TSN + 1], float (*acc)[WPTN]) {
    int tx = get_local_id(0), ty = get_local_id(1), tid = ty * RTSN + tx;
    int m0 = get_group_id(1) * TSM, j0 = get_group_id(0) * TSN;
    bool a_kfast = columns_contiguous(av), b_jfast = columns_contiguous(bv);
    for (int i = 0; i < WPTM; i++)
        for (int j = 0; j < WPTN; j++) acc[i][j] = 0.0f;
    for (int t = k0; t < k1; t += TSK) {
        for (int l = tid; l < TSK * TSM; l += RTSM * RTSN) {
            int kk = a_kfast ? l % TSK : l / TSM, mm = a_kfast ? l / TSK : l % TSM;
            int m = m0 + mm, k = t + kk;
            As[kk][mm] = m < M && k < k1 ? at(a, av, g, m, k) : 0.0f;
        }
        for (int l = tid; l < TSK * TSN; l += RTSM * RTSN) {
            int kk = b_jfast ? l / TSN : l % TSK, jj = b_jfast ? l % TSN : l / TSK;
            int j = j0 + jj, k = t + kk;
            Bs[kk][jj] = j < NC && k < k1 ? at(b, bv, g, k, j) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TSK; kk++) {
            float ar[WPTM], br[WPTN];
            for (int i = 0; i < WPTM; i++) ar[i] = As[kk][ty + i * RTSM];
            for (int j = 0; j < WPTN; j++) br[j] = Bs[kk][tx + j * RTSN];
            for (int i = 0; i < WPTM; i++)
                for (int j = 0; j < WPTN; j++) acc[i][j] += ar[i] * br[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// The epilogue: C(m, j) goes to c through a STRIDED (rs = row stride, columns contiguous) or CHANNELS
// view, plus bias[m] (bias_rows) or bias[j] when bias_off >= 0, then max(v, 0) when relu (NaN to 0, as
// relu_forward: the fused layers' floats are those of the GEMM then the ReLU), assigned or added (accumulate).
typedef struct { int off, kind, rs, cs, bias_off, bias_rows, accumulate, relu; } Out;

void put(__global float* c, Out o, __global const float* bias, int m, int j, float v) {
    if (o.bias_off >= 0) v += bias[o.bias_off + (o.bias_rows ? m : j)];
    if (o.relu) v = v > 0.0f ? v : 0.0f;
    int n = o.kind == CHANNELS ? j / o.cs : 0;
    int i = o.kind == CHANNELS ? o.off + (n * o.rs + m) * o.cs + j - n * o.cs : o.off + m * o.rs + j;
    if (o.accumulate) c[i] += v;
    else c[i] = v;
}

// The k range of this work-group's split.
int split_begin(int kchunk) { return get_group_id(2) * kchunk; }
int split_end(int kchunk, int K) { return min(K, (int) get_group_id(2) * kchunk + kchunk); }

// Writes the work-item's outputs: through the epilogue, or as its split's partial tile when K is split.
void gemm_store(int M, int NC, float (*acc)[WPTN], __global float* c, Out o, __global const float* bias, __global float* part) {
    int m0 = get_group_id(1) * TSM + get_local_id(1), j0 = get_group_id(0) * TSN + get_local_id(0);
    bool split = get_num_groups(2) > 1;
    for (int i = 0; i < WPTM; i++) {
        for (int j = 0; j < WPTN; j++) {
            int m = m0 + i * RTSM, jj = j0 + j * RTSN;
            if (m >= M || jj >= NC) continue;
            if (split) part[((int) get_group_id(2) * M + m) * NC + jj] = acc[i][j];
            else put(c, o, bias, m, jj, acc[i][j]);
        }
    }
}

// Split-K's second pass: C(m, j) = the sum of the splits' partials, in split order, through the epilogue. 1D range over M*NC.
__kernel void gemm_sum_splits(__global const float* part, int splits, int M, int NC, __global float* c, int c_off, int c_kind,
                              int c_rs, int c_cs, __global const float* bias, int bias_off, int bias_rows, int accumulate,
                              int relu) {
    int id = get_global_id(0);
    if (id >= M * NC) return;
    float s = 0.0f;
    for (int k = 0; k < splits; k++) s += part[k * M * NC + id];
    Out o = {c_off, c_kind, c_rs, c_cs, bias_off, bias_rows, accumulate, relu};
    put(c, o, bias, id / NC, id % NC, s);
}
