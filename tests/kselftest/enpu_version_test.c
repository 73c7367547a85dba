// SPDX-License-Identifier: GPL-2.0-only
/* DRM_IOCTL_VERSION on /dev/accel/accel0: the device is an enpu. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <drm.h>

#include "harness.h"
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

TEST_F(dev, reports_enpu)
{
	char name[32] = "", date[32] = "", desc[128] = "";
	struct drm_version v = {
		.name = name, .name_len = sizeof(name) - 1,
		.date = date, .date_len = sizeof(date) - 1,
		.desc = desc, .desc_len = sizeof(desc) - 1,
	};

	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VERSION, &v));
	ASSERT_STREQ("enpu", name);
	EXPECT_EQ(4, v.name_len);
	EXPECT_EQ(1, v.version_major);
	EXPECT_GE(v.version_minor, 0);
	EXPECT_GT(v.desc_len, 0);
	TH_LOG("%s %d.%d.%d: %s", name, v.version_major, v.version_minor,
	       v.version_patchlevel, desc);
}

TEST_F(dev, short_name_buffer_is_truncated_not_overrun)
{
	char name[8];
	struct drm_version v = { .name = name, .name_len = 2 };

	memset(name, 'x', sizeof(name));
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VERSION, &v));
	EXPECT_EQ(0, memcmp(name, "enxxxxxx", 8));
	EXPECT_EQ(4, v.name_len); /* the full length, so callers can size a buffer */
}

TEST_F(dev, bad_user_pointer_faults)
{
	struct drm_version v = { .name = (char *)8, .name_len = 4 };

	ASSERT_ERRNO(EFAULT, ioctl(self->fd, DRM_IOCTL_VERSION, &v));
}

TEST(accel_node_is_a_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(ENPU_TEST_NODE, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
}

TEST_HARNESS_MAIN
