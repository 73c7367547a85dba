/* SPDX-License-Identifier: MIT */
/* AVX2 depthwise int8 convolution (depth multiplier 1). The kernel's taps go
 * in pairs (t0, t1): per output pixel and 16 channels, both taps' inputs are
 * sign-extended to int16 and interleaved, so that one vpmaddwd against the
 * pair's interleaved weights adds x0 w0 + x1 w1 per channel into int32
 * (exact: |x w| <= 2^14). Pairs are vertical, (kh, kw) with (kh + 1, kw)
 * for kh = 0, 2, ..., then an odd last kernel row's taps pair horizontally
 * (pair_order()). With 3x3 kernels and stride and dilation 1 along the row,
 * a block then goes along the row column by column (sweep()): a column's
 * interleaved inputs serve the three pixels that read it, 3 loads and 4
 * interleaves a pixel instead of 10 and 10. vpunpck{l,h}wd interleave
 * within 128-bit halves, so the "low" sums hold channels 0-3 and 8-11 and
 * the "high" ones 4-7 and 12-15; the weights are packed in that order and
 * the sums put back in channel order once per pixel. Taps outside the input read a row of the
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
	uint32_t *order; /* [2 * pairs]: tap of each pair slot; taps: zero weight */
	int16_t *w;      /* [blocks][pairs][2 halves][8 lanes][2 taps] */
	int32_t *beff;   /* [blocks][2 halves][8 lanes]: bias - zp * sum(w) */
	cpu_rq8_t *rq;   /* [blocks][2 halves] */
	bool any_left;
} dw_packed_t;

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
	p->blocks = (ch + CB - 1) / CB;
	p->pairs = (taps + 1) / 2;
	size_t padded = (size_t)p->blocks * CB;
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
						uint32_t o = b * CB + lane_channel(h, l);
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
	return (size_t)nb * CB + (slots + 1) * CB + 2 * slots * sizeof(const int8_t *);
}

static uint32_t rows_per_task(const enpu_conv_op_t *c)
{
	(void)c;
	return 1;
}

/* Block parameters and constants of the output stage. */
typedef struct blk {
	const int16_t *w; /* pair 0's weights; pairs CB * 2 int16 apart */
	const int32_t *beff;
	const cpu_rq8_t *rq;
} blk_t;

typedef struct out_consts {
	__m256i zp16;
	__m128i lo8, hi8;
	bool any_left;
} out_consts_t;

/* lo, hi += the interleaved halves (il, ih) times pair weights w. */
static inline __attribute__((always_inline)) void madd(__m256i *lo, __m256i *hi, __m256i il,
						       __m256i ih, const int16_t *w)
{
	*lo = _mm256_add_epi32(*lo, _mm256_madd_epi16(il, _mm256_load_si256((const __m256i *)w)));
	*hi = _mm256_add_epi32(*hi, _mm256_madd_epi16(ih, _mm256_load_si256((const __m256i *)w + 1)));
}

static inline __attribute__((always_inline)) __m128i finish(__m256i lo, __m256i hi, const blk_t *k,
							    const out_consts_t *o)
{
	return rq8_out16(rq8_apply(lo, k->rq, o->any_left), rq8_apply(hi, k->rq + 1, o->any_left),
			 o->zp16, o->lo8, o->hi8);
}

static inline __m256i load16(const int8_t *x)
{
	return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x));
}

/* One block of 16 channels of one output pixel: src[i] + off are the 16
 * input bytes of pair slot i (2 * pairs pointers). Returns the 16 output
 * bytes. */
static inline __attribute__((always_inline)) __m128i
block(const int8_t *const *src, size_t off, uint32_t pairs, const blk_t *k, const out_consts_t *o)
{
	__m256i lo = _mm256_load_si256((const __m256i *)k->beff);
	__m256i hi = _mm256_load_si256((const __m256i *)k->beff + 1);
	const int16_t *w = k->w;
	for (uint32_t q = 0; q < pairs; q++, w += CB * 2) {
		__m256i x0 = load16(src[2 * q] + off), x1 = load16(src[2 * q + 1] + off);
		madd(&lo, &hi, _mm256_unpacklo_epi16(x0, x1), _mm256_unpackhi_epi16(x0, x1), w);
	}
	return finish(lo, hi, k, o);
}

