/* SPDX-License-Identifier: MIT */
/* Reference GEMM_I8 and CONV2D_I8. */
#include "../quant_inline.h"
#include "../window.h"
#include "ref_kernels.h"

static int8_t requant_out(int32_t acc, int32_t mult, int32_t shift, int32_t zp,
			  const enpu_clamp_t *c)
{
	return q_out(q_mbqm(acc, mult, shift), zp, c->qmin, c->qmax);
}

void ref_gemm_i8(const enpu_op_t *op)
{
	const enpu_gemm_op_t *g = &op->u.gemm;
	const int8_t *a = enpu_op_host_ptr(op, ENPU_OP_IN0);
	const int8_t *b = enpu_op_host_ptr(op, ENPU_OP_IN1);
	const int32_t *bias = enpu_op_host_ptr(op, ENPU_OP_IN2);
	int8_t *c = enpu_op_host_ptr(op, ENPU_OP_OUT);
	for (uint32_t m = 0; m < g->m; m++) {
		for (uint32_t n = 0; n < g->n; n++) {
			int32_t acc = bias ? bias[n] : 0;
			for (uint32_t k = 0; k < g->k; k++)
				acc = q_wrap_add(acc, (a[(size_t)m * g->k + k] - g->a_zp) *
							      b[(size_t)n * g->k + k]);
			c[(size_t)m * g->n + n] =
				requant_out(acc, g->mult[n], g->shift[n], g->c_zp, &g->clamp);
		}
	}
}

void ref_conv_i8(const enpu_op_t *op)
{
	const enpu_conv_op_t *c = &op->u.conv;
	const int8_t *in = enpu_op_host_ptr(op, ENPU_OP_IN0);
	const int8_t *f = enpu_op_host_ptr(op, ENPU_OP_IN1);
	const int32_t *bias = enpu_op_host_ptr(op, ENPU_OP_IN2);
	int8_t *out = enpu_op_host_ptr(op, ENPU_OP_OUT);
	uint32_t cin_g = c->in_c / c->groups, cout_g = c->out_c / c->groups;
	for (uint32_t n = 0; n < c->batch; n++)
	for (uint32_t oh = 0; oh < c->out_h; oh++)
	for (uint32_t ow = 0; ow < c->out_w; ow++)
	for (uint32_t oc = 0; oc < c->out_c; oc++) {
		uint32_t g = oc / cout_g;
		int32_t acc = bias ? bias[oc] : 0;
		for (uint32_t kh = 0; kh < c->k_h; kh++) {
			int64_t ih, iw;
			if (!enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih))
				continue;
			for (uint32_t kw = 0; kw < c->k_w; kw++) {
				if (!enpu_tap(ow, kw, c->stride_w, c->pad_l, c->dil_w, c->in_w, &iw))
					continue;
				const int8_t *x = in + (((size_t)n * c->in_h + (size_t)ih) * c->in_w +
							(size_t)iw) * c->in_c + (size_t)g * cin_g;
				const int8_t *w = f + (((size_t)oc * c->k_h + kh) * c->k_w + kw) * cin_g;
				for (uint32_t ic = 0; ic < cin_g; ic++)
					acc = q_wrap_add(acc, (x[ic] - c->in_zp) * w[ic]);
			}
		}
		out[(((size_t)n * c->out_h + oh) * c->out_w + ow) * c->out_c + oc] =
			requant_out(acc, c->mult[oc], c->shift[oc], c->out_zp, &c->clamp);
	}
}
