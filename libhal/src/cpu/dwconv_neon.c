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
 * zp sum(w), the constant folded into the bias. 3x3 kernels go block by
 * block along the output row instead (sweep3x3()): the groups are then the
 * kernel's columns (its three rows and a zero weight), so a block's twelve
 * weight vectors stay in registers across the row and no per-slot pointers
 * are kept; taps outside the input take the zero point from a register.
 * Output stage: requant_neon.h. Built only for aarch64. */
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
	int8_t *wcol;    /* 3x3 only: [blocks][3 columns][CB][rows 0-2, 0] */
	int32_t *beff;   /* [blocks][CB]: bias - zp * sum(w) */
	cpu_rqn_t *rq;   /* [blocks] */
	bool any_left;
} packed_t;

static void packed_free(enpu_op_cache_t *c)
{
	packed_t *p = (packed_t *)c;
	free(p->order);
	free(p->w);
	free(p->wcol);
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
	if (c->k_h == 3 && c->k_w == 3)
		p->wcol = calloc(padded * 3 * GS, 1);
	if (!p->order || !p->w || !p->beff || !p->rq || (c->k_h == 3 && c->k_w == 3 && !p->wcol)) {
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
		for (uint32_t kw = 0; p->wcol && kw < 3; kw++)
			for (uint32_t l = 0; l < n; l++)
				for (uint32_t kh = 0; kh < 3; kh++)
					p->wcol[(((size_t)b * 3 + kw) * CB + l) * GS + kh] =
						f[(size_t)(c0 + l) * taps + kh * 3 + kw];
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
	bool relu; /* q_out_relu: rqn_right's relu */
} out_consts_t;

/* The 16 channels of four taps (x0 .. x3) as four vectors of four
 * channels, each channel's four taps in one 32-bit lane (sdot's order). */
static inline void zip4(int8x16_t x0, int8x16_t x1, int8x16_t x2, int8x16_t x3, int8x16_t v[4])
{
	int16x8_t p01l = vreinterpretq_s16_s8(vzip1q_s8(x0, x1));
	int16x8_t p01h = vreinterpretq_s16_s8(vzip2q_s8(x0, x1));
	int16x8_t p23l = vreinterpretq_s16_s8(vzip1q_s8(x2, x3));
	int16x8_t p23h = vreinterpretq_s16_s8(vzip2q_s8(x2, x3));
	v[0] = vreinterpretq_s8_s16(vzip1q_s16(p01l, p23l));
	v[1] = vreinterpretq_s8_s16(vzip2q_s16(p01l, p23l));
	v[2] = vreinterpretq_s8_s16(vzip1q_s16(p01h, p23h));
	v[3] = vreinterpretq_s8_s16(vzip2q_s16(p01h, p23h));
}

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
		int8x16_t v[4];
		zip4(x0, x1, x2, x3, v);
		for (unsigned q = 0; q < 4; q++)
			acc[q] = vdotq_s32(acc[q], v[q], vld1q_s8(w + 16 * q));
	}
	rqn_apply16(acc, rq, o->any_left, o->relu);
	return rqn_out16(acc, o->zp16, o->lo, o->hi);
}

/* Full blocks [b0, b0 + full) of output row (n, oh) of a 3x3 depthwise
 * conv, block by block along the row: per pixel, each kernel column's three
 * input rows are zipped with a zero row and sdot against the column's
 * weights. Rows outside the input read zprow (the zero point, nb blocks
 * long) with column stride 0, columns outside it the zero point from a
 * register. The op's fields are copied to locals: the int8 output stores
 * could alias them and would make every pixel reload them. */
