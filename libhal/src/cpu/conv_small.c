/* SPDX-License-Identifier: MIT */
/* Shapes, input columns and weight packing of the few-input-channel conv
 * kernels (conv_small.h). */
#include "conv_small.h"

bool cpu_conv_small_accepts(const enpu_conv_op_t *c)
{
	return c->groups == 1 && c->dil_w == 1 && c->in_c <= 4 && c->in_c * c->k_w <= 16;
}

size_t cpu_conv_small_columns(const enpu_conv_op_t *c)
{
	return (size_t)(c->out_w - 1) * c->stride_w + c->k_w;
}

void cpu_conv_small_span(const enpu_conv_op_t *c, size_t *lo, size_t *hi)
{
	const size_t ncol = cpu_conv_small_columns(c);
	*lo = c->pad_l < ncol ? c->pad_l : ncol;
	*hi = c->pad_l + (size_t)c->in_w < ncol ? c->pad_l + (size_t)c->in_w : ncol;
}

void cpu_conv_small_pack(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias,
			 uint32_t g, uint32_t cb, uint32_t blocks, int32_t comp, int8_t *w,
			 int32_t *beff)
{
	const uint32_t co = c->out_c, s = c->in_c * c->k_w, kh = c->k_h, qpr = (s + g - 1) / g;
	const size_t nq = (size_t)kh * qpr;
	for (uint32_t o = 0; o < blocks * cb; o++) {
		uint32_t sum = 0;
		for (size_t q = 0; q < nq; q++)
			for (uint32_t r = 0; r < g; r++) {
				uint32_t y = (uint32_t)(q / qpr), x = (uint32_t)(q % qpr) * g + r;
				int8_t v = o < co && x < s ? f[((size_t)o * kh + y) * s + x] : 0;
				w[((q * blocks + o / cb) * cb + o % cb) * g + r] = v;
				sum += (uint32_t)v;
			}
		beff[o] = o < co ? (int32_t)((uint32_t)(bias ? bias[o] : 0) - (uint32_t)comp * sum)
				 : 0;
	}
}
