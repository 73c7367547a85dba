/* SPDX-License-Identifier: MIT */
/* Internal: 16-lane AVX-512 versions of mbqm and the int8 output stage,
 * bit-identical to q_mbqm / q_out (docs/numerics.md) for mult >= 0. */
#ifndef ENPU_CPU_REQUANT_AVX512_H
#define ENPU_CPU_REQUANT_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include "rq16.h"

/* srdhm on the even 32-bit lanes of x and m (64-bit products), using the
 * identity srdhm(a, b) = (a*b + 2^30) >> 31 (arithmetic shift) of
 * docs/numerics.md; a == b == INT32_MIN cannot occur as m >= 0. */
static inline __m512i srdhm_even(__m512i x, __m512i m)
{
	__m512i ab = _mm512_mul_epi32(x, m);
	return _mm512_srai_epi64(_mm512_add_epi64(ab, _mm512_set1_epi64(1 << 30)), 31);
}

static inline __m512i mbqm16(__m512i x, __m512i mult, __m512i shift)
{
	const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
	const __m512i imax = _mm512_set1_epi32(INT32_MAX), imin = _mm512_set1_epi32(INT32_MIN);
	__m512i left = _mm512_max_epi32(shift, zero);
	__m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
	/* saturating x << left (skipped when no lane shifts left, the usual case) */
	__m512i xl = x;
	if (_mm512_cmpgt_epi32_mask(shift, zero)) {
		xl = _mm512_sllv_epi32(x, left);
		xl = _mm512_mask_mov_epi32(xl, _mm512_cmpgt_epi32_mask(x, _mm512_srav_epi32(imax, left)),
					   imax);
		xl = _mm512_mask_mov_epi32(xl, _mm512_cmplt_epi32_mask(x, _mm512_srav_epi32(imin, left)),
					   imin);
	}
	/* srdhm: even lanes directly, odd lanes moved down and back up */
	__m512i even = srdhm_even(xl, mult);
	__m512i odd = srdhm_even(_mm512_srli_epi64(xl, 32), _mm512_srli_epi64(mult, 32));
	__m512i h = _mm512_mask_blend_epi32(0xaaaa, even, _mm512_slli_epi64(odd, 32));
	/* rdbpot(h, right) */
	__m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
	__m512i rem = _mm512_and_si512(h, mask);
	__m512i half = _mm512_srai_epi32(mask, 1);
	__m512i thr = _mm512_mask_add_epi32(half, _mm512_cmplt_epi32_mask(h, zero), half, one);
	__m512i r = _mm512_srav_epi32(h, right);
	return _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(rem, thr), r, one);
}

/* clamp(v + zp, lo, hi) as int8, stored to the n <= 16 lanes of out. Clamping v
 * to +-512 first equals the 64-bit addition of q_out: |zp| <= 128 and
 * [lo, hi] is inside [-128, 127]. */
static inline void out16(__m512i v, __m512i zp, __m512i lo, __m512i hi, int8_t *out,
			 __mmask16 n_mask)
{
	v = _mm512_min_epi32(_mm512_max_epi32(v, _mm512_set1_epi32(-512)), _mm512_set1_epi32(512));
	v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, zp), lo), hi);
	_mm512_mask_cvtepi32_storeu_epi8(out, n_mask, v);
}

/* Saturating x << left (rq16.h: only lanes with shift > 0 have left > 0). */
static inline __m512i rq16_left(__m512i x, const cpu_rq16_t *r)
{
	const __m512i imax = _mm512_set1_epi32(INT32_MAX), imin = _mm512_set1_epi32(INT32_MIN);
	__m512i left = _mm512_load_si512(r->left);
	__m512i xl = _mm512_sllv_epi32(x, left);
	xl = _mm512_mask_mov_epi32(xl, _mm512_cmpgt_epi32_mask(x, _mm512_srav_epi32(imax, left)), imax);
	return _mm512_mask_mov_epi32(xl, _mm512_cmplt_epi32_mask(x, _mm512_srav_epi32(imin, left)),
				     imin);
}

/* mbqm of 16 lanes with prepared parameters (rq16.h) where no lane has
 * shift > 0 (otherwise apply rq16_left first): 12 instructions. */
static inline __m512i rq16_right(__m512i x, const cpu_rq16_t *r)
{
	const __m512i lim = _mm512_set1_epi64(-(INT64_C(1) << 30));
	__m512i pe = _mm512_mul_epi32(x, _mm512_load_si512(r->mult));
	__m512i po = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_load_si512(r->mult_odd));
	__m512i te = _mm512_add_epi64(pe, _mm512_load_si512(r->round));
	__m512i to = _mm512_add_epi64(po, _mm512_load_si512(r->round + 8));
	te = _mm512_mask_sub_epi64(te, _mm512_cmplt_epi64_mask(pe, lim), te, _mm512_load_si512(r->neg));
	to = _mm512_mask_sub_epi64(to, _mm512_cmplt_epi64_mask(po, lim), to,
				   _mm512_load_si512(r->neg + 8));
	te = _mm512_srav_epi64(te, _mm512_load_si512(r->shift));
	to = _mm512_srav_epi64(to, _mm512_load_si512(r->shift + 8));
	return _mm512_mask_shuffle_epi32(te, 0xaaaa, to, _MM_PERM_CCAA);
}

static inline __m512i rq16_apply(__m512i x, const cpu_rq16_t *r, bool any_left)
{
	return rq16_right(any_left ? rq16_left(x, r) : x, r);
}

/* Output stage of 4 x 16 lanes as 64 int8: lane group L (128 bits) of the
 * result holds lane group L of a, b, c, d in turn, 4 bytes each. Saturating
 * to int16, adding zp (|zp| <= 128) with saturation and saturating to int8
 * keeps every out-of-range value out of range on the same side, so the final
 * clamp to [lo, hi] equals q_out. zp16: zp in every int16; lo8, hi8: bytes. */
static inline __m512i out64(__m512i a, __m512i b, __m512i c, __m512i d, __m512i zp16,
			    __m512i lo8, __m512i hi8)
{
	__m512i ab = _mm512_adds_epi16(_mm512_packs_epi32(a, b), zp16);
	__m512i cd = _mm512_adds_epi16(_mm512_packs_epi32(c, d), zp16);
	__m512i r = _mm512_packs_epi16(ab, cd);
	return _mm512_min_epi8(_mm512_max_epi8(r, lo8), hi8);
}

static inline __mmask16 mask16(size_t n)
{
	return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

#endif
