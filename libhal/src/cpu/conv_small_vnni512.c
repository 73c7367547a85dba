/* SPDX-License-Identifier: MIT */
/* AVX-512 VNNI direct int8 convolution for few input channels (first layers:
 * Cin <= 4, Cin * KW <= 16, groups 1, no horizontal dilation). In NHWC one
 * kernel row of one output pixel is S = KW * Cin adjacent input bytes; each
 * output row copies the KH input rows it reads (+128, padding holding the
 * zero point) into row buffers, and every 4 bytes of a kernel row are one
 * broadcast vpdpbusd against 16 output channels of weights packed
 * [kernel row][dword][channel][4] (bytes past S have zero weights, so
 * whatever the dword holds there adds nothing). As padding holds the zero
 * point, the correction -(128 + zp) * sum(w) is a constant folded into the
 * bias. 4 output pixels share each weight load; channels go in blocks of up
 * to 4 x 16. Requantization: rq16.h. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include "conv_kernels.h"
#include "conv_small.h"
#include "requant_avx512.h"

#define CB 64u

typedef struct small_packed {
	enpu_op_cache_t base;
	uint32_t blocks, qpr;   /* channel blocks; dwords per kernel row */
	int8_t *w;              /* [k_h * qpr][blocks][4][16][4] */
	int32_t *beff;          /* [blocks * 64] */
	cpu_rq16_t *rq;         /* [blocks * 4] */
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
	p->base.key = &cpu_conv_small_vnni512;
	p->base.destroy = packed_free;
	p->blocks = (co + CB - 1) / CB;
	p->qpr = (s + 3) / 4;
	size_t nq = (size_t)kh * p->qpr;
	p->w = aligned_alloc(64, nq * p->blocks * CB * 4);
	p->beff = aligned_alloc(64, (size_t)p->blocks * CB * sizeof(int32_t));
	p->rq = aligned_alloc(64, (size_t)p->blocks * 4 * sizeof(cpu_rq16_t));
	if (!p->w || !p->beff || !p->rq) {
		packed_free(&p->base);
		return NULL;
	}
	/* inputs + 128 (u8 for vpdpbusd), padding zp + 128 */
	cpu_conv_small_pack(c, f, bias, 4, CB, p->blocks, 128 + c->in_zp, p->w, p->beff);
	for (uint32_t v = 0; v < p->blocks * 4; v++) {
		uint32_t o = v * 16, n = o < co ? (co - o < 16 ? co - o : 16) : 0;
		cpu_rq16_prepare(&p->rq[v], n ? c->mult + o : NULL, n ? c->shift + o : NULL, n);
		p->any_left |= p->rq[v].any_left;
	}
	return &p->base;
}

/* The row buffer stride. */
static size_t row_bytes(const enpu_conv_op_t *c)
{
	return (cpu_conv_small_columns(c) * c->in_c + 4 + 63) / 64 * 64;
}

static size_t scratch_bytes(const enpu_conv_op_t *c, uint32_t nb)
{
	(void)nb;
	return c->k_h * row_bytes(c);
}

/* rows[kh]: padded input row oh * stride_h - pad_t + kh * dil_h, +128. */
static void fill_rows(const enpu_conv_op_t *c, const int8_t *in, uint32_t oh, uint8_t *rows)
{
	const size_t cin = c->in_c, lr = row_bytes(c);
	const uint8_t pad = (uint8_t)((int8_t)c->in_zp ^ 0x80);
	size_t lo, hi;
	cpu_conv_small_span(c, &lo, &hi);
	for (uint32_t kh = 0; kh < c->k_h; kh++) {
		uint8_t *r = rows + kh * lr;
		int64_t ih = (int64_t)oh * c->stride_h - c->pad_t + (int64_t)kh * c->dil_h;
		if (ih < 0 || ih >= (int64_t)c->in_h) {
			memset(r, pad, lr);
			continue;
		}
		const int8_t *src = cpu_conv_small_row(c, in, ih, lo, hi);
		memset(r, pad, lo * cin);
		const __m512i flip = _mm512_set1_epi8((char)0x80);
		for (size_t i = lo * cin; i < hi * cin; i += 64, src += 64) {
			size_t left = hi * cin - i;
			__mmask64 m = left >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << left) - 1;
			_mm512_mask_storeu_epi8(r + i, m,
						_mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src), flip));
		}
		memset(r + hi * cin, pad, lr - hi * cin);
	}
}

