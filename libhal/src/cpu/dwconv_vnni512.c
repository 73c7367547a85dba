/* SPDX-License-Identifier: MIT */
/* AVX-512 VNNI depthwise int8 convolution (depth multiplier 1). Kernel rows
 * are taken 4 at a time: for each output row, a tap buffer T holds, per input
 * column and channel, the 4 input bytes of those kernel rows (+128, so
 * vpdpbusd's unsigned operand; padding holds the zero point), and each
 * output pixel is KW vpdpbusd per 16 channels and group of 4 kernel rows
 * against weights packed the same way. Since padding holds the zero point,
 * the zero-point correction -(128 + zp) * sum(w) is a constant folded into
 * the bias. Channels go in blocks of 64 = 4 vectors; vector v, lane 4L + j
 * holds channel 16L + 4v + j, the order in which vpunpck interleaves rows
 * and vpackss packs results back. With at most 32 channels a block would be
 * half empty, so pairs of output pixels share it instead ("pair" layout):
 * the tap buffer holds 256-bit entries (lane 4L + j of vector v: channel
 * 16L + 4v + j, L < 2), the low half of each vector serves pixel ow and the
 * high half pixel ow + 1, and weights, bias and requantization parameters
 * repeat in both halves. With at most 3 kernel rows and vertical stride
 * and dilation 1, the 4th byte of each tuple takes the next input row, and
 * one tap buffer serves output rows oh and oh + 1 (weights shifted by one
 * row for the second). Requantization: rq16.h. Exact: int32 sums modulo
 * 2^32 do not depend on order. */
#include <immintrin.h>
#include <stdlib.h>
#include "../window.h"
#include "conv_kernels.h"
#include "requant_avx512.h"

#define CB 64u

typedef struct dw_packed {
	enpu_op_cache_t base;
	uint32_t blocks, groups; /* channel blocks, groups of 4 kernel rows */
	int8_t *w;               /* [groups][k_w][blocks][4 vectors][64] */
	int32_t *beff;           /* [blocks][4][16] */
	cpu_rq16_t *rq;          /* [blocks][4] */
	bool any_left;           /* some channel has shift > 0 */
	bool pair;               /* <= 32 channels: the pair layout */
	/* two_rows(): weights one kernel row down (slot r holds kernel row
	 * r - 1), so that output row oh + 1 reads oh's tap buffer; else NULL */
	int8_t *w2;
} dw_packed_t;

static void packed_free(enpu_op_cache_t *c)
{
	dw_packed_t *p = (dw_packed_t *)c;
	free(p->w);
	free(p->w2);
	free(p->beff);
	free(p->rq);
	free(p);
}

/* Channel of block b, vector v, lane l. */
static inline uint32_t lane_channel(uint32_t b, uint32_t v, uint32_t l, bool pair)
{
	if (pair)
		l %= 8;
	return b * CB + 16 * (l / 4) + 4 * v + l % 4;
}

static bool pair_layout(const enpu_conv_op_t *c)
{
	return c->in_c <= CB / 2;
}

/* At most 3 kernel rows, stride and dilation 1: the 4 input rows of one tap
 * buffer cover output rows oh and oh + 1. */
static bool two_rows(const enpu_conv_op_t *c)
{
	return c->k_h <= 3 && c->stride_h == 1 && c->dil_h == 1;
}

static uint32_t rows_per_task(const enpu_conv_op_t *c)
{
	return two_rows(c) ? 2 : 1;
}

