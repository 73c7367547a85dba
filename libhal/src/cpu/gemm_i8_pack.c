/* SPDX-License-Identifier: MIT */
/* Packing routines of the int8 GEMM (formats: gemm_i8_kernels.h). */
#include <string.h>
#include "gemm_i8_kernels.h"

void cpu_pack_a_u8k4(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst)
{
	(void)a_zp;
	uint8_t *d = dst;
	for (uint32_t i = 0; i < k; i++)
		d[i] = (uint8_t)(row[i] ^ 0x80); /* == a + 128 */
	memset(d + k, 0, kp - k);
}

/* B of the u8k4 layout (A_PLUS_128, A_RAW, A_RAW_PLUS_128: the name follows A). */
void cpu_pack_b_u8k4(const int8_t *b, size_t ldb, uint32_t rows, uint32_t k, uint32_t kp,
		     uint32_t nr, void *dst)
{
	int8_t *d = dst;
	memset(d, 0, (size_t)kp * nr);
	for (uint32_t j = 0; j < rows; j++) {
		const int8_t *src = b + j * ldb;
		for (uint32_t i = 0; i < k; i += 4) /* 4 bytes of k at a time */
			memcpy(d + ((size_t)(i / 4) * nr + j) * 4, src + i, k - i < 4 ? k - i : 4);
	}
}

void cpu_pack_a_s8k4(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst)
{
	(void)a_zp;
	memcpy(dst, row, k);
	memset((int8_t *)dst + k, 0, kp - k);
}

void cpu_pack_a_s16k2(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst)
{
	int16_t *d = dst;
	for (uint32_t i = 0; i < k; i++)
		d[i] = (int16_t)(row[i] - a_zp);
	for (uint32_t i = k; i < kp; i++)
		d[i] = 0;
}

void cpu_pack_b_s8k2(const int8_t *b, size_t ldb, uint32_t rows, uint32_t k, uint32_t kp,
		     uint32_t nr, void *dst)
{
	int8_t *d = dst;
	memset(d, 0, (size_t)kp * nr);
	for (uint32_t j = 0; j < rows; j++)
		for (uint32_t i = 0; i < k; i++)
			d[((size_t)(i / 2) * nr + j) * 2 + i % 2] = b[j * ldb + i];
}
