// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unbinding the device through sysfs while files are open (rmmod is refused
 * then, an unbind is not): a job the core runs is aborted at once, a job still
 * queued ends with -ENODEV, submits racing the unbind and every ioctl after it
 * fail with ENODEV, the files close cleanly afterwards, and a bind brings the
 * device back; a job timeout during the removal waits for its core's reset. The VM runner fails the run on any kernel warning (run it with
 * ENPU_VM_APPEND="slub_debug=FZPU" to catch use after free).
 */
#include <linux/sync_file.h>
#include <poll.h>
#include <pthread.h>

#include "enpu_sysfs.h"

#define DRIVER_DIR "/sys/bus/platform/drivers/enpu"

/* A NOP job on @core, signalling @out (0: none); the job id or -errno. */
static int64_t submit_nop(int fd, struct enpu_bo *cmd, uint32_t core, uint32_t out)
{
	struct drm_enpu_sync sync = { .handle = out };
	struct drm_enpu_submit s = {
		.cmd_handle = cmd->handle, .cmd_size = sizeof(struct enpu_cmd_hdr),
		.core = core, .priority = DRM_ENPU_PRIORITY_NORMAL,
		.out_syncs = (uintptr_t)&sync, .out_sync_count = out ? 1 : 0,
	};

	if (ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, &s))
		return -errno;
	return (int64_t)s.job_id;
}

struct racer {
	int fd;
	struct enpu_bo *cmd;
	int last_errno;
};

/* Submits until a submit fails; the error it failed with. */
static void *submit_until_error(void *arg)
{
	struct racer *r = arg;
	int64_t ret;

	do
		ret = submit_nop(r->fd, r->cmd, DRM_ENPU_CORE_ANY, 0);
	while (ret > 0);
	r->last_errno = (int)-ret;
	return NULL;
}

/* Binds the device @name again; a NOP job then runs on it. */
static void bind_and_run(struct __test_metadata *_metadata, const char *name)
{
	struct enpu_bo cmd;
	int32_t status = 1;
	int64_t id;
	int fd;

	ASSERT_EQ(0, enpu_write_file(DRIVER_DIR "/bind", name));
	fd = enpu_open_node();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
	ENPU_CS_ADD(&(struct enpu_cs){ .bo = &cmd }, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	id = submit_nop(fd, &cmd, DRM_ENPU_CORE_ANY, 0);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(fd, (uint64_t)id, 5000, &status));
	EXPECT_EQ(0, status);
	enpu_bo_free(fd, &cmd);
	close(fd);
}

TEST(unbind_with_files_open)
{
	char dev[PATH_MAX], *name;
	struct drm_syncobj_create sc = { 0 };
	struct drm_syncobj_handle exp = {
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	struct sync_file_info info = { 0 };
	struct enpu_bo cmd, cmd2;
	struct racer r;
	pthread_t racer;
	int fd = enpu_open_node(), fd2 = enpu_open_node();
	struct pollfd pfd;
	int64_t hung, queued, t0, took;
	int32_t status = 1;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	ASSERT_NE(NULL, realpath("/sys/class/accel/accel0/device", dev));
	name = basename(dev);
	ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
	ASSERT_EQ(0, enpu_bo_new(fd2, 4096, &cmd2));
	ENPU_CS_ADD(&(struct enpu_cs){ .bo = &cmd }, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	ENPU_CS_ADD(&(struct enpu_cs){ .bo = &cmd2 }, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);

	/* core 0 runs a job that never ends by itself; a second one waits */
	ASSERT_EQ(0, enpu_inject("hang"));
	hung = submit_nop(fd, &cmd, 0, 0);
	ASSERT_LT(0, hung);
	ASSERT_EQ(0, enpu_inject_wait_hang_taken());
	ASSERT_EQ(0, ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc));
	queued = submit_nop(fd, &cmd, 0, sc.handle);
	ASSERT_LT(0, queued);
	exp.handle = sc.handle;
	ASSERT_EQ(0, ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &exp));
	/* and another file keeps submitting */
	r = (struct racer){ .fd = fd2, .cmd = &cmd2 };
	ASSERT_EQ(0, pthread_create(&racer, NULL, submit_until_error, &r));
	usleep(20000);

	t0 = enpu_now_ns();
	ASSERT_EQ(0, enpu_write_file(DRIVER_DIR "/unbind", name));
	took = enpu_now_ns() - t0;
	TH_LOG("unbind took %lld us", (long long)(took / 1000));
	/* the reset, not the 2 s job timeout, ended the hung job */
	EXPECT_GT(1000000000LL, took);
	ASSERT_EQ(0, pthread_join(racer, NULL));
	EXPECT_EQ(ENODEV, r.last_errno);

	/* the queued job's fence: signalled with -ENODEV */
	pfd = (struct pollfd){ .fd = exp.fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_EQ(0, ioctl(exp.fd, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(-ENODEV, info.status);
	close(exp.fd);
	EXPECT_EQ(-ENODEV, submit_nop(fd, &cmd, 0, 0));
	EXPECT_EQ(-ENODEV, enpu_wait_job(fd, (uint64_t)hung, 100, &status));
	munmap(cmd.map, cmd.size);
	munmap(cmd2.map, cmd2.size);
	close(fd);
	close(fd2);

	bind_and_run(_metadata, name);
}

/*
 * A job's timeout firing while the removal still resets another core (a slow
 * reset sequence on core 0, injected): the handler must keep the job, which
 * core 1 still holds, until the removal's reset of core 1 ends it. It
 * dropped the job instead, and that reset then completed freed memory (an
 * oops in the sim's thread, and the unbind never returned).
 */
TEST_TIMEOUT(timeout_during_unbind, 60)
{
	char dev[PATH_MAX], *name;
	struct enpu_bo cmd;
	int fd = enpu_open_node();

	ASSERT_LE(0, fd);
	if (enpu_param(fd, DRM_ENPU_PARAM_NUM_CORES, 0) < 2)
		SKIP(return, "needs two cores");
	ASSERT_NE(NULL, realpath("/sys/class/accel/accel0/device", dev));
	name = basename(dev);
	ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
	ENPU_CS_ADD(&(struct enpu_cs){ .bo = &cmd }, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	for (uint32_t core = 0; core < 2; core++) {
		ASSERT_EQ(0, enpu_inject("hang"));
		ASSERT_LT(0, submit_nop(fd, &cmd, core, 0));
		ASSERT_EQ(0, enpu_inject_wait_hang_taken());
	}
	/* the 2 s timeouts fire 1 s into the unbind, during core 0's 4 s reset */
	ASSERT_EQ(0, enpu_inject("reset 4000"));
	usleep(1000000);
	ASSERT_EQ(0, enpu_write_file(DRIVER_DIR "/unbind", name));
	munmap(cmd.map, cmd.size);
	close(fd);
	bind_and_run(_metadata, name);
}

TEST_HARNESS_MAIN
