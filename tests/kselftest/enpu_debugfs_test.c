// SPDX-License-Identifier: GPL-2.0-only
/*
 * Introspection and core control: debugfs queues and contexts (our context, its
 * process and its BOs appear), and sysfs cores_enabled (a disabled core takes no
 * job, explicit submits to it fail with ENODEV, bad masks are refused), and the
 * fault injection file's commands.
 */
#include <pthread.h>
#include "enpu_sysfs.h"

FIXTURE(intro) {
	int fd;
	struct enpu_bo cmd, buf;
};

FIXTURE_SETUP(intro)
{
	self->fd = enpu_test_open(_metadata);
	ASSERT_EQ(0, enpu_bo_new(self->fd, 4096, &self->cmd));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 3 * 4096, &self->buf));
	ENPU_CS_ADD(&(struct enpu_cs){ .bo = &self->cmd }, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
}

FIXTURE_TEARDOWN(intro)
{
	enpu_write_file(ENPU_PDEV "/cores_enabled", "0x3");
	enpu_inject("none");
	close(self->fd);
}

static int debugfs_read(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	const char *dir = enpu_debugfs_dir();

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return enpu_read_file(path, buf, len);
}

TEST_F(intro, contexts_list_our_bos)
{
	static char buf[65536];
	char line[128];

	ASSERT_LT(0, debugfs_read("contexts", buf, sizeof(buf)));
	snprintf(line, sizeof(line), " pid %d jobs 0 ", getpid());
	EXPECT_NE(NULL, strstr(buf, line));
	snprintf(line, sizeof(line), "  bo %u size 12288 addr %#llx shmem\n", self->buf.handle,
		 (unsigned long long)self->buf.addr);
	EXPECT_NE(NULL, strstr(buf, line));
}

static volatile int churn_stop;

/* Opens the device, makes 300 BOs and closes it, until told to stop. */
static void *churn(void *arg)
{
	(void)arg;
	while (!churn_stop) {
		int fd = enpu_open_node();

		for (int i = 0; fd >= 0 && i < 300; i++) {
			struct drm_enpu_bo_create c = { .size = 4096 };

			ioctl(fd, DRM_IOCTL_ENPU_BO_CREATE, &c);
		}
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

/*
 * Reading contexts while other files close with many BOs: the list walked
 * their handles while close was releasing them (a use-after-free that
 * slub_debug turned into an oops); it now walks only open files.
 */
TEST_F(intro, contexts_read_while_files_close)
{
	static char buf[65536];
	pthread_t t[3];
	int64_t end;
	long reads = 0;

	if (debugfs_read("contexts", buf, sizeof(buf)) < 0)
		SKIP(return, "no debugfs");
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn, NULL));
	end = enpu_now_ns() + 3000000000LL;
	while (enpu_now_ns() < end && debugfs_read("contexts", buf, sizeof(buf)) >= 0)
		reads++;
	churn_stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	EXPECT_LT(0, reads);
	EXPECT_GE(enpu_now_ns(), end);	/* every read succeeded until the end */
}

TEST_F(intro, queues_show_each_core)
{
	char buf[1024];

	ASSERT_LT(0, debugfs_read("queues", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "cores_enabled 0x3\n"));
	EXPECT_NE(NULL, strstr(buf, "\n0 1 "));
	EXPECT_NE(NULL, strstr(buf, "\n1 1 "));
}

/* Jobs core @c has completed, from debugfs "cores". */
static long long core_jobs(int c)
{
	char buf[1024], *line = buf;
	long long core, jobs;

	if (debugfs_read("cores", buf, sizeof(buf)) < 0)
		return -1;
	while ((line = strchr(line, '\n')) && *++line) {
		if (sscanf(line, "%lld %lld", &core, &jobs) == 2 && core == c)
			return jobs;
	}
	return -1;
}

TEST_F(intro, disabled_core_takes_no_job)
{
	long long before0 = core_jobs(0), before1 = core_jobs(1);
	struct enpu_cs cs = { .bo = &self->cmd, .used = 8 };
	int32_t status = 1;
	int64_t id = 0;
	char buf[32];

	ASSERT_EQ(0, enpu_write_file(ENPU_PDEV "/cores_enabled", "0x2"));
	ASSERT_LT(0, enpu_read_file(ENPU_PDEV "/cores_enabled", buf, sizeof(buf)));
	EXPECT_STREQ("0x2\n", buf);
	EXPECT_EQ(-ENODEV, enpu_submit_cs(self->fd, &cs, NULL, 0, 0));
	for (int i = 0; i < 20; i++) {
		id = enpu_submit_cs(self->fd, &cs, NULL, 0, DRM_ENPU_CORE_ANY);
		ASSERT_LT(0, id);
		/* one at a time: each job picks a core afresh */
		ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 5000, &status));
		ASSERT_EQ(0, status);
	}
	EXPECT_EQ(before0, core_jobs(0));
	EXPECT_EQ(before1 + 20, core_jobs(1));
	ASSERT_EQ(0, enpu_write_file(ENPU_PDEV "/cores_enabled", "0x3"));
	EXPECT_LT(0, enpu_submit_cs(self->fd, &cs, NULL, 0, 0));
}

TEST_F(intro, bad_core_masks_refused)
{
	EXPECT_EQ(-EINVAL, enpu_write_file(ENPU_PDEV "/cores_enabled", "0"));
	EXPECT_EQ(-EINVAL, enpu_write_file(ENPU_PDEV "/cores_enabled", "0x4"));
	EXPECT_EQ(-EINVAL, enpu_write_file(ENPU_PDEV "/cores_enabled", "banana"));
	EXPECT_EQ(-EINVAL, enpu_write_file(ENPU_PDEV "/cores_enabled", "-1"));
}

/* Fault injection takes its documented commands only; a bad one changes nothing. */
TEST_F(intro, inject_commands_checked)
{
	static const char *const bad[] = {
		"hang 1", "fault", "fault -1", "fault x", "slow 0", "slow 1001", "late 0",
		"late 10001", "late 5x", "late 1 2", "late", "reset 0", "reset 10001", "reset",
		"power 0", "power 101", "power", "banana",
	};
	char buf[128];

	if (enpu_inject("late 250"))
		SKIP(return, "no debugfs fault injection");
	ASSERT_EQ(0, enpu_inject("slow 7"));
	ASSERT_EQ(0, enpu_inject("reset 40"));
	ASSERT_EQ(0, enpu_inject("fault 3\n"));
	ASSERT_EQ(0, enpu_inject("power 2"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = enpu_inject(bad[i]);

		if (ret != -EINVAL)
			TH_LOG("\"%s\" gave %d", bad[i], ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	ASSERT_LT(0, debugfs_read("inject", buf, sizeof(buf)));
	EXPECT_STREQ("hang 0\nfault 3\nslow 7\nlate 250\nreset 40\npower 2\n", buf);
	ASSERT_EQ(0, enpu_inject("none"));
	ASSERT_LT(0, debugfs_read("inject", buf, sizeof(buf)));
	EXPECT_STREQ("hang 0\nfault -1\nslow 1\nlate 0\nreset 0\npower 0\n", buf);
}

TEST_HARNESS_MAIN