static enpu_op_cache_t *pack(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias)
{
	const uint32_t ch = c->out_c, kh = c->k_h, kw = c->k_w;
	dw_packed_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base.key = &cpu_dw_vnni512;
	p->base.destroy = packed_free;
	p->blocks = (ch + CB - 1) / CB;
	p->groups = (kh + 3) / 4;
	p->pair = pair_layout(c);
	size_t wbytes = (size_t)p->groups * kw * p->blocks * 4 * CB;
	p->w = aligned_alloc(64, wbytes);
	p->w2 = two_rows(c) ? aligned_alloc(64, wbytes) : NULL;
	p->beff = aligned_alloc(64, (size_t)p->blocks * CB * sizeof(int32_t));
	p->rq = aligned_alloc(64, (size_t)p->blocks * 4 * sizeof(cpu_rq16_t));
	if (!p->w || (two_rows(c) && !p->w2) || !p->beff || !p->rq) {
		packed_free(&p->base);
		return NULL;
	}
	for (uint32_t b = 0; b < p->blocks; b++)
		for (uint32_t v = 0; v < 4; v++) {
			int32_t mult[16], shift[16];
			for (uint32_t l = 0; l < 16; l++) {
				uint32_t o = lane_channel(b, v, l, p->pair);
				uint32_t sum = 0;
				for (uint32_t t = 0; t < kh * kw; t++)
					sum += (uint32_t)(o < ch ? f[(size_t)o * kh * kw + t] : 0);
				/* bias - (128 + zp) * sum(w), modulo 2^32 */
				p->beff[(b * 4 + v) * 16 + l] =
					o < ch ? (int32_t)((uint32_t)(bias ? bias[o] : 0) -
							   (uint32_t)(128 + c->in_zp) * sum)
					       : 0;
				mult[l] = o < ch ? c->mult[o] : 0;
				shift[l] = o < ch ? c->shift[o] : 0;
				for (uint32_t g = 0; g < p->groups; g++)
					for (uint32_t x = 0; x < kw; x++)
						for (uint32_t r = 0; r < 4; r++) {
							uint32_t y = 4 * g + r;
							size_t i = ((((size_t)g * kw + x) * p->blocks + b) * 4 + v) * CB +
								   l * 4 + r;
							p->w[i] = o < ch && y < kh ? f[((size_t)o * kh + y) * kw + x] : 0;
							if (p->w2) /* one group: y == r */
								p->w2[i] = o < ch && r >= 1 && r - 1 < kh
										   ? f[((size_t)o * kh + r - 1) * kw + x]
										   : 0;
						}
			}
			cpu_rq16_prepare(&p->rq[b * 4 + v], mult, shift, 16);
			p->any_left |= p->rq[b * 4 + v].any_left;
		}
	return &p->base;
}

/* Input columns one output row reads. */
static size_t columns(const enpu_conv_op_t *c)
{
	return (size_t)(c->out_w - 1) * c->stride_w + (size_t)(c->k_w - 1) * c->dil_w + 1;
}

/* The pair layout's tap buffer: entry (column i, vector v) of a group of
 * kernel rows at i * col + v * vec. With stride 1, the vectors are planes
 * (col 32, vec: the columns) and vector v of one tap of a pair of output
 * pixels, two adjacent columns, is one 64-byte load; with other strides,
 * columns are 128 bytes (col 128, vec 32), as the pair's columns are not
 * adjacent anyway and the planes made the fill ~1.4x slower. */
typedef struct pair_geo {
	size_t col, vec, group;
} pair_geo_t;

static pair_geo_t pair_geo(const enpu_conv_op_t *c)
{
	size_t ncol = columns(c);
	if (c->stride_w == 1)
		return (pair_geo_t){ .col = CB / 2, .vec = ncol * (CB / 2), .group = ncol * 2 * CB };
	return (pair_geo_t){ .col = 2 * CB, .vec = CB / 2, .group = ncol * 2 * CB };
}

static size_t scratch_bytes(const enpu_conv_op_t *c, uint32_t nb)
{
	return (size_t)(c->k_h + 3) / 4 * columns(c) * nb * 4 * (pair_layout(c) ? CB / 2 : CB);
}

/* The input rows of kernel rows 4g..4g+3 of output row oh (NULL: padding, or
 * y >= nrows). */
static void group_rows(const enpu_conv_op_t *c, const int8_t *in, uint32_t oh, uint32_t nrows,
		       uint32_t g, const int8_t *rows[4])
{
	for (uint32_t r = 0; r < 4; r++) {
		int64_t ih;
		uint32_t y = 4 * g + r;
		rows[r] = y < nrows && enpu_tap(oh, y, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih)
				  ? in + (size_t)ih * c->in_w * c->in_c
				  : NULL;
	}
}

/* T[g][i][b][4][64] for input columns i - pad_l, blocks [b0, b0 + nb), from
 * the input rows of kernel rows y < nrows of output row oh (k_h, or 4 with
 * two_rows()). */
