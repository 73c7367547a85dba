/* SPDX-License-Identifier: MIT */
/* Dispatcher objects: choosing and opening the devices, the fallback CPU,
 * capability checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dispatcher_impl.h"

#define FN "enpu_dispatcher_create"

uint64_t disp_hash(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static const char *const type_names[] = {
	[ENPU_DEVICE_CPU] = "cpu", [ENPU_DEVICE_REFERENCE] = "ref",
	[ENPU_DEVICE_NPU] = "npu", [ENPU_DEVICE_GPU] = "gpu",
};

/* Context index of a device name ("npu0") or type ("npu": the first one). */
static enpu_status_t lookup(enpu_context_t *ctx, const char *word, size_t *out)
{
	size_t n = enpu_context_device_count(ctx);
	enpu_device_info_t info;

	for (size_t i = 0; i < n; i++) {
		enpu_status_t st = enpu_context_device_info(ctx, i, &info);
		if (st)
			return st;
		if (!strcmp(info.name, word) || !strcmp(type_names[info.type], word)) {
			*out = i;
			return ENPU_OK;
		}
	}
	return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
				FN ": no device \"%s\" (see `enpuctl list`)", word);
}

/* The context indices the options ask for. */
static enpu_status_t choose(enpu_context_t *ctx, const char *devices, size_t *idx, size_t *count)
{
	enpu_device_info_t info;
	enpu_status_t st;

	*count = 0;
	if (!devices || !devices[0]) {
		for (size_t i = 0; i < enpu_context_device_count(ctx); i++) {
			st = enpu_context_device_info(ctx, i, &info);
			if (st)
				return st;
			if (info.type != ENPU_DEVICE_REFERENCE && *count < ENPU_DISPATCH_MAX_DEVICES)
				idx[(*count)++] = i;
		}
		return ENPU_OK;
	}
	char buf[256], *save = NULL;
	if (strlen(devices) >= sizeof(buf))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, FN ": device list too long");
	strcpy(buf, devices);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		if (*count == ENPU_DISPATCH_MAX_DEVICES)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						FN ": more than %d devices", ENPU_DISPATCH_MAX_DEVICES);
		st = lookup(ctx, w, &i);
		if (st)
			return st;
		for (size_t k = 0; k < *count; k++)
			if (idx[k] == i)
				return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
							FN ": device \"%s\" listed twice", w);
		idx[(*count)++] = i;
	}
	if (!*count)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, FN ": no device in \"%s\"",
					devices);
	return ENPU_OK;
}

/* Does the device compute on the host's cores: CPU, reference, a software
 * Vulkan implementation, the NPU's software model (the driver's sim runs the
 * ops in kernel threads)? */
static bool on_host_cores(const enpu_device_info_t *i)
{
	switch (i->type) {
	case ENPU_DEVICE_CPU:
	case ENPU_DEVICE_REFERENCE:
		return true;
	case ENPU_DEVICE_GPU:
		return strstr(i->description, "llvmpipe") || strstr(i->description, "lavapipe") ||
		       strstr(i->description, "SwiftShader");
	case ENPU_DEVICE_NPU:
		return strstr(i->description, "(software model)") != NULL;
	}
	return false;
}

/* Unless told they overlap, host-core devices share the group of the first
 * of them; others have their own. */
static void set_groups(enpu_dispatcher_t *d, bool overlap)
{
	size_t host = SIZE_MAX;

	for (size_t i = 0; i < d->count; i++) {
		d->devs[i].group = (uint32_t)i;
		if (overlap || !on_host_cores(&d->devs[i].info))
			continue;
		if (host == SIZE_MAX)
			host = i;
		d->devs[i].group = (uint32_t)host;
	}
}

static void set_fingerprint(enpu_dispatcher_t *d)
{
	uint64_t h = DISP_HASH_INIT;

	for (size_t i = 0; i < d->count; i++) {
		const enpu_device_info_t *in = &d->devs[i].info;
		char id[200];
		int n = snprintf(id, sizeof(id), "%s|%s|%u|%d;", in->name, in->description,
				 in->core_count, d->devs[i].fallback_only);
		h = disp_hash(id, (size_t)n, h);
	}
	snprintf(d->fingerprint, sizeof(d->fingerprint), "%016llx", (unsigned long long)h);
}

