/* SPDX-License-Identifier: MIT */
/* NEON dot-product direct int8 convolution for few input channels (first
 * layers: Cin <= 4, Cin * KW <= 16, groups 1, no horizontal dilation), the
 * counterpart of conv_small_avx2.c. In NHWC one kernel row of one output
 * pixel is S = KW * Cin adjacent inputs; each output row copies the KH
 * input rows it reads (raw int8, padding: the zero point) into row
 * buffers, and every 4 elements of a kernel row are one broadcast sdot
 * against 4 output channels of weights packed [kernel row][group][panel]
 * [16][4] (elements past S have zero weights, so whatever the buffer holds
 * there adds nothing). sdot takes the raw inputs, so -zp * sum(w) is folded
 * into the bias. A tile of 4 pixels x 16 channels keeps its 16 sums in
 * registers over all the kernel rows (the implicit GEMM, which takes these
 * convs otherwise, splits K per kernel row, pads each row's 9 elements of
 * a 3x3x3 kernel to 12 as one GEMM block, and stores the sums in between).
 * Output stage: requant_neon.h. Built only for aarch64. */
#include <arm_neon.h>
#include <stdlib.h>
#include <string.h>
#include "../window.h"
#include "conv_kernels.h"
#include "conv_small.h"
#include "requant_neon.h"

#define NR 16u /* channels per panel (the kernel's block) */
#define MR 4   /* pixels per tile */
#define G 4u   /* elements per sdot group */

typedef struct small_packed {
	enpu_op_cache_t base;
	uint32_t panels, qpr; /* 16-channel panels; element groups per kernel row */
	int8_t *w;            /* [k_h * qpr][panels][16][4] */
	int32_t *beff;        /* [panels * 16]: bias - zp * sum(w) */
	cpu_rqn_t *rq;        /* [panels] */
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
	const uint32_t co = c->out_c, s = c->in_c * c->k_w;
	small_packed_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base.key = &cpu_conv_small_neon_dot;
	p->base.destroy = packed_free;
	p->panels = (co + NR - 1) / NR;
	p->qpr = (s + G - 1) / G;
	size_t nq = (size_t)c->k_h * p->qpr;
	p->w = aligned_alloc(64, nq * p->panels * NR * G);
	p->beff = aligned_alloc(64, (size_t)p->panels * NR * sizeof(int32_t));
	p->rq = aligned_alloc(64, (size_t)p->panels * sizeof(cpu_rqn_t));
	if (!p->w || !p->beff || !p->rq) {
		packed_free(&p->base);
		return NULL;
	}
	/* inputs as raw x, padding zp */
	cpu_conv_small_pack(c, f, bias, G, 0, NR, p->panels, c->in_zp, p->w, p->beff);
	for (uint32_t pn = 0; pn < p->panels; pn++) {
		uint32_t o = pn * NR, n = co - o < NR ? co - o : NR;
		p->any_left |= cpu_rqn_prepare(&p->rq[pn], c->mult + o, c->shift + o, n);
	}
	return &p->base;
}

/* A row buffer's bytes: three past the last column's (read by the last
 * group of an S that is not a multiple of 4), rounded up. */
static size_t row_bytes(const enpu_conv_op_t *c)
{
	return (cpu_conv_small_columns(c) * c->in_c + 3 + 15) / 16 * 16;
}

static size_t scratch_bytes(const enpu_conv_op_t *c, uint32_t nb)
{
	(void)nb;
	return c->k_h * row_bytes(c);
}

/* rows[kh]: padded input row oh * stride_h - pad_t + kh * dil_h. */
static void fill_rows(const enpu_conv_op_t *c, const int8_t *in, uint32_t oh, int8_t *rows)
{
	const size_t cin = c->in_c, lr = row_bytes(c);
	size_t lo, hi;
	cpu_conv_small_span(c, &lo, &hi);
	for (uint32_t kh = 0; kh < c->k_h; kh++) {
		int8_t *r = rows + kh * lr;
		int64_t ih;
		if (!enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih)) {
			memset(r, (int8_t)c->in_zp, lr);
			continue;
		}
		memset(r, (int8_t)c->in_zp, lo * cin);
		memcpy(r + lo * cin, cpu_conv_small_row(c, in, ih, lo, hi), (hi - lo) * cin);
		memset(r + hi * cin, (int8_t)c->in_zp, lr - hi * cin);
	}
}

typedef struct out_consts {
	int16x8_t zp16;
	int8x16_t lo, hi;
	bool relu; /* q_out_relu: rqn_right's relu */
} out_consts_t;

/* Named accumulators of pixel i (an array stayed in memory across the
 * kernel rows); pixels >= mr are dead code after inlining. */
#define ACC_DECL(i)                                                                  \
	int32x4_t c##i##0 = vld1q_s32(beff), c##i##1 = vld1q_s32(beff + 4),          \
		  c##i##2 = vld1q_s32(beff + 8), c##i##3 = vld1q_s32(beff + 12)
