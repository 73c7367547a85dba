// SPDX-License-Identifier: GPL-2.0-only
/*
 * enpu_ref.h itself, without the device: numerics.md section 1's worked
 * examples, the fp16 conversions (ties to even, overflow, subnormals) and
 * REQUANT F16_I8's rounding (half away from zero, NaN, infinities).
 */
#include "harness.h"
#include "enpu_ref.h"

TEST(reference_known_answers)
{
	struct enpu_cmd_requant r = { .mode = ENPU_CMD_REQUANT_F16_I8, .act_min = -128,
				      .act_max = 127, .scale_bits = 0x3f800000 };

	/* numerics.md section 1's worked examples */
	EXPECT_EQ(-1, ref_srdhm(-3, 1 << 30));
	EXPECT_EQ(3, ref_mbqm(9, 1 << 30, -1));
	EXPECT_EQ(INT32_MAX, ref_srdhm(INT32_MIN, INT32_MIN));
	EXPECT_EQ(-3, ref_rdbpot(-5, 1));
	EXPECT_EQ(3, ref_rdbpot(5, 1));
	EXPECT_EQ(0, ref_rdbpot(-1, 31));
	EXPECT_EQ(-1, ref_rdbpot(INT32_MIN, 31));
	EXPECT_EQ(-1, ref_rdbpot(-(1 << 30), 31));		/* -0.5: away from zero */
	EXPECT_EQ(1, ref_rdbpot(1 << 30, 31));			/* 0.5 */
	EXPECT_EQ(0, ref_rdbpot((1 << 30) - 1, 31));
	EXPECT_EQ(INT32_MAX - 1, ref_mbqm(255, INT32_MAX, 30));	/* saturating left shift */
	EXPECT_EQ(127, ref_out(INT32_MAX - 1, 127, -128, 127));
	EXPECT_EQ(-128, ref_out(INT32_MIN + 1, -128, -128, 127));
	/* fp16 conversions: ties to even, overflow, subnormals, one rounding from fp64 */
	EXPECT_EQ(0x7c00, ref_f2h(65520.0f));
	EXPECT_EQ(0x7bff, ref_f2h(65519.0f));
	EXPECT_EQ(0x3c00, ref_f2h(1.0f + 0x1p-11f));
	EXPECT_EQ(0x3c02, ref_f2h(1.0f + 0x3p-11f));
	EXPECT_EQ(0x0000, ref_f2h(0x1p-25f));
	EXPECT_EQ(0x0001, ref_f2h(0x1.8p-25f));
	EXPECT_EQ(0x0002, ref_f2h(0x3p-25f));
	EXPECT_EQ(0x3c01, ref_d2h(1.0 + 0x1p-11 + 0x1p-40));
	EXPECT_TRUE(ref_h2f(0x0001) == 0x1p-24f);
	EXPECT_TRUE(ref_h_isnan(ref_f2h(ref_bits2f(0x7fc00000))));
	/* roundf semantics: half away from zero, NaN -> 0, inf saturates */
	EXPECT_EQ(3, ref_requant_f16_i8(&r, 0x4100));		/* 2.5 */
	EXPECT_EQ(-3, ref_requant_f16_i8(&r, 0xc100));		/* -2.5 */
	EXPECT_EQ(1, ref_requant_f16_i8(&r, 0x3800));		/* 0.5 */
	EXPECT_EQ(0, ref_requant_f16_i8(&r, 0x37ff));		/* 0.49976 */
	EXPECT_EQ(0, ref_requant_f16_i8(&r, 0x7e00));		/* NaN */
	EXPECT_EQ(127, ref_requant_f16_i8(&r, 0x7c00));
	EXPECT_EQ(-128, ref_requant_f16_i8(&r, 0xfc00));
	EXPECT_EQ(2, ref_roundf_away(1.5f));
	EXPECT_EQ(0, ref_roundf_away(0.49999997f));
	EXPECT_EQ(-1, ref_roundf_away(-0.5f));
}

TEST_HARNESS_MAIN