static enpu_status_t open_device(enpu_dispatcher_t *d, enpu_context_t *ctx, size_t index,
				 const enpu_dispatcher_options_t *o, uint32_t exclude,
				 bool fallback)
{
	enpu_device_options_t dopt = { .num_threads = o->cpu_threads };
	disp_device_t *dd = &d->devs[d->count];
	enpu_status_t st = enpu_device_open(ctx, index, &dopt, &dd->dev);

	if (st)
		return st;
	dd->by_priority[ENPU_PRIORITY_NORMAL] = dd->dev;
	dd->ctx_index = index;
	enpu_device_query(dd->dev, &dd->info);
	dd->op_mask = dd->info.op_mask & ~exclude;
	dd->fallback_only = fallback;
	d->count++;
	return ENPU_OK;
}

enpu_status_t enpu_dispatcher_create(enpu_context_t *context,
				     const enpu_dispatcher_options_t *options,
				     enpu_dispatcher_t **out_dispatcher)
{
	const enpu_dispatcher_options_t defaults = { 0 };
	size_t idx[ENPU_DISPATCH_MAX_DEVICES], n, cpu;
	enpu_device_info_t info;
	bool have_cpu = false;
	enpu_status_t st;

	if (out_dispatcher)
		*out_dispatcher = NULL;
	if (!context || !out_dispatcher)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, FN ": %s is NULL",
					!context ? "context" : "out_dispatcher");
	if (!options)
		options = &defaults;
	st = choose(context, options->devices, idx, &n);
	if (st)
		return st;
	enpu_dispatcher_t *d = calloc(1, sizeof(*d));
	if (!d)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, FN ": out of memory");
	enpu_ref_init(&d->ref);
	pthread_mutex_init(&d->lock, NULL);
	enpu_context_retain(context);
	d->context = context;
	d->cpu_threads = options->cpu_threads;
	d->calibration_runs = options->calibration_runs ? options->calibration_runs : 5;
	for (size_t i = 0; !st && i < n; i++) {
		st = enpu_context_device_info(context, idx[i], &info);
		have_cpu |= !st && info.type == ENPU_DEVICE_CPU;
		if (!st)
			st = open_device(d, context, idx[i], options, options->exclude_ops[i], false);
	}
	if (!st && !have_cpu) {
		st = enpu_context_find_device(context, ENPU_DEVICE_CPU, &cpu);
		if (!st)
			st = open_device(d, context, cpu, options, 0, true);
	}
	if (st) {
		enpu_dispatcher_release(d);
		return st;
	}
	set_groups(d, options->host_devices_overlap);
	set_fingerprint(d);
	*out_dispatcher = d;
	return ENPU_OK;
}

void enpu_dispatcher_retain(enpu_dispatcher_t *dispatcher)
{
	if (dispatcher)
		enpu_ref_inc(&dispatcher->ref);
}

void enpu_dispatcher_release(enpu_dispatcher_t *dispatcher)
{
	if (!dispatcher || !enpu_ref_dec(&dispatcher->ref))
		return;
	for (size_t i = 0; i < dispatcher->count; i++)
		for (int p = 0; p <= ENPU_PRIORITY_HIGH; p++)
			enpu_device_release(dispatcher->devs[i].by_priority[p]);
	enpu_context_release(dispatcher->context);
	pthread_mutex_destroy(&dispatcher->lock);
	free(dispatcher->costs);
	free(dispatcher);
}

size_t enpu_dispatcher_device_count(const enpu_dispatcher_t *dispatcher)
{
	return dispatcher ? dispatcher->count : 0;
}

enpu_device_t *enpu_dispatcher_device(const enpu_dispatcher_t *dispatcher, size_t index)
{
	return dispatcher && index < dispatcher->count ? dispatcher->devs[index].dev : NULL;
}

bool disp_supports(const enpu_dispatcher_t *d, size_t dev, const enpu_graph_t *g, size_t i)
{
	const enpu_op_t *op = graph_op_resolved(g, i);
	const disp_device_t *dd = &d->devs[dev];

	return (dd->op_mask & (1u << op->kind)) && (dd->info.dtype_mask & (1u << op->dtype));
}

enpu_status_t disp_device_at(enpu_dispatcher_t *d, size_t dev, enpu_priority_t priority,
			     enpu_device_t **out)
{
	disp_device_t *dd = &d->devs[dev];
	enpu_device_options_t o = { .num_threads = d->cpu_threads, .priority = priority };
	enpu_status_t st = ENPU_OK;

	pthread_mutex_lock(&d->lock);
	if (!dd->by_priority[priority])
		st = enpu_device_open(d->context, dd->ctx_index, &o, &dd->by_priority[priority]);
	*out = dd->by_priority[priority];
	pthread_mutex_unlock(&d->lock);
	return st;
}

size_t disp_find(const enpu_dispatcher_t *d, const char *name)
{
	for (size_t i = 0; i < d->count; i++)
		if (!strcmp(d->devs[i].info.name, name))
			return i;
	return SIZE_MAX;
}
