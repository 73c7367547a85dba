/* SPDX-License-Identifier: MIT */
/* NPU backend: what the command stream takes (docs/hw-model.md, "Limits"):
 * dimensions, kernels, strides, dilations and groups of 1..65536, padding
 * below 65536, tensors of at most 1 GiB, each at an address aligned to its
 * element size, requantizations and casts of at most 2^29 elements (the
 * REQUANT descriptor's count, in every mode). An op past them is valid
 * elsewhere: UNSUPPORTED here, with the limit named, instead of the
 * driver's bare EINVAL. */
#include <stdint.h>
#include "npu.h"
#include "op.h"
#include "tensor_impl.h"

#define NPU_MAX_DIM 65536u
#define NPU_MAX_TENSOR_BYTES (UINT64_C(1) << 30)
#define NPU_MAX_REQUANT_ELEMENTS (UINT64_C(1) << 29)

static bool fit(const uint32_t *v, size_t n, uint32_t max)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			return false;
	return true;
}

enpu_status_t npu_check_limits(const enpu_op_t *op)
{
	const char *kind = enpu_op_kind_name(op->kind);
	bool dims = true, pads = true;

	for (int r = 0; r < ENPU_OP_TENSORS; r++) {
		const enpu_tensor_t *t = op->tensors[r];
		size_t es;

		if (!t)
			continue;
		es = enpu_dtype_size(t->desc.dtype);
		if (enpu_tensor_byte_size(t) > NPU_MAX_TENSOR_BYTES)
			return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
						"npu: %s: a tensor of %zu bytes; the NPU takes 1 GiB "
						"at most",
						kind, enpu_tensor_byte_size(t));
		if ((uintptr_t)enpu_op_host_ptr(op, r) % es)
			return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
						"npu: %s: a tensor at an address not aligned to its "
						"%zu-byte elements (wrapped memory: align it)",
						kind, es);
	}
	if (op->kind == ENPU_OP_GEMM) {
		const enpu_gemm_op_t *g = &op->u.gemm;
		const uint32_t v[] = { g->m, g->n, g->k };

		dims = fit(v, 3, NPU_MAX_DIM);
	} else if (op->kind == ENPU_OP_CONV2D) {
		const enpu_conv_op_t *c = &op->u.conv;
		const uint32_t v[] = { c->batch, c->in_h, c->in_w, c->in_c, c->out_c, c->k_h,
				       c->k_w, c->stride_h, c->stride_w, c->dil_h, c->dil_w,
				       c->groups, c->out_h, c->out_w };
		const uint32_t p[] = { c->pad_t, c->pad_l, c->pad_b, c->pad_r };

		dims = fit(v, sizeof(v) / sizeof(v[0]), NPU_MAX_DIM);
		pads = fit(p, 4, NPU_MAX_DIM - 1);
	} else if (op->kind == ENPU_OP_POOL) {
		const enpu_pool_op_t *q = &op->u.pool;
		const uint32_t v[] = { q->batch, q->in_h, q->in_w, q->c, q->k_h, q->k_w,
				       q->stride_h, q->stride_w, q->out_h, q->out_w };

		dims = fit(v, sizeof(v) / sizeof(v[0]), NPU_MAX_DIM);
	} else if (op->kind == ENPU_OP_REQUANTIZE || op->kind == ENPU_OP_CAST) {
		uint64_t n = enpu_tensor_element_count(op->tensors[ENPU_OP_OUT]);

		if (n > NPU_MAX_REQUANT_ELEMENTS)
			return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
						"npu: %s: %llu elements; the NPU takes 2^29 elements "
						"at most",
						kind, (unsigned long long)n);
	}
	if (!dims || !pads)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"npu: %s: a %s past the NPU's %u", kind,
					dims ? "padding" : "dimension, kernel, stride, dilation or group count",
					dims ? NPU_MAX_DIM - 1 : NPU_MAX_DIM);
	return ENPU_OK;
}
