/* SPDX-License-Identifier: MIT */
/* Internal: argument checks and parameter resolution shared by the op
 * recorders (record_*.c). A failure is INVALID_ARGUMENT (a bad argument),
 * UNSUPPORTED (a valid op no backend takes, e.g. too long a reduction),
 * OUT_OF_RANGE (a derived requantization multiplier enpu_quantize_multiplier
 * rejects) or RESOURCE_EXHAUSTED; the message names the op and the offending
 * argument. */
#ifndef ENPU_RECORD_COMMON_H
#define ENPU_RECORD_COMMON_H

#include "op.h"
#include "tensor_impl.h"

/* t non-NULL, of dtype and rank. */
enpu_status_t rec_check_tensor(const char *op, const char *role, const enpu_tensor_t *t,
			       enpu_dtype_t dtype, uint32_t rank);
/* dtype of a required tensor, or an error status for NULL. */
enpu_status_t rec_dtype(const char *op, const char *role, const enpu_tensor_t *t,
			enpu_dtype_t *out);
/* Per-tensor scale/zero point of an activation (NONE: scale 0, zp 0). */
enpu_status_t rec_activation_qp(const char *op, const char *role, const enpu_tensor_t *t,
				double *scale, int32_t *zp);
/* Weights: NONE, per-tensor or per-channel on axis 0, all zero points 0. */
enpu_status_t rec_weight_scale(const char *op, const enpu_tensor_t *w, uint32_t channel,
			       double *scale);
enpu_status_t rec_check_weights(const char *op, const enpu_tensor_t *w);
/* Resolves act into clamp for an output of dtype with per-tensor (scale, zp). */
enpu_status_t rec_clamp(const char *op, const enpu_act_t *act, enpu_dtype_t dtype,
			double out_scale, int32_t out_zp, enpu_clamp_t *clamp);
enpu_status_t rec_check_multiplier(const char *op, const char *what, int32_t mult, int32_t shift);
/* Fills mult/shift[channels] from rq (count 1 or channels) or, when rq->mult
 * is NULL, from in_scale * w_scale[c] / out_scale. Allocates the arrays. */
enpu_status_t rec_requant(const char *op, const enpu_requant_t *rq, uint32_t channels,
			  double in_scale, const enpu_tensor_t *w, double out_scale,
			  int32_t **mult, int32_t **shift);
/* A window op's output size, (span - window) / stride + 1 on each axis (span:
 * the padded input; window: the (dilated) kernel, at most span), or
 * OUT_OF_RANGE where one passes 2^32 - 1. */
enpu_status_t rec_out_size(const char *op, uint64_t span_h, uint64_t win_h, uint32_t stride_h,
			   uint64_t span_w, uint64_t win_w, uint32_t stride_w, uint32_t *out_h,
			   uint32_t *out_w);
/* Retains t into op role. */
void rec_take(enpu_op_t *op, int role, enpu_tensor_t *t);
/* True when a and b have identical rank and dims. */
bool rec_same_shape(const enpu_tensor_t *a, const enpu_tensor_t *b);

#endif