#define ACC_PIXEL(i)                                                                 \
	if (mr > i) {                                                                \
		int32_t x;                                                           \
		memcpy(&x, src + i * step + G * q, sizeof(x));                       \
		int8x16_t a = vreinterpretq_s8_s32(vdupq_n_s32(x));                  \
		c##i##0 = vdotq_s32(c##i##0, b0, a);                                 \
		c##i##1 = vdotq_s32(c##i##1, b1, a);                                 \
		c##i##2 = vdotq_s32(c##i##2, b2, a);                                 \
		c##i##3 = vdotq_s32(c##i##3, b3, a);                                 \
	}
#define ACC_OUT(i)                                                                   \
	if (mr > i)                                                                  \
		store(c, p, (int32x4_t[4]){ c##i##0, c##i##1, c##i##2, c##i##3 }, pn, oc, \
		      o + (size_t)i * c->out_c)

/* The output stage of one pixel's 16 channels of panel pn. */
static inline __attribute__((always_inline)) void store(const enpu_conv_op_t *c,
							const small_packed_t *p, int32x4_t *acc,
							uint32_t pn, const out_consts_t *oc,
							int8_t *o)
{
	const cpu_rqn_t *rq = p->rq + pn;
	const size_t c0 = (size_t)pn * NR, n = c->out_c - c0 < NR ? c->out_c - c0 : NR;
	rqn_apply16(acc, rq, p->any_left, oc->relu);
	int8x16_t r = rqn_out16(acc, oc->zp16, oc->lo, oc->hi);
	if (n == NR) {
		vst1q_s8(o, r);
	} else {
		int8_t tmp[NR];
		vst1q_s8(tmp, r);
		memcpy(o, tmp, n);
	}
}

/* Output pixels [ow, ow + mr) of panel pn from row buffers lr bytes apart:
 * sums over all kernel rows in registers, then the output stage. */
static inline __attribute__((always_inline)) void
tile(const enpu_conv_op_t *c, const small_packed_t *p, const int8_t *rows, size_t lr, int8_t *out,
     size_t ow, uint32_t pn, const int mr, const out_consts_t *oc)
{
	const size_t step = (size_t)c->stride_w * c->in_c;
	const size_t wstep = (size_t)p->panels * NR * G;
	const uint32_t k_h = c->k_h, qpr = p->qpr;
	const int32_t *beff = p->beff + (size_t)pn * NR;
	ACC_DECL(0);
	ACC_DECL(1);
	ACC_DECL(2);
	ACC_DECL(3);
	const int8_t *w = p->w + (size_t)pn * NR * G;
	const int8_t *src = rows + ow * step;
	for (uint32_t kh = 0; kh < k_h; kh++, src += lr)
		for (uint32_t q = 0; q < qpr; q++, w += wstep) {
			int8x16_t b0 = vld1q_s8(w), b1 = vld1q_s8(w + 16), b2 = vld1q_s8(w + 32);
			int8x16_t b3 = vld1q_s8(w + 48);
			ACC_PIXEL(0)
			ACC_PIXEL(1)
			ACC_PIXEL(2)
			ACC_PIXEL(3)
		}
	int8_t *o = out + ow * c->out_c + (size_t)pn * NR;
	ACC_OUT(0);
	ACC_OUT(1);
	ACC_OUT(2);
	ACC_OUT(3);
}

static void row(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch)
{
	const small_packed_t *p = (const small_packed_t *)packed;
	int8_t *rows = scratch;
	const size_t lr = row_bytes(c);
	fill_rows(c, in + (size_t)n * c->in_h * c->in_w * c->in_c, oh, rows);
	out += ((size_t)n * c->out_h + oh) * c->out_w * c->out_c;
	const out_consts_t oc = { .zp16 = vdupq_n_s16((int16_t)c->out_zp),
				  .lo = vdupq_n_s8((int8_t)c->clamp.qmin),
				  .hi = vdupq_n_s8((int8_t)c->clamp.qmax),
				  .relu = q_out_relu(c->out_zp, c->clamp.qmin) };
	for (uint32_t pn = b0; pn < b0 + nb; pn++) {
		size_t ow = 0;
		for (; ow + MR <= c->out_w; ow += MR)
			tile(c, p, rows, lr, out, ow, pn, MR, &oc);
		switch (c->out_w - ow) {
		case 1: tile(c, p, rows, lr, out, ow, pn, 1, &oc); break;
		case 2: tile(c, p, rows, lr, out, ow, pn, 2, &oc); break;
		case 3: tile(c, p, rows, lr, out, ow, pn, 3, &oc); break;
		default: break;
		}
	}
}

static uint32_t rows_per_task(const enpu_conv_op_t *c)
{
	(void)c;
	return 1;
}

const cpu_conv_kernel_t cpu_conv_small_neon_dot = {
	.cblock = NR, .macs_per_thread = 20, .accepts = cpu_conv_small_accepts, .pack = pack,
	.scratch_bytes = scratch_bytes, .rows_per_task = rows_per_task, .row = row,
};
