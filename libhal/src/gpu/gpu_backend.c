/* SPDX-License-Identifier: MIT */
/* GPU backend: Vulkan physical devices with a compute queue ("gpu0", ...).
 * Buffers are host memory (memfd allocations, wrapped pointers, imported
 * fds) through the host buffer helpers, which the device imports where it
 * can (gpu_import.c) and otherwise copies (gpu_exec.c). */
#include <stdlib.h>

#include "buffer_impl.h"
#include "gpu.h"

static size_t gpu_enumerate(enpu_device_info_t *infos, size_t cap)
{
	gpu_phys_t phys[GPU_MAX_DEVICES];
	gpu_vk_t vk;
	size_t n;

	if (!gpu_vk_open(&vk))
		return 0;
	n = gpu_vk_devices(&vk, phys, GPU_MAX_DEVICES);
	for (size_t i = 0; i < n && i < cap; i++)
		gpu_vk_fill_info(&vk, &phys[i], i, &infos[i]);
	gpu_vk_close(&vk);
	return n;
}

void gpu_device_unref(gpu_device_t *d)
{
	if (atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	gpu_device_fini(d);
	gpu_vk_close(&d->vk);
	free(d);
}

/* The queue stops now, and with it go the pipelines and the scratch
 * memory; the Vulkan device lives on while imports of buffers that outlive
 * the device handle still hold it. */
static void gpu_close(void *state)
{
	gpu_device_t *d = state;

	if (d->hq)
		enpu_host_queue_destroy(d->hq);
	d->hq = NULL;
	gpu_device_release_work(d);
	gpu_device_unref(d);
}

static enpu_status_t gpu_open(size_t local_index, const enpu_device_options_t *options,
			      enpu_device_info_t *info, void **state)
{
	gpu_phys_t phys[GPU_MAX_DEVICES];
	gpu_device_t *d;
	enpu_status_t st;
	size_t n;

	(void)options;	/* no GPU options yet */
	d = calloc(1, sizeof(*d));
	if (!d)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "gpu: out of memory");
	atomic_init(&d->refs, 1);
	if (!gpu_vk_open(&d->vk)) {
		free(d);
		return enpu_status_make(ENPU_STATUS_DEVICE_ERROR, "gpu: cannot create a Vulkan "
					"instance");
	}
	n = gpu_vk_devices(&d->vk, phys, GPU_MAX_DEVICES);
	if (local_index >= n) {
		gpu_close(d);
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "gpu: device %zu is gone",
					local_index);
	}
	d->phys = phys[local_index];
	gpu_vk_fill_info(&d->vk, &d->phys, local_index, info);
	st = gpu_device_init(d);
	if (st == ENPU_OK)
		st = enpu_host_queue_create(info->name, gpu_exec, d, &d->hq);
	if (st == ENPU_OK)
		enpu_host_queue_set_timer(d->hq, gpu_take_kernel_ns);
	if (st != ENPU_OK) {
		gpu_close(d);
		return st;
	}
	*state = d;
	return ENPU_OK;
}

static enpu_status_t gpu_submit(enpu_device_t *device, enpu_command_list_t *list,
				enpu_fence_t *const *waits, size_t wait_count, enpu_fence_t *fence)
{
	gpu_device_t *d = device->state;

	return enpu_host_queue_submit(d->hq, device, list, waits, wait_count, fence);
}

static enpu_status_t gpu_execute(enpu_device_t *device, enpu_command_list_t *list)
{
	gpu_device_t *d = device->state;

	return enpu_host_queue_execute(d->hq, device, list);
}

const enpu_backend_t enpu_gpu_backend = {
	.name = "gpu",
	.enumerate = gpu_enumerate,
	.open = gpu_open,
	.close = gpu_close,
	.buffer_allocate = enpu_host_buffer_allocate,
	.buffer_wrap = enpu_host_buffer_wrap,
	.buffer_import_fd = enpu_host_buffer_import_fd,
	.buffer_accessible = enpu_host_buffer_accessible,
	.submit = gpu_submit,
	.execute = gpu_execute,
};