static inline __m512i bcast(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, sizeof(v));
	return _mm512_set1_epi32(v);
}

/* Sums of P output pixels from ow, NV vectors of block b, stored to dst
 * ([P][4][16]). */
static inline __attribute__((always_inline)) void
sums(const enpu_conv_op_t *c, const small_packed_t *p, const uint8_t *rows, size_t ow,
     uint32_t b, int P, int NV, int32_t *dst)
{
	const size_t lr = row_bytes(c), step = (size_t)c->stride_w * c->in_c, qpr = p->qpr;
	const int32_t *beff = p->beff + (size_t)b * CB;
	__m512i acc[8][4];
	for (int i = 0; i < P; i++)
		for (int v = 0; v < NV; v++)
			acc[i][v] = _mm512_load_si512(beff + 16 * v);
	const int8_t *w = p->w + (size_t)b * CB * 4;
	const size_t wstep = (size_t)p->blocks * CB * 4;
	const uint8_t *src = rows + ow * step;
	for (uint32_t kh = 0; kh < c->k_h; kh++, src += lr)
		for (size_t q = 0; q < qpr; q++, w += wstep) {
			__m512i wv[4];
			for (int v = 0; v < NV; v++)
				wv[v] = _mm512_load_si512(w + 64 * v);
			for (int i = 0; i < P; i++) {
				__m512i a = bcast(src + i * step + q * 4);
				for (int v = 0; v < NV; v++)
					acc[i][v] = _mm512_dpbusd_epi32(acc[i][v], a, wv[v]);
			}
		}
	for (int i = 0; i < P; i++)
		for (int v = 0; v < NV; v++)
			_mm512_store_si512(dst + (i * 4 + v) * 16, acc[i][v]);
}

/* Output stage of P pixels from ow, NV vectors of block b, from their sums
 * ([P][4][16], requantized in place): one channel vector of all P pixels at
 * a time, with its parameters in registers. With NV <= 2 the 32 channels of
 * two pixels share one packing (out64) and one 64-byte vector. */
static inline __attribute__((always_inline)) void
outputs(const enpu_conv_op_t *c, const small_packed_t *p, int8_t *out, size_t ow, uint32_t b,
	int P, int NV, bool any_left, int32_t *sum)
{
	const cpu_rq16_t *rq = p->rq + (size_t)b * 4;
	for (int v = 0; v < NV; v++) {
		const rq16_regs_t k = rq16_load(rq + v);
		for (int px = 0; px < P; px++) {
			__m512i *x = (__m512i *)(sum + (px * 4 + v) * 16);
			*x = rq16_right_regs(any_left ? rq16_left(*x, rq + v) : *x, &k);
		}
	}
	const __m512i zp16 = _mm512_set1_epi16((short)c->out_zp);
	const __m512i lo8 = _mm512_set1_epi8((char)c->clamp.qmin), hi8 = _mm512_set1_epi8((char)c->clamp.qmax);
	size_t c0 = (size_t)b * CB, n = c->out_c - c0 < CB ? c->out_c - c0 : CB;
	int8_t *o = out + ow * c->out_c + c0;
	const int pv = NV <= 2 ? 2 : 1; /* pixels per packed vector */
	for (int i = 0; i < P; i += pv) {
		__m512i r[4];
		for (int v = 0; v < 4; v++) {
			int px = i + v / (4 / pv), vv = v % (4 / pv);
			r[v] = px < P && vv < NV ? _mm512_load_si512(sum + (px * 4 + vv) * 16)
						 : _mm512_setzero_si512();
		}
		__m512i q = out64_cols(r[0], r[1], r[2], r[3], zp16, lo8, hi8);
		if (pv == 1) {
			__mmask64 m = n == CB ? ~(__mmask64)0 : ((__mmask64)1 << n) - 1;
			_mm512_mask_storeu_epi8(o + (size_t)i * c->out_c, m, q);
		} else if (n == 32 && c->out_c == 32 && i + 1 < P) {
			_mm512_storeu_si512(o + (size_t)i * 32, q);
		} else {
			__mmask32 m = n >= 32 ? ~(__mmask32)0 : ((__mmask32)1 << n) - 1;
			_mm256_mask_storeu_epi8(o + (size_t)i * c->out_c, m, _mm512_castsi512_si256(q));
			if (i + 1 < P)
				_mm256_mask_storeu_epi8(o + (size_t)(i + 1) * c->out_c, m,
							_mm512_extracti64x4_epi64(q, 1));
		}
	}
}

