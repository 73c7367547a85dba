/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the enpu driver tests: one BO, one job, one wait. */
#ifndef ENPU_TEST_H
#define ENPU_TEST_H

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include <drm.h>
#include <drm/enpu_accel.h>
#include <drm/enpu_cmd.h>

#include "harness.h"

#define ENPU_TEST_NODE "/dev/accel/accel0"

static inline int enpu_open_node(void)
{
	return open(ENPU_TEST_NODE, O_RDWR | O_CLOEXEC);
}

/* Opens the first enpu node, or skips the test where the module is not loaded. */
#define enpu_test_open(meta) __enpu_test_open(meta)
static inline int __enpu_test_open(struct __test_metadata *_metadata)
{
	int fd = enpu_open_node();

	if (fd < 0 && errno == ENOENT) {
		SKIP(_exit(KSFT_SKIP), "%s missing: is enpu.ko loaded? (run through tools/vm/run)",
		     ENPU_TEST_NODE);
	}
	ASSERT_LE(0, fd);
	return fd;
}

static inline uint64_t enpu_param(int fd, uint32_t param, uint32_t index)
{
	struct drm_enpu_get_param p = { .param = param, .index = index };

	if (ioctl(fd, DRM_IOCTL_ENPU_GET_PARAM, &p))
		return UINT64_MAX;
	return p.value;
}

/** A buffer object, created, described and mapped. */
struct enpu_bo {
	uint32_t handle;
	uint64_t size;
	uint64_t addr;	/* device address */
	void *map;	/* CPU mapping, NULL for userptr BOs */
};

/* Returns 0 or -errno. */
static inline int enpu_bo_info(int fd, struct enpu_bo *bo, uint64_t *mmap_offset)
{
	struct drm_enpu_bo_info info = { .handle = bo->handle };

	if (ioctl(fd, DRM_IOCTL_ENPU_BO_INFO, &info))
		return -errno;
	bo->size = info.size;
	bo->addr = info.dev_addr;
	if (mmap_offset)
		*mmap_offset = info.mmap_offset;
	return 0;
}

static inline int enpu_bo_map(int fd, struct enpu_bo *bo)
{
	uint64_t off = 0;
	int ret = enpu_bo_info(fd, bo, &off);

	if (ret)
		return ret;
	bo->map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	return bo->map == MAP_FAILED ? (bo->map = NULL, -errno) : 0;
}

/* Creates, describes and maps a BO; 0 or -errno. */
static inline int enpu_bo_new(int fd, uint64_t size, struct enpu_bo *bo)
{
	struct drm_enpu_bo_create c = { .size = size };

	memset(bo, 0, sizeof(*bo));
	if (ioctl(fd, DRM_IOCTL_ENPU_BO_CREATE, &c))
		return -errno;
	bo->handle = c.handle;
	return enpu_bo_map(fd, bo);
}

static inline int enpu_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0;
}

static inline void enpu_bo_free(int fd, struct enpu_bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->handle)
		enpu_gem_close(fd, bo->handle);
	memset(bo, 0, sizeof(*bo));
}

/** A command stream being written into a mapped BO. */
struct enpu_cs {
	struct enpu_bo *bo;
	uint32_t used;
};

/* Appends a descriptor of @size bytes; returns where to fill it (header set). */
static inline void *enpu_cs_add(struct enpu_cs *cs, uint16_t opcode, uint32_t size)
{
	struct enpu_cmd_hdr *h = (void *)((char *)cs->bo->map + cs->used);

	memset(h, 0, size);
	h->opcode = opcode;
	h->size = size;
	cs->used += size;
	return h;
}

#define ENPU_CS_ADD(cs, op, type) ((type *)enpu_cs_add(cs, op, sizeof(type)))

/*
 * Appends a GEMM_I8 of @m x @n x @k whose tensors lie in @buf (mapped, >= 1 MiB,
 * zero-filled): A at 0, B at 128 KiB, bias (if @bias) at 256 KiB, C at 384 KiB,
 * multipliers (2^30) at 512 KiB, shifts (0) at 768 KiB.
 */
