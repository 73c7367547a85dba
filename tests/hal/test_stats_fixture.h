/* SPDX-License-Identifier: MIT */
/* Fake /sys, /proc and debugfs trees for the stats reader (enpu_stats_options_t
 * .root): a temporary directory with the files an enpu device shows. */
#ifndef ENPU_TEST_STATS_FIXTURE_H
#define ENPU_TEST_STATS_FIXTURE_H

#include <stdbool.h>

typedef struct stats_fixture {
	char root[64];
} stats_fixture;

/* A root with accel0 (enpu, device enpu-sim.0): runtime_status active,
 * autosuspend 100 ms, cores_enabled 0x3, devfreq at 800 MHz with the five
 * levels listed out of order. false on failure. */
bool fx_create(stats_fixture *fx);
/* Writes root/path (parents created); false on failure. */
bool fx_write(const stats_fixture *fx, const char *path, const char *text);
/* Creates the symlink root/path -> target (parents created). */
bool fx_link(const stats_fixture *fx, const char *path, const char *target);
/* Removes the tree. */
void fx_destroy(stats_fixture *fx);

#endif
