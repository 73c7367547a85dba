/* SPDX-License-Identifier: MIT */
/* Known-answer tests of the numeric primitives (values worked out by hand
 * from the formulas in docs/numerics.md). */
#include <math.h>
#include "tests.h"

void test_kat_srdhm(tctx *t)
{
	CHECK(t, enpu_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX, "min*min must saturate");
	/* 2^30 * 2^30 / 2^31 = 2^29 exactly (+0.5 nudge truncated) */
	CHECK(t, enpu_srdhm(1 << 30, 1 << 30) == 536870912, "2^30*2^30");
	CHECK(t, enpu_srdhm(-(1 << 30), 1 << 30) == -536870912, "-2^30*2^30");
	/* 3*2^30/2^31 = 1.5 -> 2; -1.5 -> -1 (negative nudge is 1-2^30) */
	CHECK(t, enpu_srdhm(3, 1 << 30) == 2, "1.5 -> %d", enpu_srdhm(3, 1 << 30));
	CHECK(t, enpu_srdhm(-3, 1 << 30) == -1, "-1.5 -> %d", enpu_srdhm(-3, 1 << 30));
	/* (2^31-1)^2/2^31 = 2^31 - 2 + 2^-31 -> 2147483646 */
	CHECK(t, enpu_srdhm(INT32_MAX, INT32_MAX) == 2147483646, "max*max");
	/* -2^31 (2^31-1) / 2^31 = -2147483647, minus 0.5 nudge, truncated */
	CHECK(t, enpu_srdhm(INT32_MIN, INT32_MAX) == -2147483647, "min*max");
	CHECK(t, enpu_srdhm(0, 12345) == 0, "zero");
out:;
}

void test_kat_rdbpot(tctx *t)
{
	CHECK(t, enpu_rdbpot(5, 1) == 3, "2.5 rounds away from zero");
	CHECK(t, enpu_rdbpot(-5, 1) == -3, "-2.5 rounds away from zero");
	CHECK(t, enpu_rdbpot(6, 2) == 2, "1.5 -> 2");
	CHECK(t, enpu_rdbpot(-6, 2) == -2, "-1.5 -> -2");
	CHECK(t, enpu_rdbpot(INT32_MAX, 31) == 1, "(2^31-1)/2^31 -> 1");
	CHECK(t, enpu_rdbpot(INT32_MIN, 31) == -1, "-1 exactly");
	CHECK(t, enpu_rdbpot(12, 0) == 12, "exponent 0 is identity");
	CHECK(t, enpu_rdbpot(-7, 31) == 0, "tiny negative -> 0");
out:;
}

void test_kat_mbqm(tctx *t)
{
	/* TFLite's example: 100 * 0.5 = 50 */
	CHECK(t, enpu_mbqm(100, 1 << 30, 0) == 50, "100*0.5");
	/* -7 * 0.25 = -1.75 -> srdhm gives -3, rdbpot(-3, 1) = -2 */
	CHECK(t, enpu_mbqm(-7, 1 << 30, -1) == -2, "-7*0.25");
	/* 9 * 0.25 = 2.25 -> 3: the double rounding TFLite also has */
	CHECK(t, enpu_mbqm(9, 1 << 30, -1) == 3, "9*0.25 double rounding");
	/* saturating left shift: 2^20 << 30 saturates to INT32_MAX first */
	CHECK(t, enpu_mbqm(1 << 20, INT32_MAX, 30) == 2147483646, "saturate high");
	CHECK(t, enpu_mbqm(-(1 << 20), INT32_MAX, 30) == -2147483647, "saturate low");
	CHECK(t, enpu_mbqm(-1, 1 << 30, 30) == -536870912, "largest left shift");
	CHECK(t, enpu_mbqm(1000, 1518500250, -31) == 0, "shift -31");
	CHECK(t, enpu_mbqm(3, INT32_MAX, 0) == 3, "multiplier ~1.0");
out:;
}

