/* SPDX-License-Identifier: MIT */
/* Host-memory buffers for the CPU and reference backends: memfd allocations
 * (exportable as an fd), wrapped user pointers (zero copy), and imported fds
 * (dma-buf, memfd, udmabuf) mapped with mmap. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backend.h"
#include "buffer_impl.h"

typedef struct host_buffer {
	enpu_buffer_t base;
	int fd;              /* -1 for wrapped memory */
	void *map_base;      /* mmap'ed region (page aligned), NULL for wrapped */
	size_t map_len;
	size_t fd_offset;    /* byte offset of base.host within fd */
	enpu_buffer_release_fn release_fn;
	void *user_data;
} host_buffer_t;

static void host_destroy(enpu_buffer_t *b)
{
	host_buffer_t *hb = (host_buffer_t *)b;
	if (hb->map_base)
		munmap(hb->map_base, hb->map_len);
	if (hb->fd >= 0)
		close(hb->fd);
	if (hb->release_fn)
		hb->release_fn(hb->user_data, b->host);
	free(hb);
}

static enpu_status_t host_export_fd(enpu_buffer_t *b, int *fd, size_t *offset)
{
	host_buffer_t *hb = (host_buffer_t *)b;
	if (hb->fd < 0)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"export_fd: wrapped user memory has no file descriptor");
	int dup_fd = fcntl(hb->fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "export_fd: dup: %s",
					strerror(errno));
	*fd = dup_fd;
	*offset = hb->fd_offset;
	return ENPU_OK;
}

static enpu_status_t host_map(enpu_buffer_t *b, size_t offset, size_t length, void **ptr)
{
	(void)length;
	*ptr = (char *)b->host + offset;
	return ENPU_OK;
}

static enpu_status_t host_unmap(enpu_buffer_t *b)
{
	(void)b;
	return ENPU_OK;
}

/* Host memory is cache coherent with every host device: nothing to do. */
static enpu_status_t host_sync(enpu_buffer_t *b, bool for_cpu)
{
	(void)b;
	(void)for_cpu;
	return ENPU_OK;
}

static const enpu_buffer_ops_t host_ops = {
	.destroy = host_destroy,
	.export_fd = host_export_fd,
	.map = host_map,
	.unmap = host_unmap,
	.sync = host_sync,
};

static host_buffer_t *host_new(enpu_device_t *device, size_t size)
{
	host_buffer_t *hb = calloc(1, sizeof(*hb));
	if (!hb)
		return NULL;
	enpu_ref_init(&hb->base.ref);
	hb->base.ops = &host_ops;
	hb->base.device = device;
	hb->base.size = size;
	atomic_init(&hb->base.map_count, 0);
	hb->fd = -1;
	enpu_device_retain(device);
	return hb;
}

enpu_status_t enpu_host_buffer_allocate(enpu_device_t *device, size_t size,
					enpu_buffer_t **out)
{
	int fd = memfd_create("enpu-buffer", MFD_CLOEXEC);
	if (fd < 0)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"buffer_allocate: memfd_create: %s", strerror(errno));
	if (ftruncate(fd, (off_t)size) != 0) {
		int err = errno;
		close(fd);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"buffer_allocate: %zu bytes: %s", size, strerror(err));
	}
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;
		close(fd);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"buffer_allocate: mmap %zu bytes: %s", size, strerror(err));
	}
	host_buffer_t *hb = host_new(device, size);
	if (!hb) {
		munmap(p, size);
		close(fd);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "buffer_allocate: out of memory");
	}
	hb->fd = fd;
	hb->map_base = p;
	hb->map_len = size;
	hb->base.host = p;
	*out = &hb->base;
	return ENPU_OK;
}

enpu_status_t enpu_host_buffer_wrap(enpu_device_t *device, void *ptr, size_t size,
				    enpu_buffer_release_fn fn, void *user,
				    enpu_buffer_t **out)
{
	host_buffer_t *hb = host_new(device, size);
	if (!hb)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "buffer_wrap: out of memory");
	hb->base.host = ptr;
	hb->release_fn = fn;
	hb->user_data = user;
	*out = &hb->base;
	return ENPU_OK;
}

/* The size of what fd refers to, or -1 where it cannot tell, leaving the
 * file position (shared with the caller's fd) where it was: a regular file's
 * (memfd) from fstat; else from lseek(SEEK_END), which on a dma-buf only
 * reports the size, and on anything else is undone. */
static off_t fd_size(int fd)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_size;
	off_t cur = lseek(fd, 0, SEEK_CUR);
	off_t end = lseek(fd, 0, SEEK_END);
	if (cur >= 0)
		lseek(fd, cur, SEEK_SET);
	return end;
}

enpu_status_t enpu_host_buffer_import_fd(enpu_device_t *device, int fd, size_t offset,
					 size_t size, enpu_buffer_t **out)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t start = offset & ~(page - 1);
	size_t lead = offset - start;
	if (size > SIZE_MAX - lead)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "import_fd: size too large");
	int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (own < 0)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "import_fd: fd %d: %s", fd,
					strerror(errno));
	off_t end = fd_size(own);
	if (end >= 0 && ((uint64_t)offset > (uint64_t)end || size > (uint64_t)end - offset)) {
		close(own);
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"import_fd: range [%zu, +%zu) exceeds the fd's size %lld",
					offset, size, (long long)end);
	}
	void *p = mmap(NULL, lead + size, PROT_READ | PROT_WRITE, MAP_SHARED, own, (off_t)start);
	if (p == MAP_FAILED) {
		int err = errno;
		close(own);
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"import_fd: cannot mmap fd %d: %s", fd, strerror(err));
	}
	host_buffer_t *hb = host_new(device, size);
	if (!hb) {
		munmap(p, lead + size);
		close(own);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "import_fd: out of memory");
	}
	hb->fd = own;
	hb->map_base = p;
	hb->map_len = lead + size;
	hb->fd_offset = offset;
	hb->base.host = (char *)p + lead;
	*out = &hb->base;
	return ENPU_OK;
}

bool enpu_host_buffer_accessible(const enpu_device_t *device, const enpu_buffer_t *buffer)
{
	(void)device;
	return buffer->host != NULL;
}
