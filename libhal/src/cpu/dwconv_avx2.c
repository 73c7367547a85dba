/* SPDX-License-Identifier: MIT */
/* AVX2 depthwise int8 convolution (depth multiplier 1). The kernel's taps go
 * in pairs (t0, t1): per output pixel and 16 channels, both taps' inputs are
 * sign-extended to int16 and interleaved, so that one vpmaddwd against the
 * pair's interleaved weights adds x0 w0 + x1 w1 per channel into int32
 * (exact: |x w| <= 2^14). Pairs are vertical, (kh, kw) with (kh + 1, kw)
 * for kh = 0, 2, ..., then an odd last kernel row's taps pair horizontally
 * (pair_order()). 3x3 kernels with stride 1 or 2 and dilation 1 along the
 * row go block by block along the row (dwconv_avx2_sweep.c), where a
 * column's interleaved inputs serve every pixel that reads it; other shapes
 * and a partial last block go pixel by pixel (pixels()). vpunpck{l,h}wd
 * interleave within 128-bit halves, so the "low" sums hold channels 0-3 and
 * 8-11 and the "high" ones 4-7 and 12-15; the weights are packed in that
 * order and the sums put back in channel order once per pixel. Taps outside
 * the input read a row of the zero point, and an odd last tap pairs with a
 * zero weight, so that sum((x - zp) w) = sum(x w) - zp sum(w), the constant
 * folded into the bias. Output stage: requant_avx2.h, whose int8 packing
 * puts the two halves back in channel order. */
#include <stdlib.h>
#include <string.h>
#include "dwconv_avx2.h"
#include "dwconv_taps.h"

static void packed_free(enpu_op_cache_t *c)
{
	dw_packed_t *p = (dw_packed_t *)c;
	free(p->order);
	free(p->w);
	free(p->beff);
	free(p->rq);
	free(p);
}

/* Channel (within its block) of half h, lane l: the vpunpck order. */
static inline uint32_t lane_channel(uint32_t h, uint32_t l)
{
	return (l / 4) * 8 + h * 4 + l % 4;
}

/* Taps (row-major) of the pair slots: rows kh, kh + 1 column by column,
 * then an odd last row's taps in twos, the last one with the zero weight
 * (tap number taps) where that row is odd too. */
static void pair_order(uint32_t k_h, uint32_t k_w, uint32_t *order)
{
	uint32_t i = 0, kh = 0;
	for (; kh + 1 < k_h; kh += 2)
		for (uint32_t kw = 0; kw < k_w; kw++) {
			order[i++] = kh * k_w + kw;
			order[i++] = (kh + 1) * k_w + kw;
		}
	for (uint32_t kw = 0; kh < k_h && kw < k_w; kw++)
		order[i++] = kh * k_w + kw;
	if (i % 2)
		order[i] = k_h * k_w;
}

static enpu_op_cache_t *pack(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias)
{
	const uint32_t ch = c->out_c, taps = c->k_h * c->k_w;
	dw_packed_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base.key = &cpu_dw_avx2;
	p->base.destroy = packed_free;
	p->blocks = (ch + DW_CB - 1) / DW_CB;
	p->pairs = (taps + 1) / 2;
	size_t padded = (size_t)p->blocks * DW_CB;
	p->order = malloc((size_t)p->pairs * 2 * sizeof(uint32_t));
	p->w = aligned_alloc(32, (size_t)p->pairs * padded * 2 * sizeof(int16_t));
	p->beff = aligned_alloc(32, padded * sizeof(int32_t));
	p->rq = aligned_alloc(32, (size_t)p->blocks * 2 * sizeof(cpu_rq8_t));
	if (!p->order || !p->w || !p->beff || !p->rq) {
		packed_free(&p->base);
		return NULL;
	}
	pair_order(c->k_h, c->k_w, p->order);
	for (uint32_t b = 0; b < p->blocks; b++)
		for (uint32_t h = 0; h < 2; h++) {
			int32_t mult[8], shift[8];
			for (uint32_t l = 0; l < 8; l++) {
				uint32_t o = b * DW_CB + lane_channel(h, l);
				p->beff[(b * 2 + h) * 8 + l] = o < ch ? dw_bias_eff(c, f, bias, o) : 0;
				mult[l] = o < ch ? c->mult[o] : 0;
				shift[l] = o < ch ? c->shift[o] : 0;
			}
			cpu_rq8_prepare(&p->rq[b * 2 + h], mult, shift, 8);
			p->any_left |= p->rq[b * 2 + h].any_left;
		}
	for (uint32_t b = 0; b < p->blocks; b++)
		for (uint32_t q = 0; q < p->pairs; q++)
			for (uint32_t h = 0; h < 2; h++)
				for (uint32_t l = 0; l < 8; l++)
					for (uint32_t r = 0; r < 2; r++) {
						uint32_t o = b * DW_CB + lane_channel(h, l);
						uint32_t t = p->order[2 * q + r];
						size_t i = ((((size_t)b * p->pairs + q) * 2 + h) * 8 + l) * 2 + r;
						p->w[i] = o < ch && t < taps ? f[(size_t)o * taps + t] : 0;
					}
	return &p->base;
}

/* Scratch of one row of nb blocks: the zero-point row, a tail block's pair
 * slots' inputs and output, the slots' input pointers and the tail's. */
static size_t scratch_bytes(const enpu_conv_op_t *c, uint32_t nb)
{
	size_t slots = (size_t)c->k_h * c->k_w + 1;
	return (size_t)nb * DW_CB + (slots + 1) * DW_CB + 2 * slots * sizeof(const int8_t *);
}

