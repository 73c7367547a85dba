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
 * bias. Where kernel rows end in a part dword (S = 9: 3 dwords for 9
 * bytes), the rows' last S % 4 bytes go instead to dwords of their own,
 * all rows' together ("tails", copied per output row: the 3x3x3 first
 * layer's 9 dwords per pixel become 7). 4 output pixels share each weight
 * load; channels go in blocks of up to 4 x 16. Requantization: rq16.h, or
 * where the sums' bounds allow, rq16_hi.h's cheaper form, run within the
 * next pixels' sums (group_hi). */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include "conv_kernels.h"
#include "conv_small.h"
#include "requant_avx512.h"

#define CB 64u
#define MAX_STEPS 64u /* dwords per pixel where p->hi is set */

typedef struct small_packed {
	enpu_op_cache_t base;
	uint32_t blocks, qrow;  /* channel blocks; dwords per kernel row */
	uint32_t tails;         /* 1: the rows' last bytes in a dword of their own */
	int8_t *w;              /* [k_h * qrow + tails][blocks][4][16][4] */
	int32_t *beff;          /* [blocks * 64] */
	cpu_rq16_t *rq;         /* [blocks * 4] */
	cpu_rq16_hi_t *hi;      /* [blocks * 4] where every channel qualifies, else NULL */
	bool any_left;
	bool zp_folded;         /* rq gives mbqm + out_zp (cpu_rq16_fold_zp) */
} small_packed_t;

static void packed_free(enpu_op_cache_t *c)
{
	small_packed_t *p = (small_packed_t *)c;
	free(p->w);
	free(p->beff);
	free(p->rq);
	free(p->hi);
	free(p);
}

/* 1 where the last S % 4 bytes of all kernel rows fit one dword (and
 * there are two rows or more) and fill_tails can gather them, else 0 */
static uint32_t tail_dwords(const enpu_conv_op_t *c)
{
	uint32_t rem = c->in_c * c->k_w % 4, step = c->stride_w * c->in_c;
	return rem && c->k_h >= 2 && c->k_h * rem <= 4 && step % 2 == 0 && step <= 8;
}

/* rq16_hi.h's parameters where every channel's sums are bounded to fit
 * them (else NULL): the inputs the kernel multiplies are bytes 0..255, so
 * a channel's sum lies in beff + 255 * [sum of its negative weights, sum
 * of its positive weights], unless that range leaves int32 (the sums wrap). */
