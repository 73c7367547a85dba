/* SPDX-License-Identifier: MIT */
/* Argument checks and parameter resolution shared by the op recorders. */
#include <math.h>
#include <stdlib.h>
#include "enpu/quant.h"
#include "record_common.h"

static enpu_status_t inval(const char *op, const char *msg, const char *role)
{
	return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: %s %s", op, role, msg);
}

enpu_status_t rec_dtype(const char *op, const char *role, const enpu_tensor_t *t,
			enpu_dtype_t *out)
{
	if (!t)
		return inval(op, "is NULL", role);
	*out = t->desc.dtype;
	return ENPU_OK;
}

enpu_status_t rec_check_tensor(const char *op, const char *role, const enpu_tensor_t *t,
			       enpu_dtype_t dtype, uint32_t rank)
{
	if (!t)
		return inval(op, "is NULL", role);
	if (t->desc.dtype != dtype)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: %s must be %s, got %s", op,
					role, enpu_dtype_name(dtype), enpu_dtype_name(t->desc.dtype));
	if (rank && t->desc.rank != rank)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"%s: %s must have rank %u, got %u", op, role, rank,
					t->desc.rank);
	return ENPU_OK;
}

enpu_status_t rec_activation_qp(const char *op, const char *role, const enpu_tensor_t *t,
				double *scale, int32_t *zp)
{
	const enpu_quant_t *q = &t->desc.quant;
	if (q->kind == ENPU_QUANT_PER_CHANNEL)
		return inval(op, "must be quantized per tensor, not per channel", role);
	*scale = q->kind == ENPU_QUANT_PER_TENSOR ? (double)q->scale : 0.0;
	*zp = q->kind == ENPU_QUANT_PER_TENSOR ? q->zero_point : 0;
	return ENPU_OK;
}

enpu_status_t rec_check_weights(const char *op, const enpu_tensor_t *w)
{
	const enpu_quant_t *q = &w->desc.quant;
	if (q->kind == ENPU_QUANT_PER_TENSOR && q->zero_point != 0)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"%s: weights must be symmetric (zero point 0), got %d", op,
					q->zero_point);
	if (q->kind == ENPU_QUANT_PER_CHANNEL) {
		if (q->axis != 0)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: per-channel weights must be quantized on axis 0, got %u",
						op, q->axis);
		for (size_t i = 0; i < q->count; i++)
			if (q->zero_points[i] != 0)
				return enpu_status_make(
					ENPU_STATUS_INVALID_ARGUMENT,
					"%s: weights must be symmetric, channel %zu has zero point %d",
					op, i, q->zero_points[i]);
	}
	return ENPU_OK;
}

enpu_status_t rec_weight_scale(const char *op, const enpu_tensor_t *w, uint32_t channel,
			       double *scale)
{
	const enpu_quant_t *q = &w->desc.quant;
	if (q->kind == ENPU_QUANT_NONE)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"%s: weights have no quantization scale; pass requant.mult", op);
	*scale = q->kind == ENPU_QUANT_PER_TENSOR ? (double)q->scale : (double)q->scales[channel];
	return ENPU_OK;
}

enpu_status_t rec_clamp(const char *op, const enpu_act_t *act, enpu_dtype_t dtype,
			double out_scale, int32_t out_zp, enpu_clamp_t *c)
{
	bool f16 = dtype == ENPU_DTYPE_FP16;
	c->qmin = -128;
	c->qmax = 127;
	c->fmin = -INFINITY;
	c->fmax = INFINITY;
	switch (act->kind) {
	case ENPU_ACT_NONE:
		return ENPU_OK;
	case ENPU_ACT_RELU:
		c->qmin = out_zp;
		c->fmin = 0.0f;
		return ENPU_OK;
	case ENPU_ACT_RELU6:
		c->qmin = out_zp;
		c->fmin = 0.0f;
		c->fmax = 6.0f;
		if (!f16) {
			if (out_scale <= 0.0)
				return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
							"%s: RELU6 needs a quantized output scale", op);
			float q6 = roundf(6.0f / (float)out_scale);
			c->qmax = q6 + (float)out_zp >= 127.0f ? 127 : out_zp + (int32_t)q6;
		}
		return ENPU_OK;
	case ENPU_ACT_CLAMP:
		if (f16) {
			if (isnan(act->fmin) || isnan(act->fmax) || act->fmin > act->fmax)
				return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
							"%s: clamp [%g, %g] is invalid", op,
							(double)act->fmin, (double)act->fmax);
			c->fmin = act->fmin;
			c->fmax = act->fmax;
			return ENPU_OK;
		}
		if (act->qmin < -128 || act->qmax > 127 || act->qmin > act->qmax)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: clamp [%d, %d] is not inside [-128, 127] or is empty",
						op, act->qmin, act->qmax);
		c->qmin = act->qmin;
		c->qmax = act->qmax;
		return ENPU_OK;
	}
	return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: unknown activation %d", op,
				(int)act->kind);
}

