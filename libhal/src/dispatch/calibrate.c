/* SPDX-License-Identifier: MIT */
/* Cost-model calibration by micro-benchmarks (enpu_dispatcher_calibrate):
 * compute time of each op shape on each device, and the handoff latency
 * between every pair of devices. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dispatcher_impl.h"

#define BATCHES 3       /* timed batches; the median one counts */
#define HANDOFFS 10     /* round trips per latency batch */
#define PROBE_ELEMS 256 /* elements of the latency probe (an int8 ADD) */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median3(double *v)
{
	qsort(v, 3, sizeof(double), cmp_double);
	return v[1];
}

/* Submits list runs times back to back and waits. With gaps (runs - 1
 * entries, may be NULL): the time between consecutive fence signals, i.e.
 * the device's time per op while its queue is full, as within a plan. */
static enpu_status_t batch(enpu_device_t *dev, enpu_command_list_t *list, uint32_t runs,
			   double *gaps)
{
	enpu_fence_t **f = calloc(runs, sizeof(*f));
	enpu_status_t st = f ? ENPU_OK : enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
							   "calibration: out of memory");
	uint64_t prev = 0, t = 0;
	uint32_t n = 0;

	for (; !st && n < runs; n++)
		st = enpu_device_submit(dev, list, NULL, 0, &f[n]);
	for (uint32_t i = 0; i < n; i++) {
		enpu_status_t w = enpu_fence_wait(f[i], ENPU_TIMEOUT_INFINITE);
		if (!w)
			w = enpu_fence_signal_time(f[i], &t);
		if (!st && !w && i && gaps)
			gaps[i - 1] = (double)(t - prev) * 1e-9;
		prev = t;
		if (!st)
			st = w;
		else
			enpu_status_free(w);
		enpu_fence_release(f[i]);
	}
	free(f);
	return st;
}

/* A warm-up batch (a lone submission is not enough: the first few
 * back-to-back ops on a host device run 2-5x slower than the steady state),
 * then BATCHES batches of runs (>= 2); the median gap between consecutive
 * completions. */
static enpu_status_t measure(enpu_device_t *dev, enpu_command_list_t *list, uint32_t runs,
			     double *out)
{
	uint32_t r = runs < 2 ? 2 : runs;
	double *gaps = malloc(BATCHES * (r - 1) * sizeof(double));
	enpu_status_t st = gaps ? batch(dev, list, r, NULL) :
				  enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
						   "calibration: out of memory");

	for (int b = 0; !st && b < BATCHES; b++)
		st = batch(dev, list, r, gaps + b * (r - 1));
	if (!st) {
		qsort(gaps, BATCHES * (r - 1), sizeof(double), cmp_double);
		*out = gaps[BATCHES * (r - 1) / 2];
	}
	free(gaps);
	return st;
}

static enpu_status_t calibrate_ops(enpu_dispatcher_t *d, const enpu_graph_t *g)
{
	char key[200];

	/* Device by device, so that one device's lingering activity (worker
	 * threads still polling) does not slow another's measurements. */
	for (size_t dev = 0; dev < d->count; dev++) {
		for (size_t i = 0; i < g->op_count; i++) {
			if (!disp_supports(d, dev, g, i))
				continue;
			graph_op_key(g, i, key, sizeof(key));
			pthread_mutex_lock(&d->lock);
			bool known = costs_find(d, (uint32_t)dev, key) != NULL;
			pthread_mutex_unlock(&d->lock);
			if (known)
				continue;
			double secs;
			enpu_status_t st = measure(d->devs[dev].dev, g->ops[i].list,
						   d->calibration_runs, &secs);
			if (enpu_status_code(st) == ENPU_STATUS_UNSUPPORTED) {
				/* Valid op this device cannot do (e.g. a clamp it lacks). */
				enpu_status_free(st);
				secs = INFINITY;
			} else if (st) {
				enpu_status_t e = enpu_status_make(
					enpu_status_code(st), "calibrating op %s on %s: %s",
					g->ops[i].name, d->devs[dev].info.name,
					enpu_status_message(st));
				enpu_status_free(st);
				return e;
			}
			pthread_mutex_lock(&d->lock);
			st = costs_set(d, (uint32_t)dev, key, secs);
			pthread_mutex_unlock(&d->lock);
			if (st)
				return st;
		}
	}
	return ENPU_OK;
}

/* One batch of HANDOFFS round trips a -> b -> a, each submission waiting for
 * the previous one's fence; seconds per handoff. */
