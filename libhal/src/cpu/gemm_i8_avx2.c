/* SPDX-License-Identifier: MIT */
/* AVX2 int8 GEMM micro-kernel (s16k2 packing): 6 rows x 16 columns. Operands
 * are pre-widened to int16 (A already minus its zero point), so vpmaddwd
 * gives exact int32 pair sums; vpmaddubsw is avoided because its int16
 * saturation breaks bit-exactness for 255 * 127 * 2. */
#include <immintrin.h>
#include <string.h>
#include "gemm_i8_kernels.h"

#define MR 6
#define NR 16

/* Named accumulators so that all 12 stay in registers (see vnni512). */
#define ACC_DECL(i) __m256i c##i##0 = _mm256_setzero_si256(), c##i##1 = _mm256_setzero_si256()
#define ACC_ROW(i)                                                                   \
	if (mr > i) {                                                                \
		int32_t q;                                                           \
		memcpy(&q, a + (size_t)i * kp + (size_t)k2 * 2, sizeof(q));          \
		__m256i va = _mm256_set1_epi32(q);                                   \
		c##i##0 = _mm256_add_epi32(c##i##0, _mm256_madd_epi16(va, b0));      \
		c##i##1 = _mm256_add_epi32(c##i##1, _mm256_madd_epi16(va, b1));      \
	}
#define ACC_STORE(i)                                                                 \
	if (mr > i) {                                                                \
		_mm256_storeu_si256((__m256i *)(acc + i * NR), c##i##0);             \
		_mm256_storeu_si256((__m256i *)(acc + i * NR + 8), c##i##1);         \
	}

static inline __attribute__((always_inline)) void tile(const int16_t *a, const int16_t *b,
						       uint32_t kp, int mr, int32_t *acc)
{
	ACC_DECL(0);
	ACC_DECL(1);
	ACC_DECL(2);
	ACC_DECL(3);
	ACC_DECL(4);
	ACC_DECL(5);
	for (uint32_t k2 = 0; k2 < kp / 2; k2++) {
		const int16_t *bk = b + (size_t)k2 * NR * 2;
		__m256i b0 = _mm256_loadu_si256((const __m256i *)bk);
		__m256i b1 = _mm256_loadu_si256((const __m256i *)(bk + 16));
		ACC_ROW(0)
		ACC_ROW(1)
		ACC_ROW(2)
		ACC_ROW(3)
		ACC_ROW(4)
		ACC_ROW(5)
	}
	ACC_STORE(0)
	ACC_STORE(1)
	ACC_STORE(2)
	ACC_STORE(3)
	ACC_STORE(4)
	ACC_STORE(5)
}

static void kernel_avx2(const void *a, const void *b, uint32_t kp, uint32_t mr, int32_t *acc)
{
	CPU_DISPATCH_MR6(tile, a, b, kp, mr, acc);
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_avx2 = {
	.mr = MR, .nr = NR, .kgroup = 2, .a_elem = 2, .b_elem = 2, .a_pack = A_MINUS_ZP,
	.pack_a = cpu_pack_a_s16k2, .pack_b = cpu_pack_b_s16k2, .kernel = kernel_avx2,
};
