/* SPDX-License-Identifier: MIT */
/* The device's sysfs: driver, runtime PM status, cores_enabled, and its devfreq
 * clock (current, limits, levels). Readable by any user. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stats_impl.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* "200000000 400000000 ..." (Hz) -> MHz, ascending. */
static void parse_levels(const char *text, enpu_stats_sample_t *s)
{
	const char *p = text;
	char *end;

	s->clock_level_count = 0;
	while (s->clock_level_count < ENPU_STATS_MAX_CLOCKS) {
		unsigned long long hz = strtoull(p, &end, 10);

		if (end == p)
			break;
		s->clock_levels_mhz[s->clock_level_count++] = (uint32_t)(hz / 1000000);
		p = end;
	}
	qsort(s->clock_levels_mhz, s->clock_level_count, sizeof(uint32_t), cmp_u32);
}

static uint32_t read_mhz(const char *dir, const char *file)
{
	char path[1536];
	uint64_t hz;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return stats_read_u64(path, &hz) ? 0 : (uint32_t)(hz / 1000000);
}

/* The first devfreq device under <dev>/devfreq/ (the NPU has one). */
static void read_devfreq(const char *devdir, enpu_stats_sample_t *s)
{
	char dir[1024], path[1280], text[512];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/devfreq", devdir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && de->d_name[0] == '.')
		;
	if (de) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		s->clock_mhz = read_mhz(path, "cur_freq");
		s->clock_min_mhz = read_mhz(path, "min_freq");
		s->clock_max_mhz = read_mhz(path, "max_freq");
		strcat(path, "/available_frequencies");
		if (stats_read_text(path, text, sizeof(text)) > 0)
			parse_levels(text, s);
	}
	closedir(d);
}

enpu_status_t stats_read_sysfs(const char *root, enpu_stats_sample_t *s, char *devname,
			       size_t devname_len)
{
	char dir[512], path[1024], link[512];
	uint64_t v;
	ssize_t n;

	if (!stats_path(dir, sizeof(dir), root, "/sys/class/accel/accel%u/device", s->dev))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "stats: root path too long");
	n = readlink(dir, link, sizeof(link) - 1);
	if (n < 0)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"stats: no device accel%u (%s: %s); is enpu.ko loaded? "
					"`ls /dev/accel` lists the devices",
					s->dev, dir, strerror(errno));
	link[n] = '\0';
	snprintf(devname, devname_len, "%s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	snprintf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = '\0';
	if (n < 0 || strcmp(strrchr(link, '/') ? strrchr(link, '/') + 1 : link, "enpu"))
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"stats: accel%u is driven by %s, not enpu", s->dev,
					n < 0 ? "no driver" : link);
	snprintf(path, sizeof(path), "%s/power/runtime_status", dir);
	if (stats_read_line(path, s->runtime_status, sizeof(s->runtime_status)))
		s->runtime_status[0] = '\0';
	snprintf(path, sizeof(path), "%s/power/autosuspend_delay_ms", dir);
	s->autosuspend_delay_ms = stats_read_text(path, link, sizeof(link)) > 0 ?
				  strtoll(link, NULL, 10) : -1;
	snprintf(path, sizeof(path), "%s/cores_enabled", dir);
	s->cores_enabled = stats_read_u64(path, &v) ? 0 : (uint32_t)v;
	read_devfreq(dir, s);
	/* The capacity whatever the source: the device's cores (of the
	 * ENPU_STATS_MAX_CORES a sample holds); a driver without num_cores: the
	 * highest enabled core. */
	snprintf(path, sizeof(path), "%s/num_cores", dir);
	if (!stats_read_u64(path, &v) && v)
		s->core_count = v < ENPU_STATS_MAX_CORES ? (uint32_t)v : ENPU_STATS_MAX_CORES;
	else
		for (uint32_t m = s->cores_enabled; m && s->core_count < ENPU_STATS_MAX_CORES;
		     m >>= 1)
			s->core_count++;
	return ENPU_OK;
}
