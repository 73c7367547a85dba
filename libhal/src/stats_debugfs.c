/* SPDX-License-Identifier: MIT */
/* The driver's debugfs (root only): per-core counters from
 * accel/<dev>/cores, per-process device time from accel/<dev>/contexts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats_impl.h"

/* One core's line: exactly 8 numbers and nothing else (sscanf alone would
 * skip a newline and take a short line's missing fields from the next). */
static int parse_core_line(const char *line, size_t n, unsigned long long v[8])
{
	char buf[256];
	int end = 0;

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, line, n);
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu %llu %llu %llu %llu %llu %llu %n", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7], &end) != 8 || buf[end])
		return -EINVAL;
	return 0;
}

/* "core jobs faults resets busy_cycles busy_ns bytes_read bytes_written", then
 * one line of numbers per core, each core once. */
static int parse_cores(const char *text, enpu_stats_sample_t *s)
{
	const char *line = strchr(text, '\n');
	uint32_t seen = 0;

	if (!line || strncmp(text, "core jobs ", 10))
		return -EINVAL;
	for (line++; *line; ) {
		size_t n = strcspn(line, "\n");
		unsigned long long v[8];
		enpu_stats_counters_t c;

		if (parse_core_line(line, n, v) || v[0] >= ENPU_STATS_MAX_CORES ||
		    seen & 1u << v[0])
			return -EINVAL;
		seen |= 1u << v[0];
		c = (enpu_stats_counters_t){
			.jobs = v[1], .faults = v[2], .resets = v[3], .cycles = v[4],
			.busy_ns = v[5], .bytes_read = v[6], .bytes_written = v[7],
		};
		s->cores[v[0]] = c;
		stats_counters_add(&s->total, &c);
		if (v[0] >= s->core_count)
			s->core_count = (uint32_t)v[0] + 1;
		line += n + (line[n] == '\n');
	}
	return 0;
}

/* The whole of path into *text (grown from *len as needed, up to 64 MiB):
 * its length, or -errno. */
static long read_whole(const char *path, char **text, size_t *len)
{
	for (;;) {
		long n = stats_read_text(path, *text, *len);
		char *grown;

		if (n < 0 || (size_t)n < *len - 1)
			return n;
		if (*len >= (size_t)64 << 20)
			return -EFBIG;
		grown = realloc(*text, *len * 2);
		if (!grown)
			return -ENOMEM;
		*text = grown;
		*len *= 2;
	}
}

/* "ctx C pid P jobs J busy_ns B cycles Y" per context, then its "  bo ..." lines. */
static int parse_contexts(const char *root, const char *text, enpu_stats_sample_t *s)
{
	for (const char *line = text, *next; line && *line; line = next ? next + 1 : NULL) {
		unsigned int ctx, pid;
		unsigned long long jobs, busy, cycles;
		enpu_stats_proc_t *p;

		next = strchr(line, '\n');

		if (sscanf(line, "ctx %u pid %u jobs %llu busy_ns %llu cycles %llu", &ctx, &pid,
			   &jobs, &busy, &cycles) != 5)
			continue;
		p = stats_proc_get(s, pid, 0);
		if (!p)
			return -ENOMEM;
		if (!p->comm[0])
			stats_read_comm(root, pid, p->comm);
		p->counters.jobs += jobs;
		p->counters.busy_ns += busy;
		p->counters.cycles += cycles;
	}
	return 0;
}

enpu_status_t stats_read_debugfs(const char *root, const char *devname, enpu_stats_sample_t *s)
{
	size_t len = 1 << 16;
	char path[512], *text = malloc(len);
	long n;
	int err;

	if (!text)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "stats: out of memory");
	stats_path(path, sizeof(path), root, "/sys/kernel/debug/accel/%s/cores", devname);
	n = read_whole(path, &text, &len);
	s->timestamp_ns = stats_now_ns();
	if (n < 0) {
		free(text);
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"stats: cannot read %s: %s; %s", path, strerror((int)-n),
					n == -EACCES || n == -EPERM ? "debugfs needs root; or load the "
					"BPF counters with `build/bpf/enpu-bpf load`" :
					"mount debugfs (`mount -t debugfs none /sys/kernel/debug`) as "
					"root, or load the BPF counters with `build/bpf/enpu-bpf load`");
	}
	s->core_count = 0;
	err = parse_cores(text, s);
	if (err) {
		free(text);
		return enpu_status_make(ENPU_STATUS_DEVICE_ERROR,
					"stats: %s is not in the expected format", path);
	}
	stats_path(path, sizeof(path), root, "/sys/kernel/debug/accel/%s/contexts", devname);
	n = read_whole(path, &text, &len);
	if (n == -ENOMEM)
		err = -ENOMEM;
	else if (n >= 0)
		err = parse_contexts(root, text, s);
	free(text);
	if (err)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "stats: out of memory");
	s->flags |= ENPU_STATS_HAS_CORES | ENPU_STATS_HAS_BYTES;
	return ENPU_OK;
}
