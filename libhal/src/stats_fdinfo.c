/* SPDX-License-Identifier: MIT */
/* DRM fdinfo (Documentation/gpu/drm-usage-stats.rst): every open file of the
 * device in the processes the caller may inspect, one entry per drm-client-id.
 * Device time and cycles only; totals are their sums. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stats_impl.h"

/* The number after "key:" on its own line, or -1. */
static long long fdinfo_value(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtoll(p + klen + 1, NULL, 10);
	return -1;
}

static bool is_enpu(const char *text)
{
	for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, "drm-driver:", 11))
			return !strncmp(p + 11 + strspn(p + 11, " \t"), "enpu\n", 5);
	return false;
}

/* One open file of pid: 0, or -ENOMEM. */
static int add_client(const char *root, uint32_t pid, const char *text, enpu_stats_sample_t *s)
{
	long long id = fdinfo_value(text, "drm-client-id");
	long long ns = fdinfo_value(text, "drm-engine-npu");
	long long cycles = fdinfo_value(text, "drm-cycles-npu");
	long long cap = fdinfo_value(text, "drm-engine-capacity-npu");
	enpu_stats_proc_t *p;

	if (id < 0 || !is_enpu(text))
		return 0;
	for (size_t i = 0; i < s->proc_count; i++)
		if (s->procs[i].client_id == (uint64_t)id)
			return 0; /* the same file through another fd or process */
	p = stats_proc_get(s, pid, (uint64_t)id);
	if (!p)
		return -ENOMEM;
	stats_read_comm(root, pid, p->comm);
	p->counters.busy_ns = ns > 0 ? (uint64_t)ns : 0;
	p->counters.cycles = cycles > 0 ? (uint64_t)cycles : 0;
	stats_counters_add(&s->total, &p->counters);
	if (cap > 0 && cap <= ENPU_STATS_MAX_CORES)
		s->core_count = (uint32_t)cap;
	return 0;
}

/* Files of pid open on /dev/accel/accel<dev>. */
static int scan_pid(const char *root, uint32_t pid, const char *node, enpu_stats_sample_t *s)
{
	char dir[512], path[800], link[256], text[2048];
	struct dirent *de;
	int err = 0;
	DIR *d;

	stats_path(dir, sizeof(dir), root, "/proc/%u/fd", pid);
	d = opendir(dir);
	if (!d)
		return 0; /* gone, or not ours to see */
	while (!err && (de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0 || (link[n] = '\0', strcmp(link, node)))
			continue;
		stats_path(path, sizeof(path), root, "/proc/%u/fdinfo/%s", pid, de->d_name);
		if (stats_read_text(path, text, sizeof(text)) > 0)
			err = add_client(root, pid, text, s);
	}
	closedir(d);
	return err;
}

enpu_status_t stats_read_fdinfo(const char *root, enpu_stats_sample_t *s)
{
	char dir[512], node[64];
	struct dirent *de;
	int err = 0;
	DIR *d;

	stats_path(dir, sizeof(dir), root, "/proc");
	d = opendir(dir);
	if (!d)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"stats: cannot read %s: %s; mount proc, or %s", dir,
					strerror(errno), STATS_HINT);
	snprintf(node, sizeof(node), "/dev/accel/accel%u", s->dev);
	while (!err && (de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || end == de->d_name)
			continue;
		err = scan_pid(root, (uint32_t)pid, node, s);
	}
	closedir(d);
	s->timestamp_ns = stats_now_ns();
	if (err)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "stats: out of memory");
	snprintf(s->note, sizeof(s->note),
		 "fdinfo: totals of the open files you can see, no per-core counters or bytes; %s",
		 STATS_HINT);
	return ENPU_OK;
}
