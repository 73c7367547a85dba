/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */
/*
 * INT8 requantization, exactly as docs/numerics.md (TFLite reference semantics):
 * the sim's results must be bit-identical to libhal's reference implementation.
 */
#ifndef __ENPU_QUANT_H__
#define __ENPU_QUANT_H__

#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/types.h>

/* SaturatingRoundingDoublingHighMul */
static inline s32 enpu_srdhm(s32 a, s32 b)
{
	s64 ab, nudge;

	if (a == S32_MIN && b == S32_MIN)
		return S32_MAX;
	ab = (s64)a * b;
	nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	return (s32)((ab + nudge) / (1LL << 31));
}

/* RoundingDivideByPOT, 0 <= e <= 31 */
static inline s32 enpu_rdbpot(s32 x, int e)
{
	s32 mask = (s32)((1LL << e) - 1);
	s32 rem = x & mask;
	s32 thr = (mask >> 1) + (x < 0);

	return (x >> e) + (rem > thr);
}

/* MultiplyByQuantizedMultiplier; the left shift saturates to int32. */
static inline s32 enpu_mbqm(s32 x, s32 mult, s32 shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	s64 xl = (s64)x * (1LL << left);

	xl = clamp_t(s64, xl, S32_MIN, S32_MAX);
	return enpu_rdbpot(enpu_srdhm((s32)xl, mult), right);
}

/* The zero point is added in 64 bits: an extreme multiplier saturates, never wraps. */
static inline s8 enpu_requant_out(s32 acc, s32 mult, s32 shift, s32 zp, s32 lo, s32 hi)
{
	s64 v = (s64)enpu_mbqm(acc, mult, shift) + zp;

	return (s8)clamp_t(s64, v, lo, hi);
}

static inline bool enpu_quant_params_ok(s32 mult, s32 shift)
{
	return mult >= 0 && shift >= -31 && shift <= 30;
}

#endif /* __ENPU_QUANT_H__ */
