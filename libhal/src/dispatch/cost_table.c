/* SPDX-License-Identifier: MIT */
/* The dispatcher's table of compute costs, keyed by device and op key
 * (kind, dtype, shape), and its public accessors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dispatcher_impl.h"

cost_entry_t *costs_find(enpu_dispatcher_t *d, uint32_t dev, const char *key)
{
	for (size_t i = 0; i < d->cost_count; i++)
		if (d->costs[i].device == dev && !strcmp(d->costs[i].key, key))
			return &d->costs[i];
	return NULL;
}

enpu_status_t costs_set(enpu_dispatcher_t *d, uint32_t dev, const char *key, double seconds)
{
	cost_entry_t *e = costs_find(d, dev, key);

	if (strlen(key) >= sizeof(e->key))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "cost key too long: %s", key);
	if (!e) {
		if (d->cost_count == d->cost_cap) {
			size_t cap = d->cost_cap ? 2 * d->cost_cap : 64;
			cost_entry_t *n = realloc(d->costs, cap * sizeof(*n));
			if (!n)
				return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
							"cost table: out of memory");
			d->costs = n;
			d->cost_cap = cap;
		}
		e = &d->costs[d->cost_count++];
		e->device = dev;
		strcpy(e->key, key);
	}
	e->seconds = seconds;
	return ENPU_OK;
}

static enpu_status_t check_args(const char *fn, enpu_dispatcher_t *d, const enpu_graph_t *g,
				size_t op, size_t dev)
{
	if (!d || !g)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: %s is NULL", fn,
					!d ? "dispatcher" : "graph");
	if (op >= g->op_count || dev >= d->count)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "%s: op %zu of %zu, device %zu of %zu",
					fn, op, g->op_count, dev, d->count);
	return ENPU_OK;
}

enpu_status_t enpu_dispatcher_op_cost(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph,
				      size_t op, size_t device, double *out_seconds)
{
	enpu_status_t st = check_args("enpu_dispatcher_op_cost", dispatcher, graph, op, device);
	char key[200];

	if (st)
		return st;
	if (!out_seconds)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_dispatcher_op_cost: out_seconds is NULL");
	if (!disp_supports(dispatcher, device, graph, op)) {
		*out_seconds = INFINITY;
		return ENPU_OK;
	}
	graph_op_key(graph, op, key, sizeof(key));
	pthread_mutex_lock(&dispatcher->lock);
	cost_entry_t *e = costs_find(dispatcher, (uint32_t)device, key);
	if (e)
		*out_seconds = e->seconds;
	pthread_mutex_unlock(&dispatcher->lock);
	if (!e)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"no cost of op %s (%s) on %s: calibrate first",
					graph->ops[op].name, key, dispatcher->devs[device].info.name);
	return ENPU_OK;
}

enpu_status_t enpu_dispatcher_set_op_cost(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph,
					  size_t op, size_t device, double seconds)
{
	enpu_status_t st = check_args("enpu_dispatcher_set_op_cost", dispatcher, graph, op, device);
	char key[200];

	if (st)
		return st;
	if (!(seconds >= 0))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_dispatcher_set_op_cost: %g seconds", seconds);
	graph_op_key(graph, op, key, sizeof(key));
	pthread_mutex_lock(&dispatcher->lock);
	st = costs_set(dispatcher, (uint32_t)device, key, seconds);
	pthread_mutex_unlock(&dispatcher->lock);
	return st;
}
