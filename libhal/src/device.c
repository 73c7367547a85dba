/* SPDX-License-Identifier: MIT */
/* Device objects: open/close through the backend, capability query. */
#include <stdlib.h>
#include "backend.h"
#include "context_impl.h"

enpu_status_t enpu_device_open(enpu_context_t *context, size_t index,
			       const enpu_device_options_t *options,
			       enpu_device_t **out_device)
{
	if (out_device)
		*out_device = NULL;
	if (!context || !out_device)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_device_open: %s is NULL",
					!context ? "context" : "out_device");
	if (index >= context->count)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"device index %zu out of range (%zu devices)", index,
					context->count);
	const enpu_device_options_t defaults = { 0 };
	if (options && (unsigned)options->priority > ENPU_PRIORITY_HIGH)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_device_open: priority %d is not an enpu_priority_t",
					(int)options->priority);
	const enpu_context_entry_t *e = &context->entries[index];
	enpu_device_t *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "device: out of memory");
	dev->info = e->info;
	enpu_status_t st = e->backend->open(e->local_index, options ? options : &defaults,
					    &dev->info, &dev->state);
	if (st) {
		free(dev);
		return st;
	}
	enpu_ref_init(&dev->ref);
	dev->backend = e->backend;
	dev->context = context;
	enpu_context_retain(context);
	*out_device = dev;
	return ENPU_OK;
}

void enpu_device_retain(enpu_device_t *device)
{
	if (device)
		enpu_ref_inc(&device->ref);
}

void enpu_device_release(enpu_device_t *device)
{
	if (device && enpu_ref_dec(&device->ref)) {
		device->backend->close(device->state);
		enpu_context_release(device->context);
		free(device);
	}
}

void enpu_device_query(const enpu_device_t *device, enpu_device_info_t *out_info)
{
	if (device && out_info)
		*out_info = device->info;
}
