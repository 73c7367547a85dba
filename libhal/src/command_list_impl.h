/* SPDX-License-Identifier: MIT */
/* Internal: command list layout, read by backends during execution. */
#ifndef ENPU_COMMAND_LIST_IMPL_H
#define ENPU_COMMAND_LIST_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include "op.h"
#include "refcount.h"

struct enpu_command_list {
	enpu_refcount_t ref;
	enpu_op_t *ops;
	size_t count, capacity;
	atomic_bool sealed;
};

/* Appends a resolved op (taking ownership of its tensors and arrays). On
 * failure the op's resources are freed. */
enpu_status_t enpu_command_list_append(enpu_command_list_t *list, enpu_op_t *op);
/* Frees what an op owns (tensor references, requant arrays). */
void enpu_op_destroy(enpu_op_t *op);

#endif