static void fill_taps(const enpu_conv_op_t *c, const int8_t *in, uint32_t oh, uint32_t nrows,
		      uint32_t b0, uint32_t nb, uint8_t *taps)
{
	const size_t ch = c->in_c, in_w = c->in_w, ncol = columns(c);
	const int64_t pad_l = c->pad_l;
	const __m512i flip = _mm512_set1_epi8((char)0x80);
	const __m512i pad = _mm512_xor_si512(_mm512_set1_epi8((char)c->in_zp), flip);
	for (uint32_t g = 0; g < (c->k_h + 3) / 4; g++) {
		const int8_t *rows[4];
		group_rows(c, in, oh, nrows, g, rows);
		for (size_t i = 0; i < ncol; i++) {
			int64_t iw = (int64_t)i - pad_l;
			bool inside = iw >= 0 && iw < (int64_t)in_w;
			for (uint32_t b = 0; b < nb; b++) {
				size_t c0 = (size_t)(b0 + b) * CB;
				__mmask64 m = ch - c0 >= CB ? ~(__mmask64)0 : ((__mmask64)1 << (ch - c0)) - 1;
				__m512i x[4];
				for (uint32_t r = 0; r < 4; r++)
					x[r] = rows[r] && inside
						       ? _mm512_xor_si512(_mm512_maskz_loadu_epi8(
									  m, rows[r] + (size_t)iw * ch + c0),
								  flip)
						       : pad;
				__m512i lo01 = _mm512_unpacklo_epi8(x[0], x[1]);
				__m512i hi01 = _mm512_unpackhi_epi8(x[0], x[1]);
				__m512i lo23 = _mm512_unpacklo_epi8(x[2], x[3]);
				__m512i hi23 = _mm512_unpackhi_epi8(x[2], x[3]);
				uint8_t *t = taps + ((g * ncol + i) * nb + b) * 4 * CB;
				_mm512_store_si512(t, _mm512_unpacklo_epi16(lo01, lo23));
				_mm512_store_si512(t + CB, _mm512_unpackhi_epi16(lo01, lo23));
				_mm512_store_si512(t + 2 * CB, _mm512_unpacklo_epi16(hi01, hi23));
				_mm512_store_si512(t + 3 * CB, _mm512_unpackhi_epi16(hi01, hi23));
			}
		}
	}
}

/* Accumulates kernel-row group g, tap x into a0..a3 (weights w). */
#define DW_MAC(t, w0, w1, w2, w3)                                                           \
	do {                                                                                \
		a0 = _mm512_dpbusd_epi32(a0, _mm512_load_si512(t), w0);                     \
		a1 = _mm512_dpbusd_epi32(a1, _mm512_load_si512((t) + CB), w1);              \
		a2 = _mm512_dpbusd_epi32(a2, _mm512_load_si512((t) + 2 * CB), w2);          \
		a3 = _mm512_dpbusd_epi32(a3, _mm512_load_si512((t) + 3 * CB), w3);          \
	} while (0)

/* Requantizes a0..a3 and stores the 64 channels (m: the valid ones). */
static inline __attribute__((always_inline)) void
store_block(__m512i a0, __m512i a1, __m512i a2, __m512i a3, const cpu_rq16_t *rq,
	    rq16_mode_t mode, __m512i zp16, __m512i lo8, __m512i hi8, int8_t *dst, __mmask64 m)
{
	__m512i r = out64(rq16_apply(a0, rq, mode), rq16_apply(a1, rq + 1, mode),
			  rq16_apply(a2, rq + 2, mode), rq16_apply(a3, rq + 3, mode), zp16,
			  lo8, hi8);
	if (m == ~(__mmask64)0)
		_mm512_storeu_si512(dst, r);
	else
		_mm512_mask_storeu_epi8(dst, m, r);
}

/* One row of output pixels for channel blocks [b0, b0 + nb). k3: k_w == 3
 * and one group of kernel rows, with the 12 weight vectors in registers. */
