// SPDX-License-Identifier: MIT
// GEMM_F16: C[m][n] = fp16(clamp(bias[n] + sum_k A[m][k] * B[n][k])), exact
// products accumulated in fp32 in k order, one final rounding. One
// invocation computes one output word (2 elements) in one loop over K, two
// steps an iteration (lavapipe's loop limit: window.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

// p[8]: M (the grid covers it)
#define N pc.p[9]
#define K pc.p[10]
#define FMIN intBitsToFloat(pc.p[11])
#define FMAX intBitsToFloat(pc.p[12])

#define STEP(k) acc += load2_f16(S_IN0, a + (k)) * load2_f16(S_IN1, b + (k))

void main()
{
	WORD_LANES2
	ivec2 n = e % N, a = e / N * K, b = n * K;
	vec2 acc = vec2(0.0);
	if (HAS_BIAS)
		for (uint j = 0u; j < valid; j++)
			acc[j] = uintBitsToFloat(W(S_BIAS, n[j]));
	for (int k = 0; k < K; k += 2) {
		STEP(k);
		if (k + 1 < K)
			STEP(k + 1);
	}
	uvec2 h = uvec2(out_f16(acc.x, FMIN, FMAX), out_f16(acc.y, FMIN, FMAX));
	W(S_OUT, wi) = pack_f16(h, valid);
}