/* A block's input row in the row sweep: column iw at base + iw * stride;
 * stride 0 and base the zero-point row for a row outside the input. */
typedef struct in_row {
	const int8_t *base;
	size_t stride;
} in_row_t;

/* The sweep's sums: of the pixel started one column ago (1) and two (2);
 * z: row 2 of the current column. */
typedef struct sweep_sums {
	__m256i lo1, hi1, lo2, hi2, z;
} sweep_sums_t;

/* One input column of the sweep: p0, p1 its rows 0 and 1, p2 row 2 of the
 * next column. It completes pixel dst (fin), continues the next (mid) and
 * starts the one after (start). */
static inline __attribute__((always_inline)) void
sweep_column(sweep_sums_t *s, const int8_t *p0, const int8_t *p1, const int8_t *p2, bool start,
	     bool mid, bool fin, int8_t *dst, const blk_t *k, const out_consts_t *o)
{
	const int16_t *w = k->w;
	__m256i x0 = load16(p0), x1 = load16(p1), z1 = load16(p2);
	__m256i al = _mm256_unpacklo_epi16(x0, x1), ah = _mm256_unpackhi_epi16(x0, x1);
	__m256i bl = _mm256_unpacklo_epi16(s->z, z1), bh = _mm256_unpackhi_epi16(s->z, z1);
	s->z = z1;
	if (fin) {
		madd(&s->lo2, &s->hi2, al, ah, w + CB * 4);
		madd(&s->lo2, &s->hi2, bl, bh, w + CB * 8);
		_mm_storeu_si128((__m128i *)dst, finish(s->lo2, s->hi2, k, o));
	}
	s->lo2 = s->lo1, s->hi2 = s->hi1;
	if (mid)
		madd(&s->lo2, &s->hi2, al, ah, w + CB * 2);
	s->lo1 = _mm256_load_si256((const __m256i *)k->beff);
	s->hi1 = _mm256_load_si256((const __m256i *)k->beff + 1);
	if (start) {
		madd(&s->lo1, &s->hi1, al, ah, w);
		madd(&s->lo1, &s->hi1, bl, bh, w + CB * 6);
	}
}

/* Column iw of r, or the zero-point row outside the input. */
static inline const int8_t *at(in_row_t r, int64_t iw, uint32_t in_w, const int8_t *zprow)
{
	return iw >= 0 && iw < in_w ? r.base + (size_t)iw * r.stride : zprow;
}

/* 3x3 kernel, stride and dilation 1 along the row: one block along the whole
 * output row, column by column. Pixel ow reads columns ow - pad_l + kw;
 * pairs 0-2 hold rows 0 and 1 of column kw, pair 3 row 2's columns 0 and 1,
 * pair 4 row 2's column 2 (and column 3, with a zero weight). So input
 * column iw, interleaved once (rows 0/1, and row 2 with iw + 1), adds to
 * the sums of the three pixels that read it: it starts pixel iw + pad_l
 * (pairs 0 and 3), continues the one before (pair 1) and completes the one
 * before that (pairs 2 and 4). Columns j = iw + pad_l in [lo, hi) do all
 * three with every column they read inside the input. */
static inline __attribute__((always_inline)) void
sweep(const enpu_conv_op_t *c, const in_row_t r[3], int8_t *dst, const blk_t *k,
      const out_consts_t *o, const int8_t *zprow)
{
	const uint32_t in_w = c->in_w, out_w = c->out_w, pad = c->pad_l;
	const size_t pixel = c->in_c;
	uint32_t lo = pad > 2 ? pad : 2, hi = in_w - 1 + pad < out_w ? in_w - 1 + pad : out_w;
	hi = hi > lo ? hi : lo;
	sweep_sums_t s = { .z = load16(at(r[2], -(int64_t)pad, in_w, zprow)) };
	for (uint32_t j = 0; j < out_w + 2; j++) {
		if (j == lo) {
			const int8_t *p0 = r[0].base + (size_t)(j - pad) * r[0].stride;
			const int8_t *p1 = r[1].base + (size_t)(j - pad) * r[1].stride;
			const int8_t *p2 = r[2].base + (size_t)(j - pad + 1) * r[2].stride;
			int8_t *d = dst + (size_t)(j - 2) * pixel;
			for (; j < hi; j++, d += pixel, p0 += r[0].stride, p1 += r[1].stride,
			     p2 += r[2].stride)
				sweep_column(&s, p0, p1, p2, true, true, true, d, k, o);
			if (j == out_w + 2)
				break;
		}
		int64_t iw = (int64_t)j - pad;
		sweep_column(&s, at(r[0], iw, in_w, zprow), at(r[1], iw, in_w, zprow),
			     at(r[2], iw + 1, in_w, zprow), j < out_w, j >= 1 && j <= out_w, j >= 2,
			     dst + (size_t)(j >= 2 ? j - 2 : 0) * pixel, k, o);
	}
}

