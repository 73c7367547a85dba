// SPDX-License-Identifier: MIT
/* enpuctl helpers: messages, device nodes and parameters, sysfs writes,
 * parsing, units, JSON strings, HAL device lookup. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <drm/enpu_accel.h>

#include "enpuctl.h"

static void vmsg(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "enpuctl %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cmd, fmt, ap);
	va_end(ap);
	return 1;
}

/* The HAL's message names its part ("stats: ..."): not twice after "enpuctl stats: ". */
int fail_status(const char *cmd, enpu_status_t st)
{
	const char *m = enpu_status_message(st);
	size_t n = strlen(cmd);

	if (!strncmp(m, cmd, n) && !strncmp(m + n, ": ", 2))
		m += n + 2;
	fail(cmd, "%s", m);
	enpu_status_free(st);
	return 1;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "enpuctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see `enpuctl %s --help`\n", cmd);
	return EXIT_USAGE;
}

bool parse_accel(const char *arg, uint32_t *index)
{
	char *end;
	unsigned long v;

	if (!strncmp(arg, "/dev/accel/", 11))
		arg += 11;
	if (!strncmp(arg, "accel", 5))
		arg += 5;
	if (*arg < '0' || *arg > '9')
		return false;
	v = strtoul(arg, &end, 10);
	if (*end || v > 255)
		return false;
	*index = (uint32_t)v;
	return true;
}

int accel_open(const char *cmd, uint32_t index)
{
	char node[64];
	int fd;

	snprintf(node, sizeof(node), "/dev/accel/accel%u", index);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		fail(cmd, "no %s; is enpu.ko loaded? `enpuctl list` shows the devices", node);
	else if (errno == EACCES || errno == EPERM)
		fail(cmd, "cannot open %s: %s; run as root or join the group that owns it "
		     "(`ls -l %s`)", node, strerror(errno), node);
	else
		fail(cmd, "cannot open %s: %s", node, strerror(errno));
	return -1;
}

int accel_param(int fd, uint32_t param, uint32_t index, uint64_t *value)
{
	struct drm_enpu_get_param p = { .param = param, .index = index };

	if (ioctl(fd, DRM_IOCTL_ENPU_GET_PARAM, &p))
		return -errno;
	*value = p.value;
	return 0;
}

void accel_driver(uint32_t index, char *out, size_t len)
{
	char path[128], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/accel/accel%u/device/driver", index);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(out, len, "%s", "");
		return;
	}
	link[n] = '\0';
	snprintf(out, len, "%s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
}

bool accel_devfreq_dir(uint32_t index, char *out, size_t len)
{
	char dir[128];
	struct dirent *de;
	DIR *d;
	bool found = false;

	snprintf(dir, sizeof(dir), "/sys/class/accel/accel%u/device/devfreq", index);
	d = opendir(dir);
	while (d && !found && (de = readdir(d)))
		if (de->d_name[0] != '.')
			found = snprintf(out, len, "%s/%s", dir, de->d_name) < (int)len;
	if (d)
		closedir(d);
	return found;
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

int fail_write(const char *cmd, const char *what, const char *path, int err, const char *einval)
{
	if (err == -EACCES || err == -EPERM || err == -EROFS)
		return fail(cmd, "cannot set %s (%s: %s); this needs root: sudo enpuctl %s ...",
			    what, path, strerror(-err), cmd);
	if (err == -EINVAL && einval)
		return fail(cmd, "cannot set %s (%s: %s): %s", what, path, strerror(-err), einval);
	return fail(cmd, "cannot set %s (%s: %s)", what, path, strerror(-err));
}

enpu_stats_sample_t *stats_sample(const char *cmd, uint32_t index, enpu_stats_source_t src)
{
	enpu_stats_options_t o = { .source = src };
	enpu_stats_sample_t *s = NULL;
	enpu_status_t st = enpu_stats_read(index, &o, &s);

	if (st)
		fail_status(cmd, st);
	return s;
}

bool parse_source(const char *arg, enpu_stats_source_t *out)
{
	static const enpu_stats_source_t all[] = {
		ENPU_STATS_SOURCE_AUTO, ENPU_STATS_SOURCE_BPF, ENPU_STATS_SOURCE_DEBUGFS,
		ENPU_STATS_SOURCE_FDINFO,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(arg, enpu_stats_source_name(all[i]))) {
			*out = all[i];
			return true;
		}
	}
	return false;
}

bool parse_seconds(const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v > 0) || v > 86400)
		return false;
	*out = v;
	return true;
}

bool parse_uint(const char *arg, int base, unsigned long long min, unsigned long long max,
		unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return false;
	errno = 0;
	v = strtoull(arg, &end, base);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_u32(const char *arg, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;

	if (!parse_uint(arg, 10, min, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void human(double value, const char *unit, char *out, size_t len)
{
	static const char *const prefix[] = { "", "k", "M", "G", "T" };
	int i = 0;

	while (value >= 1000 && i < 4) {
		value /= 1000;
		i++;
	}
	snprintf(out, len, "%.1f %s%s", value, prefix[i], unit);
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

const char *hal_type_name(enpu_device_type_t type)
{
	switch (type) {
	case ENPU_DEVICE_CPU: return "cpu";
	case ENPU_DEVICE_REFERENCE: return "reference";
	case ENPU_DEVICE_NPU: return "npu";
	case ENPU_DEVICE_GPU: return "gpu";
	}
	return "?";
}

size_t hal_find(enpu_context_t *ctx, const char *name)
{
	static const struct {
		const char *alias;
		enpu_device_type_t type;
	} types[] = {
		{ "cpu", ENPU_DEVICE_CPU }, { "ref", ENPU_DEVICE_REFERENCE },
		{ "reference", ENPU_DEVICE_REFERENCE }, { "npu", ENPU_DEVICE_NPU },
		{ "gpu", ENPU_DEVICE_GPU },
	};
	enpu_device_info_t info;
	size_t idx;

	for (size_t i = 0; i < enpu_context_device_count(ctx); i++) {
		enpu_status_t st = enpu_context_device_info(ctx, i, &info);

		enpu_status_free(st);
		if (!st && !strcmp(info.name, name))
			return i;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(types[i].alias, name))
			continue;
		enpu_status_t st = enpu_context_find_device(ctx, types[i].type, &idx);

		if (!st)
			return idx;
		enpu_status_free(st);
	}
	return SIZE_MAX;
}
