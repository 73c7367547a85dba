// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module parameters out of range: the device is not probed (no accel node, the
 * sim device left unbound) and the reason is logged; sim_devices above its
 * limit fails the load. Reloads enpu.ko, so it needs the module file next to
 * the tests (driver/enpu.ko of the tree, as tools/vm/run loads it; skipped
 * otherwise) and no open file; the module comes back with the parameters it
 * had.
 */
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enpu_test.h"

#define PARAMS "/sys/module/enpu/parameters/"

/* The tree's driver/enpu.ko (the test runs from build/kselftest/); false if absent. */
static bool module_path(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	snprintf(out, len, "%s/../../driver/enpu.ko", dirname(self));
	return access(out, R_OK) == 0;
}

/* "name=value" for each parameter the module has now, space-separated. */
static void current_params(char *out, size_t len)
{
	static const char *const names[] = {
		"sim_devices", "cores", "job_timeout_ms", "autosuspend_ms",
	};
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128], v[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), PARAMS "%s", names[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(v, sizeof(v), f))
			v[strcspn(v, "\n")] = '\0';
		fclose(f);
		used += snprintf(out + used, len - used, " %s=%s", names[i], v);
	}
}

static int load(const char *ko, const char *params)
{
	char cmd[PATH_MAX + 512];

	snprintf(cmd, sizeof(cmd), "insmod %s %s 2>/dev/null", ko, params);
	return system(cmd);
}

TEST(out_of_range_params)
{
	static const char *const bad[] = {
		"autosuspend_ms=4294967295", "autosuspend_ms=2147483648", "cores=0", "cores=9",
		"job_timeout_ms=99", "job_timeout_ms=60001",
	};
	char ko[PATH_MAX], saved[512];

	if (!module_path(ko, sizeof(ko)))
		SKIP(return, "no driver/enpu.ko next to the tests (the initramfs runs of arm64)");
	current_params(saved, sizeof(saved));
	TH_LOG("enpu.ko loaded with%s", saved);
	ASSERT_EQ(0, system("rmmod enpu"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char params[128];

		snprintf(params, sizeof(params), "sim_devices=1 %s", bad[i]);
		TH_LOG("insmod enpu.ko %s: loads, the device not probed", params);
		EXPECT_EQ(0, load(ko, params));
		EXPECT_NE(0, access(ENPU_TEST_NODE, F_OK));
		EXPECT_NE(0, access("/sys/bus/platform/drivers/enpu/enpu-sim.0", F_OK));
		EXPECT_EQ(0, system("rmmod enpu"));
	}
	/* more sim devices than the limit: the load itself fails */
	EXPECT_NE(0, load(ko, "sim_devices=9"));
	EXPECT_NE(0, access("/sys/module/enpu", F_OK));

	ASSERT_EQ(0, load(ko, saved));
	EXPECT_EQ(0, access(ENPU_TEST_NODE, F_OK));
}

TEST_HARNESS_MAIN
