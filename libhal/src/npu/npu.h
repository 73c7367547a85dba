/* SPDX-License-Identifier: MIT */
/* Internal: the NPU backend, on the enpu driver (/dev/accel/accelN,
 * uapi/drm/enpu_accel.h). Each op of a command list runs as one driver job on
 * the device's in-order queue thread (host_queue). */
#ifndef ENPU_NPU_H
#define ENPU_NPU_H

#include <pthread.h>
#include <stdint.h>
#include "backend.h"
#include "buffer_impl.h"
#include "host_queue.h"

#define NPU_MAX_DEVICES 16
/* Command stream (one descriptor) + per-channel requant arrays (<= 2 x 256 KiB). */
#define NPU_SCRATCH_BYTES (1024 * 1024)

typedef struct npu_bo {
	uint32_t handle;
	uint64_t addr;   /* device address in this file's context */
	uint64_t size;
	void *map;       /* CPU mapping, NULL for userptr BOs */
} npu_bo_t;

typedef struct npu_device {
	int fd;
	uint32_t minor;
	uint32_t cores;
	uint32_t job_timeout_ms;
	uint32_t priority; /* DRM_ENPU_PRIORITY_* of every job */
	enpu_host_queue_t *queue;
	npu_bo_t scratch; /* used by the queue thread only */
	/* the handles buffers hold (npu_handles.c), under handle_lock */
	pthread_mutex_t handle_lock;
	struct npu_handle *handles;
	size_t handle_count, handle_cap;
} npu_device_t;

/* A buffer backed by a BO of this device (allocated or imported), at a byte
 * offset in it (a dma-buf imported at an offset). */
typedef struct npu_buffer {
	enpu_buffer_t base;
	npu_bo_t bo;
	uint64_t offset;
} npu_buffer_t;



/*
 * Scans /dev/accel/accel* for enpu devices: the lowest cap minors, ascending,
 * so that a device's index follows its minor whatever readdir's order.
 */
size_t npu_scan(uint32_t *minors, size_t cap);
int npu_open_minor(uint32_t minor);
uint64_t npu_param(int fd, uint32_t param, uint32_t index);

/* BO helpers; 0 or -errno. */
int npu_bo_create(int fd, uint64_t size, npu_bo_t *bo);
int npu_bo_userptr(int fd, void *ptr, uint64_t size, int readonly, npu_bo_t *bo);
int npu_bo_info(int fd, npu_bo_t *bo, uint64_t *mmap_offset);
void npu_bo_free(int fd, npu_bo_t *bo);

/* Buffers' GEM handles, counted (npu_handles.c): hold one more user of a
 * handle; import a dma-buf through PRIME and hold its handle; drop a user,
 * closing the handle with the last. 0 or -errno. */
int npu_handle_hold(npu_device_t *d, uint32_t handle);
int npu_handle_import(npu_device_t *d, int dmabuf, uint32_t *handle);
void npu_handle_release(npu_device_t *d, uint32_t handle);

enpu_status_t npu_buffer_allocate(enpu_device_t *device, size_t size, enpu_buffer_t **out);
enpu_status_t npu_buffer_wrap(enpu_device_t *device, void *ptr, size_t size,
			      enpu_buffer_release_fn fn, void *user, enpu_buffer_t **out);
enpu_status_t npu_buffer_import_fd(enpu_device_t *device, int fd, size_t offset, size_t size,
				   enpu_buffer_t **out);
bool npu_buffer_accessible(const enpu_device_t *device, const enpu_buffer_t *buffer);
/* The BO of buffer if it is one of this device's (and the buffer's offset in
 * it), else NULL. */
const npu_bo_t *npu_buffer_bo(const npu_device_t *dev, const enpu_buffer_t *buffer,
			      uint64_t *offset);

/* UNSUPPORTED for an op past the command stream's limits (npu_limits.c). */
enpu_status_t npu_check_limits(const enpu_op_t *op);

/* Runs one op as a job (the host queue's exec callback; ctx: npu_device_t). */
enpu_status_t npu_exec(void *ctx, const enpu_op_t *op);

#endif
