/* SPDX-License-Identifier: MIT */
/* Context: owns the registry of backends and the devices they enumerate. */
#include <stdlib.h>
#include "backend.h"
#include "context_impl.h"

static const enpu_backend_t *const builtin_backends[] = {
	&enpu_cpu_backend,
	&enpu_ref_backend,
	&enpu_npu_backend,	/* none without /dev/accel enpu nodes */
#ifdef ENPU_HAVE_GPU
	&enpu_gpu_backend,	/* none without libvulkan and a compute device */
#endif
};

#define BACKEND_COUNT (sizeof(builtin_backends) / sizeof(builtin_backends[0]))

enpu_status_t enpu_context_create(enpu_context_t **out_context)
{
	if (!out_context)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_context_create: out_context is NULL");
	*out_context = NULL;
	enpu_context_t *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "context: out of memory");
	enpu_ref_init(&ctx->ref);
	for (size_t b = 0; b < BACKEND_COUNT; b++) {
		const enpu_backend_t *be = builtin_backends[b];
		size_t n = be->enumerate(NULL, 0);
		if (n == 0)
			continue;
		enpu_device_info_t *infos = calloc(n, sizeof(*infos));
		enpu_context_entry_t *grown =
			realloc(ctx->entries, (ctx->count + n) * sizeof(*ctx->entries));
		if (!infos || !grown) {
			free(infos);
			if (grown)
				ctx->entries = grown;
			enpu_context_release(ctx);
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
						"context: out of memory enumerating %s", be->name);
		}
		ctx->entries = grown;
		be->enumerate(infos, n);
		for (size_t i = 0; i < n; i++) {
			ctx->entries[ctx->count].backend = be;
			ctx->entries[ctx->count].local_index = i;
			ctx->entries[ctx->count].info = infos[i];
			ctx->count++;
		}
		free(infos);
	}
	*out_context = ctx;
	return ENPU_OK;
}

void enpu_context_retain(enpu_context_t *context)
{
	if (context)
		enpu_ref_inc(&context->ref);
}

void enpu_context_release(enpu_context_t *context)
{
	if (context && enpu_ref_dec(&context->ref)) {
		free(context->entries);
		free(context);
	}
}

size_t enpu_context_device_count(const enpu_context_t *context)
{
	return context ? context->count : 0;
}

enpu_status_t enpu_context_device_info(const enpu_context_t *context, size_t index,
				       enpu_device_info_t *out_info)
{
	if (!context || !out_info)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_context_device_info: %s is NULL",
					!context ? "context" : "out_info");
	if (index >= context->count)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"device index %zu out of range (%zu devices)", index,
					context->count);
	*out_info = context->entries[index].info;
	return ENPU_OK;
}

enpu_status_t enpu_context_find_device(const enpu_context_t *context,
				       enpu_device_type_t type, size_t *out_index)
{
	if (!context || !out_index)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_context_find_device: %s is NULL",
					!context ? "context" : "out_index");
	for (size_t i = 0; i < context->count; i++) {
		if (context->entries[i].info.type == type) {
			*out_index = i;
			return ENPU_OK;
		}
	}
	return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "no device of type %d", (int)type);
}