static cpu_rq16_hi_t *hi_params(const enpu_conv_op_t *c, const small_packed_t *p)
{
	const uint32_t co = c->out_c;
	const size_t nq = (size_t)c->k_h * p->qrow + p->tails;
	if (nq > MAX_STEPS)
		return NULL;
	cpu_rq16_hi_t *hi = aligned_alloc(64, (size_t)p->blocks * 4 * sizeof(*hi));
	if (!hi)
		return NULL;
	for (uint32_t v = 0; v < p->blocks * 4; v++) {
		uint32_t o0 = v * 16, n = o0 < co ? (co - o0 < 16 ? co - o0 : 16) : 0;
		int64_t xmax[16];
		for (uint32_t l = 0; l < n; l++) {
			uint32_t o = o0 + l;
			int64_t neg = 0, pos = 0;
			for (size_t q = 0; q < nq; q++)
				for (uint32_t r = 0; r < 4; r++) {
					int8_t w = p->w[((q * p->blocks + o / CB) * CB + o % CB) * 4 + r];
					*(w < 0 ? &neg : &pos) += w;
				}
			int64_t lo = p->beff[o] + 255 * neg, up = p->beff[o] + 255 * pos;
			xmax[l] = lo < INT32_MIN || up > INT32_MAX ? INT64_MAX : up > -lo ? up : -lo;
		}
		if (!cpu_rq16_hi_prepare(&hi[v], n ? c->mult + o0 : NULL, n ? c->shift + o0 : NULL, n,
					 c->out_zp, xmax)) {
			free(hi);
			return NULL;
		}
	}
	return hi;
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
	p->tails = tail_dwords(c);
	p->qrow = p->tails ? s / 4 : (s + 3) / 4;
	size_t nq = (size_t)kh * p->qrow + p->tails;
	p->w = aligned_alloc(64, nq * p->blocks * CB * 4);
	p->beff = aligned_alloc(64, (size_t)p->blocks * CB * sizeof(int32_t));
	p->rq = aligned_alloc(64, (size_t)p->blocks * 4 * sizeof(cpu_rq16_t));
	if (!p->w || !p->beff || !p->rq) {
		packed_free(&p->base);
		return NULL;
	}
	/* inputs + 128 (u8 for vpdpbusd), padding zp + 128 */
	cpu_conv_small_pack(c, f, bias, 4, p->tails, CB, p->blocks, 128 + c->in_zp, p->w, p->beff);
	for (uint32_t v = 0; v < p->blocks * 4; v++) {
		uint32_t o = v * 16, n = o < co ? (co - o < 16 ? co - o : 16) : 0;
		cpu_rq16_prepare(&p->rq[v], n ? c->mult + o : NULL, n ? c->shift + o : NULL, n);
		p->any_left |= p->rq[v].any_left;
	}
	/* the zero point in the rounding where every vector takes it: the output
	 * stage's add gone (first layer 2-3% faster) */
	p->zp_folded = !p->any_left;
	for (uint32_t v = 0; v < p->blocks * 4 && p->zp_folded; v++)
		p->zp_folded = cpu_rq16_fold_zp(&p->rq[v], c->out_zp, false);
	for (uint32_t v = 0; v < p->blocks * 4 && p->zp_folded; v++)
		cpu_rq16_fold_zp(&p->rq[v], c->out_zp, true);
	p->hi = hi_params(c, p);
	return &p->base;
}

/* The row buffer stride. */
static size_t row_bytes(const enpu_conv_op_t *c)
{
	return (cpu_conv_small_columns(c) * c->in_c + 4 + 63) / 64 * 64;
}

/* The tail dwords of one output row: [out_w][4 bytes] */
static size_t tail_bytes(const enpu_conv_op_t *c)
{
	return ((size_t)c->out_w * tail_dwords(c) * 4 + 63) / 64 * 64;
}

static size_t scratch_bytes(const enpu_conv_op_t *c, uint32_t nb)
{
	(void)nb;
	return c->k_h * row_bytes(c) + tail_bytes(c);
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

/* Each output pixel's tail dword: the last S % 4 bytes of its kernel rows
 * from the row buffers, row after row (then zeros), 16 pixels at a time.
 * With step = stride_w * Cin even and at most 8, the 16 pixels' bytes of
 * one kernel row lie in 64 words (one vpermt2w picks them), each in the
 * same half of its word. */
static void fill_tails(const enpu_conv_op_t *c, const uint8_t *rows, uint8_t *t)
{
	const size_t lr = row_bytes(c);
	const uint32_t step = c->stride_w * c->in_c, s = c->in_c * c->k_w, rem = s % 4;
	const uint32_t words = (uint32_t)(lr / 2);
	/* word 2l of the result: word l * step / 2 of the window */
	const __m512i idx = _mm512_srli_epi32(
		_mm512_mullo_epi32(_mm512_set1_epi32((int)step),
				   _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)),
		1);
	const __m512i byte = _mm512_set1_epi32(0xff);
	for (uint32_t ow = 0; ow < c->out_w; ow += 16) {
		__mmask16 m = c->out_w - ow >= 16 ? 0xffff : (__mmask16)((1u << (c->out_w - ow)) - 1);
		__m512i v = _mm512_setzero_si512();
		for (uint32_t i = 0; i < c->k_h * rem; i++) {
			uint32_t off = ow * step + s / 4 * 4 + i % rem, w0 = off / 2;
			const int16_t *src = (const int16_t *)(rows + i / rem * lr) + w0;
			/* the window's words inside the row buffer: masked loads */
			uint32_t n = words - w0;
			__mmask32 m0 = n >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << n) - 1);
			__mmask32 m1 = n >= 64 ? ~(__mmask32)0 : n <= 32 ? 0 : (((__mmask32)1 << (n - 32)) - 1);
			__m512i lo = _mm512_maskz_loadu_epi16(m0, src);
			__m512i hi = _mm512_maskz_loadu_epi16(m1, src + 32);
			__m512i x = _mm512_permutex2var_epi16(lo, idx, hi);
			if (off % 2)
				x = _mm512_srli_epi32(x, 8);
			v = _mm512_or_si512(v, _mm512_slli_epi32(_mm512_and_si512(x, byte), 8 * i));
		}
		_mm512_mask_storeu_epi32(t + (size_t)ow * 4, m, v);
	}
}

