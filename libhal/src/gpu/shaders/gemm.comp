// SPDX-License-Identifier: MIT
// GEMM_I8: C[m][n] = requant(bias[n] + sum_k (A[m][k] - a_zp) * B[n][k]).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

#define M uint(pc.p[8])
#define N uint(pc.p[9])
#define K uint(pc.p[10])
#define A_ZP pc.p[11]
#define C_ZP pc.p[12]
#define QMIN pc.p[13]
#define QMAX pc.p[14]

int gemm(uint i)
{
	uint m = i / N, n = i % N;
	int acc = HAS_BIAS ? load_i32(S_BIAS, n) : 0;
	for (uint k = 0u; k < K; k++)
		acc += (load_i8(S_IN0, m * K + k) - A_ZP) * load_i8(S_IN1, n * K + k);
	return out_i8(mbqm(acc, load_i32(S_MULT, n), load_i32(S_SHIFT, n)), C_ZP, QMIN, QMAX);
}

void main()
{
	STORE_WORD(gemm)
}
