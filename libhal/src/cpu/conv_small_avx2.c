/* SPDX-License-Identifier: MIT */
/* AVX2 direct int8 convolution for few input channels (first layers:
 * Cin <= 4, Cin * KW <= 16, groups 1, no horizontal dilation). In NHWC one
 * kernel row of one output pixel is S = KW * Cin adjacent inputs; each
 * output row copies the KH input rows it reads, widened to int16 (padding:
 * the zero point), into row buffers, and every 2 elements of a kernel row
 * are one broadcast vpmaddwd against 8 output channels of weights packed
 * [kernel row][pair][panel][16][2] (int8, widened as they are loaded;
 * elements past S have zero weights, so whatever the buffer holds there
 * adds nothing). The zero-point correction -zp * sum(w) is a constant
 * folded into the bias. A tile of 6 pixels x 16 channels keeps its 12 sums
 * in registers over all the kernel rows (the implicit GEMM, which takes
 * these convs otherwise, splits K per kernel row and stores the sums in
 * between). Exact: |x w| <= 2^14, sums modulo 2^32. Output stage:
 * requant_avx2.h. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include "../window.h"
#include "conv_kernels.h"
#include "conv_small.h"
#include "requant_avx2.h"

#define NR 16u /* channels per panel (the kernel's block) */
#define MR 6   /* pixels per tile */

typedef struct small_packed {
	enpu_op_cache_t base;
	uint32_t panels, qpr; /* 16-channel panels; element pairs per kernel row */
	int8_t *w;            /* [k_h * qpr][panels][16][2] */
	int32_t *beff;        /* [panels * 16]: bias - zp * sum(w) */
	cpu_rq8_t *rq;        /* [panels * 2] */
	bool any_left;
} small_packed_t;

static void packed_free(enpu_op_cache_t *c)
{
	small_packed_t *p = (small_packed_t *)c;
	free(p->w);
	free(p->beff);
	free(p->rq);
	free(p);
}

static enpu_op_cache_t *pack(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias)
{
	const uint32_t co = c->out_c, s = c->in_c * c->k_w, kh = c->k_h;
	small_packed_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base.key = &cpu_conv_small_avx2;
	p->base.destroy = packed_free;
	p->panels = (co + NR - 1) / NR;
	p->qpr = (s + 1) / 2;
	size_t nq = (size_t)kh * p->qpr;
	p->w = aligned_alloc(32, nq * p->panels * NR * 2);
	p->beff = aligned_alloc(32, (size_t)p->panels * NR * sizeof(int32_t));
	p->rq = aligned_alloc(32, (size_t)p->panels * 2 * sizeof(cpu_rq8_t));
	if (!p->w || !p->beff || !p->rq) {
		packed_free(&p->base);
		return NULL;
	}
	/* inputs as int16 x, padding zp */
	cpu_conv_small_pack(c, f, bias, 2, 0, NR, p->panels, c->in_zp, p->w, p->beff);
	for (uint32_t v = 0; v < p->panels * 2; v++) {
		uint32_t o = v * 8, n = o < co ? (co - o < 8 ? co - o : 8) : 0;
		cpu_rq8_prepare(&p->rq[v], n ? c->mult + o : NULL, n ? c->shift + o : NULL, n);
		p->any_left |= p->rq[v].any_left;
	}
	return &p->base;
}

/* A row buffer's int16 elements: one past the last column's (read by an
 * odd S's last pair), rounded up. */
static size_t row_elems(const enpu_conv_op_t *c)
{
	return (cpu_conv_small_columns(c) * c->in_c + 1 + 15) / 16 * 16;
}

static size_t scratch_bytes(const enpu_conv_op_t *c, uint32_t nb)
{
	(void)nb;
	return c->k_h * row_elems(c) * sizeof(int16_t);
}

/* rows[kh]: padded input row oh * stride_h - pad_t + kh * dil_h as int16. */
static void fill_rows(const enpu_conv_op_t *c, const int8_t *in, uint32_t oh, int16_t *rows)
{
	const size_t cin = c->in_c, lr = row_elems(c);
	const int16_t zp = (int16_t)c->in_zp;
	size_t lo, hi;
	cpu_conv_small_span(c, &lo, &hi);
	for (uint32_t kh = 0; kh < c->k_h; kh++) {
		int16_t *r = rows + kh * lr;
		int64_t ih;
		bool inside = enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih);
		size_t i = 0;
		if (inside) {
			const int8_t *src = cpu_conv_small_row(c, in, ih, lo, hi);
			for (; i < lo * cin; i++)
				r[i] = zp;
			for (; i < hi * cin; i++)
				r[i] = *src++;
		}
		for (; i < lr; i++)
			r[i] = zp;
	}
}