static inline __m512i bcast(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, sizeof(v));
	return _mm512_set1_epi32(v);
}

/* acc[i][v] += the dword at a + i * pstride (pixel i) times the weights of
 * one dword at w (vector v) */
static inline __attribute__((always_inline)) void
madd(__m512i acc[8][4], const int8_t *w, const uint8_t *a, size_t pstride, int P, int NV)
{
	__m512i wv[4];
	for (int v = 0; v < NV; v++)
		wv[v] = _mm512_load_si512(w + 64 * v);
	for (int i = 0; i < P; i++) {
		__m512i x = bcast(a + i * pstride);
		for (int v = 0; v < NV; v++)
			acc[i][v] = _mm512_dpbusd_epi32(acc[i][v], x, wv[v]);
	}
}

/* Sums of P output pixels from ow, NV vectors of block b, stored to dst
 * ([P][4][16]). */
static inline __attribute__((always_inline)) void
sums_to(const enpu_conv_op_t *c, const small_packed_t *p, const uint8_t *rows,
	const uint8_t *tails, size_t ow, uint32_t b, int P, int NV, int32_t *dst)
{
	const size_t lr = row_bytes(c), step = (size_t)c->stride_w * c->in_c, qrow = p->qrow;
	const int32_t *beff = p->beff + (size_t)b * CB;
	__m512i acc[8][4];
	for (int i = 0; i < P; i++)
		for (int v = 0; v < NV; v++)
			acc[i][v] = _mm512_load_si512(beff + 16 * v);
	const int8_t *w = p->w + (size_t)b * CB * 4;
	const size_t wstep = (size_t)p->blocks * CB * 4;
	const uint8_t *src = rows + ow * step;
	for (uint32_t kh = 0; kh < c->k_h; kh++, src += lr)
		for (size_t q = 0; q < qrow; q++, w += wstep)
			madd(acc, w, src + q * 4, step, P, NV);
	if (p->tails)
		madd(acc, w, tails + ow * 4, 4, P, NV);
	for (int i = 0; i < P; i++)
		for (int v = 0; v < NV; v++)
			_mm512_store_si512(dst + (i * 4 + v) * 16, acc[i][v]);
}

/* Packs and stores P pixels' requantized vectors (res[P][NV]) of channels
 * c0 on, n of them (at most 16 * NV), from ow. With NV <= 2 the 32 channels
 * of two pixels share one packing (out64) and one 64-byte vector. */
