/* SPDX-License-Identifier: MIT */
/* NPU backend: the GEM handles that buffers hold. PRIME hands back the handle
 * a file already has for a dma-buf (one it exported, or imported before)
 * without another reference, so two buffers may hold one handle: each holds
 * a count here, and the last one closes the handle. Import and close take
 * the same lock, so an import never gets a handle that is being closed. */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <drm.h>

#include "npu.h"

struct npu_handle {
	uint32_t handle, users;
};

/* users++ for handle (added with 1 if absent); lock held. 0 or -ENOMEM. */
static int hold_locked(npu_device_t *d, uint32_t handle)
{
	for (size_t i = 0; i < d->handle_count; i++)
		if (d->handles[i].handle == handle) {
			d->handles[i].users++;
			return 0;
		}
	if (d->handle_count == d->handle_cap) {
		size_t cap = d->handle_cap ? 2 * d->handle_cap : 16;
		struct npu_handle *grown = realloc(d->handles, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		d->handles = grown;
		d->handle_cap = cap;
	}
	d->handles[d->handle_count++] = (struct npu_handle){ handle, 1 };
	return 0;
}

int npu_handle_hold(npu_device_t *d, uint32_t handle)
{
	pthread_mutex_lock(&d->handle_lock);
	int ret = hold_locked(d, handle);
	pthread_mutex_unlock(&d->handle_lock);
	return ret;
}

int npu_handle_import(npu_device_t *d, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle ph = { .fd = dmabuf };
	int ret = 0;

	pthread_mutex_lock(&d->handle_lock);
	if (ioctl(d->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		ret = -errno;
	else if (hold_locked(d, ph.handle)) { /* absent, so no buffer's: close it */
		struct drm_gem_close c = { .handle = ph.handle };
		ioctl(d->fd, DRM_IOCTL_GEM_CLOSE, &c);
		ret = -ENOMEM;
	}
	pthread_mutex_unlock(&d->handle_lock);
	*handle = ph.handle;
	return ret;
}

void npu_handle_release(npu_device_t *d, uint32_t handle)
{
	pthread_mutex_lock(&d->handle_lock);
	for (size_t i = 0; i < d->handle_count; i++) {
		if (d->handles[i].handle != handle)
			continue;
		if (--d->handles[i].users == 0) {
			struct drm_gem_close c = { .handle = handle };
			ioctl(d->fd, DRM_IOCTL_GEM_CLOSE, &c);
			d->handles[i] = d->handles[--d->handle_count];
		}
		break;
	}
	pthread_mutex_unlock(&d->handle_lock);
}
