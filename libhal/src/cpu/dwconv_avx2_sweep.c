/* SPDX-License-Identifier: MIT */
/* AVX2 depthwise 3x3 int8 convolution with stride 1 or 2 and dilation 1
 * along the row: each 16-channel block goes along the output row column by
 * column, so that a column's inputs, interleaved once into the vertical tap
 * pairs of dwconv_avx2.c's packing, serve every pixel that reads it. */
#include "../window.h"
#include "dwconv_avx2.h"

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
	     bool mid, bool fin, int8_t *dst, const dw_blk_t *k, const dw_out_t *o)
{
	const int16_t *w = k->w;
	__m256i x0 = dw_load16(p0), x1 = dw_load16(p1), z1 = dw_load16(p2);
	__m256i al = _mm256_unpacklo_epi16(x0, x1), ah = _mm256_unpackhi_epi16(x0, x1);
	__m256i bl = _mm256_unpacklo_epi16(s->z, z1), bh = _mm256_unpackhi_epi16(s->z, z1);
	s->z = z1;
	if (fin) {
		dw_madd(&s->lo2, &s->hi2, al, ah, w + DW_CB * 4);
		dw_madd(&s->lo2, &s->hi2, bl, bh, w + DW_CB * 8);
		_mm_storeu_si128((__m128i *)dst, dw_finish(s->lo2, s->hi2, k, o));
	}
	s->lo2 = s->lo1, s->hi2 = s->hi1;
	if (mid)
		dw_madd(&s->lo2, &s->hi2, al, ah, w + DW_CB * 2);
	s->lo1 = _mm256_load_si256((const __m256i *)k->beff);
	s->hi1 = _mm256_load_si256((const __m256i *)k->beff + 1);
	if (start) {
		dw_madd(&s->lo1, &s->hi1, al, ah, w);
		dw_madd(&s->lo1, &s->hi1, bl, bh, w + DW_CB * 6);
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
sweep(const enpu_conv_op_t *c, const in_row_t r[3], int8_t *dst, const dw_blk_t *k,
      const dw_out_t *o, const int8_t *zprow)
{
	const uint32_t in_w = c->in_w, out_w = c->out_w, pad = c->pad_l;
	const size_t pixel = c->in_c;
	uint32_t lo = pad > 2 ? pad : 2, hi = in_w - 1 + pad < out_w ? in_w - 1 + pad : out_w;
	hi = hi > lo ? hi : lo;
	sweep_sums_t s = { .z = dw_load16(at(r[2], -(int64_t)pad, in_w, zprow)) };
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
	const int8_t *p3, bool fin, bool start, int8_t *dst, const dw_blk_t *k, const dw_out_t *o)
{
	const int16_t *w = k->w;
	__m256i x0 = dw_load16(p0), x1 = dw_load16(p1), z0 = dw_load16(p2), z1 = dw_load16(p3);
	__m256i al = _mm256_unpacklo_epi16(x0, x1), ah = _mm256_unpackhi_epi16(x0, x1);
	__m256i bl = _mm256_unpacklo_epi16(z0, z1), bh = _mm256_unpackhi_epi16(z0, z1);
	if (fin) {
		dw_madd(lo, hi, al, ah, w + DW_CB * 4);
		dw_madd(lo, hi, bl, bh, w + DW_CB * 8);
		_mm_storeu_si128((__m128i *)dst, dw_finish(*lo, *hi, k, o));
	}
	if (start) {
		*lo = _mm256_load_si256((const __m256i *)k->beff);
		*hi = _mm256_load_si256((const __m256i *)k->beff + 1);
		dw_madd(lo, hi, al, ah, w);
		dw_madd(lo, hi, bl, bh, w + DW_CB * 6);
	}
}

static inline __attribute__((always_inline)) void s2_odd(__m256i *lo, __m256i *hi,
							 const int8_t *p0, const int8_t *p1,
							 const dw_blk_t *k)
{
	__m256i x0 = dw_load16(p0), x1 = dw_load16(p1);
	dw_madd(lo, hi, _mm256_unpacklo_epi16(x0, x1), _mm256_unpackhi_epi16(x0, x1), k->w + DW_CB * 2);
}

static inline __attribute__((always_inline)) void
sweep_s2(const enpu_conv_op_t *c, const in_row_t r[3], int8_t *dst, const dw_blk_t *k,
	 const dw_out_t *o, const int8_t *zprow)
{
	const uint32_t in_w = c->in_w, out_w = c->out_w;
	const size_t pixel = c->in_c;
	const uint32_t pad = c->pad_l;
	/* pixels [lo_ow, hi_ow) have a next pixel and columns 2 ow - pad + 1
	 * to + 3 inside the input */
	uint32_t lo_ow = pad / 2;
	uint32_t hi_ow = in_w + pad >= 2 ? (in_w + pad - 2) / 2 : 0;
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

void cpu_dw_avx2_sweep_row(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *in,
			   int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t full,
			   const int8_t *zprow, const dw_out_t *out_consts)
{
	/* a local copy: the output stores (may_alias) do not reload it */
	const dw_out_t oc = *out_consts, *o = &oc;
	const uint32_t ch = c->in_c, c0 = b0 * DW_CB;
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
			rb[kh] = (in_row_t){ r[kh].base + (r[kh].stride ? (size_t)b * DW_CB : 0),
					     r[kh].stride };
		dw_blk_t k = dw_blk(p, b0 + b);
		if (c->stride_w == 1)
			sweep(c, rb, dst + (size_t)b * DW_CB, &k, o, zprow);
		else
			sweep_s2(c, rb, dst + (size_t)b * DW_CB, &k, o, zprow);
	}
}