/* Stride 2 along the row (3x3, dilation 1): pixel ow reads columns
 * 2 ow - pad_l + kw, so an even column j = iw + pad_l completes pixel
 * j / 2 - 1 (kw 2: pairs 2 and 4) and starts pixel j / 2 (kw 0: pairs 0
 * and 3), both with its rows 0/1 and with row 2 of it and the next column;
 * an odd column continues pixel (j - 1) / 2 (kw 1: pair 1). */
static inline __attribute__((always_inline)) void
s2_even(__m256i *lo, __m256i *hi, const int8_t *p0, const int8_t *p1, const int8_t *p2,
	const int8_t *p3, bool fin, bool start, int8_t *dst, const blk_t *k, const out_consts_t *o)
{
	const int16_t *w = k->w;
	__m256i x0 = load16(p0), x1 = load16(p1), z0 = load16(p2), z1 = load16(p3);
	__m256i al = _mm256_unpacklo_epi16(x0, x1), ah = _mm256_unpackhi_epi16(x0, x1);
	__m256i bl = _mm256_unpacklo_epi16(z0, z1), bh = _mm256_unpackhi_epi16(z0, z1);
	if (fin) {
		madd(lo, hi, al, ah, w + CB * 4);
		madd(lo, hi, bl, bh, w + CB * 8);
		_mm_storeu_si128((__m128i *)dst, finish(*lo, *hi, k, o));
	}
	if (start) {
		*lo = _mm256_load_si256((const __m256i *)k->beff);
		*hi = _mm256_load_si256((const __m256i *)k->beff + 1);
		madd(lo, hi, al, ah, w);
		madd(lo, hi, bl, bh, w + CB * 6);
	}
}

static inline __attribute__((always_inline)) void s2_odd(__m256i *lo, __m256i *hi,
							 const int8_t *p0, const int8_t *p1,
							 const blk_t *k)
{
	__m256i x0 = load16(p0), x1 = load16(p1);
	madd(lo, hi, _mm256_unpacklo_epi16(x0, x1), _mm256_unpackhi_epi16(x0, x1), k->w + CB * 2);
}

static inline __attribute__((always_inline)) void
sweep_s2(const enpu_conv_op_t *c, const in_row_t r[3], int8_t *dst, const blk_t *k,
	 const out_consts_t *o, const int8_t *zprow)
{
	const uint32_t in_w = c->in_w, out_w = c->out_w;
	const size_t pixel = c->in_c;
	const uint32_t pad = c->pad_l;
	/* pixels [lo, hi) have columns 2 ow - pad + 1 .. + 3 inside and a next
	 * pixel */
	uint32_t lo_ow = pad / 2;
	uint32_t hi_ow = in_w + pad >= 3 ? (in_w + pad - 3 + 1) / 2 : 0;
	hi_ow = hi_ow < out_w - 1 ? hi_ow : out_w - 1;
	hi_ow = hi_ow > lo_ow ? hi_ow : lo_ow;
	__m256i lo, hi;
	int64_t iw = -(int64_t)pad; /* pixel ow's first column */
	s2_even(&lo, &hi, at(r[0], iw, in_w, zprow), at(r[1], iw, in_w, zprow),
		at(r[2], iw, in_w, zprow), at(r[2], iw + 1, in_w, zprow), false, true, dst, k, o);
	for (uint32_t ow = 0; ow < out_w; ow++, iw += 2, dst += pixel) {
		if (ow == lo_ow && lo_ow < hi_ow) {
			const int8_t *p0 = r[0].base + (size_t)(iw + 1) * r[0].stride;
			const int8_t *p1 = r[1].base + (size_t)(iw + 1) * r[1].stride;
			const int8_t *p2 = r[2].base + (size_t)(iw + 2) * r[2].stride;
			const size_t s0 = r[0].stride, s1 = r[1].stride, s2 = r[2].stride;
			for (; ow < hi_ow; ow++, iw += 2, dst += pixel, p0 += 2 * s0, p1 += 2 * s1,
			     p2 += 2 * s2) {
				s2_odd(&lo, &hi, p0, p1, k);
				s2_even(&lo, &hi, p0 + s0, p1 + s1, p2, p2 + s2, true, true, dst, k, o);
			}
			if (ow == out_w)
				break;
		}
		s2_odd(&lo, &hi, at(r[0], iw + 1, in_w, zprow), at(r[1], iw + 1, in_w, zprow), k);
		s2_even(&lo, &hi, at(r[0], iw + 2, in_w, zprow), at(r[1], iw + 2, in_w, zprow),
			at(r[2], iw + 2, in_w, zprow), at(r[2], iw + 3, in_w, zprow), true,
			ow + 1 < out_w, dst, k, o);
	}
}