static enpu_status_t pingpong(enpu_device_t *a, enpu_device_t *b, enpu_command_list_t *list,
			      double *out)
{
	enpu_fence_t *prev = NULL, *next;
	enpu_status_t st = ENPU_OK;
	double t0 = now();

	for (int k = 0; !st && k < 2 * HANDOFFS; k++) {
		st = enpu_device_submit(k % 2 ? b : a, list, &prev, prev ? 1 : 0, &next);
		if (!st) {
			enpu_fence_release(prev);
			prev = next;
		}
	}
	if (prev) {
		enpu_status_t w = enpu_fence_wait(prev, ENPU_TIMEOUT_INFINITE);
		if (!st)
			st = w;
		else
			enpu_status_free(w);
		enpu_fence_release(prev);
	}
	*out = (now() - t0) / (2 * HANDOFFS);
	return st;
}

/* An int8 ADD of PROBE_ELEMS elements in a buffer of the CPU device. */
static enpu_status_t probe_list(enpu_dispatcher_t *d, enpu_command_list_t **out)
{
	enpu_device_t *cpu = NULL;
	enpu_tensor_desc_t desc = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { PROBE_ELEMS },
				    .quant = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 1.0f } };
	enpu_tensor_t *t[3] = { 0 };
	enpu_buffer_t *buf = NULL;
	enpu_status_t st;

	for (size_t i = 0; i < d->count && !cpu; i++)
		if (d->devs[i].info.type == ENPU_DEVICE_CPU)
			cpu = d->devs[i].dev;
	*out = NULL;
	st = enpu_buffer_allocate(cpu, 3 * PROBE_ELEMS, &buf);
	for (int i = 0; !st && i < 3; i++)
		st = enpu_tensor_create(buf, (size_t)i * PROBE_ELEMS, &desc, &t[i]);
	if (!st)
		st = enpu_command_list_create(out);
	if (!st)
		st = enpu_cmd_add(*out, &(enpu_eltwise_params_t){ .a = t[0], .b = t[1], .out = t[2] });
	if (st) {
		enpu_command_list_release(*out);
		*out = NULL;
	}
	for (int i = 0; i < 3; i++)
		enpu_tensor_release(t[i]);
	enpu_buffer_release(buf);
	return st;
}

static bool probe_ok(const disp_device_t *dd)
{
	return (dd->info.op_mask & (1u << ENPU_OP_ADD)) &&
	       (dd->info.dtype_mask & (1u << ENPU_DTYPE_INT8));
}

/* Handoff latency of each pair: a ping-pong's time per hop minus the mean
 * time of the probe itself on the two devices (back to back). */
static enpu_status_t calibrate_xfer(enpu_dispatcher_t *d)
{
	double lat[DISP_MAX * DISP_MAX] = { 0 }, self[DISP_MAX] = { 0 };
	enpu_command_list_t *list;
	enpu_status_t st = probe_list(d, &list);

	for (size_t a = 0; !st && a < d->count; a++)
		if (probe_ok(&d->devs[a]))
			st = measure(d->devs[a].dev, list, d->calibration_runs, &self[a]);
	for (size_t a = 0; !st && a < d->count; a++)
		for (size_t b = a + 1; !st && b < d->count; b++) {
			double t[BATCHES];
			if (!probe_ok(&d->devs[a]) || !probe_ok(&d->devs[b]))
				continue;
			for (int k = 0; !st && k < BATCHES; k++)
				st = pingpong(d->devs[a].dev, d->devs[b].dev, list, &t[k]);
			if (st)
				break;
			double hop = median3(t) - (self[a] + self[b]) / 2;
			lat[a * d->count + b] = lat[b * d->count + a] = hop > 0 ? hop : 0;
		}
	enpu_command_list_release(list);
	if (st) {
		enpu_status_t e = enpu_status_make(enpu_status_code(st),
						   "calibrating transfers: %s",
						   enpu_status_message(st));
		enpu_status_free(st);
		return e;
	}
	pthread_mutex_lock(&d->lock);
	memcpy(d->xfer_latency, lat, sizeof(lat));
	d->xfer_known = true;
	pthread_mutex_unlock(&d->lock);
	return ENPU_OK;
}

enpu_status_t enpu_dispatcher_calibrate(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph)
{
	if (!dispatcher || !graph)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_dispatcher_calibrate: %s is NULL",
					!dispatcher ? "dispatcher" : "graph");
	if (!graph->finalized)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_dispatcher_calibrate: finalize the graph first");
	/* Calibration uses the graph's tensors: no run may overlap it. */
	enpu_graph_t *g = (enpu_graph_t *)graph;
	bool idle = false;
	if (!atomic_compare_exchange_strong(&g->running, &idle, true))
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_dispatcher_calibrate: a run of the graph is in flight");
	enpu_status_t st = calibrate_ops(dispatcher, graph);
	atomic_store(&g->running, false);
	pthread_mutex_lock(&dispatcher->lock);
	bool known = dispatcher->xfer_known;
	pthread_mutex_unlock(&dispatcher->lock);
	if (!st && !known)
		st = calibrate_xfer(dispatcher);
	return st;
}
