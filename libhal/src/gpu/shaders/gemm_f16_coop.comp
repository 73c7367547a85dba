// SPDX-License-Identifier: MIT
// GEMM_F16 on NVIDIA's cooperative matrices (VK_NV_cooperative_matrix, the
// tensor cores' 16x8x16 fp16 MMA with fp32 accumulators). The accumulation
// order is the hardware's, so results meet the documented fp16 tolerance
// (docs/numerics.md) rather than the exact bits of gemm_f16.comp. A
// workgroup of 4 subgroups computes a 64x64 tile, each subgroup 32x32 (2 x 4
// accumulators); the epilogue adds the bias, clamps and rounds, one row per
// lane. Needs M and N multiples of 64, K of 32, sections aligned to 16 bytes.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types : require
#define LOCAL_SIZE 128
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer Halves { float16_t h[]; } halves[SECTIONS];

#define M uint(pc.p[8])
#define N uint(pc.p[9])
#define K uint(pc.p[10])
#define FMIN intBitsToFloat(pc.p[11])
#define FMAX intBitsToFloat(pc.p[12])

shared float acc_sh[4][32 * 32];

void main()
{
	uint sg = gl_SubgroupID, lane = gl_SubgroupInvocationID;
	uint m0 = gl_WorkGroupID.y * 64u + (sg / 2u) * 32u;
	uint n0 = gl_WorkGroupID.x * 64u + (sg % 2u) * 32u;
	uint a_off = uint(pc.p[S_IN0]) * 2u, b_off = uint(pc.p[S_IN1]) * 2u;
	fcoopmatNV<32, gl_ScopeSubgroup, 16, 8> acc[2][4];

	for (uint i = 0u; i < 2u; i++)
		for (uint j = 0u; j < 4u; j++)
			acc[i][j] = fcoopmatNV<32, gl_ScopeSubgroup, 16, 8>(0.0);
	for (uint k = 0u; k < K; k += 16u) {
		fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> a[2];
		fcoopmatNV<16, gl_ScopeSubgroup, 16, 8> b[4];

		for (uint i = 0u; i < 2u; i++)
			coopMatLoadNV(a[i], halves[S_IN0].h, a_off + (m0 + 16u * i) * K + k, K, false);
		for (uint j = 0u; j < 4u; j++)	// B is [N][K]: K x N column-major
			coopMatLoadNV(b[j], halves[S_IN1].h, b_off + (n0 + 8u * j) * K + k, K, true);
		for (uint i = 0u; i < 2u; i++)
			for (uint j = 0u; j < 4u; j++)
				acc[i][j] = coopMatMulAddNV(a[i], b[j], acc[i][j]);
	}
	for (uint i = 0u; i < 2u; i++)
		for (uint j = 0u; j < 4u; j++)
			coopMatStoreNV(acc[i][j], acc_sh[sg], 16u * i * 32u + 8u * j, 32u, false);
	subgroupMemoryBarrierShared();
	subgroupBarrier();
	uint m = m0 + lane;
	for (uint c = 0u; c < 32u; c += 2u) {
		uint h[2];
		for (uint j = 0u; j < 2u; j++) {
			uint n = n0 + c + j;
			float v = acc_sh[sg][lane * 32u + c + j] +
				  (HAS_BIAS ? uintBitsToFloat(W(S_BIAS, n)) : 0.0);
			h[j] = out_f16(v, FMIN, FMAX);
		}
		W(S_OUT, (m * N + n0 + c) / 2u) = h[0] | h[1] << 16;
	}
}
