/* SPDX-License-Identifier: MIT */
/* Internal: the backend interface. A backend exposes zero or more devices of
 * one type (context.c registers cpu, ref, npu and gpu). Buffers may be host
 * memory or dma-bufs the backend allocates or imports; submit is
 * asynchronous, completing a HAL fence later (from any thread) with
 * enpu_fence_complete(). */
#ifndef ENPU_BACKEND_H
#define ENPU_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include "enpu/command.h"
#include "refcount.h"

typedef struct enpu_backend enpu_backend_t;

struct enpu_backend {
	const char *name;
	/* Writes up to cap infos of the devices present; returns how many exist. */
	size_t (*enumerate)(enpu_device_info_t *infos, size_t cap);
	/* Opens device local_index; fills *state and updates *info. */
	enpu_status_t (*open)(size_t local_index, const enpu_device_options_t *options,
			      enpu_device_info_t *info, void **state);
	/* Waits for outstanding work, then frees state. */
	void (*close)(void *state);

	/* Memory. */
	enpu_status_t (*buffer_allocate)(enpu_device_t *device, size_t size,
					 enpu_buffer_t **out);
	enpu_status_t (*buffer_wrap)(enpu_device_t *device, void *ptr, size_t size,
				     enpu_buffer_release_fn fn, void *user,
				     enpu_buffer_t **out);
	enpu_status_t (*buffer_import_fd)(enpu_device_t *device, int fd, size_t offset,
					  size_t size, enpu_buffer_t **out);
	/* Can this device's ops read and write buffer? */
	bool (*buffer_accessible)(const enpu_device_t *device, const enpu_buffer_t *buffer);

	/* Work: must not block on the wait fences; completes fence eventually.
	 * Pending work keeps the device alive (retains it). */
	enpu_status_t (*submit)(enpu_device_t *device, enpu_command_list_t *list,
				enpu_fence_t *const *waits, size_t wait_count,
				enpu_fence_t *fence);
	/* Runs list and returns its status (enpu_device_execute). */
	enpu_status_t (*execute)(enpu_device_t *device, enpu_command_list_t *list);
};

struct enpu_device {
	enpu_refcount_t ref;
	enpu_context_t *context;
	const enpu_backend_t *backend;
	enpu_device_info_t info;
	void *state;
};

/* The built-in backends, in enumeration order. */
extern const enpu_backend_t enpu_cpu_backend;
extern const enpu_backend_t enpu_ref_backend;
extern const enpu_backend_t enpu_npu_backend;
#ifdef ENPU_HAVE_GPU
extern const enpu_backend_t enpu_gpu_backend;
#endif

#endif
