/* SPDX-License-Identifier: MIT */
/* Internal: 8-lane AVX2 mbqm with parameters prepared once (with the
 * weights), bit-identical to q_mbqm (docs/numerics.md) for mult >= 0, by
 * its two steps: srdhm(x, m) = (p + 2^30) >> 31 for the 64-bit product
 * p = x * m (docs/numerics.md), whose 32 result bits are bits 31..62 of the
 * sum, so that a logical shift gives them (AVX2 has no 64-bit arithmetic
 * shift); then rdbpot(h, e) = (h >> e) + ((h & mask) > (mask >> 1) + [h < 0])
 * in 32-bit lanes, mask = 2^e - 1, as the reference computes it. vpmuldq
 * multiplies the even 32-bit lanes, so odd lanes take a second product. */
#ifndef ENPU_CPU_REQUANT_AVX2_H
#define ENPU_CPU_REQUANT_AVX2_H

#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>
#include "../quant_inline.h"

typedef struct cpu_rq8 {
	int32_t mult[8];     /* lane order */
	int32_t mult_odd[8]; /* mult of lane 2i+1 at lane 2i */
	int32_t e[8];        /* right shift: max(-shift, 0) */
	int32_t mask[8];     /* 2^e - 1 */
	int32_t half[8];     /* mask >> 1 */
	int32_t left[8];     /* max(shift, 0) */
	bool any_left;
} __attribute__((aligned(32))) cpu_rq8_t;

/* Lanes beyond n get mult 0 (their results are discarded). */
static inline void cpu_rq8_prepare(cpu_rq8_t *r, const int32_t *mult, const int32_t *shift,
				   unsigned n)
{
	*r = (cpu_rq8_t){ 0 };
	for (unsigned l = 0; l < 8; l++) {
		int32_t m = l < n ? mult[l] : 0, s = l < n ? shift[l] : 0;
		int32_t e = s > 0 ? 0 : -s;
		r->mult[l] = m;
		if (l % 2)
			r->mult_odd[l - 1] = m;
		r->e[l] = e;
		r->mask[l] = (int32_t)((UINT32_C(1) << e) - 1);
		r->half[l] = r->mask[l] >> 1;
		r->left[l] = s > 0 ? s : 0;
		r->any_left |= s > 0;
	}
}

/* Saturating x << left (only lanes with shift > 0 have left > 0). */
static inline __m256i rq8_left(__m256i x, const cpu_rq8_t *r)
{
	const __m256i imax = _mm256_set1_epi32(INT32_MAX), imin = _mm256_set1_epi32(INT32_MIN);
	__m256i left = _mm256_load_si256((const __m256i *)r->left);
	__m256i xl = _mm256_sllv_epi32(x, left);
	xl = _mm256_blendv_epi8(xl, imax, _mm256_cmpgt_epi32(x, _mm256_srav_epi32(imax, left)));
	return _mm256_blendv_epi8(xl, imin, _mm256_cmpgt_epi32(_mm256_srav_epi32(imin, left), x));
}

/* mbqm of 8 lanes where no lane has shift > 0 (else rq8_left first).
 * relu: the caller's output stage sends every result <= 0 to one byte
 * (q_out_relu), so the [h < 0] term is left
 * out: a lane of negative h then gives some result <= 0, not mbqm's
 * ((h >> e) < 0 plus at most 1). */
static inline __m256i rq8_right(__m256i x, const cpu_rq8_t *r, bool relu)
{
	const __m256i round = _mm256_set1_epi64x(INT64_C(1) << 30);
	const __m256i *v = (const __m256i *)r;
	__m256i pe = _mm256_mul_epi32(x, _mm256_load_si256(v));
	__m256i po = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_load_si256(v + 1));
	/* bits 31..62 of p + 2^30: to the low half of even lanes, the high of odd */
	__m256i he = _mm256_srli_epi64(_mm256_add_epi64(pe, round), 31);
	__m256i ho = _mm256_slli_epi64(_mm256_add_epi64(po, round), 1);
	__m256i h = _mm256_blend_epi32(he, ho, 0xaa);
	__m256i q = _mm256_srav_epi32(h, _mm256_load_si256(v + 2));
	__m256i rem = _mm256_and_si256(h, _mm256_load_si256(v + 3));
	__m256i thr = _mm256_load_si256(v + 4);
	if (!relu)
		thr = _mm256_sub_epi32(thr, _mm256_cmpgt_epi32(_mm256_setzero_si256(), h));
	return _mm256_sub_epi32(q, _mm256_cmpgt_epi32(rem, thr));
}

static inline __m256i rq8_apply(__m256i x, const cpu_rq8_t *r, bool any_left, bool relu)
{
	return rq8_right(any_left ? rq8_left(x, r) : x, r, relu);
}

/* Output stage of 16 lanes, a then b, as int16 in lane order
 * a0-3 b0-3 a4-7 b4-7 (vpackssdw), saturated, plus zp (|zp| <= 128,
 * saturating), to int8 clamped to [lo, hi]: equals q_out, as saturation
 * keeps out-of-range values out of range on the same side. Returns the 16
 * bytes in that lane order. */
static inline __m128i rq8_out16(__m256i a, __m256i b, __m256i zp16, __m128i lo8, __m128i hi8)
{
	__m256i ab = _mm256_adds_epi16(_mm256_packs_epi32(a, b), zp16);
	__m128i r = _mm_packs_epi16(_mm256_castsi256_si128(ab), _mm256_extracti128_si256(ab, 1));
	return _mm_min_epi8(_mm_max_epi8(r, lo8), hi8);
}

/* rq8_out16 with the bytes of a, then b, in lane order. */
static inline __m128i rq8_out16_cols(__m256i a, __m256i b, __m256i zp16, __m128i lo8,
				     __m128i hi8)
{
	return _mm_shuffle_epi32(rq8_out16(a, b, zp16, lo8, hi8), _MM_SHUFFLE(3, 1, 2, 0));
}

#endif
