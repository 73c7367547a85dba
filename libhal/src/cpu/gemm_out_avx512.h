/* SPDX-License-Identifier: MIT */
/* Internal: the fused output stage of the AVX-512 int8 GEMM families (VNNI
 * and AMX): one row of 64 finished int32 sums (effective bias included)
 * requantized with rq16 parameters and stored as int8, and the parameters'
 * preparation (cpu_i8_gemm_ops_t's rq_prepare). */
#ifndef ENPU_CPU_GEMM_OUT_AVX512_H
#define ENPU_CPU_GEMM_OUT_AVX512_H

#include "gemm_i8_kernels.h"
#include "requant_avx512.h"

/* Packs 64 requantized sums to int8 in column order and stores the columns
 * of m at c. */
static inline __attribute__((always_inline)) void out_pack(const int32_t *sums,
							   const cpu_i8_out_t *o, int8_t *c,
							   __mmask64 m)
{
	const __m512i zp16 = _mm512_set1_epi16((short)o->zp);
	const __m512i lo8 = _mm512_set1_epi8((char)o->qmin), hi8 = _mm512_set1_epi8((char)o->qmax);
	const __m512i *r = (const __m512i *)sums;
	_mm512_mask_storeu_epi8(c, m, out64_cols(r[0], r[1], r[2], r[3], zp16, lo8, hi8, true, true));
}

/* Requantizes the 64 sums in place (64-byte aligned), then out_pack. */
static inline __attribute__((always_inline)) void out_row(int32_t *sums, const cpu_i8_out_t *o,
							  int8_t *c, __mmask64 m)
{
	__m512i *x = (__m512i *)sums;
	const cpu_rq16_t *rq = o->rq;
	/* the mode a constant in each loop: with a run-time mode (one of the
	 * two) the AMX convolutions ran 5% slower on an Emerald Rapids Xeon */
	if (o->any_left)
		for (int v = 0; v < 4; v++)
			x[v] = rq16_apply(x[v], rq + v, RQ16_LEFT);
	else
		for (int v = 0; v < 4; v++)
			x[v] = rq16_apply(x[v], rq + v, RQ16_RIGHT);
	out_pack(sums, o, c, m);
}

/* The columns of o to store, as a byte mask of a 64-column row. */
static inline __mmask64 out_mask(const cpu_i8_out_t *o)
{
	return o->n >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << o->n) - 1;
}

static inline bool rq_prepare_avx512(void *dst, const int32_t *mult, const int32_t *shift)
{
	cpu_rq16_prepare(dst, mult, shift, 16);
	return ((const cpu_rq16_t *)dst)->any_left;
}

#endif
