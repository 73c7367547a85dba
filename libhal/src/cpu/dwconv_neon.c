/* SPDX-License-Identifier: MIT */
/* NEON dot-product depthwise int8 convolution (depth multiplier 1), pixel by
 * pixel, 16 channels a block. The taps go in groups of four (row-major; the
 * last group filled with zero-weight slots): per output pixel and block,
 * the four taps' 16 input bytes are interleaved (zip by bytes, then by
 * halfwords) so that each 32-bit lane holds one channel's four inputs, and
 * sdot against the group's weights, packed the same way, adds the four
 * products per channel into int32 (sums in channel order: no shuffle back).
 * sdot takes raw signed inputs: taps outside the input and zero-weight
 * slots read a row of the zero point, and sum((x - zp) w) = sum(x w) -
 * zp sum(w), the constant folded into the bias. Output stage:
 * requant_neon.h. Built only for aarch64. */
#include <arm_neon.h>
#include <stdlib.h>
#include <string.h>
#include "conv_kernels.h"
#include "dwconv_taps.h"
#include "requant_neon.h"

#define CB 16u  /* channels per block */
#define GS 4u   /* taps per group */

typedef struct packed {
	enpu_op_cache_t base;
	uint32_t blocks, groups;
	uint32_t *order; /* [groups * GS]: tap of each slot; taps: zero weight */
	int8_t *w;       /* [blocks][groups][CB channels][GS taps] */
	int32_t *beff;   /* [blocks][CB]: bias - zp * sum(w) */
	cpu_rqn_t *rq;   /* [blocks] */
	bool any_left;
} packed_t;

static void packed_free(enpu_op_cache_t *c)
{
	packed_t *p = (packed_t *)c;
	free(p->order);
	free(p->w);
	free(p->beff);
	free(p->rq);
	free(p);
}

static enpu_op_cache_t *pack(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias)
{
	const uint32_t ch = c->out_c, taps = c->k_h * c->k_w;
	packed_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base.key = &cpu_dw_neon_dot;
	p->base.destroy = packed_free;
	p->blocks = (ch + CB - 1) / CB;
	p->groups = (taps + GS - 1) / GS;
	const size_t slots = (size_t)p->groups * GS, padded = (size_t)p->blocks * CB;
	p->order = malloc(slots * sizeof(uint32_t));
	p->w = malloc(slots * padded);
	p->beff = aligned_alloc(64, padded * sizeof(int32_t));
	p->rq = aligned_alloc(64, p->blocks * sizeof(cpu_rqn_t));
	if (!p->order || !p->w || !p->beff || !p->rq) {
		packed_free(&p->base);
		return NULL;
	}
	for (uint32_t i = 0; i < slots; i++)
		p->order[i] = i < taps ? i : taps;
	for (uint32_t b = 0; b < p->blocks; b++) {
		uint32_t c0 = b * CB, n = ch - c0 < CB ? ch - c0 : CB;
		for (uint32_t l = 0; l < CB; l++)
			p->beff[c0 + l] = l < n ? dw_bias_eff(c, f, bias, c0 + l) : 0;
		p->any_left |= cpu_rqn_prepare(&p->rq[b], c->mult + c0, c->shift + c0, n);
		for (size_t s = 0; s < slots; s++)
			for (uint32_t l = 0; l < CB; l++)
				p->w[(((size_t)b * p->groups + s / GS) * CB + l) * GS + s % GS] =
					l < n && s < taps ? f[(size_t)(c0 + l) * taps + s] : 0;
	}
	return &p->base;
}

/* Scratch of one row of nb blocks: the zero-point row, a partial block's
 * slots' inputs and its output, the slots' input pointers and the copies'. */
static size_t scratch_bytes(const enpu_conv_op_t *c, uint32_t nb)
{
	size_t slots = ((size_t)c->k_h * c->k_w + GS - 1) / GS * GS;
	return (size_t)nb * CB + (slots + 1) * CB + 2 * slots * sizeof(const int8_t *);
}

static uint32_t rows_per_task(const enpu_conv_op_t *c)
{
	(void)c;
	return 1;
}

typedef struct out_consts {
	int16x8_t zp16;
	int8x16_t lo, hi;
	bool any_left;
} out_consts_t;

/* One block of 16 channels of one output pixel: src[i] + off are the 16
 * input bytes of slot i; w: the block's first group's weights. */
