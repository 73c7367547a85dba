// SPDX-License-Identifier: MIT
// GEMM_I8: C[m][n] = requant(bias[n] + sum_k (A[m][k] - a_zp) * B[n][k]).
// One invocation computes one output word (4 elements) in one loop over K,
// two steps an iteration (lavapipe's loop limit: window.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

// p[8]: M (the grid covers it)
#define N pc.p[9]
#define K pc.p[10]
#define A_ZP pc.p[11]
#define C_ZP pc.p[12]
#define QMIN pc.p[13]
#define QMAX pc.p[14]

#define STEP(k) acc += (load4_i8(S_IN0, a + (k)) - A_ZP) * load4_i8(S_IN1, b + (k))

void main()
{
	WORD_LANES4
	ivec4 n = e % N, a = e / N * K, b = n * K;
	ivec4 acc = ivec4(0);
	if (HAS_BIAS)
		for (uint j = 0u; j < valid; j++)
			acc[j] = load_i32(S_BIAS, n[j]);
	for (int k = 0; k < K; k += 2) {
		STEP(k);
		if (k + 1 < K)
			STEP(k + 1);
	}
	ivec4 q;
	for (uint j = 0u; j < 4u; j++)
		q[j] = out_i8(mbqm(acc[j], load_i32(S_MULT, n[j]), load_i32(S_SHIFT, n[j])),
			      C_ZP, QMIN, QMAX);
	W(S_OUT, wi) = pack_i8(q, valid);
}