static inline struct enpu_cmd_gemm *enpu_cs_add_gemm_i8(struct enpu_cs *cs,
							const struct enpu_bo *buf, uint32_t m,
							uint32_t n, uint32_t k, bool bias)
{
	struct enpu_cmd_gemm *g = ENPU_CS_ADD(cs, ENPU_CMD_OP_GEMM_I8, struct enpu_cmd_gemm);
	int32_t *mult = (int32_t *)((char *)buf->map + (512 << 10));

	for (uint32_t i = 0; i < n; i++)
		mult[i] = 1 << 30;
	g->hdr.flags = bias ? ENPU_CMD_F_BIAS : 0;
	g->m = m;
	g->n = n;
	g->k = k;
	g->lda = k;
	g->ldb = k;
	g->ldc = n;
	g->a = buf->addr;
	g->b = buf->addr + (128 << 10);
	g->bias = bias ? buf->addr + (256 << 10) : 0;
	g->c = buf->addr + (384 << 10);
	g->q.mult = buf->addr + (512 << 10);
	g->q.shift = buf->addr + (768 << 10);
	g->q.act_min = -128;
	g->q.act_max = 127;
	return g;
}

/*
 * Submits one job of @n DMA_COPYs of @bytes each, from the start of @buf to
 * 1 MiB into it, to @core with @flags (DRM_ENPU_SUBMIT_*), its commands
 * written to @cmd; the job id, or -errno.
 */
static inline int64_t enpu_submit_copies(int fd, struct enpu_bo *cmd, const struct enpu_bo *buf,
					 int n, uint32_t bytes, uint32_t core, uint32_t flags)
{
	struct enpu_cs cs = { .bo = cmd };
	struct drm_enpu_submit_bo sbo = { buf->handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE };

	for (int i = 0; i < n; i++) {
		struct enpu_cmd_dma_copy *d =
			ENPU_CS_ADD(&cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);

		d->src = buf->addr;
		d->dst = buf->addr + (1 << 20);
		d->size = bytes;
	}
	struct drm_enpu_submit s = {
		.bos = (uintptr_t)&sbo, .bo_count = 1, .cmd_handle = cmd->handle,
		.cmd_size = cs.used, .core = core, .priority = DRM_ENPU_PRIORITY_NORMAL,
		.flags = flags,
	};

	if (ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, &s))
		return -errno;
	return (int64_t)s.job_id;
}

/* Submits @cs with @n BOs (handle, flags pairs); the job id, or -errno. */
static inline int64_t enpu_submit_cs(int fd, struct enpu_cs *cs,
				     const struct drm_enpu_submit_bo *bos, uint32_t n,
				     uint32_t core)
{
	struct drm_enpu_submit s = {
		.bos = (uintptr_t)bos, .bo_count = n,
		.cmd_handle = cs->bo->handle, .cmd_size = cs->used,
		.core = core, .priority = DRM_ENPU_PRIORITY_NORMAL,
	};

	if (ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, &s))
		return -errno;
	return (int64_t)s.job_id;
}

static inline int64_t enpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Waits up to @ms for job @id; 0 or -errno; the job's status in *status. */
static inline int enpu_wait_job(int fd, uint64_t id, int ms, int32_t *status)
{
	struct drm_enpu_wait w = {
		.type = DRM_ENPU_WAIT_JOB, .job_id = id,
		.timeout_ns = enpu_now_ns() + (int64_t)ms * 1000000,
	};

	int ret = ioctl(fd, DRM_IOCTL_ENPU_WAIT, &w) ? -errno : 0;

	if (status)
		*status = ret ? INT32_MIN : w.status;
	return ret;
}

/* The debugfs directory of accel0, e.g. /sys/kernel/debug/accel/enpu-sim.0. */
static inline const char *enpu_debugfs_dir(void)
{
	static char dir[PATH_MAX / 2];
	char dev[PATH_MAX];

	if (!realpath("/sys/class/accel/accel0/device", dev))
		return NULL;
	snprintf(dir, sizeof(dir), "/sys/kernel/debug/accel/%s", basename(dev));
	return dir;
}

/* Writes @cmd to the debugfs fault injection file; 0 or -errno. */
static inline int enpu_inject(const char *cmd)
{
	char path[PATH_MAX];
	const char *dir = enpu_debugfs_dir();
	int fd, ret = 0;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/inject", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Waits (up to 5 s) until an armed "hang" has been taken by a job; 0 or -errno. */
static inline int enpu_inject_wait_hang_taken(void)
{
	char path[PATH_MAX], buf[64];
	const char *dir = enpu_debugfs_dir();

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/inject", dir);
	for (int i = 0; i < 500; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (n < 0)
			return -errno;
		buf[n] = '\0';
		if (!strncmp(buf, "hang 0", 6))
			return 0;
		usleep(10000);
	}
	return -ETIME;
}

#endif /* ENPU_TEST_H */
