/* SPDX-License-Identifier: MIT */
/* NPU backend: buffers. Allocated buffers are driver BOs, mapped into the
 * process (so host devices use them in place) and exportable as dma-bufs.
 * Imported dma-bufs become BOs through PRIME (a dma-buf of this device, or
 * one imported before, gives a handle another buffer holds too: counted in
 * npu_handles.c). Wrapped user memory stays host memory: each job pins the
 * pages it needs (BO_USERPTR), zero copy. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <drm.h>

#include "npu.h"

static npu_device_t *npu_of(const enpu_device_t *device)
{
	return device->state;
}

/* Unmaps bo and drops its handle (closed with its last buffer). */
static void bo_release(npu_device_t *d, npu_bo_t *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	npu_handle_release(d, bo->handle);
	memset(bo, 0, sizeof(*bo));
}

static void npu_buffer_destroy(enpu_buffer_t *buffer)
{
	npu_buffer_t *nb = (npu_buffer_t *)buffer;

	bo_release(npu_of(buffer->device), &nb->bo);
	free(nb);
}

static enpu_status_t npu_buffer_export(enpu_buffer_t *buffer, int *fd, size_t *offset)
{
	npu_buffer_t *nb = (npu_buffer_t *)buffer;
	struct drm_prime_handle ph = { .handle = nb->bo.handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	if (ioctl(npu_of(buffer->device)->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph))
		return enpu_status_make(ENPU_STATUS_DEVICE_ERROR, "npu: dma-buf export failed: %s",
					strerror(errno));
	*fd = ph.fd;
	*offset = nb->offset;
	return ENPU_OK;
}

static enpu_status_t npu_buffer_map(enpu_buffer_t *buffer, size_t offset, size_t length,
				    void **ptr)
{
	(void)length;	/* checked by the caller against the size */
	*ptr = (char *)buffer->host + offset;
	return ENPU_OK;
}

static enpu_status_t npu_buffer_unmap(enpu_buffer_t *buffer)
{
	(void)buffer;	/* the mapping lives as long as the buffer */
	return ENPU_OK;
}

/* The enpu device (and its sim) is cache coherent with the CPU. */
static enpu_status_t npu_buffer_sync(enpu_buffer_t *buffer, bool for_cpu)
{
	(void)buffer;
	(void)for_cpu;
	return ENPU_OK;
}

static const enpu_buffer_ops_t npu_buffer_ops = {
	.destroy = npu_buffer_destroy,
	.export_fd = npu_buffer_export,
	.map = npu_buffer_map,
	.unmap = npu_buffer_unmap,
	.sync = npu_buffer_sync,
};

static npu_buffer_t *npu_buffer_new(enpu_device_t *device, size_t size, const npu_bo_t *bo,
				     uint64_t offset)
{
	npu_buffer_t *nb = calloc(1, sizeof(*nb));

	if (!nb)
		return NULL;
	enpu_ref_init(&nb->base.ref);
	nb->base.ops = &npu_buffer_ops;
	nb->base.device = device;
	nb->base.size = size;
	nb->base.host = (char *)bo->map + offset;
	atomic_init(&nb->base.map_count, 0);
	nb->bo = *bo;
	nb->offset = offset;
	enpu_device_retain(device);
	return nb;
}

enpu_status_t npu_buffer_allocate(enpu_device_t *device, size_t size, enpu_buffer_t **out)
{
	npu_bo_t bo;
	npu_buffer_t *nb;
	int ret = npu_bo_create(npu_of(device)->fd, size, &bo);

	if (ret)
		return enpu_status_make(ret == -ENOMEM ? ENPU_STATUS_RESOURCE_EXHAUSTED :
					ENPU_STATUS_DEVICE_ERROR,
					"npu: cannot allocate %zu bytes: %s", size, strerror(-ret));
	if (npu_handle_hold(npu_of(device), bo.handle)) {
		npu_bo_free(npu_of(device)->fd, &bo);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "npu: out of memory");
	}
	nb = npu_buffer_new(device, size, &bo, 0);
	if (!nb) {
		bo_release(npu_of(device), &bo);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "npu: out of memory");
	}
	*out = &nb->base;
	return ENPU_OK;
}

enpu_status_t npu_buffer_wrap(enpu_device_t *device, void *ptr, size_t size,
			      enpu_buffer_release_fn fn, void *user, enpu_buffer_t **out)
{
	return enpu_host_buffer_wrap(device, ptr, size, fn, user, out);
}

/* A dma-buf becomes a BO (at offset in it); any other mappable fd (memfd)
 * stays host memory. */
enpu_status_t npu_buffer_import_fd(enpu_device_t *device, int fd, size_t offset, size_t size,
				   enpu_buffer_t **out)
{
	npu_device_t *d = npu_of(device);
	uint64_t mmap_off = 0;
	npu_buffer_t *nb;
	npu_bo_t bo = { 0 };
	int ret;

	ret = npu_handle_import(d, fd, &bo.handle);
	if (ret == -ENOMEM)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "npu: out of memory");
	if (ret)
		return enpu_host_buffer_import_fd(device, fd, offset, size, out);
	ret = npu_bo_info(d->fd, &bo, &mmap_off);
	if (ret || bo.size < offset || bo.size - offset < size) {
		enpu_status_t st = ret ? enpu_status_make(ENPU_STATUS_DEVICE_ERROR,
							  "npu: BO_INFO of an imported dma-buf: %s",
							  strerror(-ret))
				       : enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
							  "npu: range [%zu, +%zu) exceeds the dma-buf's "
							  "%llu bytes",
							  offset, size, (unsigned long long)bo.size);
		bo_release(d, &bo);
		return st;
	}
	bo.map = mmap(NULL, bo.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, mmap_off);
	if (bo.map == MAP_FAILED) {
		bo.map = NULL;
		bo_release(d, &bo);
		return enpu_host_buffer_import_fd(device, fd, offset, size, out);
	}
	nb = npu_buffer_new(device, size, &bo, offset);
	if (!nb) {
		bo_release(d, &bo);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "npu: out of memory");
	}
	*out = &nb->base;
	return ENPU_OK;
}

const npu_bo_t *npu_buffer_bo(const npu_device_t *dev, const enpu_buffer_t *buffer,
			      uint64_t *offset)
{
	if (buffer->ops != &npu_buffer_ops || buffer->device->state != dev)
		return NULL;
	if (offset)
		*offset = ((const npu_buffer_t *)buffer)->offset;
	return &((const npu_buffer_t *)buffer)->bo;
}

/* This device's BOs, and host memory (pinned per job); not another NPU's BOs,
 * whose mappings cannot be pinned (export them as dma-bufs and import). */
bool npu_buffer_accessible(const enpu_device_t *device, const enpu_buffer_t *buffer)
{
	if (buffer->ops == &npu_buffer_ops)
		return npu_buffer_bo(npu_of(device), buffer, NULL) != NULL;
	return buffer->host != NULL;
}
