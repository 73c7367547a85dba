/* SPDX-License-Identifier: MIT */
/* The fp16 contract's error bound (docs/numerics.md, section 4), shared by
 * the HAL tests (test_f16.c) and the fuzzer (tests/fuzz/fuzz_f16.c):
 *   |y - y_ref| <= 1.5 ulp16(y_ref) + 2 (K + 2) 2^-24 (S + |bias|),
 *   S = sum_k |a_k b_k|, computed by the reference on |A|, |B| and rounded to
 *   fp16 (covered by a factor 1 + 2^-10). */
#ifndef ENPU_TEST_F16_BOUND_H
#define ENPU_TEST_F16_BOUND_H

#include <math.h>
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

#endif