enpu_status_t rec_check_multiplier(const char *op, const char *what, int32_t mult, int32_t shift)
{
	if (mult < 0 || shift < -31 || shift > 30)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"%s: %s multiplier %d / shift %d invalid (need mult >= 0, "
					"shift in [-31, 30])",
					op, what, mult, shift);
	return ENPU_OK;
}

enpu_status_t rec_requant(const char *op, const enpu_requant_t *rq, uint32_t channels,
			  double in_scale, const enpu_tensor_t *w, double out_scale,
			  int32_t **mult, int32_t **shift)
{
	*mult = NULL;
	*shift = NULL;
	if (rq->mult && (!rq->shift || (rq->count != 1 && rq->count != channels)))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"%s: requant needs shift and count 1 or %u (got count %zu%s)",
					op, channels, rq->count, rq->shift ? "" : ", shift NULL");
	if (!rq->mult && (in_scale <= 0.0 || out_scale <= 0.0))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"%s: no requant.mult given and input/output lack a "
					"quantization scale",
					op);
	int32_t *m = malloc(channels * sizeof(int32_t));
	int32_t *s = malloc(channels * sizeof(int32_t));
	if (!m || !s) {
		free(m);
		free(s);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "%s: out of memory", op);
	}
	enpu_status_t st = ENPU_OK;
	for (uint32_t c = 0; c < channels && !st; c++) {
		if (rq->mult) {
			size_t i = rq->count == 1 ? 0 : c;
			m[c] = rq->mult[i];
			s[c] = rq->shift[i];
			st = rec_check_multiplier(op, "output", m[c], s[c]);
			continue;
		}
		double ws;
		st = rec_weight_scale(op, w, c, &ws);
		int sh = 0;
		if (!st)
			st = enpu_quantize_multiplier(in_scale * ws / out_scale, &m[c], &sh);
		s[c] = sh;
	}
	if (st) {
		free(m);
		free(s);
		return st;
	}
	*mult = m;
	*shift = s;
	return ENPU_OK;
}

enpu_status_t rec_out_size(const char *op, uint64_t span_h, uint64_t win_h, uint32_t stride_h,
			   uint64_t span_w, uint64_t win_w, uint32_t stride_w, uint32_t *out_h,
			   uint32_t *out_w)
{
	uint64_t oh = (span_h - win_h) / stride_h + 1, ow = (span_w - win_w) / stride_w + 1;
	if (oh > UINT32_MAX || ow > UINT32_MAX)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"%s: output %llux%llu exceeds a tensor's 2^32 - 1 rows or "
					"columns",
					op, (unsigned long long)oh, (unsigned long long)ow);
	*out_h = (uint32_t)oh;
	*out_w = (uint32_t)ow;
	return ENPU_OK;
}

void rec_take(enpu_op_t *op, int role, enpu_tensor_t *t)
{
	enpu_tensor_retain(t);
	op->tensors[role] = t;
}

bool rec_same_shape(const enpu_tensor_t *a, const enpu_tensor_t *b)
{
	if (a->desc.rank != b->desc.rank)
		return false;
	for (uint32_t i = 0; i < a->desc.rank; i++)
		if (a->desc.dims[i] != b->desc.dims[i])
			return false;
	return true;
}