static inline __attribute__((always_inline)) void
row_blocks(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *wts, const uint8_t *taps,
	   int8_t *out, uint32_t b0, uint32_t nb, bool k3, rq16_mode_t mode)
{
	const size_t ch = c->out_c, ncol = columns(c), out_w = c->out_w, kw = c->k_w;
	const size_t sw = c->stride_w, dw = c->dil_w, blocks = p->blocks, groups = p->groups;
	const __m512i zp16 = _mm512_set1_epi16((short)c->out_zp);
	const __m512i lo8 = _mm512_set1_epi8((char)c->clamp.qmin);
	const __m512i hi8 = _mm512_set1_epi8((char)c->clamp.qmax);
	for (uint32_t b = 0; b < nb; b++) {
		size_t c0 = (size_t)(b0 + b) * CB;
		__mmask64 m = ch - c0 >= CB ? ~(__mmask64)0 : ((__mmask64)1 << (ch - c0)) - 1;
		const int32_t *beff = p->beff + (size_t)(b0 + b) * CB;
		const cpu_rq16_t *rq = p->rq + (size_t)(b0 + b) * 4;
		const int8_t *wb = wts + (size_t)(b0 + b) * 4 * CB;
		const size_t wstep = blocks * 4 * CB, tstep = nb * 4 * CB;
		const uint8_t *tb = taps + (size_t)b * 4 * CB;
		if (k3) {
			__m512i w[12];
			for (int i = 0; i < 12; i++)
				w[i] = _mm512_load_si512(wb + (size_t)(i / 4) * wstep + (size_t)(i % 4) * CB);
			for (size_t ow = 0; ow < out_w; ow++) {
				__m512i a0 = _mm512_load_si512(beff), a1 = _mm512_load_si512(beff + 16);
				__m512i a2 = _mm512_load_si512(beff + 32), a3 = _mm512_load_si512(beff + 48);
				const uint8_t *t = tb + ow * sw * tstep;
				DW_MAC(t, w[0], w[1], w[2], w[3]);
				DW_MAC(t + dw * tstep, w[4], w[5], w[6], w[7]);
				DW_MAC(t + 2 * dw * tstep, w[8], w[9], w[10], w[11]);
				store_block(a0, a1, a2, a3, rq, mode, zp16, lo8, hi8,
					    out + ow * ch + c0, m);
			}
			continue;
		}
		for (size_t ow = 0; ow < out_w; ow++) {
			__m512i a0 = _mm512_load_si512(beff), a1 = _mm512_load_si512(beff + 16);
			__m512i a2 = _mm512_load_si512(beff + 32), a3 = _mm512_load_si512(beff + 48);
			for (size_t g = 0; g < groups; g++)
				for (size_t x = 0; x < kw; x++) {
					const uint8_t *t = tb + ((g * ncol + ow * sw + x * dw) * tstep);
					const int8_t *w = wb + (g * kw + x) * wstep;
					DW_MAC(t, _mm512_load_si512(w), _mm512_load_si512(w + CB),
					       _mm512_load_si512(w + 2 * CB), _mm512_load_si512(w + 3 * CB));
				}
			store_block(a0, a1, a2, a3, rq, mode, zp16, lo8, hi8, out + ow * ch + c0,
				    m);
		}
	}
}

/* The pair layout's tap buffer (pair_geo()) for input columns i - pad_l
 * (nrows: as fill_taps). */
static void fill_taps_pair(const enpu_conv_op_t *c, const int8_t *in, uint32_t oh, uint32_t nrows,
			   uint8_t *taps)
{
	const size_t ch = c->in_c, in_w = c->in_w, ncol = columns(c);
	const pair_geo_t geo = pair_geo(c);
	const int64_t pad_l = c->pad_l;
	const __m256i flip = _mm256_set1_epi8((char)0x80);
	const __m256i pad = _mm256_xor_si256(_mm256_set1_epi8((char)c->in_zp), flip);
	const __mmask32 m = ch >= 32 ? ~(__mmask32)0 : ((__mmask32)1 << ch) - 1;
	for (uint32_t g = 0; g < (c->k_h + 3) / 4; g++) {
		const int8_t *rows[4];
		group_rows(c, in, oh, nrows, g, rows);
		for (size_t i = 0; i < ncol; i++) {
			int64_t iw = (int64_t)i - pad_l;
			bool inside = iw >= 0 && iw < (int64_t)in_w;
			__m256i x[4];
			for (uint32_t r = 0; r < 4; r++)
				x[r] = rows[r] && inside
					       ? _mm256_xor_si256(_mm256_maskz_loadu_epi8(m, rows[r] + (size_t)iw * ch),
								  flip)
					       : pad;
			__m256i lo01 = _mm256_unpacklo_epi8(x[0], x[1]), hi01 = _mm256_unpackhi_epi8(x[0], x[1]);
			__m256i lo23 = _mm256_unpacklo_epi8(x[2], x[3]), hi23 = _mm256_unpackhi_epi8(x[2], x[3]);
			uint8_t *t = taps + g * geo.group + i * geo.col;
			_mm256_store_si256((__m256i *)t, _mm256_unpacklo_epi16(lo01, lo23));
			_mm256_store_si256((__m256i *)(t + geo.vec), _mm256_unpackhi_epi16(lo01, lo23));
			_mm256_store_si256((__m256i *)(t + 2 * geo.vec), _mm256_unpacklo_epi16(hi01, hi23));
			_mm256_store_si256((__m256i *)(t + 3 * geo.vec), _mm256_unpackhi_epi16(hi01, hi23));
		}
	}
}

