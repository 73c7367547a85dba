// SPDX-License-Identifier: MIT
// GEMM_F16: C[m][n] = fp16(clamp(bias[n] + sum_k A[m][k] * B[n][k])), exact
// products accumulated in fp32, one final rounding.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

#define M uint(pc.p[8])
#define N uint(pc.p[9])
#define K uint(pc.p[10])
#define FMIN intBitsToFloat(pc.p[11])
#define FMAX intBitsToFloat(pc.p[12])

uint gemm(uint i)
{
	uint m = i / N, n = i % N;
	float acc = HAS_BIAS ? uintBitsToFloat(W(S_BIAS, n)) : 0.0;
	for (uint k = 0u; k < K; k++)
		acc += load_f16(S_IN0, m * K + k) * load_f16(S_IN1, n * K + k);
	return out_f16(acc, FMIN, FMAX);
}

void main()
{
	STORE_HALVES(gemm)
}