/* Output pixels [ow, ow + mr) of panel pn from row buffers lr elements
 * apart: sums over all kernel rows in registers, then the output stage. */
static inline __attribute__((always_inline)) void
tile(const enpu_conv_op_t *c, const small_packed_t *p, const int16_t *rows, size_t lr,
     int8_t *out, size_t ow, uint32_t pn, const int mr, const __m256i zp16, const __m128i lo8,
     const __m128i hi8)
{
	const size_t step = (size_t)c->stride_w * c->in_c;
	const size_t wstep = (size_t)p->panels * NR * 2;
	const int32_t *beff = p->beff + (size_t)pn * NR;
	__m256i acc[MR][2];
	for (int i = 0; i < mr; i++) {
		acc[i][0] = _mm256_load_si256((const __m256i *)beff);
		acc[i][1] = _mm256_load_si256((const __m256i *)beff + 1);
	}
	const int8_t *w = p->w + (size_t)pn * NR * 2;
	const int16_t *src = rows + ow * step;
	for (uint32_t kh = 0; kh < c->k_h; kh++, src += lr)
		for (uint32_t q = 0; q < p->qpr; q++, w += wstep) {
			__m256i b0 = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)w));
			__m256i b1 = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)w + 1));
			for (int i = 0; i < mr; i++) {
				int32_t v;
				memcpy(&v, src + i * step + 2 * q, sizeof(v));
				__m256i a = _mm256_set1_epi32(v);
				acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(a, b0));
				acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(a, b1));
			}
		}
	const cpu_rq8_t *rq = p->rq + (size_t)pn * 2;
	const size_t c0 = (size_t)pn * NR, n = c->out_c - c0 < NR ? c->out_c - c0 : NR;
	int8_t *o = out + ow * c->out_c + c0;
	const bool relu = q_out_relu(c->out_zp, c->clamp.qmin);
	for (int i = 0; i < mr; i++, o += c->out_c) {
		__m128i r = rq8_out16_cols(rq8_apply(acc[i][0], rq, p->any_left, relu),
					   rq8_apply(acc[i][1], rq + 1, p->any_left, relu),
					   zp16, lo8, hi8);
		if (n == NR)
			_mm_storeu_si128((__m128i *)o, r);
		else {
			int8_t tmp[NR];
			_mm_storeu_si128((__m128i *)tmp, r);
			memcpy(o, tmp, n);
		}
	}
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const small_packed_t *p = (const small_packed_t *)packed;
	int16_t *rows = scratch;
	const size_t lr = row_elems(c);
	fill_rows(c, in + (size_t)n * c->in_h * c->in_w * c->in_c, oh, rows);
	out += ((size_t)n * c->out_h + oh) * c->out_w * c->out_c;
	const __m256i zp16 = _mm256_set1_epi16((short)c->out_zp);
	const __m128i lo8 = _mm_set1_epi8((char)c->clamp.qmin), hi8 = _mm_set1_epi8((char)c->clamp.qmax);
	for (uint32_t pn = b0; pn < b0 + nb; pn++) {
		size_t ow = 0;
		for (; ow + MR <= c->out_w; ow += MR)
			tile(c, p, rows, lr, out, ow, pn, MR, zp16, lo8, hi8);
		switch (c->out_w - ow) {
		case 1: tile(c, p, rows, lr, out, ow, pn, 1, zp16, lo8, hi8); break;
		case 2: tile(c, p, rows, lr, out, ow, pn, 2, zp16, lo8, hi8); break;
		case 3: tile(c, p, rows, lr, out, ow, pn, 3, zp16, lo8, hi8); break;
		case 4: tile(c, p, rows, lr, out, ow, pn, 4, zp16, lo8, hi8); break;
		case 5: tile(c, p, rows, lr, out, ow, pn, 5, zp16, lo8, hi8); break;
		default: break;
		}
	}
}

static uint32_t rows_per_task(const enpu_conv_op_t *c)
{
	(void)c;
	return 1;
}

const cpu_conv_kernel_t cpu_conv_small_avx2 = {
	.cblock = NR, .macs_per_thread = 20, .accepts = cpu_conv_small_accepts, .pack = pack,
	.scratch_bytes = scratch_bytes, .rows_per_task = rows_per_task, .row = row,
};