void test_kat_quantize_multiplier(tctx *t)
{
	int32_t m = 0;
	int s = 0;
	CHECK_OK(t, enpu_quantize_multiplier(0.5, &m, &s));
	CHECK(t, m == 1 << 30 && s == 0, "0.5 -> (%d,%d)", m, s);
	CHECK_OK(t, enpu_quantize_multiplier(1.0, &m, &s));
	CHECK(t, m == 1 << 30 && s == 1, "1.0 -> (%d,%d)", m, s);
	CHECK_OK(t, enpu_quantize_multiplier(0.75, &m, &s));
	CHECK(t, m == 1610612736 && s == 0, "0.75 -> (%d,%d)", m, s);
	/* rounds up to 2^31: halved, shift incremented */
	CHECK_OK(t, enpu_quantize_multiplier(1.0 - ldexp(1.0, -40), &m, &s));
	CHECK(t, m == 1 << 30 && s == 1, "1-2^-40 -> (%d,%d)", m, s);
	/* the smallest exponent kept: shift -31 */
	CHECK_OK(t, enpu_quantize_multiplier(ldexp(0.75, -31), &m, &s));
	CHECK(t, m == 1610612736 && s == -31, "0.75*2^-31 -> (%d,%d)", m, s);
	CHECK_OK(t, enpu_quantize_multiplier(ldexp(1.0, -33), &m, &s));
	CHECK(t, m == 0 && s == 0, "2^-33 underflows to (0,0), got (%d,%d)", m, s);
	CHECK_OK(t, enpu_quantize_multiplier(0.0, &m, &s));
	CHECK(t, m == 0 && s == 0, "0");
	CHECK_ERR(t, enpu_quantize_multiplier(-0.5, &m, &s), ENPU_STATUS_INVALID_ARGUMENT, ">= 0");
	CHECK_ERR(t, enpu_quantize_multiplier(NAN, &m, &s), ENPU_STATUS_INVALID_ARGUMENT, "finite");
	CHECK_ERR(t, enpu_quantize_multiplier(ldexp(1.0, 31), &m, &s), ENPU_STATUS_OUT_OF_RANGE,
		  "too large");
	/* the largest exponent kept: shift 30 (the limit of rec_check_multiplier) */
	CHECK_OK(t, enpu_quantize_multiplier(ldexp(0.75, 30), &m, &s));
	CHECK(t, m == 1610612736 && s == 30, "0.75*2^30 -> (%d,%d)", m, s);
	CHECK_ERR(t, enpu_quantize_multiplier(ldexp(1.0, 30), &m, &s), ENPU_STATUS_OUT_OF_RANGE,
		  "shift 31 > 30");
	/* the limits hold for the rounded real: just below 2^30 rounds up to it,
	 * just below 2^-32 rounds up to 2^-32 (kept) */
	CHECK_ERR(t, enpu_quantize_multiplier(ldexp(1.0 - ldexp(1.0, -40), 30), &m, &s),
		  ENPU_STATUS_OUT_OF_RANGE, "shift 31 > 30");
	CHECK_OK(t, enpu_quantize_multiplier(ldexp(1.0 - ldexp(1.0, -40), -32), &m, &s));
	CHECK(t, m == 1 << 30 && s == -31, "(1-2^-40)*2^-32 -> (%d,%d)", m, s);
out:;
}

void test_kat_fp16_from_f32(tctx *t)
{
	static const struct { float f; uint16_t h; } cases[] = {
		{ 1.0f, 0x3c00 }, { -2.0f, 0xc000 }, { 65504.0f, 0x7bff },
		{ 65519.996f, 0x7bff }, { 65520.0f, 0x7c00 }, { 0x1p-24f, 0x0001 },
		{ 0x1p-25f, 0x0000 }, { 0x1.8p-25f, 0x0001 }, { 0x1.8p-24f, 0x0002 },
		{ -0.0f, 0x8000 }, { 1.0f + 0x1p-11f, 0x3c00 }, { 1.0f + 0x3p-11f, 0x3c02 },
		{ 0.1f, 0x2e66 }, { 0x1p-14f, 0x0400 }, { 0x1.ffcp-15f, 0x0400 },
		{ INFINITY, 0x7c00 }, { -INFINITY, 0xfc00 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t h = enpu_f32_to_f16(cases[i].f);
		CHECK(t, h == cases[i].h, "%a -> 0x%04x, expected 0x%04x", (double)cases[i].f, h,
		      cases[i].h);
	}
	CHECK(t, (enpu_f32_to_f16(NAN) & 0x7e00) == 0x7e00, "NaN must stay a quiet NaN");
out:;
}

void test_kat_fp16_from_f64(tctx *t)
{
	/* 1 + 2^-11 + 2^-40 is just above a tie: via float it would round to
	 * the tie and then to even (0x3c00); directly it must go up. */
	CHECK(t, enpu_f64_to_f16(1.0 + ldexp(1.0, -11) + ldexp(1.0, -40)) == 0x3c01,
	      "no double rounding");
	CHECK(t, enpu_f64_to_f16(1.0 + ldexp(1.0, -11)) == 0x3c00, "tie to even");
	CHECK(t, enpu_f64_to_f16(-65520.0) == 0xfc00, "overflow to -inf");
	CHECK(t, enpu_f64_to_f16(ldexp(1.0, -25) + ldexp(1.0, -60)) == 0x0001,
	      "just above half the smallest subnormal");
	CHECK(t, enpu_f64_to_f16(ldexp(3.0, -26)) == 0x0001, "0.75 ulp subnormal");
	CHECK(t, enpu_f64_to_f16(ldexp(5.0, -25)) == 0x0002, "subnormal tie 2.5 ulp to even");
	CHECK(t, enpu_f64_to_f16(-ldexp(7.0, -25)) == 0x8004, "subnormal tie -3.5 ulp to even");
	CHECK(t, enpu_f64_to_f16(1234.5678) == enpu_f32_to_f16(1234.5678f), "ordinary value");
out:;
}

void test_kat_fp16_to_f32(tctx *t)
{
	CHECK(t, enpu_f16_to_f32(0x3c00) == 1.0f, "1.0");
	CHECK(t, enpu_f16_to_f32(0x0001) == 0x1p-24f, "smallest subnormal");
	CHECK(t, enpu_f16_to_f32(0x83ff) == -0x1.ff8p-15f, "largest negative subnormal");
	CHECK(t, enpu_f16_to_f32(0x7bff) == 65504.0f, "max");
	CHECK(t, isinf(enpu_f16_to_f32(0xfc00)) && enpu_f16_to_f32(0xfc00) < 0, "-inf");
	CHECK(t, isnan(enpu_f16_to_f32(0x7e01)), "NaN");
	/* every finite half survives a round trip */
	for (uint32_t h = 0; h < 0x10000; h++) {
		if ((h & 0x7c00) == 0x7c00)
			continue;
		uint16_t back = enpu_f32_to_f16(enpu_f16_to_f32((uint16_t)h));
		CHECK(t, back == h, "round trip 0x%04x -> 0x%04x", h, back);
	}
out:;
}
