/* SPDX-License-Identifier: MIT */
/* Internal: graph layout (graph.h), shared by the graph, the dispatcher and
 * plans. */
#ifndef ENPU_GRAPH_IMPL_H
#define ENPU_GRAPH_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include "enpu/graph.h"
#include "command_list_impl.h"
#include "refcount.h"

typedef struct graph_op {
	char name[ENPU_GRAPH_NAME_MAX];
	/* The op recorded alone: submitted as is, to whichever device runs it. */
	enpu_command_list_t *list;
	char shape[160];        /* cost key with the kind and dtype: see graph_op_key */
	double macs;
	char forced[32];
	/* Set by finalize: producers of the inputs (none for graph inputs and
	 * constants) with the bytes each hands over. */
	size_t pred_count;
	size_t preds[3];
	size_t pred_bytes[3];
} graph_op_t;

struct enpu_graph {
	enpu_refcount_t ref;
	graph_op_t *ops;
	size_t op_count, op_cap;
	enpu_tensor_t **inputs, **outputs; /* retained */
	size_t input_count, output_count, input_cap, output_cap;
	bool finalized;
	_Atomic enpu_priority_t priority;
	atomic_bool running; /* a run of a plan of this graph is in flight */
};

/* The resolved op of graph op i. */
static inline const enpu_op_t *graph_op_resolved(const enpu_graph_t *g, size_t i)
{
	return &g->ops[i].list->ops[0];
}

/* "conv2d i8 1x56x56x24 k3x3 s1 g24 -> 1x56x56x24": what costs are keyed by. */
void graph_op_key(const enpu_graph_t *g, size_t i, char *out, size_t len);

#endif
