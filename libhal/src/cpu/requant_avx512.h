/* SPDX-License-Identifier: MIT */
/* Internal: 16-lane AVX-512 versions of mbqm (parameters prepared by rq16.h)
 * and the int8 output stage, bit-identical to q_mbqm / q_out
 * (docs/numerics.md) for mult >= 0; with parameters that hold the zero
 * point (cpu_rq16_fold_zp), rq16 gives q_mbqm + zp. */
#ifndef ENPU_CPU_REQUANT_AVX512_H
#define ENPU_CPU_REQUANT_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include "../quant_inline.h"
#include "rq16.h"
#include "rq16_hi.h"

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

/* Prepared parameters of 16 lanes in registers, for loops that requantize
 * many vectors of the same channels: loaded once instead of as 8 memory
 * operands per vector (512-bit loads issue at 2 per cycle, which bounded
 * the first layer's output stage). */
typedef struct rq16_regs {
	__m512i mult, mult_odd, round_e, round_o, shift_e, shift_o, neg_e, neg_o;
} rq16_regs_t;

static inline rq16_regs_t rq16_load(const cpu_rq16_t *r)
{
	return (rq16_regs_t){
		.mult = _mm512_load_si512(r->mult), .mult_odd = _mm512_load_si512(r->mult_odd),
		.round_e = _mm512_load_si512(r->round), .round_o = _mm512_load_si512(r->round + 8),
		.shift_e = _mm512_load_si512(r->shift), .shift_o = _mm512_load_si512(r->shift + 8),
		.neg_e = _mm512_load_si512(r->neg), .neg_o = _mm512_load_si512(r->neg + 8),
	};
}

/* How a kernel runs rq16 over its channels: RQ16_LEFT where some lane has
 * shift > 0 (rq16_left first); otherwise RQ16_RELU where the int8 output
 * stage sends every result <= 0 to the same byte (q_out_relu), and
 * RQ16_RIGHT. With RQ16_RELU a negative x (m >= 0) needs only a result <= 0,
 * which the rounding without its sign term also gives (rq16.h), so
 * rq16_right_regs leaves that term out. The GEMM kernels' output stage, which runs in the
 * shadow of the next tile's sums, stays RQ16_RIGHT: RQ16_RELU made 1x1 and
 * 3x3 convolutions and GEMMs no faster there (1.00). */
typedef enum rq16_mode { RQ16_RIGHT, RQ16_LEFT, RQ16_RELU } rq16_mode_t;

static inline rq16_mode_t rq16_mode(bool any_left, int32_t qmin, int32_t zp)
{
	return any_left ? RQ16_LEFT : q_out_relu(zp, qmin) ? RQ16_RELU : RQ16_RIGHT;
}

/* mbqm of 16 lanes with prepared parameters (rq16.h) where no lane has
 * shift > 0 (otherwise apply rq16_left first): 12 instructions, 8 with
 * relu (RQ16_RELU: lanes of negative x then give some result <= 0, not
 * mbqm's). On Zen 4 vpmuldq, vpand and shuffles share the pipes of
 * vpdpbusd, while 64-bit adds and shifts do not: x & neg (rq16.h) instead
 * of a compare and a masked subtract made 1x1 and first-layer convolutions
 * 3% faster; leaving the term out, the first layer 12% (with ReLU). */
static inline __m512i rq16_right_regs(__m512i x, const rq16_regs_t *k, bool relu)
{
	__m512i xo = _mm512_srli_epi64(x, 32);
	__m512i te = _mm512_add_epi64(_mm512_mul_epi32(x, k->mult), k->round_e);
	__m512i to = _mm512_add_epi64(_mm512_mul_epi32(xo, k->mult_odd), k->round_o);
	if (!relu) {
		te = _mm512_sub_epi64(te, _mm512_and_si512(x, k->neg_e));
		to = _mm512_sub_epi64(to, _mm512_and_si512(xo, k->neg_o));
	}
	te = _mm512_srav_epi64(te, k->shift_e);
	to = _mm512_srav_epi64(to, k->shift_o);
	return _mm512_mask_shuffle_epi32(te, 0xaaaa, to, _MM_PERM_CCAA);
}

