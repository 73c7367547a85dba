// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency: several processes with many jobs each, syncobj chains across
 * processes over a shared dma-buf, timeline syncobjs, implicit sync between
 * contexts, in-order completion, and a hang in one context leaving another's
 * jobs running.
 */
#include <sys/wait.h>

#include "enpu_test.h"

#define SLOT 8
/* Each BO ends with scratch space for delay copies: 2 x DELAY_BYTES. */
#define DELAY_BYTES (32 * 1024)
#define SCRATCH (2 * DELAY_BYTES)

/* A slow copy inside @bo's scratch area (the last SCRATCH bytes). */
static void add_delay(struct enpu_cs *cs, const struct enpu_bo *bo)
{
	struct enpu_cmd_dma_copy *d = ENPU_CS_ADD(cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);

	d->src = bo->addr + bo->size - SCRATCH;
	d->dst = d->src + DELAY_BYTES;
	d->size = DELAY_BYTES;
}

/* A DMA_COPY of one 8-byte slot inside @bo, from slot @from to slot @to. */
static void add_slot_copy(struct enpu_cs *cs, const struct enpu_bo *bo, uint32_t from,
			  uint32_t to)
{
	struct enpu_cmd_dma_copy *d = ENPU_CS_ADD(cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);

	d->src = bo->addr + (uint64_t)from * SLOT;
	d->dst = bo->addr + (uint64_t)to * SLOT;
	d->size = SLOT;
}

/* Explicit sync for a submit; such jobs skip implicit sync on their BOs. */
struct sync_submit {
	uint32_t wait_handle, signal_handle;
	uint64_t wait_point, signal_point;
};

/* Submits a one-copy job with optional in/out syncobjs; the job id or -errno. */
static int64_t submit_copy(int fd, struct enpu_bo *cmd, const struct enpu_bo *bo,
			   uint32_t from, uint32_t to, const struct sync_submit *sy, uint32_t core)
{
	struct enpu_cs cs = { .bo = cmd };
	struct drm_enpu_submit_bo sbo = { bo->handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE };
	struct drm_enpu_sync in = { 0 }, out = { 0 };
	struct drm_enpu_submit s = {
		.bos = (uintptr_t)&sbo, .bo_count = 1, .cmd_handle = cmd->handle,
		.core = core, .priority = DRM_ENPU_PRIORITY_NORMAL,
		.flags = sy ? DRM_ENPU_SUBMIT_NO_IMPLICIT_SYNC : 0,
	};

	/* the copy's result lands only after the delay's modelled time */
	add_delay(&cs, bo);
	add_slot_copy(&cs, bo, from, to);
	s.cmd_size = cs.used;
	if (sy && sy->wait_handle) {
		in.handle = sy->wait_handle;
		in.point = sy->wait_point;
		s.in_syncs = (uintptr_t)&in;
		s.in_sync_count = 1;
	}
	if (sy && sy->signal_handle) {
		out.handle = sy->signal_handle;
		out.point = sy->signal_point;
		s.out_syncs = (uintptr_t)&out;
		s.out_sync_count = 1;
	}
	if (ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, &s))
		return -errno;
	return (int64_t)s.job_id;
}

static uint32_t syncobj_create(int fd)
{
	struct drm_syncobj_create c = { 0 };

	return ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

/* Waits for the point to signal, or with @avail only until its fence exists. */
static int syncobj_wait_flags(int fd, uint32_t handle, uint64_t point, int ms, bool avail)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&handle, .points = (uintptr_t)&point, .count_handles = 1,
		.timeout_nsec = enpu_now_ns() + (int64_t)ms * 1000000,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
			 (avail ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE : 0),
	};

	return ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w) ? -errno : 0;
}

static int syncobj_wait(int fd, uint32_t handle, uint64_t point, int ms)
{
	return syncobj_wait_flags(fd, handle, point, ms, false);
}

/* Until the other process has submitted the link: the kernel orders the rest. */
static int syncobj_wait_submitted(int fd, uint32_t handle, int ms)
{
	return syncobj_wait_flags(fd, handle, 0, ms, true);
}

/* Child: @jobs copies in its own context; exit 0 iff all done and correct. */
static int worker(int jobs, int seed)
{
	int fd = enpu_open_node();
	struct enpu_bo cmd[4], bo;
	int32_t status;
	int64_t id = 0;
	int i;

	if (fd < 0 || enpu_bo_new(fd, (uint64_t)(jobs + 1) * SLOT + SCRATCH, &bo))
		return 10;
	for (i = 0; i < 4; i++)
		if (enpu_bo_new(fd, 4096, &cmd[i]))
			return 11;
	((uint64_t *)bo.map)[0] = 0x1234567800000000ULL | (uint64_t)seed;
	/* slot i+1 = slot i: only in-order execution carries the value to the end */
	for (i = 0; i < jobs; i++) {
		id = submit_copy(fd, &cmd[i % 4], &bo, i, i + 1, NULL, DRM_ENPU_CORE_ANY);
		if (id < 0)
			return 12;
	}
	if (enpu_wait_job(fd, (uint64_t)id, 60000, &status) || status)
		return 13;
	for (i = 1; i <= jobs; i++) {	/* every earlier job is done too */
		if (enpu_wait_job(fd, (uint64_t)i, 0, &status) || status)
			return 14;
		if (((uint64_t *)bo.map)[i] != ((uint64_t *)bo.map)[0])
			return 15;
	}
	close(fd);
	return 0;
}