static int8x16_t block(const int8_t *const *src, size_t off, uint32_t groups, const int8_t *w,
		       const int32_t *beff, const cpu_rqn_t *rq, const out_consts_t *o)
{
	int32x4_t acc[4];
	for (unsigned q = 0; q < 4; q++)
		acc[q] = vld1q_s32(beff + 4 * q);
	for (uint32_t g = 0; g < groups; g++, src += GS, w += CB * GS) {
		int8x16_t x0 = vld1q_s8(src[0] + off), x1 = vld1q_s8(src[1] + off);
		int8x16_t x2 = vld1q_s8(src[2] + off), x3 = vld1q_s8(src[3] + off);
		int16x8_t p01l = vreinterpretq_s16_s8(vzip1q_s8(x0, x1));
		int16x8_t p01h = vreinterpretq_s16_s8(vzip2q_s8(x0, x1));
		int16x8_t p23l = vreinterpretq_s16_s8(vzip1q_s8(x2, x3));
		int16x8_t p23h = vreinterpretq_s16_s8(vzip2q_s8(x2, x3));
		int8x16_t v[4] = { vreinterpretq_s8_s16(vzip1q_s16(p01l, p23l)),
				   vreinterpretq_s8_s16(vzip2q_s16(p01l, p23l)),
				   vreinterpretq_s8_s16(vzip1q_s16(p01h, p23h)),
				   vreinterpretq_s8_s16(vzip2q_s16(p01h, p23h)) };
		for (unsigned q = 0; q < 4; q++)
			acc[q] = vdotq_s32(acc[q], v[q], vld1q_s8(w + 16 * q));
	}
	for (unsigned q = 0; q < 4; q++)
		acc[q] = rqn_apply(acc[q], rq, q, o->any_left);
	return rqn_out16(acc, o->zp16, o->lo, o->hi);
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const packed_t *p = (const packed_t *)packed;
	const out_consts_t o = { .zp16 = vdupq_n_s16((int16_t)c->out_zp),
				 .lo = vdupq_n_s8((int8_t)c->clamp.qmin),
				 .hi = vdupq_n_s8((int8_t)c->clamp.qmax),
				 .any_left = p->any_left };
	const uint32_t ch = c->in_c, slots = p->groups * GS, c0 = b0 * CB;
	const uint32_t c1 = (b0 + nb) * CB < ch ? (b0 + nb) * CB : ch;
	/* full blocks read 16 bytes; a partial last block too, but through
	 * tail where that would read past the input */
	const uint32_t full = (c1 - c0) / CB, rest = (c1 - c0) % CB;
	int8_t *zprow = scratch, *tail = zprow + (size_t)nb * CB;
	const int8_t **src = (const int8_t **)(tail + ((size_t)slots + 1) * CB);
	const int8_t **tsrc = src + slots;
	const size_t step = (size_t)c->stride_w * ch, wblock = (size_t)p->groups * CB * GS;
	const int8_t *end = in + (size_t)c->batch * c->in_h * c->in_w * ch;
	memset(zprow, (int8_t)c->in_zp, (size_t)nb * CB);
	bool inside = false;
	for (uint32_t ow = 0; ow < c->out_w; ow++) {
		/* inside the row, the taps move by one stride (padding rows stay) */
		if (dw_next_inside(c, inside, ow))
			dw_step(src, slots, zprow, step);
		else
			inside = dw_tap_pointers(c, p->order, slots, in, n, oh, ow, c0, zprow, src);
		int8_t *dst = out + (((size_t)n * c->out_h + oh) * c->out_w + ow) * ch + c0;
		for (uint32_t b = 0; b < full; b++) {
			uint32_t bb = b0 + b;
			vst1q_s8(dst + (size_t)b * CB, block(src, (size_t)b * CB, p->groups,
							     p->w + bb * wblock, p->beff + bb * CB,
							     &p->rq[bb], &o));
		}
		if (rest) {
			const size_t off = (size_t)full * CB;
			const uint32_t bb = b0 + full;
			size_t toff;
			const int8_t *const *ts = dw_tail_sources(src, slots, off, rest, CB, end,
								  zprow, tail, tsrc, &toff);
			int8_t *tout = tail + (size_t)slots * CB;
			vst1q_s8(tout, block(ts, toff, p->groups, p->w + bb * wblock,
					     p->beff + bb * CB, &p->rq[bb], &o));
			memcpy(dst + off, tout, rest);
		}
	}
}

static bool accepts(const enpu_conv_op_t *c)
{
	return c->groups == c->in_c && c->out_c == c->in_c && c->groups > 1;
}

const cpu_conv_kernel_t cpu_dw_neon_dot = {
	.cblock = CB, .macs_per_thread = 19, .accepts = accepts, .pack = pack,
	.scratch_bytes = scratch_bytes, .rows_per_task = rows_per_task, .row = row,
};
