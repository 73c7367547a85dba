/* SPDX-License-Identifier: MIT */
/* Command lists: growable arrays of resolved ops; sealed on first submit. */
#include <stdlib.h>
#include "command_list_impl.h"
#include "tensor_impl.h"

enpu_status_t enpu_command_list_create(enpu_command_list_t **out_list)
{
	if (!out_list)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_command_list_create: out_list is NULL");
	enpu_command_list_t *l = calloc(1, sizeof(*l));
	*out_list = l;
	if (!l)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "command list: out of memory");
	enpu_ref_init(&l->ref);
	atomic_init(&l->sealed, false);
	return ENPU_OK;
}

void enpu_op_destroy(enpu_op_t *op)
{
	for (int i = 0; i < ENPU_OP_TENSORS; i++)
		enpu_tensor_release(op->tensors[i]);
	enpu_op_cache_t *cache = atomic_load(&op->cache);
	if (cache)
		cache->destroy(cache);
	if (op->kind == ENPU_OP_GEMM) {
		free(op->u.gemm.mult);
		free(op->u.gemm.shift);
	} else if (op->kind == ENPU_OP_CONV2D) {
		free(op->u.conv.mult);
		free(op->u.conv.shift);
	}
}

enpu_status_t enpu_command_list_append(enpu_command_list_t *list, enpu_op_t *op)
{
	if (atomic_load(&list->sealed)) {
		enpu_op_destroy(op);
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"command list was submitted and is sealed; record a new one");
	}
	if (list->count == list->capacity) {
		size_t cap = list->capacity ? list->capacity * 2 : 8;
		enpu_op_t *ops = realloc(list->ops, cap * sizeof(*ops));
		if (!ops) {
			enpu_op_destroy(op);
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
						"command list: out of memory");
		}
		list->ops = ops;
		list->capacity = cap;
	}
	const enpu_tensor_t *out = op->tensors[ENPU_OP_OUT];
	op->out_shared = ENPU_OP_OUT_EXACT;
	for (int i = ENPU_OP_IN0; i <= ENPU_OP_IN2; i++) {
		const enpu_tensor_t *in = op->tensors[i];
		if (!in || !enpu_tensor_shares_memory(out, in))
			continue;
		op->out_shared |= ENPU_OP_OUT_OVERLAPS;
		if (!enpu_tensor_same_memory(out, in))
			op->out_shared &= ~ENPU_OP_OUT_EXACT;
	}
	if (!(op->out_shared & ENPU_OP_OUT_OVERLAPS))
		op->out_shared = 0;
	list->ops[list->count++] = *op;
	return ENPU_OK;
}

void enpu_command_list_retain(enpu_command_list_t *list)
{
	if (list)
		enpu_ref_inc(&list->ref);
}

void enpu_command_list_release(enpu_command_list_t *list)
{
	if (list && enpu_ref_dec(&list->ref)) {
		for (size_t i = 0; i < list->count; i++)
			enpu_op_destroy(&list->ops[i]);
		free(list->ops);
		free(list);
	}
}

size_t enpu_command_list_size(const enpu_command_list_t *list)
{
	return list ? list->count : 0;
}
