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

/* The kernel row y and element x that byte r of group q holds; false where
 * the byte holds none (cpu_conv_small_pack's layouts) */
static bool element(uint32_t s, uint32_t g, uint32_t tails, size_t q, uint32_t r, uint32_t *y,
		    uint32_t *x, uint32_t kh)
{
	uint32_t per_row = tails ? s / g : (s + g - 1) / g, rem = s % g;
	if (q < (size_t)kh * per_row) {
		*y = (uint32_t)(q / per_row);
		*x = (uint32_t)(q % per_row) * g + r;
		return *x < s;
	}
	size_t i = (q - (size_t)kh * per_row) * g + r;
	*y = (uint32_t)(i / rem);
	*x = per_row * g + (uint32_t)(i % rem);
	return i < (size_t)kh * rem;
}

void cpu_conv_small_pack(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias,
			 uint32_t g, uint32_t tails, uint32_t cb, uint32_t blocks, int32_t comp,
			 int8_t *w, int32_t *beff)
{
	const uint32_t co = c->out_c, s = c->in_c * c->k_w, kh = c->k_h;
	const size_t nq = tails ? (size_t)kh * (s / g) + tails : (size_t)kh * ((s + g - 1) / g);
	for (uint32_t o = 0; o < blocks * cb; o++) {
		uint32_t sum = 0;
		for (size_t q = 0; q < nq; q++)
			for (uint32_t r = 0; r < g; r++) {
				uint32_t y, x;
				bool in = element(s, g, tails, q, r, &y, &x, kh);
				int8_t v = o < co && in ? f[((size_t)o * kh + y) * s + x] : 0;
				w[((q * blocks + o / cb) * cb + o % cb) * g + r] = v;
				sum += (uint32_t)v;
			}
		beff[o] = o < co ? (int32_t)((uint32_t)(bias ? bias[o] : 0) - (uint32_t)comp * sum)
				 : 0;
	}
}
