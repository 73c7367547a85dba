/* SPDX-License-Identifier: MIT */
/* AVX2 depthwise int8 convolution (depth multiplier 1). The kernel's taps go
 * in pairs (t0, t1): per output pixel and 16 channels, both taps' inputs are
 * sign-extended to int16 and interleaved, so that one vpmaddwd against the
 * pair's interleaved weights adds x0 w0 + x1 w1 per channel into int32
 * (exact: |x w| <= 2^14). vpunpck{l,h}wd interleave within 128-bit halves,
 * so the "low" sums hold channels 0-3 and 8-11 and the "high" ones 4-7 and
 * 12-15; the weights are packed in that order and the sums put back in
 * channel order once per pixel. Taps outside the input read a row of the
 * zero point, and an odd last tap pairs with a zero weight, so that
 * sum((x - zp) w) = sum(x w) - zp sum(w), the constant folded into the bias.
 * Output stage: requant_avx2.h, whose int8 packing puts the two halves back
 * in channel order. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include "../window.h"
#include "conv_kernels.h"
#include "requant_avx2.h"

#define CB 16u

typedef struct dw_packed {
	enpu_op_cache_t base;
	uint32_t blocks, pairs;
	int16_t *w;    /* [blocks][pairs][2 halves][8 lanes][2 taps] */
	int32_t *beff; /* [blocks][2 halves][8 lanes]: bias - zp * sum(w) */
	cpu_rq8_t *rq; /* [blocks][2 halves] */
	bool any_left;
} dw_packed_t;

static void packed_free(enpu_op_cache_t *c)
{
	dw_packed_t *p = (dw_packed_t *)c;
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

static enpu_op_cache_t *pack(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias)
{
	const uint32_t ch = c->out_c, taps = c->k_h * c->k_w;
	dw_packed_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base.key = &cpu_dw_avx2;
	p->base.destroy = packed_free;
	p->blocks = (ch + CB - 1) / CB;
	p->pairs = (taps + 1) / 2;
	size_t padded = (size_t)p->blocks * CB;
	p->w = aligned_alloc(32, (size_t)p->pairs * padded * 2 * sizeof(int16_t));
	p->beff = aligned_alloc(32, padded * sizeof(int32_t));
	p->rq = aligned_alloc(32, (size_t)p->blocks * 2 * sizeof(cpu_rq8_t));
	if (!p->w || !p->beff || !p->rq) {
		packed_free(&p->base);
		return NULL;
	}
	for (uint32_t b = 0; b < p->blocks; b++)
		for (uint32_t h = 0; h < 2; h++) {
			int32_t mult[8], shift[8];
			for (uint32_t l = 0; l < 8; l++) {
				uint32_t o = b * CB + lane_channel(h, l), sum = 0;
				for (uint32_t t = 0; o < ch && t < taps; t++)
					sum += (uint32_t)f[(size_t)o * taps + t];
				/* bias - zp * sum(w), modulo 2^32 */
				p->beff[(b * 2 + h) * 8 + l] =
					o < ch ? (int32_t)((uint32_t)(bias ? bias[o] : 0) -
							   (uint32_t)c->in_zp * sum)
					       : 0;
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
						uint32_t o = b * CB + lane_channel(h, l), t = 2 * q + r;
						size_t i = ((((size_t)b * p->pairs + q) * 2 + h) * 8 + l) * 2 + r;
						p->w[i] = o < ch && t < taps ? f[(size_t)o * taps + t] : 0;
					}
	return &p->base;
}

/* Scratch of one row of nb blocks: the zero-point row, a tail block's taps
 * and output, the taps' input pointers and the tail's. */
static size_t scratch_bytes(const enpu_conv_op_t *c, uint32_t nb)
{
	size_t taps = (size_t)c->k_h * c->k_w + 1;
	return (size_t)nb * CB + (taps + 1) * CB + 2 * taps * sizeof(const int8_t *);
}

static uint32_t rows_per_task(const enpu_conv_op_t *c)
{
	(void)c;
	return 1;
}

/* One block of 16 channels of one output pixel: src[t] + off are the 16
 * input bytes of tap t (2 * pairs pointers), w the block's weights of pair
 * 0 (pairs apart by wstride int16), beff and rq the block's. Returns the 16
 * output bytes. */
static inline __attribute__((always_inline)) __m128i
block(const int8_t *const *src, size_t off, const int16_t *w, size_t wstride, uint32_t pairs,
      const int32_t *beff, const cpu_rq8_t *rq, bool any_left, __m256i zp16, __m128i lo8,
      __m128i hi8)
{
	__m256i lo = _mm256_load_si256((const __m256i *)beff);
	__m256i hi = _mm256_load_si256((const __m256i *)beff + 1);
	for (uint32_t q = 0; q < pairs; q++, w += wstride) {
		__m256i x0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(src[2 * q] + off)));
		__m256i x1 =
			_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(src[2 * q + 1] + off)));
		lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1),
							    _mm256_load_si256((const __m256i *)w)));
		hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1),
							    _mm256_load_si256((const __m256i *)w + 1)));
	}
	return rq8_out16(rq8_apply(lo, rq, any_left), rq8_apply(hi, rq + 1, any_left), zp16, lo8,
			 hi8);
}

