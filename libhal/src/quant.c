/* SPDX-License-Identifier: MIT */
/* Public requantization primitives and TFLite's QuantizeMultiplier. */
#include <math.h>
#include "enpu/quant.h"
#include "quant_inline.h"

int32_t enpu_srdhm(int32_t a, int32_t b) { return q_srdhm(a, b); }
int32_t enpu_rdbpot(int32_t x, int exponent) { return q_rdbpot(x, exponent); }
int32_t enpu_mbqm(int32_t x, int32_t mult, int shift) { return q_mbqm(x, mult, shift); }

enpu_status_t enpu_quantize_multiplier(double real, int32_t *out_mult, int *out_shift)
{
	if (!out_mult || !out_shift)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_quantize_multiplier: output pointer is NULL");
	if (!(real >= 0.0) || !isfinite(real))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_quantize_multiplier: multiplier %g must be finite and >= 0",
					real);
	if (real == 0.0) {
		*out_mult = 0;
		*out_shift = 0;
		return ENPU_OK;
	}
	int shift;
	double frac = frexp(real, &shift);
	int64_t q = (int64_t)round(frac * (double)(INT64_C(1) << 31));
	if (q == (INT64_C(1) << 31)) {
		q /= 2;
		shift++;
	}
	if (shift < -31) {
		shift = 0;
		q = 0;
	}
	if (shift > 30)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"enpu_quantize_multiplier: multiplier %g too large (shift %d > 30)",
					real, shift);
	*out_mult = (int32_t)q;
	*out_shift = shift;
	return ENPU_OK;
}