static uint32_t rows_per_task(const enpu_conv_op_t *c)
{
	(void)c;
	return 1;
}

/* One block of 16 channels of one output pixel: src[i] + off are the 16
 * input bytes of pair slot i (2 * pairs pointers). Returns the 16 output
 * bytes. */
static inline __attribute__((always_inline)) __m128i
block(const int8_t *const *src, size_t off, uint32_t pairs, const dw_blk_t *k, const dw_out_t *o)
{
	__m256i lo = _mm256_load_si256((const __m256i *)k->beff);
	__m256i hi = _mm256_load_si256((const __m256i *)k->beff + 1);
	const int16_t *w = k->w;
	for (uint32_t q = 0; q < pairs; q++, w += DW_CB * 2) {
		__m256i x0 = dw_load16(src[2 * q] + off), x1 = dw_load16(src[2 * q + 1] + off);
		dw_madd(&lo, &hi, _mm256_unpacklo_epi16(x0, x1), _mm256_unpackhi_epi16(x0, x1), w);
	}
	return dw_finish(lo, hi, k, o);
}

/* Blocks from bfirst to the chunk's end (nb blocks from b0) of the row,
 * pixel by pixel, the pair loop unrolled where the caller makes pairs a
 * constant (3x3: 5). */
static inline __attribute__((always_inline)) void
pixels(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *in, int8_t *out, uint32_t n,
       uint32_t oh, uint32_t b0, uint32_t nb, uint32_t bfirst, void *scratch, const uint32_t pairs,
       const dw_out_t *o)
{
	const uint32_t ch = c->in_c, slots = 2 * pairs, c0 = b0 * DW_CB;
	/* full blocks read 16 bytes; a partial last block too, but through
	 * tail where that would read past the input */
	const uint32_t full = dw_chunk_channels(c, b0, nb) / DW_CB;
	const uint32_t rest = dw_chunk_channels(c, b0, nb) % DW_CB;
	int8_t *zprow = scratch, *tail = zprow + (size_t)nb * DW_CB;
	const int8_t **src = (const int8_t **)(tail + ((size_t)slots + 1) * DW_CB);
	const int8_t **tsrc = src + slots;
	const size_t step = (size_t)c->stride_w * ch;
	const int8_t *end = in + (size_t)c->batch * c->in_h * c->in_w * ch;
	bool inside = false;
	for (uint32_t ow = 0; ow < c->out_w; ow++) {
		/* inside the row, the taps move by one stride (padding rows stay) */
		if (dw_next_inside(c, inside, ow))
			dw_step(src, slots, zprow, step);
		else
			inside = dw_tap_pointers(c, p->order, slots, in, n, oh, ow, c0, zprow, src);
		int8_t *dst = out + (((size_t)n * c->out_h + oh) * c->out_w + ow) * ch + c0;
		for (uint32_t b = bfirst; b < full; b++) {
			dw_blk_t k = dw_blk(p, b0 + b);
			_mm_storeu_si128((__m128i *)(dst + (size_t)b * DW_CB),
					 block(src, (size_t)b * DW_CB, pairs, &k, o));
		}
		if (rest) {
			/* the block's 16 bytes from each tap where they lie inside the
			 * input (the lanes past rest have zero weights), else copies */
			const size_t off = (size_t)full * DW_CB;
			size_t toff;
			const int8_t *const *ts = dw_tail_sources(src, slots, off, rest, DW_CB, end,
								  zprow, tail, tsrc, &toff);
			int8_t *tout = tail + (size_t)slots * DW_CB;
			dw_blk_t k = dw_blk(p, b0 + full);
			_mm_storeu_si128((__m128i *)tout, block(ts, toff, pairs, &k, o));
			memcpy(dst + off, tout, rest);
		}
	}
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const dw_packed_t *p = (const dw_packed_t *)packed;
	const dw_out_t o = { .zp16 = _mm256_set1_epi16((short)c->out_zp),
				 .lo8 = _mm_set1_epi8((char)c->clamp.qmin),
				 .hi8 = _mm_set1_epi8((char)c->clamp.qmax),
				 .any_left = p->any_left,
				 .relu = q_out_relu(c->out_zp, c->clamp.qmin) };
	memset(scratch, (int8_t)c->in_zp, (size_t)nb * DW_CB); /* the zero-point row */
	if (c->k_h == 3 && c->k_w == 3 && c->stride_w <= 2 && c->dil_w == 1) {
		const uint32_t full = dw_chunk_channels(c, b0, nb) / DW_CB;
		cpu_dw_avx2_sweep_row(c, p, in, out, n, oh, b0, full, scratch, &o);
		if (dw_chunk_channels(c, b0, nb) % DW_CB)
			pixels(c, p, in, out, n, oh, b0, nb, full, scratch, 5, &o);
	} else if (p->pairs == 5)
		pixels(c, p, in, out, n, oh, b0, nb, 0, scratch, 5, &o);
	else
		pixels(c, p, in, out, n, oh, b0, nb, 0, scratch, p->pairs, &o);
}

static bool accepts(const enpu_conv_op_t *c)
{
	return c->groups == c->in_c && c->out_c == c->in_c && c->groups > 1;
}

const cpu_conv_kernel_t cpu_dw_avx2 = {
	.cblock = DW_CB, .macs_per_thread = 19, .accepts = accepts, .pack = pack,
	.scratch_bytes = scratch_bytes, .rows_per_task = rows_per_task, .row = row,
};
