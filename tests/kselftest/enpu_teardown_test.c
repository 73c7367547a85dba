// SPDX-License-Identifier: GPL-2.0-only
/*
 * Teardown: closing a file with jobs in flight, a process killed mid-job, rmmod
 * while a file is open, a dma-buf outliving the file that exported it, and
 * submits racing a close. The VM runner fails the run on any kernel warning.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "enpu_test.h"

/* Queues @n slowed jobs of @bytes-long copies inside @bo; the last job id. */
static int64_t queue_copies(int fd, struct enpu_bo *cmd, struct enpu_bo *bo, int n,
			    uint64_t bytes)
{
	struct drm_enpu_submit_bo sbo = { bo->handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE };
	int64_t id = -1;

	for (int i = 0; i < n; i++) {
		struct enpu_cs cs = { .bo = cmd };
		struct enpu_cmd_dma_copy *d;

		d = ENPU_CS_ADD(&cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
		d->src = bo->addr;
		d->dst = bo->addr + bytes;
		d->size = bytes;
		id = enpu_submit_cs(fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY);
		if (id < 0)
			return id;
	}
	return id;
}

static int32_t one_nop(struct __test_metadata *_metadata, int fd)
{
	struct enpu_bo cmd;
	struct enpu_cs cs = { .bo = &cmd };
	int32_t status = 1;
	int64_t id;

	ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
	ENPU_CS_ADD(&cs, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	id = enpu_submit_cs(fd, &cs, NULL, 0, DRM_ENPU_CORE_ANY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(fd, (uint64_t)id, 5000, &status));
	enpu_bo_free(fd, &cmd);
	return status;
}

TEST(close_with_jobs_in_flight)
{
	int fd = enpu_open_node(), fd2;
	struct enpu_bo cmd, bo;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
	ASSERT_EQ(0, enpu_bo_new(fd, 2 * 65536, &bo));
	enpu_inject("slow 50");
	ASSERT_LT(0, queue_copies(fd, &cmd, &bo, 64, 65536));
	munmap(cmd.map, cmd.size);
	munmap(bo.map, bo.size);
	close(fd);	/* queued jobs are cancelled, the running one finishes */
	enpu_inject("none");
	fd2 = enpu_open_node();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, one_nop(_metadata, fd2));
	close(fd2);
}

TEST(killed_mid_job)
{
	int pipefd[2], fd;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	enpu_inject("slow 200");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct enpu_bo cmd, bo;
		int cfd = enpu_open_node();

		if (cfd < 0 || enpu_bo_new(cfd, 4096, &cmd) || enpu_bo_new(cfd, 2 * 65536, &bo))
			_exit(1);
		if (queue_copies(cfd, &cmd, &bo, 32, 65536) < 0)
			_exit(2);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(3);
		pause();
		_exit(4);
	}
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	usleep(20000);		/* a job is running now */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	enpu_inject("none");
	fd = enpu_open_node();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, one_nop(_metadata, fd));
	close(fd);
}

TEST(rmmod_refused_while_open)
{
	int fd = enpu_open_node();
	int ret;

	ASSERT_LE(0, fd);
	ret = system("rmmod enpu 2>/dev/null");
	EXPECT_NE(0, ret);
	EXPECT_EQ(0, access(ENPU_TEST_NODE, F_OK));
	EXPECT_EQ(0, one_nop(_metadata, fd));
	close(fd);
}

TEST(dmabuf_outlives_exporting_file)
{
	int fa = enpu_open_node(), fb = enpu_open_node();
	struct drm_prime_handle ph = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct enpu_bo a, imp = { 0 }, cmd, dst;
	struct drm_enpu_submit_bo sbo[2];
	struct enpu_cs cs = { .bo = &cmd };
	struct enpu_cmd_dma_copy *d;
	int32_t status = 1;
	int64_t id;

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, enpu_bo_new(fa, 4096, &a));
	memset(a.map, 0x5e, 64);
	ph.handle = a.handle;
	ASSERT_EQ(0, ioctl(fa, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	struct drm_prime_handle ih = { .fd = ph.fd };

	ASSERT_EQ(0, ioctl(fb, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ih));
	imp.handle = ih.handle;
	munmap(a.map, a.size);
	close(ph.fd);
	close(fa);		/* the exporter's file is gone, the buffer is not */
	ASSERT_EQ(0, enpu_bo_info(fb, &imp, NULL));
	ASSERT_EQ(0, enpu_bo_new(fb, 4096, &cmd));
	ASSERT_EQ(0, enpu_bo_new(fb, 4096, &dst));
	d = ENPU_CS_ADD(&cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
	d->src = imp.addr;
	d->dst = dst.addr;
	d->size = 64;
	sbo[0] = (struct drm_enpu_submit_bo){ imp.handle, DRM_ENPU_BO_READ };
	sbo[1] = (struct drm_enpu_submit_bo){ dst.handle, DRM_ENPU_BO_WRITE };
	id = enpu_submit_cs(fb, &cs, sbo, 2, DRM_ENPU_CORE_ANY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(fb, (uint64_t)id, 5000, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0x5e, ((uint8_t *)dst.map)[63]);
	close(fb);
}

struct racer {
	int fd;
	uint32_t cmd_handle;
	int last_errno;
	long submitted;
};

static void *submit_until_error(void *arg)
{
	struct racer *r = arg;
	struct drm_enpu_submit s = {
		.cmd_handle = r->cmd_handle, .cmd_size = 8, .core = DRM_ENPU_CORE_ANY,
		.priority = DRM_ENPU_PRIORITY_NORMAL,
	};

	for (;;) {
		s.job_id = 0;
		if (ioctl(r->fd, DRM_IOCTL_ENPU_SUBMIT, &s)) {
			r->last_errno = errno;
			return NULL;
		}
		r->submitted++;
	}
}

/* Threads submit while the file is closed under them: they get EBADF, no crash. */
TEST(submit_races_close)
{
	for (int round = 0; round < 5; round++) {
		struct racer r[3];
		pthread_t t[3];
		struct enpu_bo cmd;
		int fd = enpu_open_node();

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
		ENPU_CS_ADD(&(struct enpu_cs){ .bo = &cmd }, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
		for (int i = 0; i < 3; i++) {
			r[i] = (struct racer){ .fd = fd, .cmd_handle = cmd.handle };
			ASSERT_EQ(0, pthread_create(&t[i], NULL, submit_until_error, &r[i]));
		}
		usleep(20000);
		munmap(cmd.map, cmd.size);
		close(fd);
		for (int i = 0; i < 3; i++) {
			ASSERT_EQ(0, pthread_join(t[i], NULL));
			EXPECT_EQ(EBADF, r[i].last_errno);
		}
	}
	int fd = enpu_open_node();

	EXPECT_EQ(0, one_nop(_metadata, fd));
	close(fd);
}

TEST_HARNESS_MAIN
