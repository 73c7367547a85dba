/* SPDX-License-Identifier: MIT */
/* Reference ADD_I8, MUL_I8, REQUANT_I8 and CAST (int8 <-> fp16). */
#include <math.h>
#include "../quant_inline.h"
#include "enpu/fp16.h"
#include "ref_kernels.h"

void ref_add_i8(const enpu_op_t *op)
{
	const enpu_eltwise_op_t *e = &op->u.eltwise;
	const int8_t *a = enpu_op_host_ptr(op, ENPU_OP_IN0);
	const int8_t *b = enpu_op_host_ptr(op, ENPU_OP_IN1);
	int8_t *out = enpu_op_host_ptr(op, ENPU_OP_OUT);
	for (size_t i = 0; i < e->count; i++) {
		int32_t sa = q_mbqm((a[i] - e->a_zp) * (1 << 20), e->rq.a_mult, e->rq.a_shift);
		int32_t sb = q_mbqm((b[i] - e->b_zp) * (1 << 20), e->rq.b_mult, e->rq.b_shift);
		out[i] = q_out(q_mbqm(q_wrap_add(sa, sb), e->rq.out_mult, e->rq.out_shift),
			       e->out_zp, e->clamp.qmin, e->clamp.qmax);
	}
}

void ref_mul_i8(const enpu_op_t *op)
{
	const enpu_eltwise_op_t *e = &op->u.eltwise;
	const int8_t *a = enpu_op_host_ptr(op, ENPU_OP_IN0);
	const int8_t *b = enpu_op_host_ptr(op, ENPU_OP_IN1);
	int8_t *out = enpu_op_host_ptr(op, ENPU_OP_OUT);
	for (size_t i = 0; i < e->count; i++) {
		int32_t prod = (a[i] - e->a_zp) * (b[i] - e->b_zp);
		out[i] = q_out(q_mbqm(prod, e->rq.out_mult, e->rq.out_shift), e->out_zp,
			       e->clamp.qmin, e->clamp.qmax);
	}
}

void ref_requant_i8(const enpu_op_t *op)
{
	const enpu_requant_op_t *r = &op->u.requant;
	const int8_t *in = enpu_op_host_ptr(op, ENPU_OP_IN0);
	int8_t *out = enpu_op_host_ptr(op, ENPU_OP_OUT);
	for (size_t i = 0; i < r->count; i++) {
		out[i] = q_out(q_mbqm(in[i] - r->in_zp, r->mult, r->shift), r->out_zp,
			       r->clamp.qmin, r->clamp.qmax);
	}
}

void ref_cast(const enpu_op_t *op)
{
	const enpu_cast_op_t *c = &op->u.cast;
	if (op->dtype == ENPU_DTYPE_INT8) {
		const int8_t *in = enpu_op_host_ptr(op, ENPU_OP_IN0);
		uint16_t *out = enpu_op_host_ptr(op, ENPU_OP_OUT);
		for (size_t i = 0; i < c->count; i++)
			out[i] = enpu_f32_to_f16((float)(in[i] - c->zp) * c->scale);
		return;
	}
	const uint16_t *in = enpu_op_host_ptr(op, ENPU_OP_IN0);
	int8_t *out = enpu_op_host_ptr(op, ENPU_OP_OUT);
	for (size_t i = 0; i < c->count; i++) {
		float r = roundf(enpu_f16_to_f32(in[i]) / c->scale);
		/* NaN -> zero point; beyond +-512 every result saturates alike. */
		r = isnan(r) ? 0.0f : r < -512.0f ? -512.0f : r > 512.0f ? 512.0f : r;
		out[i] = (int8_t)q_clamp((int32_t)r + c->zp, -128, 127);
	}
}
