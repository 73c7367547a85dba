/* SPDX-License-Identifier: MIT */
/* The fp16 contract's error bound (docs/numerics.md, section 4), shared by
 * the HAL tests (test_f16.c) and the fuzzer (tests/fuzz/fuzz_f16.c):
 *   |y - y_ref| <= 1.5 ulp16(y_ref) + 2 (K + 2) 2^-24 (S + |bias|),
 *   S = sum_k |a_k b_k|, computed by the reference on |A|, |B| and rounded to
 *   fp16 (covered by a factor 1 + 2^-10). */
#ifndef ENPU_TEST_F16_BOUND_H
#define ENPU_TEST_F16_BOUND_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

static inline double f16_ulp(double x)
{
	int exp;
	x = fabs(x);
	if (x < 0x1p-14)
		return 0x1p-24;
	frexp(x, &exp);
	return ldexp(1.0, exp - 11);
}

/* The bound for reference value ref, reduction length k, S as the
 * reference's fp16 output s16, and |bias| */
static inline double f16_bound(double ref, uint32_t k, double s16, double abs_bias)
{
	return 1.5 * f16_ulp(ref) + 2.0 * (k + 2) * 0x1p-24 * (s16 * (1.0 + 0x1p-10) + abs_bias);
}

/* Whether an implementation's output y conforms to the reference's y_ref
 * (docs/numerics.md, section 4, with its rules for non-finite results): NaN
 * exactly where the reference has NaN; the same infinity; and where one side
 * is infinite and the other finite (a sum at the edge of the range), the
 * infinity counts as +-65536, the value past 65504 at fp16 spacing. */
static inline bool f16_conforms(double y, double y_ref, uint32_t k, double s16,
				double abs_bias)
{
	if (isnan(y) || isnan(y_ref))
		return isnan(y) && isnan(y_ref);
	if (isinf(y) && isinf(y_ref))
		return y == y_ref;
	if (isinf(y))
		y = copysign(65536.0, y);
	if (isinf(y_ref))
		y_ref = copysign(65536.0, y_ref);
	return fabs(y - y_ref) <= f16_bound(y_ref, k, s16, abs_bias);
}

#endif