/* rq16_right_regs as mode says (k: r's parameters) */
static inline __m512i rq16_mode_regs(__m512i x, const cpu_rq16_t *r, const rq16_regs_t *k,
				     rq16_mode_t mode)
{
	return rq16_right_regs(mode == RQ16_LEFT ? rq16_left(x, r) : x, k, mode == RQ16_RELU);
}

static inline __m512i rq16_apply(__m512i x, const cpu_rq16_t *r, rq16_mode_t mode)
{
	rq16_regs_t k = rq16_load(r);
	return rq16_mode_regs(x, r, &k, mode);
}

/* rq16_hi.h's parameters in registers */
typedef struct rq16_hi_regs {
	__m512i mult, mult_odd, round_e, round_o, e;
} rq16_hi_regs_t;

static inline rq16_hi_regs_t rq16_hi_load(const cpu_rq16_hi_t *r)
{
	return (rq16_hi_regs_t){
		.mult = _mm512_load_si512(r->mult), .mult_odd = _mm512_load_si512(r->mult_odd),
		.round_e = _mm512_load_si512(r->round), .round_o = _mm512_load_si512(r->round + 8),
		.e = _mm512_load_si512(r->e),
	};
}

/* mbqm + zp of 16 lanes in rq16_hi.h's form: ten instructions, eight with
 * relu (lanes of negative x then give some result <= zp, as in
 * rq16_right_regs). */
static inline __m512i rq16_hi_regs(__m512i x, const rq16_hi_regs_t *k, bool relu)
{
	__m512i x2 = _mm512_add_epi32(x, x);
	__m512i pe = _mm512_add_epi64(_mm512_mul_epi32(x2, k->mult), k->round_e);
	__m512i po = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x2, 32), k->mult_odd),
				      k->round_o);
	/* even lanes: pe's high dwords; odd lanes: po's, already in place */
	__m512i hc = _mm512_mask_shuffle_epi32(po, 0x5555, pe, (_MM_PERM_ENUM)0xf5);
	if (!relu)
		hc = _mm512_sub_epi32(hc, _mm512_srli_epi32(x, 31));
	return _mm512_srav_epi32(hc, k->e);
}

/* Output stage of 4 x 16 lanes as 64 int8: lane group L (128 bits) of the
 * result holds lane group L of a, b, c, d in turn, 4 bytes each. Saturating
 * to int16, adding zp (|zp| <= 128) with saturation and saturating to int8
 * keeps every out-of-range value out of range on the same side, so the final
 * clamp to [lo, hi] equals q_out. zp16: zp in every int16; lo8, hi8: bytes.
 * Where a kernel knows more: without add_zp the lanes hold v + zp already
 * (cpu_rq16_fold_zp), and without clamp [lo, hi] is [-128, 127], which the
 * saturating packs give. */
static inline __attribute__((always_inline)) __m512i
out64_as(__m512i a, __m512i b, __m512i c, __m512i d, __m512i zp16, __m512i lo8, __m512i hi8,
	 bool add_zp, bool clamp)
{
	__m512i ab = _mm512_packs_epi32(a, b), cd = _mm512_packs_epi32(c, d);
	if (add_zp) {
		ab = _mm512_adds_epi16(ab, zp16);
		cd = _mm512_adds_epi16(cd, zp16);
	}
	__m512i r = _mm512_packs_epi16(ab, cd);
	return clamp ? _mm512_min_epi8(_mm512_max_epi8(r, lo8), hi8) : r;
}

/* out64_as with the add and the clamp */
static inline __m512i out64(__m512i a, __m512i b, __m512i c, __m512i d, __m512i zp16,
			    __m512i lo8, __m512i hi8)
{
	return out64_as(a, b, c, d, zp16, lo8, hi8, true, true);
}

/* out64_as with the bytes in a, b, c, d order: 16 of each (out64 leaves
 * dword (v, lane group L) at 4L + v; this order is 4v + L). */
static inline __attribute__((always_inline)) __m512i
out64_cols(__m512i a, __m512i b, __m512i c, __m512i d, __m512i zp16, __m512i lo8, __m512i hi8,
	   bool add_zp, bool clamp)
{
	const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
	return _mm512_permutexvar_epi32(order, out64_as(a, b, c, d, zp16, lo8, hi8, add_zp, clamp));
}

#endif
