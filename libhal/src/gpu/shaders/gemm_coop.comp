// SPDX-License-Identifier: MIT
// GEMM_I8 on NVIDIA's cooperative matrices (VK_NV_cooperative_matrix, the
// tensor cores' 16x8x32 int8 MMA with int32 accumulators): the numerics of
// gemm.comp, exact. A workgroup of 8 subgroups computes a 128x128 tile, each
// subgroup 64x32 (4 x 4 accumulators). Per step of 32 in K the workgroup
// stages the 128x32 blocks of A and B in shared memory with one 16-byte load
// per invocation each, fetching the next step's while the MMAs run. For the
// zero point, sum A*B - a_zp * sum B: the column sums of B come from MMAs
// with a matrix of ones. The accumulators reach the requantization through
// shared memory, 16 rows at a time. Needs M and N multiples of 128, K of 32,
// and sections aligned to 16 bytes (gpu_exec.c).
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_NV_integer_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types : require
#define LOCAL_SIZE 256
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer Quads { uvec4 q[]; } quads[SECTIONS];

#define M uint(pc.p[8])
#define N uint(pc.p[9])
#define K uint(pc.p[10])
#define A_ZP pc.p[11]
#define C_ZP pc.p[12]
#define QMIN pc.p[13]
#define QMAX pc.p[14]

shared uvec4 a_sh[128 * 2];	// 128 rows x 32 bytes
shared uvec4 b_sh[128 * 2];
shared int out_sh[8][16 * 32];	// per subgroup: 16 rows of its 32 columns
shared int colsum_sh[8][32];

void main()
{
	uint sg = gl_SubgroupID, lane = gl_SubgroupInvocationID, t = gl_LocalInvocationID.x;
	uint wm = gl_WorkGroupID.y * 128u, wn = gl_WorkGroupID.x * 128u;
	uint sm = (sg / 4u) * 64u, sn = (sg % 4u) * 32u;	// subgroup's block in the tile
	uint kq = K / 16u;	// 16-byte quads per row
	uint row = t / 2u, half_ = t % 2u;
	uint a_q = uint(pc.p[S_IN0]) / 4u, b_q = uint(pc.p[S_IN1]) / 4u;
	icoopmatNV<32, gl_ScopeSubgroup, 16, 8> acc[4][4], colsum[4];
	icoopmatNV<8, gl_ScopeSubgroup, 16, 32> ones = icoopmatNV<8, gl_ScopeSubgroup, 16, 32>(1);
	uvec4 ra = quads[S_IN0].q[a_q + (wm + row) * kq + half_];
	uvec4 rb = quads[S_IN1].q[b_q + (wn + row) * kq + half_];

	for (uint j = 0u; j < 4u; j++) {
		colsum[j] = icoopmatNV<32, gl_ScopeSubgroup, 16, 8>(0);
		for (uint i = 0u; i < 4u; i++)
			acc[i][j] = icoopmatNV<32, gl_ScopeSubgroup, 16, 8>(0);
	}
	for (uint k = 0u; k < kq; k += 2u) {
		barrier();
		a_sh[t] = ra;
		b_sh[t] = rb;
		barrier();
		if (k + 2u < kq) {
			ra = quads[S_IN0].q[a_q + (wm + row) * kq + k + 2u + half_];
			rb = quads[S_IN1].q[b_q + (wn + row) * kq + k + 2u + half_];
		}
		icoopmatNV<8, gl_ScopeSubgroup, 16, 32> a[4];
		icoopmatNV<8, gl_ScopeSubgroup, 32, 8> b[4];

		for (uint i = 0u; i < 4u; i++)
			coopMatLoadNV(a[i], a_sh, (sm + 16u * i) * 2u, 2u, false);
		for (uint j = 0u; j < 4u; j++)	// B is [N][K]: K x N column-major
			coopMatLoadNV(b[j], b_sh, (sn + 8u * j) * 2u, 2u, true);
		for (uint i = 0u; i < 4u; i++)
			for (uint j = 0u; j < 4u; j++)
				acc[i][j] = coopMatMulAddNV(a[i], b[j], acc[i][j]);
		if (A_ZP != 0)	// every row of ones x B: sum_k B per column
			for (uint j = 0u; j < 4u; j++)
				colsum[j] = coopMatMulAddNV(ones, b[j], colsum[j]);
	}
	for (uint j = 0u; j < 4u; j++)
		coopMatStoreNV(colsum[j], out_sh[sg], 8u * j, 32u, false);
	subgroupMemoryBarrierShared();
	subgroupBarrier();
	colsum_sh[sg][lane] = out_sh[sg][lane];	// row 0
	uint n = wn + sn + (lane % 2u) * 16u;	// lane: 16 columns of one row
	for (uint i = 0u; i < 4u; i++) {
		subgroupMemoryBarrierShared();
		subgroupBarrier();
		for (uint j = 0u; j < 4u; j++)
			coopMatStoreNV(acc[i][j], out_sh[sg], 8u * j, 32u, false);
		subgroupMemoryBarrierShared();
		subgroupBarrier();
		uint r = lane / 2u, m = wm + sm + 16u * i + r;
		for (uint w = 0u; w < 4u; w++) {
			uint packed = 0u;
			for (uint c = 0u; c < 4u; c++) {
				uint col = (lane % 2u) * 16u + 4u * w + c, nn = n + 4u * w + c;
				int v = out_sh[sg][r * 32u + col] - A_ZP * colsum_sh[sg][col] +
					(HAS_BIAS ? load_i32(S_BIAS, nn) : 0);
				int q = out_i8(mbqm(v, load_i32(S_MULT, nn),
						    load_i32(S_SHIFT, nn)), C_ZP, QMIN, QMAX);
				packed |= (uint(q) & 0xffu) << (8u * c);
			}
			W(S_OUT, (m * N + n + 4u * w) / 4u) = packed;
		}
	}
}
