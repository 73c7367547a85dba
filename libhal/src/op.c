/* SPDX-License-Identifier: MIT */
/* Small helpers on resolved ops. */
#include "buffer_impl.h"
#include "op.h"
#include "tensor_impl.h"

void *enpu_op_host_ptr(const enpu_op_t *op, int role)
{
	const enpu_tensor_t *t = op->tensors[role];
	return t ? (char *)t->buffer->host + t->offset : NULL;
}

bool enpu_op_constant(const enpu_op_t *op, int role)
{
	const enpu_tensor_t *t = op->tensors[role];
	return !t || (t->desc.flags & ENPU_TENSOR_CONSTANT);
}

const char *enpu_op_kind_name(enpu_op_kind_t kind)
{
	switch (kind) {
	case ENPU_OP_GEMM: return "gemm";
	case ENPU_OP_CONV2D: return "conv2d";
	case ENPU_OP_POOL: return "pool";
	case ENPU_OP_ADD: return "add";
	case ENPU_OP_MUL: return "mul";
	case ENPU_OP_REQUANTIZE: return "requantize";
	case ENPU_OP_CAST: return "cast";
	case ENPU_OP_KIND_COUNT: break;
	}
	return "unknown";
}
