/* SPDX-License-Identifier: MIT */
/* NPU backend: enpu devices found under /dev/accel (driver name "enpu"). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include <drm.h>
#include <drm/enpu_accel.h>
#include <drm/enpu_cmd.h>

#include "npu.h"

static void npu_fill_info(int fd, uint32_t minor, size_t index, enpu_device_info_t *i)
{
	uint64_t cores = npu_param(fd, DRM_ENPU_PARAM_NUM_CORES, 0);
	uint64_t levels = npu_param(fd, DRM_ENPU_PARAM_NUM_CLOCK_LEVELS, 0);
	uint64_t mhz = levels ? npu_param(fd, DRM_ENPU_PARAM_CLOCK_LEVEL_MHZ, levels - 1) : 0;
	int sim = !!(npu_param(fd, DRM_ENPU_PARAM_CAPABILITIES, 0) & DRM_ENPU_CAP_SIMULATED);

	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "npu%zu", index);
	snprintf(i->description, sizeof(i->description), "enpu NPU /dev/accel/accel%u%s, %llu MHz",
		 minor, sim ? " (software model)" : "", (unsigned long long)mhz);
	i->type = ENPU_DEVICE_NPU;
	i->op_mask = (1u << ENPU_OP_KIND_COUNT) - 1;
	i->dtype_mask = 1u << ENPU_DTYPE_INT8 | 1u << ENPU_DTYPE_INT32 | 1u << ENPU_DTYPE_FP16 |
			1u << ENPU_DTYPE_FP32;
	i->core_count = (uint32_t)cores;
	i->memory_bytes = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	/* peak = cores x MACs/cycle x 2 ops x top clock */
	i->peak_int8_ops = (double)cores * npu_param(fd, DRM_ENPU_PARAM_MACS_PER_CYCLE_I8, 0) *
			   2 * mhz * 1e6;
	i->peak_fp16_ops = (double)cores * npu_param(fd, DRM_ENPU_PARAM_MACS_PER_CYCLE_F16, 0) *
			   2 * mhz * 1e6;
}

static size_t npu_enumerate(enpu_device_info_t *infos, size_t cap)
{
	uint32_t minors[NPU_MAX_DEVICES];
	size_t n = npu_scan(minors, NPU_MAX_DEVICES);

	for (size_t i = 0; i < n && i < cap; i++) {
		int fd = npu_open_minor(minors[i]);

		if (fd < 0)
			continue;
		npu_fill_info(fd, minors[i], i, &infos[i]);
		close(fd);
	}
	return n;
}

static void npu_close(void *state)
{
	npu_device_t *d = state;

	enpu_host_queue_destroy(d->queue);
	npu_bo_free(d->fd, &d->scratch);
	close(d->fd);
	pthread_mutex_destroy(&d->handle_lock);
	free(d->handles);
	free(d);
}

/* Does this thread have CAP_SYS_NICE (which DRM_ENPU_PRIORITY_HIGH needs)? */
static bool npu_may_raise_priority(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_TO_INDEX(CAP_SYS_NICE)].effective & CAP_TO_MASK(CAP_SYS_NICE);
}

static const uint32_t npu_priority[] = {
	[ENPU_PRIORITY_NORMAL] = DRM_ENPU_PRIORITY_NORMAL,
	[ENPU_PRIORITY_LOW] = DRM_ENPU_PRIORITY_LOW,
	[ENPU_PRIORITY_HIGH] = DRM_ENPU_PRIORITY_HIGH,
};

static enpu_status_t npu_open(size_t local_index, const enpu_device_options_t *options,
			      enpu_device_info_t *info, void **state)
{
	uint32_t minors[NPU_MAX_DEVICES];
	size_t n = npu_scan(minors, NPU_MAX_DEVICES);
	npu_device_t *d;
	enpu_status_t st;
	int ret;

	if (options->priority == ENPU_PRIORITY_HIGH && !npu_may_raise_priority())
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"npu: high priority needs CAP_SYS_NICE");
	if (local_index >= n)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "npu: device %zu is gone",
					local_index);
	d = calloc(1, sizeof(*d));
	if (!d)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "npu: out of memory");
	d->minor = minors[local_index];
	d->priority = npu_priority[options->priority];
	pthread_mutex_init(&d->handle_lock, NULL);
	d->fd = npu_open_minor(d->minor);
	if (d->fd < 0) {
		st = enpu_status_make(ENPU_STATUS_DEVICE_ERROR, "npu: cannot open /dev/accel/accel%u: %s",
				      d->minor, strerror(errno));
		pthread_mutex_destroy(&d->handle_lock);
		free(d);
		return st;
	}
	d->cores = (uint32_t)npu_param(d->fd, DRM_ENPU_PARAM_NUM_CORES, 0);
	d->job_timeout_ms = (uint32_t)npu_param(d->fd, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 0);
	ret = npu_bo_create(d->fd, NPU_SCRATCH_BYTES, &d->scratch);
	if (ret) {
		close(d->fd);
		pthread_mutex_destroy(&d->handle_lock);
		free(d);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"npu: cannot allocate the command buffer: %s", strerror(-ret));
	}
	npu_fill_info(d->fd, d->minor, local_index, info);
	st = enpu_host_queue_create(info->name, npu_exec, d, &d->queue);
	if (st != ENPU_OK) {
		npu_bo_free(d->fd, &d->scratch);
		close(d->fd);
		pthread_mutex_destroy(&d->handle_lock);
		free(d);
		return st;
	}
	*state = d;
	return ENPU_OK;
}

static enpu_status_t npu_submit(enpu_device_t *device, enpu_command_list_t *list,
				enpu_fence_t *const *waits, size_t wait_count, enpu_fence_t *fence)
{
	npu_device_t *d = device->state;

	return enpu_host_queue_submit(d->queue, device, list, waits, wait_count, fence);
}

static enpu_status_t npu_execute(enpu_device_t *device, enpu_command_list_t *list)
{
	npu_device_t *d = device->state;

	return enpu_host_queue_execute(d->queue, device, list);
}

const enpu_backend_t enpu_npu_backend = {
	.name = "npu",
	.enumerate = npu_enumerate,
	.open = npu_open,
	.close = npu_close,
	.buffer_allocate = npu_buffer_allocate,
	.buffer_wrap = npu_buffer_wrap,
	.buffer_import_fd = npu_buffer_import_fd,
	.buffer_accessible = npu_buffer_accessible,
	.submit = npu_submit,
	.execute = npu_execute,
};
