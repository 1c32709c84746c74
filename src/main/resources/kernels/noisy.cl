// Noisy nets (Fortunato et al. 2018): a NoisyLinear's effective weights from its means, scales and
// factorized noise, as CpuBackend's noisy_weights_*. 1D range over OC * C. A null epsIn (offset -1)
// stands for ones: the bias, w[o] = mu[o] + sigma[o] * epsOut[o].

__kernel void noisy_weights_forward(__global float* w, int w_off, __global const float* mu, int mu_off,
                                    __global const float* sigma, int sigma_off, __global const float* epsIn, int epsIn_off,
                                    __global const float* epsOut, int epsOut_off, int OC, int C) {
    int k = get_global_id(0);
    if (k >= OC * C) return;
    int o = k / C, i = k - o * C;
    float eps = epsIn_off < 0 ? epsOut[epsOut_off + o] : epsOut[epsOut_off + o] * epsIn[epsIn_off + i];
    w[w_off + k] = mu[mu_off + k] + sigma[sigma_off + k] * eps;
}

__kernel void noisy_weights_backward(__global float* dmu, int dmu_off, __global float* dsigma, int dsigma_off,
                                     __global const float* dw, int dw_off, __global const float* epsIn, int epsIn_off,
                                     __global const float* epsOut, int epsOut_off, int OC, int C) {
    int k = get_global_id(0);
    if (k >= OC * C) return;
    int o = k / C, i = k - o * C;
    float g = dw[dw_off + k];
    if (dmu_off >= 0) dmu[dmu_off + k] += g;
    if (dsigma_off >= 0) {
        float eps = epsIn_off < 0 ? epsOut[epsOut_off + o] : epsOut[epsOut_off + o] * epsIn[epsIn_off + i];
        dsigma[dsigma_off + k] += g * eps;
    }
}
