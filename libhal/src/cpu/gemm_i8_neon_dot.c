/* SPDX-License-Identifier: MIT */
/* Arm NEON dot-product (ARMv8.2 DotProd, sdot) int8 GEMM micro-kernel:
 * 4 rows x 16 columns, 16 int32x4 accumulators. sdot multiplies signed by
 * signed bytes, so A is packed raw (A_RAW) and the driver subtracts
 * a_zp * colsum(b). Built only for aarch64. */
#include <arm_neon.h>
#include <string.h>
#include "gemm_i8_kernels.h"

#define MR 4
#define NR 16

#define ACC_DECL(i) int32x4_t c##i##0 = vdupq_n_s32(0), c##i##1 = c##i##0, c##i##2 = c##i##0, \
	c##i##3 = c##i##0
#define ACC_ROW(i)                                                                   \
	if (mr > i) {                                                                \
		int32_t q;                                                           \
		memcpy(&q, a + (size_t)i * kp + (size_t)k4 * 4, sizeof(q));          \
		int8x16_t va = vreinterpretq_s8_s32(vdupq_n_s32(q));                 \
		c##i##0 = vdotq_s32(c##i##0, b0, va);                                \
		c##i##1 = vdotq_s32(c##i##1, b1, va);                                \
		c##i##2 = vdotq_s32(c##i##2, b2, va);                                \
		c##i##3 = vdotq_s32(c##i##3, b3, va);                                \
	}
#define ACC_STORE(i)                                                                 \
	if (mr > i) {                                                                \
		vst1q_s32(acc + i * NR, c##i##0);                                    \
		vst1q_s32(acc + i * NR + 4, c##i##1);                                \
		vst1q_s32(acc + i * NR + 8, c##i##2);                                \
		vst1q_s32(acc + i * NR + 12, c##i##3);                               \
	}

static inline __attribute__((always_inline)) void tile(const int8_t *a, const int8_t *b,
						       uint32_t kp, int mr, int32_t *acc)
{
	ACC_DECL(0);
	ACC_DECL(1);
	ACC_DECL(2);
	ACC_DECL(3);
	for (uint32_t k4 = 0; k4 < kp / 4; k4++) {
		const int8_t *bk = b + (size_t)k4 * NR * 4;
		int8x16_t b0 = vld1q_s8(bk), b1 = vld1q_s8(bk + 16);
		int8x16_t b2 = vld1q_s8(bk + 32), b3 = vld1q_s8(bk + 48);
		ACC_ROW(0)
		ACC_ROW(1)
		ACC_ROW(2)
		ACC_ROW(3)
	}
	ACC_STORE(0)
	ACC_STORE(1)
	ACC_STORE(2)
	ACC_STORE(3)
}

static void kernel_neon_dot(const void *a, const void *b, uint32_t kp, uint32_t mr, int32_t *acc)
{
	switch (mr) {
	case 4: tile(a, b, kp, 4, acc); break;
	case 3: tile(a, b, kp, 3, acc); break;
	case 2: tile(a, b, kp, 2, acc); break;
	default: tile(a, b, kp, 1, acc); break;
	}
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_neon_dot = {
	.mr = MR, .nr = NR, .kgroup = 4, .thread_shift = 25, .a_elem = 1, .b_elem = 1,
	.a_pack = A_RAW,
	.pack_a = cpu_pack_a_s8k4, .pack_b = cpu_pack_b_u8k4, .kernel = kernel_neon_dot,
};