/* Tap buffer entries of two columns as the halves of one vector: one load
 * when they are adjacent (adj). */
static inline __m512i two(const uint8_t *lo, const uint8_t *hi, bool adj)
{
	if (adj)
		return _mm512_loadu_si512(lo);
	return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_load_si256((const __m256i *)lo)),
				  _mm256_load_si256((const __m256i *)hi), 1);
}

/* Requantizes PP groups of 4 vectors of sums a[i][0..3] (the effective bias
 * not yet added) one vector v at a time, with v's parameters in registers
 * (as memory operands their 8 512-bit loads per vector, at 2 per cycle,
 * bounded the output stage), into a[i][v]. */
static inline __attribute__((always_inline)) void
requant_groups(__m512i a[][4], int PP, const int32_t *beff, const cpu_rq16_t *rq,
	       rq16_mode_t mode)
{
	for (int v = 0; v < 4; v++) {
		const rq16_regs_t k = rq16_load(rq + v);
		const __m512i bv = _mm512_load_si512(beff + 16 * v);
		for (int i = 0; i < PP; i++) {
			__m512i x = _mm512_add_epi32(a[i][v], bv);
			a[i][v] = rq16_mode_regs(x, rq + v, &k, mode);
		}
	}
}

/* PP pixel pairs from ow (pixels ow + 2i and ow + 2i + 1; an odd row's last
 * pixel is computed twice and stored once). whole: all 2 PP pixels exist;
 * s1: stride 1 (with whole, each vector of a pair's tap is one load). k3:
 * k_w == 3 and one group of kernel rows. */
static inline __attribute__((always_inline)) void
pairs(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *wts, const uint8_t *taps,
      int8_t *out, size_t ow, int PP, bool whole, bool s1, bool k3, rq16_mode_t mode,
      const pair_geo_t *geo)
{
	const size_t ch = c->out_c, out_w = c->out_w, sw = s1 ? 1 : c->stride_w, dw = c->dil_w;
	/* geo->col, a constant with s1 */
	const size_t col = s1 ? CB / 2 : geo->col, vs = geo->vec;
	const size_t kw = k3 ? 3 : c->k_w, groups = k3 ? 1 : p->groups;
	__m512i a[4][4];
	for (int i = 0; i < PP; i++)
		for (int v = 0; v < 4; v++)
			a[i][v] = _mm512_setzero_si512();
	for (size_t g = 0; g < groups; g++)
		for (size_t x = 0; x < kw; x++) {
			const int8_t *wp = wts + (g * kw + x) * 4 * CB;
			const uint8_t *tg = taps + g * geo->group;
			__m512i w[4];
			for (int v = 0; v < 4; v++)
				w[v] = _mm512_load_si512(wp + v * CB);
			for (int i = 0; i < PP; i++) {
				size_t o0 = ow + 2 * i, o1 = whole || o0 + 1 < out_w ? o0 + 1 : o0;
				const uint8_t *t0 = tg + (o0 * sw + x * dw) * col;
				const uint8_t *t1 = tg + (o1 * sw + x * dw) * col;
				for (int v = 0; v < 4; v++)
					a[i][v] = _mm512_dpbusd_epi32(
						a[i][v], two(t0 + v * vs, t1 + v * vs, whole && s1), w[v]);
			}
		}
	requant_groups(a, PP, p->beff, p->rq, mode);
	const __m512i zp16 = _mm512_set1_epi16((short)c->out_zp);
	const __m512i lo8 = _mm512_set1_epi8((char)c->clamp.qmin);
	const __m512i hi8 = _mm512_set1_epi8((char)c->clamp.qmax);
	const __mmask32 m = ch >= 32 ? ~(__mmask32)0 : ((__mmask32)1 << ch) - 1;
	for (int i = 0; i < PP; i++) {
		size_t o0 = ow + 2 * i;
		__m512i r = out64(a[i][0], a[i][1], a[i][2], a[i][3], zp16, lo8, hi8);
		_mm256_mask_storeu_epi8(out + o0 * ch, m, _mm512_castsi512_si256(r));
		if (whole || o0 + 1 < out_w)
			_mm256_mask_storeu_epi8(out + (o0 + 1) * ch, m, _mm512_extracti64x4_epi64(r, 1));
	}
}

/* One output row in the pair layout: 4 pairs of pixels at a time, then
 * single pairs. */
