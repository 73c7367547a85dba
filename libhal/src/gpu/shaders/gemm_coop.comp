// SPDX-License-Identifier: MIT
// GEMM_I8 on NVIDIA's cooperative matrices (VK_NV_cooperative_matrix, the
// tensor cores' 16x8x32 int8 MMA with int32 accumulators): the numerics of
// gemm.comp, exact. A workgroup of 4 subgroups computes a 64x64 tile, each
// subgroup 32x32 (2 x 4 accumulators); the accumulators go through shared
// memory to the requantization, one row per lane; for the zero point,
// sum A*B - a_zp * sum B, the column sums of B come from the same MMAs with
// a matrix of ones in place of A. Needs M and N multiples
// of 64, K of 32, and sections aligned to 16 bytes (gpu_exec.c).
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_NV_integer_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types : require
#define LOCAL_SIZE 128
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer Bytes { int8_t b[]; } bytes;

#define M uint(pc.p[8])
#define N uint(pc.p[9])
#define K uint(pc.p[10])
#define A_ZP pc.p[11]
#define C_ZP pc.p[12]
#define QMIN pc.p[13]
#define QMAX pc.p[14]

shared int acc_sh[4][32 * 32];
shared int colsum_sh[4][32];

void main()
{
	uint sg = gl_SubgroupID, lane = gl_SubgroupInvocationID;
	uint m0 = gl_WorkGroupID.y * 64u + (sg / 2u) * 32u;
	uint n0 = gl_WorkGroupID.x * 64u + (sg % 2u) * 32u;
	uint a_off = uint(OFF_IN0) * 4u, b_off = uint(OFF_IN1) * 4u;
	icoopmatNV<32, gl_ScopeSubgroup, 16, 8> acc[2][4], colsum[4];
	icoopmatNV<8, gl_ScopeSubgroup, 16, 32> ones = icoopmatNV<8, gl_ScopeSubgroup, 16, 32>(1);

	for (uint j = 0u; j < 4u; j++) {
		colsum[j] = icoopmatNV<32, gl_ScopeSubgroup, 16, 8>(0);
		for (uint i = 0u; i < 2u; i++)
			acc[i][j] = icoopmatNV<32, gl_ScopeSubgroup, 16, 8>(0);
	}
	for (uint k = 0u; k < K; k += 32u) {
		icoopmatNV<8, gl_ScopeSubgroup, 16, 32> a[2];
		icoopmatNV<8, gl_ScopeSubgroup, 32, 8> b[4];

		for (uint i = 0u; i < 2u; i++)
			coopMatLoadNV(a[i], bytes.b, a_off + (m0 + 16u * i) * K + k, K, false);
		for (uint j = 0u; j < 4u; j++)	// B is [N][K]: K x N column-major
			coopMatLoadNV(b[j], bytes.b, b_off + (n0 + 8u * j) * K + k, K, true);
		for (uint i = 0u; i < 2u; i++)
			for (uint j = 0u; j < 4u; j++)
				acc[i][j] = coopMatMulAddNV(a[i], b[j], acc[i][j]);
		if (A_ZP != 0)	// every row of ones x B: sum_k B per column
			for (uint j = 0u; j < 4u; j++)
				colsum[j] = coopMatMulAddNV(ones, b[j], colsum[j]);
	}
	// the column sums pass through acc_sh first: row 0 of ones x B
	for (uint j = 0u; j < 4u; j++)
		coopMatStoreNV(colsum[j], acc_sh[sg], 8u * j, 32u, false);
	subgroupMemoryBarrierShared();
	subgroupBarrier();
	colsum_sh[sg][lane] = acc_sh[sg][lane];
	subgroupMemoryBarrierShared();
	subgroupBarrier();
	for (uint i = 0u; i < 2u; i++)
		for (uint j = 0u; j < 4u; j++)
			coopMatStoreNV(acc[i][j], acc_sh[sg], 16u * i * 32u + 8u * j, 32u, false);
	subgroupMemoryBarrierShared();
	subgroupBarrier();
	// now lane = a row of the block
	uint m = m0 + lane;
	for (uint c = 0u; c < 32u; c += 4u) {
		uint packed = 0u;
		for (uint j = 0u; j < 4u; j++) {
			uint n = n0 + c + j;
			int v = acc_sh[sg][lane * 32u + c + j] - A_ZP * colsum_sh[sg][c + j] +
				(HAS_BIAS ? load_i32(OFF_BIAS, n) : 0);
			int q = out_i8(mbqm(v, load_i32(OFF_MULT, n), load_i32(OFF_SHIFT, n)),
				       C_ZP, QMIN, QMAX);
			packed |= (uint(q) & 0xffu) << (8u * j);
		}
		data.w[uint(OFF_OUT) + (m * N + n0 + c) / 4u] = packed;
	}
}
