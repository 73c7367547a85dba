/* SPDX-License-Identifier: MIT */
/* Reference GEMM_F16 and CONV2D_F16: products and sums in double, one final
 * clamp and round-to-nearest-even to fp16 (the accuracy oracle). Non-finite
 * values follow IEEE arithmetic; a convolution's padded taps read +0.0. */
#include "enpu/fp16.h"
#include "../window.h"
#include "ref_kernels.h"

static uint16_t store(double acc, const enpu_clamp_t *c)
{
	if (acc < (double)c->fmin)
		acc = (double)c->fmin;
	if (acc > (double)c->fmax)
		acc = (double)c->fmax;
	return enpu_f64_to_f16(acc);
}

void ref_gemm_f16(const enpu_op_t *op)
{
	const enpu_gemm_op_t *g = &op->u.gemm;
	const uint16_t *a = enpu_op_host_ptr(op, ENPU_OP_IN0);
	const uint16_t *b = enpu_op_host_ptr(op, ENPU_OP_IN1);
	const float *bias = enpu_op_host_ptr(op, ENPU_OP_IN2);
	uint16_t *c = enpu_op_host_ptr(op, ENPU_OP_OUT);
	for (uint32_t m = 0; m < g->m; m++)
		for (uint32_t n = 0; n < g->n; n++) {
			double acc = bias ? (double)bias[n] : 0.0;
			for (uint32_t k = 0; k < g->k; k++)
				acc += (double)enpu_f16_to_f32(a[(size_t)m * g->k + k]) *
				       (double)enpu_f16_to_f32(b[(size_t)n * g->k + k]);
			c[(size_t)m * g->n + n] = store(acc, &g->clamp);
		}
}

void ref_conv_f16(const enpu_op_t *op)
{
	const enpu_conv_op_t *c = &op->u.conv;
	const uint16_t *in = enpu_op_host_ptr(op, ENPU_OP_IN0);
	const uint16_t *f = enpu_op_host_ptr(op, ENPU_OP_IN1);
	const float *bias = enpu_op_host_ptr(op, ENPU_OP_IN2);
	uint16_t *out = enpu_op_host_ptr(op, ENPU_OP_OUT);
	uint32_t cin_g = c->in_c / c->groups, cout_g = c->out_c / c->groups;
	for (uint32_t n = 0; n < c->batch; n++)
	for (uint32_t oh = 0; oh < c->out_h; oh++)
	for (uint32_t ow = 0; ow < c->out_w; ow++)
	for (uint32_t oc = 0; oc < c->out_c; oc++) {
		uint32_t g = oc / cout_g;
		double acc = bias ? (double)bias[oc] : 0.0;
		for (uint32_t kh = 0; kh < c->k_h; kh++) {
			int64_t ih, iw;
			bool row = enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih);
			for (uint32_t kw = 0; kw < c->k_w; kw++) {
				/* a padded tap's input is +0.0 (times an infinite or
				 * NaN weight: NaN, as with explicit zero padding) */
				const uint16_t *x = NULL;
				if (enpu_tap(ow, kw, c->stride_w, c->pad_l, c->dil_w, c->in_w, &iw) && row)
					x = in + (((size_t)n * c->in_h + (size_t)ih) * c->in_w +
						  (size_t)iw) * c->in_c + (size_t)g * cin_g;
				const uint16_t *w = f + (((size_t)oc * c->k_h + kh) * c->k_w + kw) * cin_g;
				for (uint32_t ic = 0; ic < cin_g; ic++)
					acc += (x ? (double)enpu_f16_to_f32(x[ic]) : 0.0) *
					       (double)enpu_f16_to_f32(w[ic]);
			}
		}
		out[(((size_t)n * c->out_h + oh) * c->out_w + ow) * c->out_c + oc] =
			store(acc, &c->clamp);
	}
}