static inline __attribute__((always_inline)) void
row_pair(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *wts, const uint8_t *taps,
	 int8_t *out, bool s1, bool k3, rq16_mode_t mode)
{
	const pair_geo_t geo = pair_geo(c);
	size_t ow = 0;
	for (; ow + 8 <= c->out_w; ow += 8)
		pairs(c, p, wts, taps, out, ow, 4, true, s1, k3, mode, &geo);
	for (; ow < c->out_w; ow += 2)
		pairs(c, p, wts, taps, out, ow, 1, false, s1, k3, mode, &geo);
}

/* The shapes that get their own code, for one mode without left shifts */
static inline __attribute__((always_inline)) void
pair_modes(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *wts, const uint8_t *taps,
	   int8_t *out, bool k3, rq16_mode_t mode)
{
	if (k3 && c->stride_w == 1)
		row_pair(c, p, wts, taps, out, true, true, mode);
	else if (k3)
		row_pair(c, p, wts, taps, out, false, true, mode);
	else
		row_pair(c, p, wts, taps, out, false, false, mode);
}

static inline __attribute__((always_inline)) void
block_modes(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *wts, const uint8_t *taps,
	    int8_t *out, uint32_t b0, uint32_t nb, bool k3, rq16_mode_t mode)
{
	if (k3)
		row_blocks(c, p, wts, taps, out, b0, nb, true, mode);
	else
		row_blocks(c, p, wts, taps, out, b0, nb, false, mode);
}

/* The pair layout's and the blocks' rows as separate functions: inlined
 * into one, the block kernels ran 4-7% slower once the pair kernel grew. */
static __attribute__((noinline)) void pair_row(const enpu_conv_op_t *c, const dw_packed_t *p,
					       const int8_t *wts, const uint8_t *taps, int8_t *out,
					       bool k3)
{
	const rq16_mode_t mode = rq16_mode(p->any_left, c->clamp.qmin, c->out_zp);
	if (mode == RQ16_LEFT)
		row_pair(c, p, wts, taps, out, false, k3, RQ16_LEFT);
	else if (mode == RQ16_RELU)
		pair_modes(c, p, wts, taps, out, k3, RQ16_RELU);
	else
		pair_modes(c, p, wts, taps, out, k3, RQ16_RIGHT);
}

static __attribute__((noinline)) void block_row(const enpu_conv_op_t *c, const dw_packed_t *p,
						const int8_t *wts, const uint8_t *taps, int8_t *out,
						uint32_t b0, uint32_t nb, bool k3)
{
	const rq16_mode_t mode = rq16_mode(p->any_left, c->clamp.qmin, c->out_zp);
	if (mode == RQ16_LEFT)
		row_blocks(c, p, wts, taps, out, b0, nb, k3, RQ16_LEFT);
	else if (mode == RQ16_RELU)
		block_modes(c, p, wts, taps, out, b0, nb, k3, RQ16_RELU);
	else
		block_modes(c, p, wts, taps, out, b0, nb, k3, RQ16_RIGHT);
}

/* One output row from the tap buffer, with weights wts. */
static void out_row(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *wts,
		    const uint8_t *taps, int8_t *out, uint32_t b0, uint32_t nb)
{
	bool k3 = c->k_w == 3 && p->groups == 1;
	if (p->pair)
		pair_row(c, p, wts, taps, out, k3);
	else
		block_row(c, p, wts, taps, out, b0, nb, k3);
}

/* Output rows oh and, with two_rows(), oh + 1 (when it exists). */
static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const dw_packed_t *p = (const dw_packed_t *)packed;
	uint8_t *taps = scratch;
	uint32_t nrows = p->w2 ? 4 : c->k_h;
	in += (size_t)n * c->in_h * c->in_w * c->in_c;
	if (p->pair)
		fill_taps_pair(c, in, oh, nrows, taps);
	else
		fill_taps(c, in, oh, nrows, b0, nb, taps);
	size_t row_bytes = (size_t)c->out_w * c->out_c;
	out += ((size_t)n * c->out_h + oh) * row_bytes;
	out_row(c, p, p->w, taps, out, b0, nb);
	if (p->w2 && oh + 1 < c->out_h)
		out_row(c, p, p->w2, taps, out + row_bytes, b0, nb);
}

static bool accepts(const enpu_conv_op_t *c)
{
	return c->groups == c->in_c && c->out_c == c->in_c && c->groups > 1;
}

const cpu_conv_kernel_t cpu_dw_vnni512 = {
	.cblock = CB, .macs_per_thread = 21, .accepts = accepts, .pack = pack,
	.scratch_bytes = scratch_bytes, .rows_per_task = rows_per_task, .row = row,
};
