/* SPDX-License-Identifier: MIT */
/* NEON element-wise int8 ops (ADD, MUL, REQUANTIZE) of the neon vector
 * table: 16 elements a step through requant_neon.h's 4-lane mbqm with the
 * op's per-tensor parameters in registers; a tail of fewer than 16 runs the
 * same step on a zero-padded copy. Inputs less their zero points fit int16
 * (zero points are the int8 range's: tensor.c), so the widening subtracts
 * run on 8 lanes. Bit-identical to the reference, as requant_neon.h is to
 * q_mbqm. */
#include <arm_neon.h>
#include "requant_neon.h"
#include "eltwise_steps.h"
#include "vec_kernels.h"

/* One per-tensor mbqm in registers */
typedef struct rq1 {
	int32x4_t mult, left, ne;
	bool any_left;
} rq1_t;

static rq1_t rq1(int32_t mult, int32_t shift)
{
	return (rq1_t){ vdupq_n_s32(mult), vdupq_n_s32(shift > 0 ? shift : 0),
			vdupq_n_s32(shift > 0 ? 0 : shift), shift > 0 };
}

static inline int32x4_t rq1_apply(int32x4_t x, const rq1_t *r)
{
	if (r->any_left)
		x = vqshlq_s32(x, r->left);
	return rqn_right(x, r->mult, r->ne, false);
}

typedef struct out_stage {
	int16x8_t zp16;
	int8x16_t lo, hi;
} out_stage_t;

static out_stage_t out_stage(int32_t zp, const enpu_clamp_t *c)
{
	return (out_stage_t){ vdupq_n_s16((int16_t)zp), vdupq_n_s8((int8_t)c->qmin),
			      vdupq_n_s8((int8_t)c->qmax) };
}

/* 16 int8 less zp, as two int16x8 */
typedef struct wide16 {
	int16x8_t lo, hi;
} wide16_t;

static inline wide16_t widen(const int8_t *p, int8x8_t zp)
{
	int8x16_t x = vld1q_s8(p);
	return (wide16_t){ vsubl_s8(vget_low_s8(x), zp), vsubl_s8(vget_high_s8(x), zp) };
}

/* Quarter q (lanes 4q .. 4q + 3) of w as int32 */
static inline int32x4_t quarter(wide16_t w, int q)
{
	int16x8_t h = q < 2 ? w.lo : w.hi;
	return q % 2 ? vmovl_high_s16(h) : vmovl_s16(vget_low_s16(h));
}

typedef struct add_args {
	rq1_t ra, rb, ro;
	int8x8_t za, zb;
	out_stage_t o;
} add_args_t;

/* mbqm(mbqm((a - za) << 20, a) + mbqm((b - zb) << 20, b), out), wrapping */
static inline void add16(const void *arg, const int8_t *a, const int8_t *b, int8_t *out)
{
	const add_args_t *g = arg;
	wide16_t wa = widen(a, g->za), wb = widen(b, g->zb);
	int32x4_t v[4];
	for (int q = 0; q < 4; q++) {
		int32x4_t sa = rq1_apply(vshlq_n_s32(quarter(wa, q), 20), &g->ra);
		int32x4_t sb = rq1_apply(vshlq_n_s32(quarter(wb, q), 20), &g->rb);
		v[q] = rq1_apply(vaddq_s32(sa, sb), &g->ro);
	}
	vst1q_s8(out, rqn_out16(v, g->o.zp16, g->o.lo, g->o.hi));
}

void cpu_add_neon(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		  size_t begin, size_t end)
{
	add_args_t g = { rq1(e->rq.a_mult, e->rq.a_shift), rq1(e->rq.b_mult, e->rq.b_shift),
			 rq1(e->rq.out_mult, e->rq.out_shift), vdup_n_s8((int8_t)e->a_zp),
			 vdup_n_s8((int8_t)e->b_zp), out_stage(e->out_zp, &e->clamp) };
	eltwise_run(add16, &g, a, b, out, begin, end);
}

typedef struct mul_args {
	rq1_t ro;
	int8x8_t za, zb;
	out_stage_t o;
} mul_args_t;

/* mbqm((a - za) * (b - zb), out): |product| <= 255 * 255 */
static inline void mul16(const void *arg, const int8_t *a, const int8_t *b, int8_t *out)
{
	const mul_args_t *g = arg;
	wide16_t wa = widen(a, g->za), wb = widen(b, g->zb);
	int32x4_t v[4] = {
		vmull_s16(vget_low_s16(wa.lo), vget_low_s16(wb.lo)),
		vmull_high_s16(wa.lo, wb.lo),
		vmull_s16(vget_low_s16(wa.hi), vget_low_s16(wb.hi)),
		vmull_high_s16(wa.hi, wb.hi),
	};
	for (int q = 0; q < 4; q++)
		v[q] = rq1_apply(v[q], &g->ro);
	vst1q_s8(out, rqn_out16(v, g->o.zp16, g->o.lo, g->o.hi));
}

void cpu_mul_neon(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		  size_t begin, size_t end)
{
	mul_args_t g = { rq1(e->rq.out_mult, e->rq.out_shift), vdup_n_s8((int8_t)e->a_zp),
			 vdup_n_s8((int8_t)e->b_zp), out_stage(e->out_zp, &e->clamp) };
	eltwise_run(mul16, &g, a, b, out, begin, end);
}

typedef struct rq_args {
	rq1_t r;
	int8x8_t zi;
	out_stage_t o;
} rq_args_t;

static inline void rq16(const void *arg, const int8_t *in, const int8_t *unused, int8_t *out)
{
	(void)unused;
	const rq_args_t *g = arg;
	wide16_t w = widen(in, g->zi);
	int32x4_t v[4];
	for (int q = 0; q < 4; q++)
		v[q] = rq1_apply(quarter(w, q), &g->r);
	vst1q_s8(out, rqn_out16(v, g->o.zp16, g->o.lo, g->o.hi));
}

void cpu_requant_neon(const enpu_requant_op_t *r, const int8_t *in, int8_t *out, size_t begin,
		      size_t end)
{
	rq_args_t g = { rq1(r->mult, r->shift), vdup_n_s8((int8_t)r->in_zp),
			out_stage(r->out_zp, &r->clamp) };
	eltwise_run(rq16, &g, in, NULL, out, begin, end);
}