/* Input pointers of the pair slots of output pixel ow (zprow: padding and
 * the zero-weight slot); returns whether every tap's column is inside the
 * input (the next pixel's are then these plus stride_w pixels, where the row
 * is inside). */
static bool tap_pointers(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *in,
			 uint32_t n, uint32_t oh, uint32_t ow, uint32_t c0, const int8_t *zprow,
			 const int8_t **src)
{
	const uint32_t taps = c->k_h * c->k_w;
	bool inside = true;
	for (uint32_t i = 0; i < 2 * p->pairs; i++) {
		uint32_t t = p->order[i];
		int64_t ih, iw;
		if (t == taps) {
			src[i] = zprow;
			continue;
		}
		bool row_in = enpu_tap(oh, t / c->k_w, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih);
		bool col_in = enpu_tap(ow, t % c->k_w, c->stride_w, c->pad_l, c->dil_w, c->in_w, &iw);
		inside &= col_in;
		src[i] = row_in && col_in ? in + (((size_t)n * c->in_h + (size_t)ih) * c->in_w +
						  (size_t)iw) * c->in_c + c0
					  : zprow;
	}
	return inside;
}

/* Blocks [bfirst, nb) of the row pixel by pixel, the pair loop unrolled
 * where the caller makes pairs a constant (3x3: 5); a partial last block
 * goes through the scratch's tail. */
static inline __attribute__((always_inline)) void
pixels(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *in, int8_t *out, uint32_t n,
       uint32_t oh, uint32_t b0, uint32_t nb, uint32_t bfirst, void *scratch, const uint32_t pairs,
       const out_consts_t *o)
{
	const uint32_t ch = c->in_c, slots = 2 * pairs;
	const uint32_t c0 = b0 * CB, c1 = (b0 + nb) * CB < ch ? (b0 + nb) * CB : ch;
	/* full blocks read 16 bytes; a partial last block goes through tail */
	const uint32_t full = (c1 - c0) / CB, rest = (c1 - c0) % CB;
	int8_t *zprow = scratch, *tail = zprow + (size_t)nb * CB;
	const int8_t **src = (const int8_t **)(tail + ((size_t)slots + 1) * CB);
	const int8_t **tsrc = src + slots;
	const size_t step = (size_t)c->stride_w * ch;
	bool inside = false;
	for (uint32_t ow = 0; ow < c->out_w; ow++) {
		/* inside the row, the taps move by one stride (padding rows stay) */
		if (inside && (int64_t)ow * c->stride_w - c->pad_l + (int64_t)(c->k_w - 1) * c->dil_w <
				      c->in_w) {
			for (uint32_t i = 0; i < slots; i++)
				src[i] += src[i] == zprow ? 0 : step;
		} else {
			inside = tap_pointers(c, p, in, n, oh, ow, c0, zprow, src);
		}
		int8_t *dst = out + (((size_t)n * c->out_h + oh) * c->out_w + ow) * ch + c0;
		for (uint32_t b = bfirst; b < full; b++) {
			blk_t k = { p->w + (size_t)(b0 + b) * pairs * CB * 2,
				    p->beff + (size_t)(b0 + b) * CB, p->rq + 2 * (size_t)(b0 + b) };
			_mm_storeu_si128((__m128i *)(dst + (size_t)b * CB),
					 block(src, (size_t)b * CB, pairs, &k, o));
		}
		if (rest) {
			for (uint32_t i = 0; i < slots; i++) {
				memcpy(tail + (size_t)i * CB, src[i] + (size_t)full * CB, rest);
				tsrc[i] = tail + (size_t)i * CB;
			}
			int8_t *tout = tail + (size_t)slots * CB;
			blk_t k = { p->w + (size_t)(b0 + full) * pairs * CB * 2,
				    p->beff + (size_t)(b0 + full) * CB, p->rq + 2 * (size_t)(b0 + full) };
			_mm_storeu_si128((__m128i *)tout, block(tsrc, 0, pairs, &k, o));
			memcpy(dst + (size_t)full * CB, tout, rest);
		}
	}
}

