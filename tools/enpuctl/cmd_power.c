// SPDX-License-Identifier: MIT
/* enpuctl power DEV [--clock MHZ|auto] [--cores MASK] [--autosuspend MS]:
 * shows the NPU's power state, clock and enabled cores, or sets them through
 * sysfs (devfreq min_freq/max_freq, cores_enabled, power/autosuspend_delay_ms). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm/enpu_accel.h>

#include "enpuctl.h"

static void usage(void)
{
	printf("usage: enpuctl power DEV [--clock MHZ|auto] [--cores MASK] [--autosuspend MS]\n\n"
	       "Without options, shows the power state, clock, devfreq limits and levels,\n"
	       "enabled cores and autosuspend delay of DEV (accel0, 0, /dev/accel/accel0).\n"
	       "  --clock MHZ      pin the clock to one level (devfreq min_freq = max_freq)\n"
	       "  --clock auto     let the devfreq governor choose among all levels again\n"
	       "  --cores MASK     enable only these cores, e.g. 0x1 (sysfs cores_enabled)\n"
	       "  --autosuspend MS power the NPU down after MS ms idle\n"
	       "Setting needs root.\n");
}

/* The device's cores (GET_PARAM when the node opens, else what sysfs implies). */
static uint32_t num_cores(uint32_t index, uint32_t fallback)
{
	char node[64];
	uint64_t n = fallback;
	int fd;

	snprintf(node, sizeof(node), "/dev/accel/accel%u", index);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		if (accel_param(fd, DRM_ENPU_PARAM_NUM_CORES, 0, &n))
			n = fallback;
		close(fd);
	}
	return (uint32_t)n;
}

static int show(uint32_t index)
{
	enpu_stats_options_t o = { .source = ENPU_STATS_SOURCE_FDINFO };
	enpu_stats_sample_t *s = NULL;
	enpu_status_t st = enpu_stats_read(index, &o, &s);
	char dir[512], path[600], gov[64] = "?";
	int cores = 0;

	if (st)
		return fail_status("power", st);
	if (accel_devfreq_dir(index, dir, sizeof(dir))) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/governor", dir);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%63s", gov) != 1)
				strcpy(gov, "?");
			fclose(f);
		}
	}
	for (uint32_t m = s->cores_enabled; m; m >>= 1)
		cores += m & 1;
	printf("device:        accel%u\n", index);
	printf("power:         %s\n", s->runtime_status[0] ? s->runtime_status : "unknown");
	printf("autosuspend:   %lld ms\n", (long long)s->autosuspend_delay_ms);
	printf("clock:         %u MHz (governor %s, limits %u..%u MHz%s)\n", s->clock_mhz, gov,
	       s->clock_min_mhz, s->clock_max_mhz,
	       s->clock_min_mhz == s->clock_max_mhz ? ", pinned" : "");
	printf("clock levels: ");
	for (uint32_t i = 0; i < s->clock_level_count; i++)
		printf(" %u", s->clock_levels_mhz[i]);
	printf(" MHz\ncores enabled: %#x (%d of %u)\n", s->cores_enabled, cores,
	       num_cores(index, s->core_count));
	enpu_stats_free(s);
	return 0;
}

/* Pins to mhz (a level), or with mhz 0 restores the full range. */
static int set_clock(uint32_t index, const char *arg)
{
	enpu_stats_options_t o = { .source = ENPU_STATS_SOURCE_FDINFO };
	enpu_stats_sample_t *s = NULL;
	enpu_status_t st = enpu_stats_read(index, &o, &s);
	char dir[512], path[600], hz[32], levels[160] = "";
	bool is_level = false, autoclk = !strcmp(arg, "auto");
	unsigned long long mhz = 0;
	int err;

	if (st)
		return fail_status("power", st);
	for (uint32_t i = 0; i < s->clock_level_count; i++)
		snprintf(levels + strlen(levels), sizeof(levels) - strlen(levels), " %u",
			 s->clock_levels_mhz[i]);
	if (!autoclk && parse_uint(arg, 10, 1, UINT32_MAX, &mhz)) {
		for (uint32_t i = 0; i < s->clock_level_count; i++)
			is_level |= s->clock_levels_mhz[i] == mhz;
	}
	enpu_stats_free(s);
	if (!autoclk && !is_level)
		return usage_error("power", "--clock %s: not a clock level of accel%u (levels:%s "
				   "MHz, or auto)", arg, index, levels);
	if (!accel_devfreq_dir(index, dir, sizeof(dir)))
		return fail("power", "accel%u has no devfreq device: its clock cannot be set", index);
	/* Widen first, so that neither write crosses the other bound. */
	snprintf(path, sizeof(path), "%s/min_freq", dir);
	err = write_file(path, "0");
	snprintf(hz, sizeof(hz), "%llu", autoclk ? 4294967295ull : mhz * 1000000ull);
	if (!err) {
		snprintf(path, sizeof(path), "%s/max_freq", dir);
		err = write_file(path, hz);
	}
	if (!err && !autoclk) {
		snprintf(path, sizeof(path), "%s/min_freq", dir);
		err = write_file(path, hz);
	}
	return err ? fail_write("power", "the clock", path, err, NULL) : 0;
}

int cmd_power(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "clock", required_argument, NULL, 'c' },
		{ "cores", required_argument, NULL, 'm' },
		{ "autosuspend", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *clock = NULL, *cores = NULL, *autosuspend = NULL;
	unsigned long long mask;
	char path[128];
	uint32_t index;
	int c, err = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': clock = optarg; break;
		case 'm': cores = optarg; break;
		case 'a': autosuspend = optarg; break;
		case 'h': usage(); return 0;
		default: return usage_error("power", "bad option");
		}
	}
	if (optind != argc - 1 || !parse_accel(argv[optind], &index))
		return usage_error("power", "expected one DEV such as accel0");
	/* every argument checked before anything is written */
	if (cores && !parse_uint(cores, 0, 1, UINT32_MAX, &mask))
		return usage_error("power", "--cores %s: expected a non-zero mask of cores, e.g. 0x1 "
				   "(0x hex, 0 octal, else decimal)", cores);
	if (autosuspend) {
		char *end;
		const char *digits = autosuspend + (autosuspend[0] == '-');

		/* negative: no autosuspend (power/autosuspend_delay_ms) */
		errno = 0;
		strtol(autosuspend, &end, 10);
		if (!isdigit((unsigned char)*digits) || *end || errno)
			return usage_error("power", "--autosuspend %s: not a number of ms", autosuspend);
	}
	if (clock)
		err = set_clock(index, clock);
	if (err)
		return err;
	if (cores) {
		snprintf(path, sizeof(path), "/sys/class/accel/accel%u/device/cores_enabled", index);
		err = write_file(path, cores);
		if (err)
			return fail_write("power", "the enabled cores", path, err,
					  "the mask must be non-zero and name only existing cores "
					  "(`enpuctl info` shows how many)");
	}
	if (autosuspend) {
		snprintf(path, sizeof(path), "/sys/class/accel/accel%u/device/power/"
			 "autosuspend_delay_ms", index);
		err = write_file(path, autosuspend);
		if (err)
			return fail_write("power", "the autosuspend delay", path, err, NULL);
	}
	return show(index);
}