static inline __attribute__((always_inline)) void
store_px(const enpu_conv_op_t *c, int8_t *out, size_t ow, size_t c0, size_t n, int P, int NV,
	 bool add_zp, bool clamp, __m512i res[8][4])
{
	const __m512i zp16 = _mm512_set1_epi16((short)c->out_zp);
	const __m512i lo8 = _mm512_set1_epi8((char)c->clamp.qmin);
	const __m512i hi8 = _mm512_set1_epi8((char)c->clamp.qmax);
	int8_t *o = out + ow * c->out_c + c0;
	const int pv = NV <= 2 ? 2 : 1; /* pixels per packed vector */
	for (int i = 0; i < P; i += pv) {
		__m512i r[4];
		for (int v = 0; v < 4; v++) {
			int px = i + v / (4 / pv), vv = v % (4 / pv);
			r[v] = px < P && vv < NV ? res[px][vv] : _mm512_setzero_si512();
		}
		__m512i q = out64_cols(r[0], r[1], r[2], r[3], zp16, lo8, hi8, add_zp, clamp);
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

/* Output stage of P pixels from ow, NV vectors of block b, from their sums
 * ([P][4][16]) with rq16: one channel vector of all P pixels at a time, with
 * its parameters in registers, the results kept in registers for the
 * packing (P * NV <= 16; storing them back to sum and loading them again
 * was 1.5% slower on the first layer). */
static inline __attribute__((always_inline)) void
outputs(const enpu_conv_op_t *c, const small_packed_t *p, int8_t *out, size_t ow, uint32_t b,
	int P, int NV, rq16_mode_t mode, bool add_zp, bool clamp, int32_t *sum)
{
	const cpu_rq16_t *rq = p->rq + (size_t)b * 4;
	__m512i res[8][4];
	for (int v = 0; v < NV; v++) {
		const rq16_regs_t k = rq16_load(rq + v);
		for (int px = 0; px < P; px++)
			res[px][v] = rq16_mode_regs(_mm512_load_si512(sum + (px * 4 + v) * 16), rq + v,
						    &k, mode);
	}
	size_t c0 = (size_t)b * CB;
	store_px(c, out, ow, c0, c->out_c - c0 < CB ? c->out_c - c0 : CB, P, NV, add_zp, clamp, res);
}

/* The output stage with rq16_hi.h's parameters of the NV vectors from
 * vector g (channel 16 g) from the sums in registers (acc[P][NV],
 * requantized in place). */
static inline __attribute__((always_inline)) void
outputs_hi(const enpu_conv_op_t *c, const small_packed_t *p, int8_t *out, size_t ow, uint32_t g,
	   int P, int NV, bool relu, bool clamp, __m512i acc[8][4])
{
	for (int v = 0; v < NV; v++) {
		const rq16_hi_regs_t k = rq16_hi_load(p->hi + g + v);
		for (int px = 0; px < P; px++)
			acc[px][v] = rq16_hi_regs(acc[px][v], &k, relu);
	}
	size_t c0 = (size_t)g * 16;
	store_px(c, out, ow, c0, c->out_c - c0 < 16u * NV ? c->out_c - c0 : 16u * NV, P, NV, false,
		 clamp, acc);
}

/* Groups of P pixels (8, or 4 with 3 or 4 vectors: 24 accumulators at
 * most), then single pixels. The sums go through memory (requantizing the
 * accumulators in registers with rq16.h's eight vectors of parameters ran
 * ~10% slower: gcc spilled), and each group's output stage comes after the
 * next group's sums. */
static inline __attribute__((always_inline)) void
row_nv(const enpu_conv_op_t *c, const small_packed_t *p, const uint8_t *rows,
       const uint8_t *tails, int8_t *out, uint32_t b, int NV, rq16_mode_t mode, bool add_zp,
       bool clamp)
{
	const int P = NV <= 2 ? 8 : 4;
	int32_t buf[2][8 * 4 * 16] __attribute__((aligned(64)));
	size_t ow = 0, prev = 0;
	int t = 0;
	for (; ow + P <= c->out_w; ow += P, t ^= 1) {
		sums_to(c, p, rows, tails, ow, b, P, NV, buf[t]);
		if (ow)
			outputs(c, p, out, prev, b, P, NV, mode, add_zp, clamp, buf[t ^ 1]);
		prev = ow;
	}
	if (ow)
		outputs(c, p, out, prev, b, P, NV, mode, add_zp, clamp, buf[t ^ 1]);
	for (; ow < c->out_w; ow++) {
		sums_to(c, p, rows, tails, ow, b, 1, NV, buf[0]);
		outputs(c, p, out, ow, b, 1, NV, mode, add_zp, clamp, buf[0]);
	}
}

/* Where the dwords of one pixel's kernel rows start (pixel 0 of the output
 * row) and the bytes from one pixel's to the next's, step by step: the
 * kernel rows' dwords in the row buffers, then the tail dword. */
typedef struct steps {
	const uint8_t *base[MAX_STEPS];
	size_t stride[MAX_STEPS];
	uint32_t n;
} steps_t;

static void steps_init(const enpu_conv_op_t *c, const small_packed_t *p, const uint8_t *rows,
		       const uint8_t *tails, steps_t *st)
{
	const size_t lr = row_bytes(c), step = (size_t)c->stride_w * c->in_c;
	st->n = 0;
	for (uint32_t kh = 0; kh < c->k_h; kh++)
		for (uint32_t q = 0; q < p->qrow; q++, st->n++) {
			st->base[st->n] = rows + kh * lr + q * 4;
			st->stride[st->n] = step;
		}
	if (p->tails) {
		st->base[st->n] = tails;
		st->stride[st->n++] = 4;
	}
}

/* One group of P pixels from ow: its sums into cur, and with prev the
 * previous group's output stage (at ow - P), one vector of one pixel after
 * each of the first P * NV steps of the sums. The sums are vpdpbusd on two
 * of Zen 4's four vector pipes, the output stage mostly work for the other
 * two; 512-bit stores take vpdpbusd's slots. Interleaved like this the
 * first layer took 87 us, against 102 with the sums stored and loaded
 * again (row_nv) and 105 with the output stage after the sums. */
static inline __attribute__((always_inline)) void
group_hi(const enpu_conv_op_t *c, const small_packed_t *p, const steps_t *st, int8_t *out,
	 size_t ow, uint32_t g, int P, int NV, bool prev_group, bool relu, bool clamp,
	 __m512i cur[8][4], __m512i prev[8][4])
{
	const int32_t *beff = p->beff + (size_t)g * 16;
	const int8_t *w = p->w + (size_t)g * 64; /* vector g % 4 of block g / 4 */
	const size_t wstep = (size_t)p->blocks * CB * 4;
	const cpu_rq16_hi_t *hi = p->hi + g;
	for (int i = 0; i < P; i++)
		for (int v = 0; v < NV; v++)
			cur[i][v] = _mm512_load_si512(beff + 16 * v);
	rq16_hi_regs_t k;
#pragma GCC unroll 16
	for (int s = 0; s < P * NV; s++) {
		if ((uint32_t)s < st->n) {
			madd(cur, w, st->base[s] + ow * st->stride[s], st->stride[s], P, NV);
			w += wstep;
		}
		if (prev_group) {
			int v = s / P, px = s % P;
			if (px == 0)
				k = rq16_hi_load(hi + v);
			prev[px][v] = rq16_hi_regs(prev[px][v], &k, relu);
		}
	}
	for (uint32_t s = P * NV; s < st->n; s++, w += wstep)
		madd(cur, w, st->base[s] + ow * st->stride[s], st->stride[s], P, NV);
	if (prev_group) {
		size_t c0 = (size_t)g * 16;
		store_px(c, out, ow - P, c0, c->out_c - c0 < 16u * NV ? c->out_c - c0 : 16u * NV, P,
			 NV, false, clamp, prev);
	}
}

/* row_nv with rq16_hi.h's parameters (five vectors, not eight) for the NV
 * (1 or 2) vectors of channels from vector g, the sums in registers: groups
 * of P = 8 / NV pixels, each group's output stage within the next group's
 * sums (group_hi), then single pixels. */
static inline __attribute__((always_inline)) void
row_nv_hi(const enpu_conv_op_t *c, const small_packed_t *p, const steps_t *st, int8_t *out,
	  uint32_t g, int NV, bool relu, bool clamp)
{
	const int P = 8 / NV;
	__m512i x[8][4], y[8][4]; /* two groups' sums, in turn */
	size_t ow = 0;
	if (c->out_w >= (uint32_t)P) {
		group_hi(c, p, st, out, 0, g, P, NV, false, relu, clamp, x, y);
		for (ow = P; ow + 2 * P <= c->out_w; ow += 2 * P) {
			group_hi(c, p, st, out, ow, g, P, NV, true, relu, clamp, y, x);
			group_hi(c, p, st, out, ow + P, g, P, NV, true, relu, clamp, x, y);
		}
		if (ow + P <= c->out_w) {
			group_hi(c, p, st, out, ow, g, P, NV, true, relu, clamp, y, x);
			ow += P;
			outputs_hi(c, p, out, ow - P, g, P, NV, relu, clamp, y);
		} else {
			outputs_hi(c, p, out, ow - P, g, P, NV, relu, clamp, x);
		}
	}
	for (; ow < c->out_w; ow++) {
		group_hi(c, p, st, out, ow, g, 1, NV, false, relu, clamp, x, y);
		outputs_hi(c, p, out, ow, g, 1, NV, relu, clamp, x);
	}
}

static inline __attribute__((always_inline)) void
row_any(const enpu_conv_op_t *c, const small_packed_t *p, const uint8_t *rows,
	const uint8_t *tails, int8_t *out, uint32_t b, rq16_mode_t mode, bool add_zp, bool clamp)
{
	switch ((c->out_c - b * CB + 15) / 16) {
	case 1: row_nv(c, p, rows, tails, out, b, 1, mode, add_zp, clamp); break;
	case 2: row_nv(c, p, rows, tails, out, b, 2, mode, add_zp, clamp); break;
	case 3: row_nv(c, p, rows, tails, out, b, 3, mode, add_zp, clamp); break;
	default: row_nv(c, p, rows, tails, out, b, 4, mode, add_zp, clamp); break;
	}
}

/* Block b in passes over 32 channels (16 in the last where fewer are left):
 * 48 or 64 channels in one pass left registers for two pixels a group,
 * which ran 7% slower than row_any (the VGG first layer, 224x224x3 -> 64,
 * x0.97 with the wider blocks kept on row_any) */
static inline __attribute__((always_inline)) void
row_any_hi(const enpu_conv_op_t *c, const small_packed_t *p, const steps_t *st, int8_t *out,
	   uint32_t b, bool relu, bool clamp)
{
	for (uint32_t g = b * 4; g < b * 4 + 4 && g * 16 < c->out_c; g += 2) {
		if (c->out_c - g * 16 <= 16)
			row_nv_hi(c, p, st, out, g, 1, relu, clamp);
		else
			row_nv_hi(c, p, st, out, g, 2, relu, clamp);
	}
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const small_packed_t *p = (const small_packed_t *)packed;
	uint8_t *rows = scratch, *tails = rows + c->k_h * row_bytes(c);
	fill_rows(c, in + (size_t)n * c->in_h * c->in_w * c->in_c, oh, rows);
	if (p->tails)
		fill_tails(c, rows, tails);
	out += ((size_t)n * c->out_h + oh) * c->out_w * c->out_c;
	const rq16_mode_t mode = rq16_mode(p->any_left, c->clamp.qmin, c->out_zp);
	/* the full int8 range: the packs' saturation is the clamp (1% faster) */
	const bool clamp = c->clamp.qmin > INT8_MIN || c->clamp.qmax < INT8_MAX;
	steps_t st; /* 1 KiB: not cleared for every row */
	st.n = 0;
	if (p->hi)
		steps_init(c, p, rows, tails, &st);
	for (uint32_t b = b0; b < b0 + nb; b++) {
		/* without the folded zero point (rare: rq16.h) RQ16_RIGHT serves
		 * RQ16_RELU's clamps too */
		if (p->hi && mode == RQ16_RELU)
			row_any_hi(c, p, &st, out, b, true, true);
		else if (p->hi && clamp)
			row_any_hi(c, p, &st, out, b, false, true);
		else if (p->hi)
			row_any_hi(c, p, &st, out, b, false, false);
		else if (mode == RQ16_LEFT)
			row_any(c, p, rows, tails, out, b, RQ16_LEFT, true, true);
		else if (!p->zp_folded)
			row_any(c, p, rows, tails, out, b, RQ16_RIGHT, true, true);
		else if (mode == RQ16_RELU)
			row_any(c, p, rows, tails, out, b, RQ16_RELU, false, true);
		else if (clamp)
			row_any(c, p, rows, tails, out, b, RQ16_RIGHT, false, true);
		else
			row_any(c, p, rows, tails, out, b, RQ16_RIGHT, false, false);
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