/* 3x3, stride and dilation 1 along the row: full blocks by sweep(), a
 * partial last one by pixels(). */
static void row_3x3(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *in, int8_t *out,
		    uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch,
		    const out_consts_t *o)
{
	const uint32_t ch = c->in_c, c0 = b0 * CB;
	const uint32_t c1 = (b0 + nb) * CB < ch ? (b0 + nb) * CB : ch, full = (c1 - c0) / CB;
	const int8_t *zprow = scratch;
	in_row_t r[3];
	for (uint32_t kh = 0; kh < 3; kh++) {
		int64_t ih;
		bool in_row = enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih);
		r[kh] = in_row ? (in_row_t){ in + ((size_t)n * c->in_h + (size_t)ih) * c->in_w * ch + c0,
					     ch }
			       : (in_row_t){ zprow, 0 };
	}
	int8_t *dst = out + ((size_t)n * c->out_h + oh) * c->out_w * ch + c0;
	for (uint32_t b = 0; b < full; b++) {
		in_row_t rb[3];
		for (uint32_t kh = 0; kh < 3; kh++)
			rb[kh] = (in_row_t){ r[kh].base + (r[kh].stride ? (size_t)b * CB : 0),
					     r[kh].stride };
		blk_t k = { p->w + (size_t)(b0 + b) * 5 * CB * 2, p->beff + (size_t)(b0 + b) * CB,
			    p->rq + 2 * (size_t)(b0 + b) };
		if (c->stride_w == 1)
			sweep(c, rb, dst + (size_t)b * CB, &k, o, zprow);
		else
			sweep_s2(c, rb, dst + (size_t)b * CB, &k, o, zprow);
	}
	if (full * CB < c1 - c0)
		pixels(c, p, in, out, n, oh, b0, nb, full, scratch, 5, o);
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const dw_packed_t *p = (const dw_packed_t *)packed;
	const out_consts_t o = { .zp16 = _mm256_set1_epi16((short)c->out_zp),
				 .lo8 = _mm_set1_epi8((char)c->clamp.qmin),
				 .hi8 = _mm_set1_epi8((char)c->clamp.qmax),
				 .any_left = p->any_left };
	memset(scratch, (int8_t)c->in_zp, (size_t)nb * CB); /* the zero-point row */
	if (c->k_h == 3 && c->k_w == 3 && c->stride_w <= 2 && c->dil_w == 1)
		row_3x3(c, p, in, out, n, oh, b0, nb, scratch, &o);
	else if (p->pairs == 5)
		pixels(c, p, in, out, n, oh, b0, nb, 0, scratch, 5, &o);
	else
		pixels(c, p, in, out, n, oh, b0, nb, 0, scratch, p->pairs, &o);
}

static bool accepts(const enpu_conv_op_t *c)
{
	return c->groups == c->in_c && c->out_c == c->in_c && c->groups > 1;
}

const cpu_conv_kernel_t cpu_dw_avx2 = {
	.cblock = CB, .macs_per_thread = 19, .accepts = accepts, .pack = pack,
	.scratch_bytes = scratch_bytes, .rows_per_task = rows_per_task, .row = row,
};
