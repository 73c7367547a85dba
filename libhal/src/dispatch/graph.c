/* SPDX-License-Identifier: MIT */
/* Graphs: adding ops (each recorded alone into a command list, which
 * validates it), inputs, outputs, forced placements, and queries. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph_impl.h"
#include "tensor_impl.h"

enpu_status_t enpu_graph_create(enpu_graph_t **out_graph)
{
	if (!out_graph)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_create: out_graph is NULL");
	enpu_graph_t *g = calloc(1, sizeof(*g));
	*out_graph = g;
	if (!g)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "graph: out of memory");
	enpu_ref_init(&g->ref);
	atomic_init(&g->priority, ENPU_PRIORITY_NORMAL);
	atomic_init(&g->running, false);
	return ENPU_OK;
}

void enpu_graph_retain(enpu_graph_t *graph)
{
	if (graph)
		enpu_ref_inc(&graph->ref);
}

void enpu_graph_release(enpu_graph_t *graph)
{
	if (!graph || !enpu_ref_dec(&graph->ref))
		return;
	for (size_t i = 0; i < graph->op_count; i++)
		enpu_command_list_release(graph->ops[i].list);
	for (size_t i = 0; i < graph->input_count; i++)
		enpu_tensor_release(graph->inputs[i]);
	for (size_t i = 0; i < graph->output_count; i++)
		enpu_tensor_release(graph->outputs[i]);
	free(graph->ops);
	free(graph->inputs);
	free(graph->outputs);
	free(graph);
}

static void dims_str(const enpu_tensor_t *t, char *out, size_t len)
{
	int n = 0;

	out[0] = '\0';
	for (uint32_t d = 0; d < t->desc.rank && n >= 0 && (size_t)n < len; d++)
		n += snprintf(out + n, len - (size_t)n, d ? "x%u" : "%u", t->desc.dims[d]);
}

void graph_op_key(const enpu_graph_t *g, size_t i, char *out, size_t len)
{
	snprintf(out, len, "%s %s %s", enpu_op_kind_name(graph_op_resolved(g, i)->kind),
		 enpu_dtype_name(graph_op_resolved(g, i)->dtype), g->ops[i].shape);
}

/* " clamp LO..HI" of an fp16 GEMM or convolution with finite bounds: whether
 * a backend takes the op may depend on them (the NPU clamps to fp16 values
 * only), so ops that differ there must not share a cost. */
static void clamp_str(const enpu_op_t *op, char *out, size_t len)
{
	const enpu_clamp_t *c = op->kind == ENPU_OP_GEMM ? &op->u.gemm.clamp
				: op->kind == ENPU_OP_CONV2D ? &op->u.conv.clamp : NULL;

	out[0] = '\0';
	if (c && op->dtype == ENPU_DTYPE_FP16 && (isfinite(c->fmin) || isfinite(c->fmax)))
		snprintf(out, len, " clamp %.9g..%.9g", c->fmin, c->fmax);
}

/* Fills the shape text and MAC count of a freshly recorded op. */
static void describe(graph_op_t *o)
{
	const enpu_op_t *op = &o->list->ops[0];
	char in[24], out[24], clamp[48];

	dims_str(op->tensors[ENPU_OP_IN0], in, sizeof(in));
	dims_str(op->tensors[ENPU_OP_OUT], out, sizeof(out));
	clamp_str(op, clamp, sizeof(clamp));
	o->macs = 0;
	switch (op->kind) {
	case ENPU_OP_GEMM:
		snprintf(o->shape, sizeof(o->shape), "%ux%ux%u%s%s", op->u.gemm.m, op->u.gemm.n,
			 op->u.gemm.k, op->tensors[ENPU_OP_IN2] ? " bias" : "", clamp);
		o->macs = (double)op->u.gemm.m * op->u.gemm.n * op->u.gemm.k;
		break;
	case ENPU_OP_CONV2D: {
		const enpu_conv_op_t *c = &op->u.conv;
		snprintf(o->shape, sizeof(o->shape), "%s k%ux%u s%ux%u d%ux%u g%u -> %s%s", in,
			 c->k_h, c->k_w, c->stride_h, c->stride_w, c->dil_h, c->dil_w, c->groups, out,
			 clamp);
		o->macs = (double)c->batch * c->out_h * c->out_w * c->out_c * c->k_h * c->k_w *
			  (c->in_c / c->groups);
		break;
	}
	case ENPU_OP_POOL: {
		const enpu_pool_op_t *p = &op->u.pool;
		snprintf(o->shape, sizeof(o->shape), "%s %s k%ux%u s%ux%u -> %s", in,
			 p->kind == ENPU_POOL_MAX ? "max" : "avg", p->k_h, p->k_w, p->stride_h,
			 p->stride_w, out);
		break;
	}
	default:
		snprintf(o->shape, sizeof(o->shape), "%s", in);
		break;
	}
}

