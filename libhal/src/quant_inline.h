/* SPDX-License-Identifier: MIT */
/* Internal: inline versions of the requantization primitives of
 * docs/numerics.md, used by every backend's kernels (and wrapped by quant.c).
 * Relies on >> of negative int32 being arithmetic (gcc and clang guarantee it). */
#ifndef ENPU_QUANT_INLINE_H
#define ENPU_QUANT_INLINE_H

#include <stdbool.h>
#include <stdint.h>

static inline int32_t q_srdhm(int32_t a, int32_t b)
{
	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	int64_t ab = (int64_t)a * (int64_t)b;
	int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

static inline int32_t q_rdbpot(int32_t x, int exponent)
{
	int32_t mask = (int32_t)((INT64_C(1) << exponent) - 1);
	int32_t rem = x & mask;
	int32_t threshold = (mask >> 1) + (x < 0);
	return (x >> exponent) + (rem > threshold);
}

static inline int32_t q_mbqm(int32_t x, int32_t mult, int shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	int64_t wide = (int64_t)x * (INT64_C(1) << left);
	int32_t xl = wide > INT32_MAX ? INT32_MAX : wide < INT32_MIN ? INT32_MIN : (int32_t)wide;
	return q_rdbpot(q_srdhm(xl, mult), right);
}

static inline int32_t q_clamp(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Output stage: v + zero point (in 64 bits, so it cannot overflow), clamped
 * to [lo, hi] within the int8 range. */
static inline int8_t q_out(int32_t v, int32_t zp, int32_t lo, int32_t hi)
{
	int64_t s = (int64_t)v + zp;
	return (int8_t)(s < lo ? lo : s > hi ? hi : s);
}

/* Whether q_out(v, zp, lo, hi) (lo <= hi, as recording validates) is lo for
 * every v <= 0: with lo >= zp (a ReLU-family clamp) v + zp <= zp <= lo. The
 * CPU output stages then requantize without the rounding's sign term (the
 * AVX-512 kernels' RQ16_RELU, rq8_right's and rqn_right's relu): a negative
 * input still gives a result <= 0, argued in cpu/rq16.h. */
static inline bool q_out_relu(int32_t zp, int32_t lo)
{
	return lo >= zp;
}

/* Wrapping int32 addition (accumulation is defined modulo 2^32). */
static inline int32_t q_wrap_add(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a + (uint32_t)b);
}

#endif
