/* SPDX-License-Identifier: MIT */
/* AVX-512 VNNI int8 GEMM micro-kernel (u8k4 packing): 6 rows x 64 columns,
 * 24 zmm accumulators, one vpdpbusd per (row, 16 columns, 4 k). vpdpbusd
 * multiplies unsigned by signed bytes, hence the +128 offset on A (the
 * driver subtracts the compensation term). Accumulation wraps like the
 * contract; no intermediate saturation (vpdpbusd, not vpdpbusds). */
#include <immintrin.h>
#include <string.h>
#include "gemm_i8_kernels.h"

#define MR 6
#define NR 64

static inline __attribute__((always_inline)) void tile(const uint8_t *a, const int8_t *b,
						       uint32_t kp, int mr, int32_t *acc)
{
	__m512i c[MR][4];
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < 4; j++)
			c[i][j] = _mm512_setzero_si512();
	for (uint32_t k4 = 0; k4 < kp / 4; k4++) {
		const int8_t *bk = b + (size_t)k4 * NR * 4;
		__m512i b0 = _mm512_loadu_si512(bk);
		__m512i b1 = _mm512_loadu_si512(bk + 64);
		__m512i b2 = _mm512_loadu_si512(bk + 128);
		__m512i b3 = _mm512_loadu_si512(bk + 192);
		for (int i = 0; i < mr; i++) {
			int32_t q;
			memcpy(&q, a + (size_t)i * kp + (size_t)k4 * 4, sizeof(q));
			__m512i va = _mm512_set1_epi32(q);
			c[i][0] = _mm512_dpbusd_epi32(c[i][0], va, b0);
			c[i][1] = _mm512_dpbusd_epi32(c[i][1], va, b1);
			c[i][2] = _mm512_dpbusd_epi32(c[i][2], va, b2);
			c[i][3] = _mm512_dpbusd_epi32(c[i][3], va, b3);
		}
	}
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < 4; j++)
			_mm512_storeu_si512(acc + i * NR + j * 16, c[i][j]);
}

static void kernel_vnni512(const void *a, const void *b, uint32_t kp, uint32_t mr, int32_t *acc)
{
	switch (mr) {
	case 6: tile(a, b, kp, 6, acc); break;
	case 5: tile(a, b, kp, 5, acc); break;
	case 4: tile(a, b, kp, 4, acc); break;
	case 3: tile(a, b, kp, 3, acc); break;
	case 2: tile(a, b, kp, 2, acc); break;
	default: tile(a, b, kp, 1, acc); break;
	}
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_vnni512 = {
	.mr = MR, .nr = NR, .kgroup = 4, .a_elem = 1, .b_elem = 1, .a_plus128 = true,
	.pack_a = cpu_pack_a_u8k4, .pack_b = cpu_pack_b_u8k4, .kernel = kernel_vnni512,
};