static enpu_status_t check_name(const enpu_graph_t *g, const char *fn, const char *name)
{
	if (g->finalized)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"%s: the graph is finalized", fn);
	if (!name)
		return ENPU_OK;
	if (!name[0] || strlen(name) >= ENPU_GRAPH_NAME_MAX || strpbrk(name, " \t\n=,:"))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"%s: bad op name \"%s\" (1..%d characters, no blanks, "
					"'=', ',' or ':')", fn, name, ENPU_GRAPH_NAME_MAX - 1);
	for (size_t i = 0; i < g->op_count; i++)
		if (!strcmp(g->ops[i].name, name))
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: op name \"%s\" is taken (op %zu)", fn, name, i);
	return ENPU_OK;
}

typedef enpu_status_t (*record_fn)(enpu_command_list_t *list, const void *params);

static enpu_status_t add_op(enpu_graph_t *g, const char *fn, const char *name, const void *p,
			    record_fn record, size_t *out_op)
{
	enpu_command_list_t *list;
	enpu_status_t st;

	if (out_op)
		*out_op = SIZE_MAX;
	if (!g || !p)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: %s is NULL", fn,
					!g ? "graph" : "params");
	st = check_name(g, fn, name);
	if (st)
		return st;
	if (g->op_count == g->op_cap) {
		size_t cap = g->op_cap ? 2 * g->op_cap : 16;
		graph_op_t *ops = realloc(g->ops, cap * sizeof(*ops));
		if (!ops)
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
						"%s: out of memory", fn);
		g->ops = ops;
		g->op_cap = cap;
	}
	st = enpu_command_list_create(&list);
	if (st)
		return st;
	st = record(list, p);
	if (st) {
		enpu_command_list_release(list);
		return st;
	}
	graph_op_t *o = &g->ops[g->op_count];
	memset(o, 0, sizeof(*o));
	o->list = list;
	if (name)
		snprintf(o->name, sizeof(o->name), "%s", name);
	else
		snprintf(o->name, sizeof(o->name), "op%zu", g->op_count);
	describe(o);
	if (out_op)
		*out_op = g->op_count;
	g->op_count++;
	return ENPU_OK;
}

#define ADD_FN(suffix, type)                                                           \
	static enpu_status_t rec_##suffix(enpu_command_list_t *l, const void *p)       \
	{                                                                              \
		return enpu_cmd_##suffix(l, p);                                        \
	}                                                                              \
	enpu_status_t enpu_graph_add_##suffix(enpu_graph_t *graph, const char *name,   \
					      const type *p, size_t *out_op)           \
	{                                                                              \
		return add_op(graph, "enpu_graph_add_" #suffix, name, p, rec_##suffix, \
			      out_op);                                                 \
	}

ADD_FN(gemm, enpu_gemm_params_t)
ADD_FN(conv2d, enpu_conv2d_params_t)
ADD_FN(pool, enpu_pool_params_t)
ADD_FN(add, enpu_eltwise_params_t)
ADD_FN(mul, enpu_eltwise_params_t)
ADD_FN(requantize, enpu_requantize_params_t)
ADD_FN(cast, enpu_cast_params_t)

static enpu_status_t add_tensor(enpu_graph_t *g, const char *fn, enpu_tensor_t *t, bool output)
{
	if (!g || !t)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: %s is NULL", fn,
					!g ? "graph" : "tensor");
	if (g->finalized)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"%s: the graph is finalized", fn);
	enpu_tensor_t ***arr = output ? &g->outputs : &g->inputs;
	size_t *count = output ? &g->output_count : &g->input_count;
	size_t *cap = output ? &g->output_cap : &g->input_cap;
	for (size_t i = 0; i < *count; i++)
		if ((*arr)[i] == t)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: tensor already declared", fn);
	if (*count == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4;
		enpu_tensor_t **n = realloc(*arr, ncap * sizeof(*n));
		if (!n)
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
						"%s: out of memory", fn);
		*arr = n;
		*cap = ncap;
	}
	enpu_tensor_retain(t);
	(*arr)[(*count)++] = t;
	return ENPU_OK;
}

