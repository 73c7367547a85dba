/* SPDX-License-Identifier: MIT */
/* The fp16 contract's error bound (docs/numerics.md, section 4), shared by
 * the HAL tests (test_f16.c) and the fuzzer (tests/fuzz/fuzz_f16.c):
 *   |y - y_ref| <= 1.5 ulp16(y_ref) + 2 (K + 2) 2^-24 (S + |bias|),
 *   S = sum_k |a_k b_k|, in double from the inputs (f16_abs_sum: a GEMM is a
 *   1 x 1 convolution of a 1 x M image of K channels). */
#ifndef ENPU_TEST_F16_BOUND_H
#define ENPU_TEST_F16_BOUND_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enpu/fp16.h"

/* A convolution's geometry (one image, NHWC, dilation 1); a GEMM A [M][K],
 * B [N][K] is in_h = out_h = 1, in_w = out_w = M, in_c = K, out_c = N, 1 x 1. */
typedef struct f16_geom {
	uint32_t in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w;
	uint32_t stride_h, stride_w, pad_t, pad_l, groups;
} f16_geom_t;

/* S of output element i (NHWC) of x (input) and w (filter, [out_c][k_h][k_w]
 * [in_c / groups]), fp16 bits; a padded tap's product is |0 * w|. */
static inline double f16_abs_sum(const f16_geom_t *g, const uint16_t *x, const uint16_t *w,
				 size_t i)
{
	uint32_t oc = (uint32_t)(i % g->out_c), ow = (uint32_t)(i / g->out_c % g->out_w);
	uint32_t oh = (uint32_t)(i / g->out_c / g->out_w), cg = g->in_c / g->groups;
	uint32_t c0 = oc / (g->out_c / g->groups) * cg;
	double s = 0.0;
	for (uint32_t kh = 0; kh < g->k_h; kh++)
		for (uint32_t kw = 0; kw < g->k_w; kw++) {
			int64_t ih = (int64_t)oh * g->stride_h - g->pad_t + kh;
			int64_t iw = (int64_t)ow * g->stride_w - g->pad_l + kw;
			const uint16_t *wp = w + (((size_t)oc * g->k_h + kh) * g->k_w + kw) * cg;
			const uint16_t *xp = NULL;
			if (ih >= 0 && ih < g->in_h && iw >= 0 && iw < g->in_w)
				xp = x + ((size_t)ih * g->in_w + (size_t)iw) * g->in_c + c0;
			for (uint32_t c = 0; c < cg; c++)
				s += fabs((xp ? (double)enpu_f16_to_f32(xp[c]) : 0.0) *
					  (double)enpu_f16_to_f32(wp[c]));
		}
	return s;
}

static inline double f16_ulp(double x)
{
	int exp;
	x = fabs(x);
	if (x < 0x1p-14)
		return 0x1p-24;
	frexp(x, &exp);
	return ldexp(1.0, exp - 11);
}

/* The bound for reference value ref, reduction length k, S and |bias| */
static inline double f16_bound(double ref, uint32_t k, double s, double abs_bias)
{
	return 1.5 * f16_ulp(ref) + 2.0 * (k + 2) * 0x1p-24 * (s + abs_bias);
}

/* Whether an implementation's output y conforms to the reference's y_ref
 * (docs/numerics.md, section 4, with its rules for non-finite results): NaN
 * exactly where the reference has NaN; the same infinity; and where one side
 * is infinite and the other finite, which only a sum of finite terms at the
 * edge of the range may give, the infinity counts as +-65536, the value past
 * 65504 at fp16 spacing. */
static inline bool f16_conforms(double y, double y_ref, uint32_t k, double s, double abs_bias)
{
	if (isnan(y) || isnan(y_ref))
		return isnan(y) && isnan(y_ref);
	if (isinf(y) && isinf(y_ref))
		return y == y_ref;
	if ((isinf(y) || isinf(y_ref)) && !(isfinite(s) && isfinite(abs_bias)))
		return false;
	if (isinf(y))
		y = copysign(65536.0, y);
	if (isinf(y_ref))
		y_ref = copysign(65536.0, y_ref);
	return fabs(y - y_ref) <= f16_bound(y_ref, k, s, abs_bias);
}

#endif
