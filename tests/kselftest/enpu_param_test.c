// SPDX-License-Identifier: GPL-2.0-only
/* DRM_IOCTL_ENPU_GET_PARAM: every parameter, and bad input. */
#include "enpu_test.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = enpu_test_open(_metadata);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, version_and_caps)
{
	ASSERT_EQ((ENPU_API_VERSION_MAJOR << 16) | ENPU_API_VERSION_MINOR,
		  enpu_param(self->fd, DRM_ENPU_PARAM_API_VERSION, 0));
	uint64_t caps = enpu_param(self->fd, DRM_ENPU_PARAM_CAPABILITIES, 0);

	EXPECT_TRUE(caps & DRM_ENPU_CAP_USERPTR);
	EXPECT_TRUE(caps & DRM_ENPU_CAP_DMABUF_IMPORT);
	EXPECT_TRUE(caps & DRM_ENPU_CAP_SYNCOBJ);
	EXPECT_TRUE(caps & DRM_ENPU_CAP_SIMULATED);
}

TEST_F(dev, cores_opcodes_and_limits)
{
	EXPECT_EQ(2, enpu_param(self->fd, DRM_ENPU_PARAM_NUM_CORES, 0));
	EXPECT_EQ((1ULL << ENPU_CMD_OP_COUNT) - 1, enpu_param(self->fd, DRM_ENPU_PARAM_OPCODES, 0));
	EXPECT_EQ(256, enpu_param(self->fd, DRM_ENPU_PARAM_MACS_PER_CYCLE_I8, 0));
	EXPECT_EQ(64, enpu_param(self->fd, DRM_ENPU_PARAM_MACS_PER_CYCLE_F16, 0));
	EXPECT_EQ(32, enpu_param(self->fd, DRM_ENPU_PARAM_DMA_BYTES_PER_CYCLE, 0));
	EXPECT_EQ(1ULL << 32, enpu_param(self->fd, DRM_ENPU_PARAM_VA_START, 0));
	EXPECT_EQ(1ULL << 40, enpu_param(self->fd, DRM_ENPU_PARAM_VA_SIZE, 0));
	EXPECT_EQ(1ULL << 30, enpu_param(self->fd, DRM_ENPU_PARAM_MAX_BO_SIZE, 0));
	EXPECT_EQ(65536, enpu_param(self->fd, DRM_ENPU_PARAM_MAX_CMD_SIZE, 0));
	EXPECT_EQ(256, enpu_param(self->fd, DRM_ENPU_PARAM_MAX_SUBMIT_BOS, 0));
	EXPECT_EQ(64, enpu_param(self->fd, DRM_ENPU_PARAM_MAX_SUBMIT_SYNCS, 0));
	EXPECT_EQ(2000, enpu_param(self->fd, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 0));
	EXPECT_EQ(4096, enpu_param(self->fd, DRM_ENPU_PARAM_JOB_STATUS_WINDOW, 0));
}

TEST_F(dev, clock_levels)
{
	uint64_t n = enpu_param(self->fd, DRM_ENPU_PARAM_NUM_CLOCK_LEVELS, 0);
	uint64_t prev = 0, mhz, now = enpu_param(self->fd, DRM_ENPU_PARAM_CLOCK_MHZ, 0);
	int is_a_level = 0;

	ASSERT_EQ(5, n);
	for (uint32_t i = 0; i < n; i++) {
		mhz = enpu_param(self->fd, DRM_ENPU_PARAM_CLOCK_LEVEL_MHZ, i);
		EXPECT_GT(mhz, prev);
		is_a_level |= mhz == now;
		prev = mhz;
	}
	EXPECT_EQ(1000, prev);
	EXPECT_TRUE(is_a_level);	/* devfreq picks one of them */
}

TEST_F(dev, unknown_param_is_einval)
{
	struct drm_enpu_get_param p = { .param = 0xffff };

	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_GET_PARAM, &p));
	p.param = DRM_ENPU_PARAM_JOB_STATUS_WINDOW + 1;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_GET_PARAM, &p));
}

TEST_F(dev, index_checked)
{
	struct drm_enpu_get_param p = { .param = DRM_ENPU_PARAM_NUM_CORES, .index = 1 };

	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_GET_PARAM, &p));
	p.param = DRM_ENPU_PARAM_CLOCK_LEVEL_MHZ;
	p.index = 5;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_GET_PARAM, &p));
	p.index = UINT32_MAX;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_GET_PARAM, &p));
}

TEST_F(dev, bad_pointer_faults)
{
	ASSERT_ERRNO(EFAULT, ioctl(self->fd, DRM_IOCTL_ENPU_GET_PARAM, (void *)8));
}

/* An older, shorter struct: the kernel zero-extends it and writes back no more. */
TEST_F(dev, short_struct_is_zero_extended)
{
	uint32_t buf[4] = { DRM_ENPU_PARAM_NUM_CORES, 0, 0xaaaaaaaa, 0xbbbbbbbb };
	unsigned long nr = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
				DRM_COMMAND_BASE + DRM_ENPU_GET_PARAM, 8);

	ASSERT_EQ(0, ioctl(self->fd, nr, buf));
	EXPECT_EQ(0xaaaaaaaa, buf[2]);
	EXPECT_EQ(0xbbbbbbbb, buf[3]);
}

TEST_F(dev, unknown_ioctl_is_einval)
{
	uint64_t buf[4] = { 0 };
	unsigned long nr = DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_WAIT + 1, uint64_t[4]);

	ASSERT_ERRNO(EINVAL, ioctl(self->fd, nr, buf));
}

TEST_HARNESS_MAIN
