// SPDX-License-Identifier: MIT
// GEMM_F16, tiled: the numerics of gemm_f16.comp (each product exact in fp32,
// accumulated in fp32 in increasing k, one final rounding), in 64x64 tiles per
// workgroup of 256: 64 rows of A and of B, 8 halves of K at a time, staged in
// shared memory; each invocation accumulates a 4x4 block (4 rows, 4 adjacent
// columns, two words a row). Needs K % 4 == 0 and N % 4 == 0. Included by
// gemm_f16_tiled.comp, and with CONV by conv_f16_tiled.comp: CONV2D_F16 of
// one group as an implicit GEMM (a_word.glsl; padding taps add 0 * w).
#define LOCAL_SIZE 256
#include "common.glsl"

#define M uint(pc.p[8])
#define N uint(pc.p[9])
#define K uint(pc.p[10])
#define FMIN intBitsToFloat(pc.p[11])
#define FMAX intBitsToFloat(pc.p[12])
#define TILE 64u
#define KW 4u	// words (2 halves each) of K per step
#define PAD_WORD 0u	// two halves of +0.0
#include "a_word.glsl"

shared vec2 as[TILE][KW + 1u];
shared vec2 bs[TILE][KW + 1u];

vec2 halves(uint w)
{
	return vec2(f16_to_f32(w & 0xffffu), f16_to_f32(w >> 16));
}

void main()
{
	uint lid = gl_LocalInvocationID.x, tx = lid % 16u, ty = lid / 16u;
	uint m0 = gl_WorkGroupID.y * TILE, n0 = gl_WorkGroupID.x * TILE;
	uint kwords = K / 2u, lr = lid / KW, lc = lid % KW;
	uint n = n0 + tx * 4u;
	precise float acc[16];

	for (uint i = 0u; i < 16u; i++)	// from the bias, as gemm_f16.comp
		acc[i] = HAS_BIAS && n + (i & 3u) < N ?
			uintBitsToFloat(W(S_BIAS, n + (i & 3u))) : 0.0;
	for (uint k0 = 0u; k0 < kwords; k0 += KW) {
		uint gk = k0 + lc;
		as[lr][lc] = halves(m0 + lr < M && gk < kwords ? A_WORD(m0 + lr, gk) : 0u);
		bs[lr][lc] = halves(n0 + lr < N && gk < kwords ?
			W(S_IN1, (n0 + lr) * kwords + gk) : 0u);
		barrier();
		for (uint c = 0u; c < KW; c++) {
			vec2 b[4];
			for (uint j = 0u; j < 4u; j++)
				b[j] = bs[tx * 4u + j][c];
			for (uint i = 0u; i < 4u; i++) {
				vec2 a = as[ty + 16u * i][c];
				for (uint j = 0u; j < 4u; j++) {
					acc[i * 4u + j] += a.x * b[j].x;
					acc[i * 4u + j] += a.y * b[j].y;
				}
			}
		}
		barrier();
	}
	if (n >= N)
		return;
	for (uint i = 0u; i < 4u; i++) {
		uint m = m0 + ty + 16u * i;
		if (m >= M)
			continue;
		uint h[4];
		for (uint j = 0u; j < 4u; j++)
			h[j] = out_f16(acc[i * 4u + j], FMIN, FMAX);
		W(S_OUT, (m * N + n) / 2u) = h[0] | h[1] << 16;
		W(S_OUT, (m * N + n) / 2u + 1u) = h[2] | h[3] << 16;
	}
}