TEST_TIMEOUT(four_processes_many_jobs, 120)
{
	enum { PROCS = 4, JOBS = 150 };
	pid_t pids[PROCS];
	int i, status;

	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(worker(JOBS, i));
	}
	for (i = 0; i < PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
}

/*
 * Two processes share one dma-buf and a chain of syncobjs, both passed as fds:
 * link k copies slot k-1 to slot k, runs in process k % 2, waits for link k-1
 * and signals link k. Slowed-down jobs make any ordering bug visible.
 */
static int chain_child(int buf_fd, const int *sync_fds, int links)
{
	int fd = enpu_open_node(), k;
	struct drm_prime_handle ph = { .fd = buf_fd };
	struct enpu_bo imp = { 0 }, cmd;
	uint32_t sync[64];

	if (fd < 0 || ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return 20;
	imp.handle = ph.handle;
	if (enpu_bo_info(fd, &imp, NULL) || enpu_bo_new(fd, 4096, &cmd))
		return 21;
	for (k = 1; k <= links; k++) {
		struct drm_syncobj_handle sh = { .fd = sync_fds[k] };

		if (ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sh))
			return 22;
		sync[k] = sh.handle;
	}
	for (k = 1; k <= links; k += 2) {
		struct sync_submit sy = {
			.wait_handle = k > 1 ? sync[k - 1] : 0, .signal_handle = sync[k],
		};

		if (k > 1 && syncobj_wait_submitted(fd, sync[k - 1], 60000))
			return 23;
		if (submit_copy(fd, &cmd, &imp, k - 1, k, &sy, DRM_ENPU_CORE_ANY) < 0)
			return 24;
	}
	return syncobj_wait(fd, sync[links], 0, 60000) ? 25 : 0;
}

TEST_TIMEOUT(cross_process_syncobj_chain_on_shared_dmabuf, 120)
{
	enum { LINKS = 24 };
	int fd = enpu_open_node(), sync_fds[LINKS + 1], status, k;
	struct drm_prime_handle ph = { .flags = DRM_CLOEXEC | DRM_RDWR };
	uint32_t sync[LINKS + 1];
	struct enpu_bo bo, cmd;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, enpu_bo_new(fd, (LINKS + 1) * SLOT + SCRATCH, &bo));
	ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
	((uint64_t *)bo.map)[0] = 0xc0ffee;
	ph.handle = bo.handle;
	ASSERT_EQ(0, ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	for (k = 1; k <= LINKS; k++) {
		struct drm_syncobj_handle sh = { 0 };

		ASSERT_NE(0, sync[k] = syncobj_create(fd));
		sh.handle = sync[k];
		ASSERT_EQ(0, ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &sh));
		sync_fds[k] = sh.fd;
	}
	if (enpu_inject("slow 200"))
		TH_LOG("no fault injection: running at full speed");

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(chain_child(ph.fd, sync_fds, LINKS));
	for (k = 2; k <= LINKS; k += 2) {
		struct sync_submit sy = { .wait_handle = sync[k - 1], .signal_handle = sync[k] };

		ASSERT_EQ(0, syncobj_wait_submitted(fd, sync[k - 1], 60000));
		ASSERT_LT(0, submit_copy(fd, &cmd, &bo, k - 1, k, &sy, DRM_ENPU_CORE_ANY));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, syncobj_wait(fd, sync[LINKS], 0, 60000));
	enpu_inject("none");
	for (k = 0; k <= LINKS; k++)
		EXPECT_EQ(0xc0ffee, ((uint64_t *)bo.map)[k]);
	close(fd);
}

/* One timeline syncobj orders a chain of jobs through its points. */
TEST(timeline_points_order_jobs)
{
	enum { N = 32 };
	int fd = enpu_open_node();
	uint32_t tl;
	struct enpu_bo bo, cmd;
	int k;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, enpu_bo_new(fd, (N + 1) * SLOT + SCRATCH, &bo));
	ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
	ASSERT_NE(0, tl = syncobj_create(fd));
	((uint64_t *)bo.map)[0] = 0xfeed;
	if (enpu_inject("slow 200"))
		TH_LOG("no fault injection: running at full speed");
	for (k = 1; k <= N; k++) {
		struct sync_submit sy = {
			.wait_handle = k > 1 ? tl : 0, .wait_point = k - 1,
			.signal_handle = tl, .signal_point = k,
		};

		/* alternate cores: only the timeline orders them */
		ASSERT_LT(0, submit_copy(fd, &cmd, &bo, k - 1, k, &sy, k % 2));
	}
	ASSERT_EQ(0, syncobj_wait(fd, tl, N, 30000));
	enpu_inject("none");
	for (k = 0; k <= N; k++)
		EXPECT_EQ(0xfeed, ((uint64_t *)bo.map)[k]);
	close(fd);
}

