/* SPDX-License-Identifier: MIT */
/* Reference POOL_I8 (max/avg over valid elements only). */
#include "../quant_inline.h"
#include "../window.h"
#include "ref_kernels.h"

void ref_pool_i8(const enpu_op_t *op)
{
	const enpu_pool_op_t *p = &op->u.pool;
	const int8_t *in = enpu_op_host_ptr(op, ENPU_OP_IN0);
	int8_t *out = enpu_op_host_ptr(op, ENPU_OP_OUT);
	for (uint32_t n = 0; n < p->batch; n++)
	for (uint32_t oh = 0; oh < p->out_h; oh++)
	for (uint32_t ow = 0; ow < p->out_w; ow++)
	for (uint32_t ch = 0; ch < p->c; ch++) {
		int32_t sum = 0, count = 0, max = -128;
		for (uint32_t kh = 0; kh < p->k_h; kh++) {
			int64_t ih, iw;
			if (!enpu_tap(oh, kh, p->stride_h, p->pad_t, 1, p->in_h, &ih))
				continue;
			for (uint32_t kw = 0; kw < p->k_w; kw++) {
				if (!enpu_tap(ow, kw, p->stride_w, p->pad_l, 1, p->in_w, &iw))
					continue;
				int32_t v = in[(((size_t)n * p->in_h + (size_t)ih) * p->in_w +
						(size_t)iw) * p->c + ch];
				sum += v;
				count++;
				if (v > max)
					max = v;
			}
		}
		int32_t r;
		if (p->kind == ENPU_POOL_MAX)
			r = max;
		else
			r = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
		out[(((size_t)n * p->out_h + oh) * p->out_w + ow) * p->c + ch] =
			(int8_t)q_clamp(r, p->clamp.qmin, p->clamp.qmax);
	}
}
