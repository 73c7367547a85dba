/* SPDX-License-Identifier: MIT */
/* Internal: 4-lane NEON mbqm with parameters prepared once (with the
 * weights), bit-identical to q_mbqm (docs/numerics.md) for mult in
 * [0, INT32_MAX] and shift in [-31, 30]:
 *  - the saturating left shift is sqshl by max(shift, 0);
 *  - srdhm(x, m) = (x * m + 2^30) >> 31 (numerics.md's identity) is sqrdmulh,
 *    (2 x m + 2^31) >> 32, which saturates only for x = m = INT32_MIN;
 *  - rdbpot(h, e) rounds half away from zero; srshl by -e rounds half up,
 *    (h + 2^(e-1)) >> e, so negative h first loses 1 (saturating: INT32_MIN
 *    stays, and its remainder 0 rounds down either way): for h < 0 the
 *    reference rounds up when the remainder exceeds 2^(e-1), which is
 *    (h - 1 + 2^(e-1)) >> e. h & -e has h's sign bit when e > 0, none for
 *    e = 0 (where srshl by 0 is the identity). */
#ifndef ENPU_CPU_REQUANT_NEON_H
#define ENPU_CPU_REQUANT_NEON_H

#include <arm_neon.h>
#include <stdbool.h>
#include <stdint.h>
#include "../quant_inline.h"

typedef struct cpu_rqn {
	int32_t mult[16];
	int32_t left[16];  /* max(shift, 0) */
	int32_t neg_e[16]; /* min(shift, 0) */
} __attribute__((aligned(64))) cpu_rqn_t;

/* Lanes beyond n get mult 0 (their results are discarded); returns whether
 * some lane shifts left. */
static inline bool cpu_rqn_prepare(cpu_rqn_t *r, const int32_t *mult, const int32_t *shift,
				   unsigned n)
{
	bool any_left = false;
	*r = (cpu_rqn_t){ 0 };
	for (unsigned l = 0; l < 16 && l < n; l++) {
		r->mult[l] = mult[l];
		r->left[l] = shift[l] > 0 ? shift[l] : 0;
		r->neg_e[l] = shift[l] > 0 ? 0 : shift[l];
		any_left |= shift[l] > 0;
	}
	return any_left;
}

/* mbqm of 4 lanes after the left shift, the parameters in registers.
 * relu: the caller's output stage sends every result <= 0 to one byte
 * (q_out_relu), so the fix for negative h is
 * left out: such a lane then gives some result <= 0 ((h + 2^(e-1)) >> e
 * with h < 0), not mbqm's. */
static inline int32x4_t rqn_right(int32x4_t x, int32x4_t mult, int32x4_t ne, bool relu)
{
	int32x4_t h = vqrdmulhq_s32(x, mult);
	if (!relu)
		h = vqaddq_s32(h, vshrq_n_s32(vandq_s32(h, ne), 31));
	return vrshlq_s32(h, ne);
}

/* mbqm of lanes 4q .. 4q + 3 (relu: rqn_right's). */
static inline int32x4_t rqn_apply(int32x4_t x, const cpu_rqn_t *r, unsigned q, bool any_left,
				  bool relu)
{
	if (any_left)
		x = vqshlq_s32(x, vld1q_s32(r->left + 4 * q));
	return rqn_right(x, vld1q_s32(r->mult + 4 * q), vld1q_s32(r->neg_e + 4 * q), relu);
}

/* rqn_apply of the 16 lanes in x, in place, relu tested once (a test per
 * vector cost the first layer and depthwise 1-2% more instructions) */
static inline void rqn_apply16(int32x4_t x[4], const cpu_rqn_t *r, bool any_left, bool relu)
{
	if (relu)
		for (unsigned q = 0; q < 4; q++)
			x[q] = rqn_apply(x[q], r, q, any_left, true);
	else
		for (unsigned q = 0; q < 4; q++)
			x[q] = rqn_apply(x[q], r, q, any_left, false);
}

/* Output stage of 16 lanes (mbqm results, in order): saturated to int16,
 * plus zp (|zp| <= 128, saturating), saturated to int8 and clamped to
 * [lo, hi]: equals clamp(v + zp) as saturation keeps out-of-range values
 * out of range on the same side. */
static inline int8x16_t rqn_out16(const int32x4_t v[4], int16x8_t zp16, int8x16_t lo,
				  int8x16_t hi)
{
	int16x8_t a = vqaddq_s16(vcombine_s16(vqmovn_s32(v[0]), vqmovn_s32(v[1])), zp16);
	int16x8_t b = vqaddq_s16(vcombine_s16(vqmovn_s32(v[2]), vqmovn_s32(v[3])), zp16);
	return vminq_s8(vmaxq_s8(vcombine_s8(vqmovn_s16(a), vqmovn_s16(b)), lo), hi);
}

#endif
