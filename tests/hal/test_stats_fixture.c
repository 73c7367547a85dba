/* SPDX-License-Identifier: MIT */
/* Fake sysfs/procfs/debugfs trees for the stats tests. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test_stats_fixture.h"

static bool mkparents(const char *path)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return false;
		*p = '/';
	}
	return true;
}

bool fx_write(const stats_fixture *fx, const char *path, const char *text)
{
	char full[512];
	FILE *f;
	bool ok;

	snprintf(full, sizeof(full), "%s%s", fx->root, path);
	if (!mkparents(full) || !(f = fopen(full, "w")))
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

bool fx_link(const stats_fixture *fx, const char *path, const char *target)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", fx->root, path);
	return mkparents(full) && symlink(target, full) == 0;
}

bool fx_create(stats_fixture *fx)
{
	static const char *const dev = "/sys/devices/platform/enpu-sim.0";
	char path[256];

	snprintf(fx->root, sizeof(fx->root), "/tmp/enpu-stats-test.XXXXXX");
	if (!mkdtemp(fx->root))
		return false;
	snprintf(path, sizeof(path), "%s/power/runtime_status", dev);
	if (!fx_write(fx, path, "active\n"))
		return false;
	snprintf(path, sizeof(path), "%s/power/autosuspend_delay_ms", dev);
	if (!fx_write(fx, path, "100\n"))
		return false;
	snprintf(path, sizeof(path), "%s/cores_enabled", dev);
	if (!fx_write(fx, path, "0x3\n"))
		return false;
	snprintf(path, sizeof(path), "%s/devfreq/enpu-sim.0/cur_freq", dev);
	if (!fx_write(fx, path, "800000000\n"))
		return false;
	snprintf(path, sizeof(path), "%s/devfreq/enpu-sim.0/min_freq", dev);
	if (!fx_write(fx, path, "200000000\n"))
		return false;
	snprintf(path, sizeof(path), "%s/devfreq/enpu-sim.0/max_freq", dev);
	if (!fx_write(fx, path, "1000000000\n"))
		return false;
	snprintf(path, sizeof(path), "%s/devfreq/enpu-sim.0/available_frequencies", dev);
	if (!fx_write(fx, path, "1000000000 200000000 400000000 600000000 800000000\n"))
		return false;
	return fx_link(fx, "/sys/class/accel/accel0/device", "../../../devices/platform/enpu-sim.0") &&
	       fx_link(fx, "/sys/devices/platform/enpu-sim.0/driver",
		       "../../../bus/platform/drivers/enpu");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void fx_destroy(stats_fixture *fx)
{
	if (fx->root[0])
		nftw(fx->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	fx->root[0] = '\0';
}