static inline __attribute__((always_inline)) void
sweep(const enpu_conv_op_t *c, const packed_t *p, const int8_t *in, int8_t *out, uint32_t n,
      uint32_t oh, uint32_t b0, uint32_t full, const int8_t *zprow, const out_consts_t *o,
      bool relu)
{
	const size_t ch = c->in_c;
	const int64_t sw = c->stride_w, dw = c->dil_w, pad_l = c->pad_l;
	const uint64_t in_w = c->in_w;
	const uint32_t out_w = c->out_w;
	const bool any_left = o->any_left;
	const int16x8_t zp16 = o->zp16;
	const int8x16_t lo = o->lo, hi = o->hi;
	const int8x16_t zpv = vdupq_n_s8((int8_t)c->in_zp), zero = vdupq_n_s8(0);
	const int8_t *rows[3]; /* input row kh at channel b0 * CB, or zprow */
	size_t cs[3];          /* their column strides (0: zprow) */
	for (uint32_t kh = 0; kh < 3; kh++) {
		int64_t ih;
		bool in_row = enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih);
		rows[kh] = in_row ? in + ((size_t)n * c->in_h + (size_t)ih) * in_w * ch + b0 * CB
				  : zprow;
		cs[kh] = in_row ? ch : 0;
	}
	int8_t *dst0 = out + ((size_t)n * c->out_h + oh) * out_w * ch + b0 * CB;
	for (uint32_t b = 0; b < full; b++) {
		const uint32_t bb = b0 + b;
		const int8_t *wc = p->wcol + (size_t)bb * 3 * CB * GS;
		const cpu_rqn_t *rq = &p->rq[bb];
		const size_t boff = (size_t)b * CB;
		int8x16_t w[3][4];
		int32x4_t bias[4];
		for (unsigned q = 0; q < 4; q++) {
			for (unsigned kw = 0; kw < 3; kw++)
				w[kw][q] = vld1q_s8(wc + (kw * 4 + q) * 16);
			bias[q] = vld1q_s32(p->beff + (size_t)bb * CB + 4 * q);
		}
		for (uint32_t ow = 0; ow < out_w; ow++) {
			int32x4_t acc[4] = { bias[0], bias[1], bias[2], bias[3] };
			for (unsigned kw = 0; kw < 3; kw++) {
				int64_t iw = (int64_t)ow * sw - pad_l + kw * dw;
				int8x16_t x[3] = { zpv, zpv, zpv }, v[4];
				if ((uint64_t)iw < in_w)
					for (unsigned r = 0; r < 3; r++)
						x[r] = vld1q_s8(rows[r] + (size_t)iw * cs[r] + boff);
				zip4(x[0], x[1], x[2], zero, v);
				for (unsigned q = 0; q < 4; q++)
					acc[q] = vdotq_s32(acc[q], v[q], w[kw][q]);
			}
			rqn_apply16(acc, rq, any_left, relu);
			vst1q_s8(dst0 + (size_t)ow * ch + boff, rqn_out16(acc, zp16, lo, hi));
		}
	}
}

/* sweep with relu (rqn_right's) a constant: a test per pixel cost 2% more
 * instructions without it */
static void sweep3x3(const enpu_conv_op_t *c, const packed_t *p, const int8_t *in, int8_t *out,
		     uint32_t n, uint32_t oh, uint32_t b0, uint32_t full, const int8_t *zprow,
		     const out_consts_t *o)
{
	if (o->relu)
		sweep(c, p, in, out, n, oh, b0, full, zprow, o, true);
	else
		sweep(c, p, in, out, n, oh, b0, full, zprow, o, false);
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const packed_t *p = (const packed_t *)packed;
	const out_consts_t o = { .zp16 = vdupq_n_s16((int16_t)c->out_zp),
				 .lo = vdupq_n_s8((int8_t)c->clamp.qmin),
				 .hi = vdupq_n_s8((int8_t)c->clamp.qmax),
				 .any_left = p->any_left,
				 .relu = q_out_relu(c->out_zp, c->clamp.qmin) };
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
	/* 3x3: the full blocks by sweeps, only a partial one pixel by pixel */
	const uint32_t bfirst = p->wcol ? full : 0;
	if (p->wcol)
		sweep3x3(c, p, in, out, n, oh, b0, full, zprow, &o);
	if (bfirst == full && !rest)
		return;
	bool inside = false;
	for (uint32_t ow = 0; ow < c->out_w; ow++) {
		/* inside the row, the taps move by one stride (padding rows stay) */
		if (dw_next_inside(c, inside, ow))
			dw_step(src, slots, zprow, step);
		else
			inside = dw_tap_pointers(c, p->order, slots, in, n, oh, ow, c0, zprow, src);
		int8_t *dst = out + (((size_t)n * c->out_h + oh) * c->out_w + ow) * ch + c0;
		for (uint32_t b = bfirst; b < full; b++) {
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
