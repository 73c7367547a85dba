// SPDX-License-Identifier: MIT
// GEMM_I8, tiled: the numerics of gemm.comp, C[m][n] = requant(bias[n] +
// sum_k (A[m][k] - a_zp) * B[n][k]), computed as sum_k A*B - a_zp * sum_k B
// (equal in 32-bit two's complement). A workgroup of 256 computes a 64x64
// tile: it stages 64 rows of A and of B, 16 bytes of K at a time, in shared
// memory, and each invocation accumulates a 4x4 block (4 rows, 4 adjacent
// columns, stored as one word a row). Needs K % 4 == 0 and N % 4 == 0.
// Included by gemm_tiled.comp (byte products) and gemm_tiled_dot.comp
// (INT_DOT: packed 4x8-bit dot products, where the device has them), and
// with CONV by conv_tiled.comp and conv_tiled_dot.comp: CONV2D_I8 of one
// group as an implicit GEMM (a_word.glsl: A's words read from the input).
#define LOCAL_SIZE 256
#include "common.glsl"

#define M uint(pc.p[8])
#define N uint(pc.p[9])
#define K uint(pc.p[10])
#define A_ZP pc.p[11]
#define C_ZP pc.p[12]
#define QMIN pc.p[13]
#define QMAX pc.p[14]
#define TILE 64u
#define KW 4u	// words of K per step
#define PAD_WORD ((uint(A_ZP) & 0xffu) * 0x01010101u)	// the zero point, 4 times
#include "a_word.glsl"

shared uint as[TILE][KW + 1u];
shared uint bs[TILE][KW + 1u];

ivec4 bytes(uint w)
{
	return ivec4(bitfieldExtract(int(w), 0, 8), bitfieldExtract(int(w), 8, 8),
		     bitfieldExtract(int(w), 16, 8), bitfieldExtract(int(w), 24, 8));
}

int dot4(ivec4 a, ivec4 b)
{
	return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w;
}

#ifdef INT_DOT
// OpSDot of SPV_KHR_integer_dot_product on 4 signed bytes packed in a word
// (format 0: PackedVectorFormat4x8Bit), e.g. NVIDIA's dp4a; Debian's glslang
// has no GL_EXT_integer_dot_product, so the instruction is named directly.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"],
		  capabilities = [6019, 6018], id = 4450)
int sdot_packed(uint a, uint b, spirv_literal int format);
#endif

void main()
{
	uint lid = gl_LocalInvocationID.x, tx = lid % 16u, ty = lid / 16u;
	uint m0 = gl_WorkGroupID.y * TILE, n0 = gl_WorkGroupID.x * TILE;
	uint kwords = K / 4u, lr = lid / KW, lc = lid % KW;
	int acc[16], colsum[4];

	for (uint i = 0u; i < 16u; i++)
		acc[i] = 0;
	for (uint j = 0u; j < 4u; j++)
		colsum[j] = 0;
	for (uint k0 = 0u; k0 < kwords; k0 += KW) {
		uint gk = k0 + lc;
		as[lr][lc] = m0 + lr < M && gk < kwords ? A_WORD(m0 + lr, gk) : 0u;
		bs[lr][lc] = n0 + lr < N && gk < kwords ?
			W(S_IN1, (n0 + lr) * kwords + gk) : 0u;
		barrier();
		for (uint c = 0u; c < KW; c++) {
#ifdef INT_DOT
			uint b[4];
			for (uint j = 0u; j < 4u; j++) {
				b[j] = bs[tx * 4u + j][c];
				colsum[j] += sdot_packed(0x01010101u, b[j], 0);
			}
			for (uint i = 0u; i < 4u; i++) {
				uint a = as[ty + 16u * i][c];
				for (uint j = 0u; j < 4u; j++)
					acc[i * 4u + j] += sdot_packed(a, b[j], 0);
			}
#else
			ivec4 b[4];
			for (uint j = 0u; j < 4u; j++) {
				b[j] = bytes(bs[tx * 4u + j][c]);
				colsum[j] += b[j].x + b[j].y + b[j].z + b[j].w;
			}
			for (uint i = 0u; i < 4u; i++) {
				ivec4 a = bytes(as[ty + 16u * i][c]);
				for (uint j = 0u; j < 4u; j++)
					acc[i * 4u + j] += dot4(a, b[j]);
			}
#endif
		}
		barrier();
	}
	uint n = n0 + tx * 4u;
	if (n >= N)
		return;
	for (uint i = 0u; i < 4u; i++) {
		uint m = m0 + ty + 16u * i;
		if (m >= M)
			continue;
		uint packed = 0u;
		for (uint j = 0u; j < 4u; j++) {
			int v = acc[i * 4u + j] - A_ZP * colsum[j] +
				(HAS_BIAS ? load_i32(S_BIAS, n + j) : 0);
			int q = out_i8(mbqm(v, load_i32(S_MULT, n + j), load_i32(S_SHIFT, n + j)),
				       C_ZP, QMIN, QMAX);
			packed |= (uint(q) & 0xffu) << (8u * j);
		}
		W(S_OUT, (m * N + n) / 4u) = packed;
	}
}