/* No syncobjs at all: the dma-buf's reservation orders writer and reader. */
TEST(implicit_sync_between_contexts)
{
	enum { ROUNDS = 16 };
	int fa = enpu_open_node(), fb = enpu_open_node();
	struct enpu_bo a, cmd_a, imp = { 0 }, cmd_b;
	struct drm_prime_handle ph = { .flags = DRM_CLOEXEC | DRM_RDWR };
	int32_t status;
	int64_t id = 0;
	int r;

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, enpu_bo_new(fa, (2 * ROUNDS + 1) * SLOT + SCRATCH, &a));
	ASSERT_EQ(0, enpu_bo_new(fa, 4096, &cmd_a));
	ASSERT_EQ(0, enpu_bo_new(fb, 4096, &cmd_b));
	ph.handle = a.handle;
	ASSERT_EQ(0, ioctl(fa, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	struct drm_prime_handle ih = { .fd = ph.fd };

	ASSERT_EQ(0, ioctl(fb, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ih));
	imp.handle = ih.handle;
	ASSERT_EQ(0, enpu_bo_info(fb, &imp, NULL));
	((uint64_t *)a.map)[0] = 0xabcdef;
	if (enpu_inject("slow 200"))
		TH_LOG("no fault injection: running at full speed");
	for (r = 0; r < ROUNDS; r++) {
		ASSERT_LT(0, submit_copy(fa, &cmd_a, &a, 2 * r, 2 * r + 1, NULL, 0));
		id = submit_copy(fb, &cmd_b, &imp, 2 * r + 1, 2 * r + 2, NULL, 1);
		ASSERT_LT(0, id);
	}
	ASSERT_EQ(0, enpu_wait_job(fb, (uint64_t)id, 30000, &status));
	enpu_inject("none");
	EXPECT_EQ(0, status);
	for (r = 0; r <= 2 * ROUNDS; r++)
		EXPECT_EQ(0xabcdef, ((uint64_t *)a.map)[r]);
	close(ph.fd);
	close(fa);
	close(fb);
}

/* While core 0 hangs in one context, another context's jobs keep completing. */
TEST_TIMEOUT(hang_leaves_other_contexts_running, 60)
{
	int fa = enpu_open_node(), fb = enpu_open_node();
	struct enpu_bo bo_a, cmd_a, bo_b, cmd_b;
	struct enpu_cs cs = { .bo = &cmd_a };
	struct drm_enpu_submit_bo sbo;
	int32_t status = 1;
	int64_t hung, id, start;
	int i;

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, enpu_bo_new(fa, 4096, &bo_a));
	ASSERT_EQ(0, enpu_bo_new(fa, 4096, &cmd_a));
	ASSERT_EQ(0, enpu_bo_new(fb, 64 * SLOT + SCRATCH, &bo_b));
	ASSERT_EQ(0, enpu_bo_new(fb, 4096, &cmd_b));
	sbo.handle = bo_a.handle;
	sbo.flags = DRM_ENPU_BO_READ;
	ENPU_CS_ADD(&cs, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	if (enpu_inject("hang"))
		SKIP(return, "no debugfs fault injection");
	hung = enpu_submit_cs(fa, &cs, &sbo, 1, 0);
	ASSERT_LT(0, hung);
	ASSERT_EQ(0, enpu_inject_wait_hang_taken());	/* by this job, the only one */
	start = enpu_now_ns();
	((uint64_t *)bo_b.map)[0] = 42;
	/* Core 1 serves the other context meanwhile, well before the 2 s timeout. */
	for (i = 0; i < 20; i++) {
		struct enpu_cs cb = { .bo = &cmd_b };
		struct drm_enpu_submit_bo bb = { bo_b.handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE };

		add_slot_copy(&cb, &bo_b, i, i + 1);
		id = enpu_submit_cs(fb, &cb, &bb, 1, 1);
		ASSERT_LT(0, id);
		ASSERT_EQ(0, enpu_wait_job(fb, (uint64_t)id, 1500, &status));
		ASSERT_EQ(0, status);
	}
	EXPECT_LT(enpu_now_ns() - start, 1500000000LL);
	EXPECT_EQ(-ETIME, enpu_wait_job(fa, (uint64_t)hung, 0, &status));
	ASSERT_EQ(0, enpu_wait_job(fa, (uint64_t)hung, 10000, &status));
	EXPECT_EQ(-ETIMEDOUT, status);
	EXPECT_EQ(42, ((uint64_t *)bo_b.map)[20]);
	/* and core 0 works again, for both contexts */
	id = enpu_submit_cs(fa, &cs, &sbo, 1, 0);
	ASSERT_EQ(0, enpu_wait_job(fa, (uint64_t)id, 5000, &status));
	EXPECT_EQ(0, status);
	close(fa);
	close(fb);
}

TEST_HARNESS_MAIN
