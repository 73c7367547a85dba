/* SPDX-License-Identifier: MIT */
/* enpu HAL: integer requantization primitives of docs/numerics.md (TFLite
 * reference semantics). Pure functions, thread-safe. */
#ifndef ENPU_QUANT_H
#define ENPU_QUANT_H

#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SaturatingRoundingDoublingHighMul. */
int32_t enpu_srdhm(int32_t a, int32_t b);
/* RoundingDivideByPOT, 0 <= exponent <= 31. */
int32_t enpu_rdbpot(int32_t x, int exponent);
/* MultiplyByQuantizedMultiplier, mult in [0, INT32_MAX], shift in [-31, 30]. */
int32_t enpu_mbqm(int32_t x, int32_t mult, int shift);

/* TFLite QuantizeMultiplier: real = mult * 2^(shift-31) with mult in
 * [2^30, 2^31) (or 0), real's mantissa rounded to 31 bits (to nearest, ties
 * away from zero). INVALID_ARGUMENT for negative/non-finite real;
 * OUT_OF_RANGE when the rounded real is >= 2^30 (shift would exceed 30; so
 * also reals just below 2^30). Reals whose rounded value is below 2^-32 give
 * mult 0, shift 0 (reals just below 2^-32 round up to it). */
enpu_status_t enpu_quantize_multiplier(double real, int32_t *out_mult, int *out_shift);

#ifdef __cplusplus
}
#endif
#endif
