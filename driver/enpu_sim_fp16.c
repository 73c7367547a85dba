// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * The sim's floating-point kernels. This file is built with the FPU enabled
 * (Kbuild: CC_FLAGS_FPU); its functions run only between kernel_fpu_begin() and
 * kernel_fpu_end(), and take and return no floats. FP16 in memory, FP32
 * accumulation in index order, round-to-nearest-even on store (docs/numerics.md).
 */

#include <linux/minmax.h>
#include <linux/types.h>

#include "enpu_sim.h"

union f32_bits {
	float f;
	u32 u;
};

static float bits_f32(u32 u)
{
	union f32_bits v = { .u = u };

	return v.f;
}

static float f16_to_f32(u16 h)
{
	u32 sign = (u32)(h & 0x8000) << 16;
	u32 exp = (h >> 10) & 0x1f;
	u32 man = h & 0x3ff;

	if (exp == 0x1f)	/* inf, nan */
		return bits_f32(sign | 0x7f800000 | (man << 13));
	if (exp)		/* normal */
		return bits_f32(sign | ((exp + 112) << 23) | (man << 13));
	if (!man)		/* zero */
		return bits_f32(sign);
	/* subnormal: man * 2^-24, exact in binary32 */
	return (sign ? -1.0f : 1.0f) * (float)man * bits_f32(0x33800000);
}

/* binary32 -> binary16, round to nearest, ties to even. */
static u16 f32_to_f16(float f)
{
	union f32_bits v = { .f = f };
	u32 sign = (v.u >> 16) & 0x8000;
	u32 abs = v.u & 0x7fffffff;
	u32 exp, man, half, rem;

	if (abs >= 0x7f800000)	/* inf, or nan (kept quiet) */
		return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >> 13) & 0x3ff) : 0);
	if (abs >= 0x477ff000)	/* rounds to >= 65520: overflow */
		return sign | 0x7c00;
	exp = abs >> 23;
	if (exp >= 113) {	/* normal binary16 */
		half = abs - (112U << 23);	/* rebias */
		rem = half & 0x1fff;
		half >>= 13;
		if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
			half++;
		return sign | half;
	}
	if (exp < 102)		/* below half the smallest subnormal */
		return sign;
	/* subnormal binary16: shift the full mantissa */
	man = (abs & 0x7fffff) | 0x800000;
	{
		u32 shift = 126 - exp;	/* 14..24 */
		u32 mask = (1U << shift) - 1;

		half = man >> shift;
		rem = man & mask;
		if (rem > (1U << (shift - 1)) || (rem == (1U << (shift - 1)) && (half & 1)))
			half++;
	}
	return sign | half;
}

void enpu_fp16_gemm_row(const u16 *a, const u16 *b, u32 ldb, const u32 *bias,
			u16 *c, u32 n, u32 k)
{
	u32 j, kk;

	for (j = 0; j < n; j++) {
		const u16 *br = b + (u64)j * ldb;
		float acc = bias ? bits_f32(bias[j]) : 0.0f;

		for (kk = 0; kk < k; kk++)
			acc += f16_to_f32(a[kk]) * f16_to_f32(br[kk]);
		c[j] = f32_to_f16(acc);
	}
}

void enpu_fp16_conv_pixel(const struct enpu_cmd_conv2d *c, const u16 *in, const u16 *filter,
			  const u32 *bias, u16 *out, u32 b, u32 oy, u32 ox, u32 oc0, u32 oc1)
{
	u32 cpg = c->cin / c->groups, opg = c->cout / c->groups;
	u16 *op = out + (((u64)b * c->out_h + oy) * c->out_w + ox) * c->cout;
	u32 oc, ky, kx, ic;

	for (oc = oc0; oc < oc1; oc++) {
		u32 ic0 = (oc / opg) * cpg;
		float acc = bias ? bits_f32(bias[oc]) : 0.0f;

		for (ky = 0; ky < c->kh; ky++) {
			s64 iy = (s64)oy * c->stride_h - c->pad_top + (s64)ky * c->dil_h;

			for (kx = 0; kx < c->kw; kx++) {
				s64 ix = (s64)ox * c->stride_w - c->pad_left + (s64)kx * c->dil_w;
				const u16 *ip = NULL, *fp;

				/* a padded tap's input is +0.0 (docs/numerics.md) */
				if (iy >= 0 && iy < c->h && ix >= 0 && ix < c->w)
					ip = in + (((u64)b * c->h + iy) * c->w + ix) * c->cin + ic0;
				fp = filter + (((u64)oc * c->kh + ky) * c->kw + kx) * cpg;
				for (ic = 0; ic < cpg; ic++) {
					float x = ip ? f16_to_f32(ip[ic]) : 0.0f;

					acc += x * f16_to_f32(fp[ic]);
				}
			}
		}
		op[oc] = f32_to_f16(acc);
	}
}

void enpu_fp16_cast_from_i8(const s8 *in, u16 *out, u32 count, s32 zp, u32 scale_bits)
{
	float scale = bits_f32(scale_bits);
	u32 i;

	for (i = 0; i < count; i++)
		out[i] = f32_to_f16((float)(in[i] - zp) * scale);
}

/* roundf(): to nearest, ties away from zero; |r| < 2^30. */
static s32 round_away(float r)
{
	s32 t = (s32)r;
	float d = r - (float)t;

	if (d >= 0.5f)
		t++;
	else if (d <= -0.5f)
		t--;
	return t;
}

void enpu_fp16_cast_to_i8(const u16 *in, s8 *out, u32 count, s32 zp, u32 scale_bits,
			  s32 lo, s32 hi)
{
	float scale = bits_f32(scale_bits);
	u32 i;

	for (i = 0; i < count; i++) {
		float r = f16_to_f32(in[i]) / scale;
		s32 q;

		if (r != r)			/* nan quantizes as 0 */
			q = 0;
		else if (r >= 1073741824.0f)
			q = 1 << 30;
		else if (r <= -1073741824.0f)
			q = -(1 << 30);
		else
			q = round_away(r);
		out[i] = (s8)clamp(q + zp, lo, hi);
	}
}
