/* SPDX-License-Identifier: GPL-2.0-only */
/* Small sysfs/debugfs/tracefs file helpers for the driver tests. */
#ifndef ENPU_SYSFS_H
#define ENPU_SYSFS_H

#include <dirent.h>
#include <stdio.h>

#include "enpu_test.h"

#define ENPU_PDEV "/sys/class/accel/accel0/device"
#define ENPU_TRACEFS "/sys/kernel/tracing"

/* Reads a file (up to @len - 1 bytes) into @buf, NUL-terminated; bytes or -errno.
 * Loops: tracefs and seq files hand out a page or so per read().
 */
static inline int enpu_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n = 0;
	int err;

	if (fd < 0)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[got] = '\0';
	return (int)got;
}

static inline int enpu_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* The first devfreq device's directory, e.g. /sys/class/devfreq/enpu-sim.0. */
static inline const char *enpu_devfreq_dir(void)
{
	static char dir[PATH_MAX / 2];
	char dev[PATH_MAX];

	if (!realpath(ENPU_PDEV, dev))
		return NULL;
	snprintf(dir, sizeof(dir), "/sys/class/devfreq/%s", basename(dev));
	return dir;
}

/* Pins the NPU clock to @mhz through devfreq's min_freq/max_freq; 0 or -errno. */
static inline int enpu_pin_clock(uint32_t mhz)
{
	char path[PATH_MAX], val[32];
	const char *dir = enpu_devfreq_dir();
	int ret;

	if (!dir)
		return -ENOENT;
	snprintf(val, sizeof(val), "%llu", (unsigned long long)mhz * 1000000);
	/* Widen first, so that neither write crosses the other bound. */
	snprintf(path, sizeof(path), "%s/min_freq", dir);
	ret = enpu_write_file(path, "0");
	snprintf(path, sizeof(path), "%s/max_freq", dir);
	ret = ret ? ret : enpu_write_file(path, val);
	snprintf(path, sizeof(path), "%s/min_freq", dir);
	return ret ? ret : enpu_write_file(path, val);
}

/* Lets devfreq choose again between the lowest and the highest level. */
static inline int enpu_unpin_clock(void)
{
	char path[PATH_MAX];
	const char *dir = enpu_devfreq_dir();
	int ret;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/min_freq", dir);
	ret = enpu_write_file(path, "0");
	snprintf(path, sizeof(path), "%s/max_freq", dir);
	return ret ? ret : enpu_write_file(path, "4294967295");
}

#endif /* ENPU_SYSFS_H */