enpu_status_t enpu_graph_add_input(enpu_graph_t *graph, enpu_tensor_t *tensor)
{
	return add_tensor(graph, "enpu_graph_add_input", tensor, false);
}

enpu_status_t enpu_graph_add_output(enpu_graph_t *graph, enpu_tensor_t *tensor)
{
	return add_tensor(graph, "enpu_graph_add_output", tensor, true);
}

enpu_status_t enpu_graph_force_device(enpu_graph_t *graph, size_t op, const char *device_name)
{
	if (!graph)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_force_device: graph is NULL");
	if (op >= graph->op_count)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"enpu_graph_force_device: op %zu of %zu", op,
					graph->op_count);
	if (device_name && (!device_name[0] || strlen(device_name) >= sizeof(graph->ops[op].forced)))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_force_device: bad device name \"%s\"",
					device_name);
	snprintf(graph->ops[op].forced, sizeof(graph->ops[op].forced), "%s",
		 device_name ? device_name : "");
	return ENPU_OK;
}

enpu_status_t enpu_graph_set_priority(enpu_graph_t *graph, enpu_priority_t priority)
{
	if (!graph)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_set_priority: graph is NULL");
	if ((unsigned)priority > ENPU_PRIORITY_HIGH)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_set_priority: priority %d is not an "
					"enpu_priority_t", (int)priority);
	atomic_store(&graph->priority, priority);
	return ENPU_OK;
}

enpu_priority_t enpu_graph_priority(const enpu_graph_t *graph)
{
	return graph ? atomic_load(&((enpu_graph_t *)graph)->priority) : ENPU_PRIORITY_NORMAL;
}

enpu_status_t enpu_graph_find_op(const enpu_graph_t *graph, const char *name, size_t *out_op)
{
	if (!graph || !name || !out_op)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_find_op: an argument is NULL");
	for (size_t i = 0; i < graph->op_count; i++)
		if (!strcmp(graph->ops[i].name, name)) {
			*out_op = i;
			return ENPU_OK;
		}
	return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "graph has no op named \"%s\"", name);
}

size_t enpu_graph_op_count(const enpu_graph_t *graph)
{
	return graph ? graph->op_count : 0;
}

enpu_status_t enpu_graph_op_info(const enpu_graph_t *graph, size_t op,
				 enpu_graph_op_info_t *out_info)
{
	if (!graph || !out_info)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_op_info: %s is NULL", !graph ? "graph" : "out_info");
	if (op >= graph->op_count)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "enpu_graph_op_info: op %zu of %zu",
					op, graph->op_count);
	const graph_op_t *o = &graph->ops[op];
	const enpu_op_t *r = graph_op_resolved(graph, op);
	memset(out_info, 0, sizeof(*out_info));
	memcpy(out_info->name, o->name, sizeof(o->name));
	out_info->kind = r->kind;
	out_info->dtype = r->dtype;
	snprintf(out_info->shape, sizeof(out_info->shape), "%s", o->shape);
	out_info->macs = o->macs;
	out_info->output_bytes = enpu_tensor_byte_size(r->tensors[ENPU_OP_OUT]);
	memcpy(out_info->forced_device, o->forced, sizeof(o->forced));
	out_info->pred_count = o->pred_count;
	memcpy(out_info->preds, o->preds, sizeof(o->preds));
	return ENPU_OK;
}

size_t enpu_graph_output_count(const enpu_graph_t *graph)
{
	return graph ? graph->output_count : 0;
}

enpu_tensor_t *enpu_graph_output(const enpu_graph_t *graph, size_t index)
{
	return graph && index < graph->output_count ? graph->outputs[index] : NULL;
}

size_t enpu_graph_input_count(const enpu_graph_t *graph)
{
	return graph ? graph->input_count : 0;
}

enpu_tensor_t *enpu_graph_input(const enpu_graph_t *graph, size_t index)
{
	return graph && index < graph->input_count ? graph->inputs[index] : NULL;
}
