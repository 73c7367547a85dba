/* SPDX-License-Identifier: MIT */
/* NEON int8 POOL row of the neon vector table, 16 channels a step (a tail
 * of fewer through a zero-padded copy of each tap):
 *  - MAX: vmaxq_s8 over the window's taps, in int8;
 *  - AVG: sums in int32 (a window may hold up to 2^16 taps), then the
 *    reference's rounding division (docs/numerics.md: half away from
 *    zero) in fp32: num = sum +- count / 2 and count are exact in fp32
 *    (|num| <= 2^23), and truncating their correctly rounded quotient
 *    gives trunc(num / count): a quotient that is not an integer lies at
 *    least 1 / count >= 2^-16 from one, a whole ulp of fp32 at |q| < 256
 *    (|q| <= 129 here), so rounding cannot reach it.
 * Then the clamp. Bit-identical to the reference. */
#include <arm_neon.h>
#include <stdbool.h>
#include <string.h>
#include "vec_kernels.h"

#define CB 16

/* Channels c0 .. c0 + 15 (n of them valid) of one tap */
static inline int8x16_t load(const int8_t *src, uint32_t n)
{
	if (n == CB)
		return vld1q_s8(src);
	int8_t t[CB] = { 0 };
	memcpy(t, src, n);
	return vld1q_s8(t);
}

static inline void store(int8_t *dst, int8x16_t v, uint32_t n)
{
	if (n == CB) {
		vst1q_s8(dst, v);
		return;
	}
	int8_t t[CB];
	vst1q_s8(t, v);
	memcpy(dst, t, n);
}

/* round(sum / count), half away from zero, 4 lanes */
static inline int32x4_t avg4(int32x4_t sum, int32_t count, float32x4_t fcount)
{
	int32x4_t half = vdupq_n_s32(count / 2);
	uint32x4_t pos = vcgtq_s32(sum, vdupq_n_s32(0));
	int32x4_t num = vbslq_s32(pos, vaddq_s32(sum, half), vsubq_s32(sum, half));
	return vcvtq_s32_f32(vdivq_f32(vcvtq_f32_s32(num), fcount));
}

void cpu_pool_row_neon(const enpu_pool_op_t *p, const int8_t *in, int8_t *out, uint32_t n,
		       uint32_t oh, int32_t *scratch)
{
	(void)scratch;
	int64_t h0 = (int64_t)oh * p->stride_h - p->pad_t, h1 = h0 + p->k_h;
	h0 = h0 < 0 ? 0 : h0;
	h1 = h1 > p->in_h ? p->in_h : h1;
	const bool is_max = p->kind == ENPU_POOL_MAX;
	const int8x16_t lo = vdupq_n_s8((int8_t)p->clamp.qmin), hi = vdupq_n_s8((int8_t)p->clamp.qmax);
	const size_t row = (size_t)p->in_w * p->c;
	const int8_t *img = in + (size_t)n * p->in_h * row;
	for (uint32_t ow = 0; ow < p->out_w; ow++) {
		int64_t w0 = (int64_t)ow * p->stride_w - p->pad_l, w1 = w0 + p->k_w;
		w0 = w0 < 0 ? 0 : w0;
		w1 = w1 > p->in_w ? p->in_w : w1;
		const int32_t count = (int32_t)((h1 - h0) * (w1 - w0));
		const float32x4_t fcount = vdupq_n_f32((float)count);
		int8_t *dst = out + (((size_t)n * p->out_h + oh) * p->out_w + ow) * p->c;
		for (uint32_t c0 = 0; c0 < p->c; c0 += CB) {
			const uint32_t nc = p->c - c0 < CB ? p->c - c0 : CB;
			int8x16_t r;
			if (is_max) {
				r = vdupq_n_s8(-128);
				for (int64_t ih = h0; ih < h1; ih++)
					for (int64_t iw = w0; iw < w1; iw++)
						r = vmaxq_s8(r, load(img + (size_t)ih * row +
									 (size_t)iw * p->c + c0, nc));
			} else {
				int32x4_t s[4] = { vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0),
						   vdupq_n_s32(0) };
				for (int64_t ih = h0; ih < h1; ih++)
					for (int64_t iw = w0; iw < w1; iw++) {
						int8x16_t x = load(img + (size_t)ih * row +
								   (size_t)iw * p->c + c0, nc);
						int16x8_t l = vmovl_s8(vget_low_s8(x));
						int16x8_t h = vmovl_high_s8(x);
						s[0] = vaddw_s16(s[0], vget_low_s16(l));
						s[1] = vaddw_high_s16(s[1], l);
						s[2] = vaddw_s16(s[2], vget_low_s16(h));
						s[3] = vaddw_high_s16(s[3], h);
					}
				/* |average| <= 128: saturating narrows keep the values */
				int16x8_t a = vcombine_s16(vqmovn_s32(avg4(s[0], count, fcount)),
							   vqmovn_s32(avg4(s[1], count, fcount)));
				int16x8_t b = vcombine_s16(vqmovn_s32(avg4(s[2], count, fcount)),
							   vqmovn_s32(avg4(s[3], count, fcount)));
				r = vcombine_s8(vqmovn_s16(a), vqmovn_s16(b));
			}
			store(dst + c0, vminq_s8(vmaxq_s8(r, lo), hi), nc);
		}
	}
}