/* Input pointers of the taps of output pixel ow (zprow: padding); returns
 * whether every tap's column is inside the input (the next pixel's are then
 * these plus stride_w pixels, where the row is inside). */
static bool tap_pointers(const enpu_conv_op_t *c, const int8_t *in, uint32_t n, uint32_t oh,
			 uint32_t ow, uint32_t c0, const int8_t *zprow, const int8_t **src)
{
	bool inside = true;
	for (uint32_t kh = 0, t = 0; kh < c->k_h; kh++) {
		int64_t ih, iw;
		bool row_in = enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih);
		for (uint32_t kw = 0; kw < c->k_w; kw++, t++) {
			bool col_in = enpu_tap(ow, kw, c->stride_w, c->pad_l, c->dil_w, c->in_w, &iw);
			inside &= col_in;
			src[t] = row_in && col_in ? in + (((size_t)n * c->in_h + (size_t)ih) * c->in_w +
							  (size_t)iw) * c->in_c + c0
						  : zprow;
		}
	}
	return inside;
}

/* row() with the number of tap pairs a constant where the caller makes it
 * one (3x3: 5), so that the pair loop unrolls. */
static inline __attribute__((always_inline)) void
row_pairs(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *in, int8_t *out,
	  uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch, const uint32_t pairs)
{
	const uint32_t ch = c->in_c, taps = c->k_h * c->k_w;
	const uint32_t c0 = b0 * CB, c1 = (b0 + nb) * CB < ch ? (b0 + nb) * CB : ch;
	/* full blocks read 16 bytes; a partial last block goes through tail */
	const uint32_t full = (c1 - c0) / CB, rest = (c1 - c0) % CB;
	const __m256i zp16 = _mm256_set1_epi16((short)c->out_zp);
	const __m128i lo8 = _mm_set1_epi8((char)c->clamp.qmin), hi8 = _mm_set1_epi8((char)c->clamp.qmax);
	int8_t *zprow = scratch, *tail = zprow + (size_t)nb * CB;
	const int8_t **src = (const int8_t **)(tail + ((size_t)taps + 2) * CB);
	const int8_t **tsrc = src + taps + 1;
	const size_t wstride = CB * 2, wblock = (size_t)pairs * CB * 2;
	const size_t step = (size_t)c->stride_w * ch;
	const int16_t *w0 = p->w + (size_t)b0 * wblock;
	const int32_t *beff = p->beff + (size_t)b0 * CB;
	const cpu_rq8_t *rq = p->rq + (size_t)b0 * 2;
	memset(zprow, (int8_t)c->in_zp, (size_t)nb * CB);
	src[taps] = zprow; /* partner of an odd last tap (zero weight) */
	bool inside = false;
	for (uint32_t ow = 0; ow < c->out_w; ow++) {
		/* inside the row, the taps move by one stride (padding rows stay) */
		if (inside && (int64_t)ow * c->stride_w - c->pad_l + (int64_t)(c->k_w - 1) * c->dil_w <
				      c->in_w) {
			for (uint32_t t = 0; t < taps; t++)
				src[t] += src[t] == zprow ? 0 : step;
		} else {
			inside = tap_pointers(c, in, n, oh, ow, c0, zprow, src);
		}
		int8_t *dst = out + (((size_t)n * c->out_h + oh) * c->out_w + ow) * ch + c0;
		for (uint32_t b = 0; b < full; b++)
			_mm_storeu_si128((__m128i *)(dst + (size_t)b * CB),
					 block(src, (size_t)b * CB, w0 + (size_t)b * wblock, wstride,
					       pairs, beff + (size_t)b * CB, rq + 2 * b, p->any_left,
					       zp16, lo8, hi8));
		if (rest) {
			for (uint32_t t = 0; t <= taps; t++) {
				memcpy(tail + (size_t)t * CB, src[t] + (size_t)full * CB, rest);
				tsrc[t] = tail + (size_t)t * CB;
			}
			int8_t *tout = tail + ((size_t)taps + 1) * CB;
			_mm_storeu_si128((__m128i *)tout,
					 block(tsrc, 0, w0 + (size_t)full * wblock, wstride, pairs,
					       beff + (size_t)full * CB, rq + 2 * full, p->any_left,
					       zp16, lo8, hi8));
			memcpy(dst + (size_t)full * CB, tout, rest);
		}
	}
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const dw_packed_t *p = (const dw_packed_t *)packed;
	if (p->pairs == 5)
		row_pairs(c, p, in, out, n, oh, b0, nb, scratch, 5);
	else
		row_pairs(c, p, in, out, n, oh, b0, nb, scratch, p->pairs);
}

static bool accepts(const enpu_conv_op_t *c)
{
	return c->groups == c->in_c && c->out_c == c->in_c && c->groups > 1;
}

const cpu_conv_kernel_t cpu_dw_avx2 = {
	.cblock = CB, .macs_per_thread = 19, .accepts = accepts, .pack = pack,
	.scratch_bytes = scratch_bytes, .rows_per_task = rows_per_task, .row = row,
};
