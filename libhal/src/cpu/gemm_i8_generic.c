/* SPDX-License-Identifier: MIT */
/* Portable int8 GEMM micro-kernel on the u8k4 packing (any architecture). */
#include "gemm_i8_kernels.h"

#define MR 4
#define NR 16

static void kernel_generic(const void *a, const void *b, uint32_t kp, uint32_t mr, int32_t *acc)
{
	const uint8_t *ap = a;
	const int8_t *bp = b;
	for (uint32_t i = 0; i < mr; i++) {
		int32_t s[NR] = { 0 };
		for (uint32_t k4 = 0; k4 < kp / 4; k4++) {
			const uint8_t *x = ap + (size_t)i * kp + (size_t)k4 * 4;
			const int8_t *w = bp + (size_t)k4 * NR * 4;
			for (uint32_t j = 0; j < NR; j++)
				s[j] += x[0] * w[j * 4] + x[1] * w[j * 4 + 1] + x[2] * w[j * 4 + 2] +
					x[3] * w[j * 4 + 3];
		}
		for (uint32_t j = 0; j < NR; j++)
			acc[i * NR + j] = s[j];
	}
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_generic = {
	.mr = MR, .nr = NR, .kgroup = 4, .thread_shift = 25, .a_elem = 1, .b_elem = 1,
	.a_pack = A_PLUS_128,
	.pack_a = cpu_pack_a_u8k4, .pack_b = cpu_pack_b_u8k4, .kernel = kernel_generic,
};