/* Groups of P pixels (8, or 4 with 3 or 4 vectors: 24 accumulators at
 * most), then single pixels. The sums go through memory (requantizing the
 * accumulators in registers ran ~10% slower: gcc spilled), and each group's
 * output stage comes after the next group's sums. */
static inline __attribute__((always_inline)) void
row_nv(const enpu_conv_op_t *c, const small_packed_t *p, const uint8_t *rows, int8_t *out,
       uint32_t b, int NV, bool any_left)
{
	const int P = NV <= 2 ? 8 : 4;
	int32_t buf[2][8 * 4 * 16] __attribute__((aligned(64)));
	size_t ow = 0, prev = 0;
	int t = 0;
	for (; ow + P <= c->out_w; ow += P, t ^= 1) {
		sums(c, p, rows, ow, b, P, NV, buf[t]);
		if (ow)
			outputs(c, p, out, prev, b, P, NV, any_left, buf[t ^ 1]);
		prev = ow;
	}
	if (ow)
		outputs(c, p, out, prev, b, P, NV, any_left, buf[t ^ 1]);
	for (; ow < c->out_w; ow++) {
		sums(c, p, rows, ow, b, 1, NV, buf[0]);
		outputs(c, p, out, ow, b, 1, NV, any_left, buf[0]);
	}
}

static inline __attribute__((always_inline)) void
row_any(const enpu_conv_op_t *c, const small_packed_t *p, const uint8_t *rows, int8_t *out,
	uint32_t b, bool any_left)
{
	switch ((c->out_c - b * CB + 15) / 16) {
	case 1: row_nv(c, p, rows, out, b, 1, any_left); break;
	case 2: row_nv(c, p, rows, out, b, 2, any_left); break;
	case 3: row_nv(c, p, rows, out, b, 3, any_left); break;
	default: row_nv(c, p, rows, out, b, 4, any_left); break;
	}
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const small_packed_t *p = (const small_packed_t *)packed;
	uint8_t *rows = scratch;
	fill_rows(c, in + (size_t)n * c->in_h * c->in_w * c->in_c, oh, rows);
	out += ((size_t)n * c->out_h + oh) * c->out_w * c->out_c;
	for (uint32_t b = b0; b < b0 + nb; b++) {
		if (p->any_left)
			row_any(c, p, rows, out, b, true);
		else
			row_any(c, p, rows, out, b, false);
	}
}

static uint32_t rows_per_task(const enpu_conv_op_t *c)
{
	(void)c;
	return 1;
}

const cpu_conv_kernel_t cpu_conv_small_vnni512 = {
	.cblock = CB, .macs_per_thread = 22, .accepts = cpu_conv_small_accepts, .pack = pack,
	.scratch_bytes = scratch_bytes, .rows_per_task = rows_per_task, .row = row,
};
