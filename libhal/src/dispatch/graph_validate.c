/* SPDX-License-Identifier: MIT */
/* enpu_graph_finalize: derives the edges from tensor identity and checks the
 * graph: single writers, no dangling reads or writes, no cycles, no
 * overlapping tensors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph_impl.h"
#include "buffer_impl.h"
#include "tensor_impl.h"

#define FN "enpu_graph_finalize"

static bool declared(enpu_tensor_t *const *arr, size_t n, const enpu_tensor_t *t)
{
	for (size_t i = 0; i < n; i++)
		if (arr[i] == t)
			return true;
	return false;
}

/* The op writing t, or SIZE_MAX. */
static size_t producer(const enpu_graph_t *g, const enpu_tensor_t *t)
{
	for (size_t i = 0; i < g->op_count; i++)
		if (graph_op_resolved(g, i)->tensors[ENPU_OP_OUT] == t)
			return i;
	return SIZE_MAX;
}

static bool consumed(const enpu_graph_t *g, const enpu_tensor_t *t)
{
	for (size_t i = 0; i < g->op_count; i++)
		for (int r = ENPU_OP_IN0; r <= ENPU_OP_IN2; r++)
			if (graph_op_resolved(g, i)->tensors[r] == t)
				return true;
	return false;
}

static enpu_status_t check_writes(const enpu_graph_t *g)
{
	for (size_t i = 0; i < g->op_count; i++) {
		const enpu_tensor_t *t = graph_op_resolved(g, i)->tensors[ENPU_OP_OUT];
		size_t p = producer(g, t);
		if (p != i)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						FN ": a tensor is written by two ops: %s and %s",
						g->ops[p].name, g->ops[i].name);
		if (t->desc.flags & ENPU_TENSOR_CONSTANT)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						FN ": op %s writes a constant tensor", g->ops[i].name);
		if (declared(g->inputs, g->input_count, t))
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						FN ": op %s writes a graph input", g->ops[i].name);
		if (!consumed(g, t) && !declared(g->outputs, g->output_count, t))
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						FN ": the output of op %s is written but never read "
						"(and not a graph output)", g->ops[i].name);
	}
	for (size_t i = 0; i < g->output_count; i++)
		if (producer(g, g->outputs[i]) == SIZE_MAX)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						FN ": graph output %zu is never written by an op", i);
	return ENPU_OK;
}

/* Fills every op's producers; a read tensor must be produced, an input or
 * constant. */
static enpu_status_t link(enpu_graph_t *g)
{
	static const char *const role[] = { "first input", "second input", "third input" };

	for (size_t i = 0; i < g->op_count; i++) {
		graph_op_t *o = &g->ops[i];
		o->pred_count = 0;
		for (int r = ENPU_OP_IN0; r <= ENPU_OP_IN2; r++) {
			const enpu_tensor_t *t = graph_op_resolved(g, i)->tensors[r];
			if (!t)
				continue;
			size_t p = producer(g, t);
			if (p == SIZE_MAX) {
				if ((t->desc.flags & ENPU_TENSOR_CONSTANT) ||
				    declared(g->inputs, g->input_count, t))
					continue;
				return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
							FN ": the %s of op %s is read but never "
							"written (not produced by an op, not a "
							"graph input, not constant)",
							role[r], o->name);
			}
			bool dup = false;
			for (size_t k = 0; k < o->pred_count; k++)
				dup |= o->preds[k] == p;
			if (dup)
				continue;
			o->preds[o->pred_count] = p;
			o->pred_bytes[o->pred_count++] = enpu_tensor_byte_size(t);
		}
	}
	return ENPU_OK;
}

/* Kahn's algorithm; names the ops left on a cycle. */
static enpu_status_t check_acyclic(const enpu_graph_t *g)
{
	size_t n = g->op_count, done = 0;
	size_t *indeg = calloc(n, sizeof(*indeg)), *queue = malloc(n * sizeof(*queue));
	enpu_status_t st = ENPU_OK;

	if (!indeg || !queue) {
		free(indeg);
		free(queue);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, FN ": out of memory");
	}
	size_t tail = 0;
	for (size_t i = 0; i < n; i++) {
		indeg[i] = g->ops[i].pred_count;
		if (!indeg[i])
			queue[tail++] = i;
	}
	for (size_t head = 0; head < tail; head++, done++) {
		size_t u = queue[head];
		for (size_t v = 0; v < n; v++)
			for (size_t k = 0; k < g->ops[v].pred_count; k++)
				if (g->ops[v].preds[k] == u && --indeg[v] == 0)
					queue[tail++] = v;
	}
	if (done < n) {
		char names[256] = "";
		for (size_t i = 0; i < n; i++)
			if (indeg[i] && strlen(names) + strlen(g->ops[i].name) + 3 < sizeof(names))
				strcat(strcat(names, names[0] ? ", " : ""), g->ops[i].name);
		st = enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
				      FN ": the graph has a cycle through ops %s", names);
	}
	free(indeg);
	free(queue);
	return st;
}

/* Two distinct tensors share bytes (enpu_tensor_shares_memory: two buffers
 * may wrap the same host memory). */
static bool overlap(const enpu_tensor_t *a, const enpu_tensor_t *b)
{
	return a != b && enpu_tensor_shares_memory(a, b);
}

/* Written tensors must not share bytes with any other tensor of the graph. */
static enpu_status_t check_overlap(const enpu_graph_t *g)
{
	for (size_t i = 0; i < g->op_count; i++) {
		const enpu_tensor_t *w = graph_op_resolved(g, i)->tensors[ENPU_OP_OUT];
		for (size_t j = 0; j < g->op_count; j++)
			for (int r = 0; r < ENPU_OP_TENSORS; r++) {
				const enpu_tensor_t *t = graph_op_resolved(g, j)->tensors[r];
				if (t && overlap(w, t))
					return enpu_status_make(
						ENPU_STATUS_INVALID_ARGUMENT,
						FN ": the output of op %s overlaps a tensor of op "
						"%s in memory", g->ops[i].name,
						g->ops[j].name);
			}
		for (size_t j = 0; j < g->input_count; j++)
			if (overlap(w, g->inputs[j]))
				return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
							FN ": the output of op %s overlaps graph "
							"input %zu", g->ops[i].name, j);
	}
	return ENPU_OK;
}

enpu_status_t enpu_graph_finalize(enpu_graph_t *graph)
{
	enpu_status_t st;

	if (!graph)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, FN ": graph is NULL");
	if (graph->finalized)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					FN ": the graph is already finalized");
	if (!graph->op_count)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION, FN ": the graph has no ops");
	st = check_writes(graph);
	if (!st)
		st = link(graph);
	if (!st)
		st = check_acyclic(graph);
	if (!st)
		st = check_overlap(graph);
	if (!st)
		graph->finalized = true;
	return st;
}
