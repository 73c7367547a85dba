/* SPDX-License-Identifier: MIT */
/* NPU backend: the driver's buffer-object ioctls and device discovery. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm/enpu_accel.h>

#include "npu.h"

int npu_open_minor(uint32_t minor)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/accel/accel%u", minor);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* An accel node whose driver is "enpu". */
static int is_enpu(int fd)
{
	char name[16] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	return !ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "enpu");
}

/* Keeps minors[0..n) ascending, n <= cap; when full, drops the largest. */
static size_t insert_minor(uint32_t *minors, size_t n, size_t cap, uint32_t minor)
{
	size_t i = n;

	if (n == cap && (!cap || minor > minors[cap - 1]))
		return n;
	while (i > 0 && minors[i - 1] > minor) {
		if (i < cap)
			minors[i] = minors[i - 1];
		i--;
	}
	minors[i] = minor;
	return n < cap ? n + 1 : n;
}

size_t npu_scan(uint32_t *minors, size_t cap)
{
	DIR *d = opendir("/dev/accel");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		unsigned int minor;
		char end;
		int fd;

		if (sscanf(de->d_name, "accel%u%c", &minor, &end) != 1)
			continue;
		fd = npu_open_minor(minor);
		if (fd < 0)
			continue;
		if (is_enpu(fd))
			n = insert_minor(minors, n, cap, minor);
		close(fd);
	}
	closedir(d);
	return n;
}

uint64_t npu_param(int fd, uint32_t param, uint32_t index)
{
	struct drm_enpu_get_param p = { .param = param, .index = index };

	return ioctl(fd, DRM_IOCTL_ENPU_GET_PARAM, &p) ? 0 : p.value;
}

int npu_bo_info(int fd, npu_bo_t *bo, uint64_t *mmap_offset)
{
	struct drm_enpu_bo_info info = { .handle = bo->handle };

	if (ioctl(fd, DRM_IOCTL_ENPU_BO_INFO, &info))
		return -errno;
	bo->addr = info.dev_addr;
	bo->size = info.size;
	if (mmap_offset)
		*mmap_offset = info.mmap_offset;
	return 0;
}

void npu_bo_free(int fd, npu_bo_t *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->handle)
		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	memset(bo, 0, sizeof(*bo));
}

int npu_bo_create(int fd, uint64_t size, npu_bo_t *bo)
{
	struct drm_enpu_bo_create c = { .size = size };
	uint64_t off = 0;
	int ret;

	memset(bo, 0, sizeof(*bo));
	if (ioctl(fd, DRM_IOCTL_ENPU_BO_CREATE, &c))
		return -errno;
	bo->handle = c.handle;
	ret = npu_bo_info(fd, bo, &off);
	if (!ret) {
		bo->map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
		if (bo->map == MAP_FAILED) {
			bo->map = NULL;
			ret = -errno;
		}
	}
	if (ret)
		npu_bo_free(fd, bo);
	return ret;
}

int npu_bo_userptr(int fd, void *ptr, uint64_t size, int readonly, npu_bo_t *bo)
{
	struct drm_enpu_bo_userptr u = {
		.user_ptr = (uintptr_t)ptr, .size = size,
		.flags = readonly ? DRM_ENPU_BO_USERPTR_READONLY : 0,
	};
	int ret;

	memset(bo, 0, sizeof(*bo));
	if (ioctl(fd, DRM_IOCTL_ENPU_BO_USERPTR, &u))
		return -errno;
	bo->handle = u.handle;
	ret = npu_bo_info(fd, bo, NULL);
	if (ret)
		npu_bo_free(fd, bo);
	return ret;
}
