/* SPDX-License-Identifier: MIT */
/* Internal: 8-lane AVX2 mbqm with parameters prepared once (with the
 * weights), bit-identical to q_mbqm (docs/numerics.md) for mult >= 0. The
 * rounding is rq16.h's, a single one of the 64-bit product p = x * m:
 *   (p + 2^30 + [e > 0] (2^(30+e) - [p < -2^30] 2^31)) >> (31 + e).
 * AVX2 has no 64-bit arithmetic shift: 2^63 is added (in the prepared
 * rounding term), the sum shifted logically and 2^(32-e) (the shifted 2^63,
 * modulo 2^32) subtracted from the 32-bit result. vpmuldq multiplies the
 * even 32-bit lanes, so odd lanes take a second product. */
#ifndef ENPU_CPU_REQUANT_AVX2_H
#define ENPU_CPU_REQUANT_AVX2_H

#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cpu_rq8 {
	int32_t mult[8];     /* lane order */
	int32_t mult_odd[8]; /* mult of lane 2i+1 at lane 2i */
	int64_t round_e[4], round_o[4]; /* 2^63 + 2^30 + [e > 0] 2^(30+e) */
	int64_t shift_e[4], shift_o[4]; /* 31 + e */
	int64_t neg_e[4], neg_o[4];     /* [e > 0] 2^31 */
	int32_t corr[8];     /* 2^63 >> (31 + e), modulo 2^32 */
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
		int e = s > 0 ? 0 : -s;
		uint64_t round = (UINT64_C(1) << 63) + (UINT64_C(1) << 30) +
				 (e > 0 ? UINT64_C(1) << (30 + e) : 0);
		int64_t *rd = l % 2 ? r->round_o : r->round_e, *sh = l % 2 ? r->shift_o : r->shift_e;
		int64_t *ng = l % 2 ? r->neg_o : r->neg_e;
		r->mult[l] = m;
		if (l % 2)
			r->mult_odd[l - 1] = m;
		rd[l / 2] = (int64_t)round;
		sh[l / 2] = 31 + e;
		ng[l / 2] = e > 0 ? INT64_C(1) << 31 : 0;
		r->corr[l] = (int32_t)(uint32_t)((UINT64_C(1) << 63) >> (31 + e));
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

/* mbqm of 8 lanes where no lane has shift > 0 (else rq8_left first). */
static inline __m256i rq8_right(__m256i x, const cpu_rq8_t *r)
{
	const __m256i lim = _mm256_set1_epi64x(-(INT64_C(1) << 30));
	const __m256i *v = (const __m256i *)r;
	__m256i pe = _mm256_mul_epi32(x, _mm256_load_si256(v));
	__m256i po = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_load_si256(v + 1));
	__m256i te = _mm256_add_epi64(pe, _mm256_load_si256((const __m256i *)r->round_e));
	__m256i to = _mm256_add_epi64(po, _mm256_load_si256((const __m256i *)r->round_o));
	te = _mm256_sub_epi64(te, _mm256_and_si256(_mm256_cmpgt_epi64(lim, pe),
						   _mm256_load_si256((const __m256i *)r->neg_e)));
	to = _mm256_sub_epi64(to, _mm256_and_si256(_mm256_cmpgt_epi64(lim, po),
						   _mm256_load_si256((const __m256i *)r->neg_o)));
	te = _mm256_srlv_epi64(te, _mm256_load_si256((const __m256i *)r->shift_e));
	to = _mm256_srlv_epi64(to, _mm256_load_si256((const __m256i *)r->shift_o));
	__m256i y = _mm256_blend_epi32(te, _mm256_slli_epi64(to, 32), 0xaa);
	return _mm256_sub_epi32(y, _mm256_load_si256((const __m256i *)r->corr));
}

static inline __m256i rq8_apply(__m256i x, const cpu_rq8_t *r, bool any_left)
{
	return rq8_right(any_left ? rq8_left(x, r) : x, r);
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
