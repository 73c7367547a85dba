/* SPDX-License-Identifier: MIT */
/* The driver's debugfs (root only): per-core counters from
 * accel/<dev>/cores, per-process device time from accel/<dev>/contexts. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats_impl.h"

/* An unsigned decimal after blanks, up to max: 0 with *p past it, or -EINVAL
 * (sscanf's %llu would take "-1" and leaves an overflow undefined). */
static int take_number(const char **p, unsigned long long max, unsigned long long *out)
{
	const char *s = *p + strspn(*p, " \t");
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *out > max)
		return -EINVAL;
	*p = end;
	return 0;
}

/* "key N" after blanks: as take_number. */
static int take_field(const char **p, const char *key, unsigned long long max,
		      unsigned long long *out)
{
	const char *s = *p + strspn(*p, " \t");
	size_t n = strlen(key);

	if (strncmp(s, key, n) || (s[n] != ' ' && s[n] != '\t'))
		return -EINVAL;
	*p = s + n;
	return take_number(p, max, out);
}

/* Blanks up to the end of the line: 0, or -EINVAL. */
static int line_end(const char *p)
{
	p += strspn(p, " \t");
	return *p && *p != '\n' ? -EINVAL : 0;
}

/* After a line's known fields: its end, or a blank and columns a later
 * driver appended (ignored); 0 or -EINVAL. */
static int known_fields_end(const char *p)
{
	return *p == ' ' || *p == '\t' ? 0 : line_end(p);
}

/* One core's line: 8 numbers (never a field of the next line), then
 * known_fields_end. */
static int parse_core_line(const char *line, unsigned long long v[8])
{
	for (int i = 0; i < 8; i++)
		if (take_number(&line, ULLONG_MAX, &v[i]))
			return -EINVAL;
	return known_fields_end(line);
}

#define CORES_HEADER "core jobs faults resets busy_cycles busy_ns bytes_read bytes_written"

/* CORES_HEADER (then known_fields_end), then one line of numbers per core,
 * each core once. */
static int parse_cores(const char *text, enpu_stats_sample_t *s)
{
	const char *line = strchr(text, '\n');
	uint32_t seen = 0;

	if (!line || strncmp(text, CORES_HEADER, strlen(CORES_HEADER)) ||
	    known_fields_end(text + strlen(CORES_HEADER)))
		return -EINVAL;
	for (line++; *line; ) {
		size_t n = strcspn(line, "\n");
		unsigned long long v[8];
		enpu_stats_counters_t c;

		if (parse_core_line(line, v) || v[0] >= ENPU_STATS_MAX_CORES ||
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

/* "ctx C pid P jobs J busy_ns B cycles Y" per context (fields a later driver
 * appends after a blank are ignored), then its "  bo ..." lines: 0, -EINVAL
 * for a context line not in that format, or -ENOMEM. */
static int parse_contexts(const char *root, const char *text, enpu_stats_sample_t *s)
{
	for (const char *line = text, *next; line && *line; line = next ? next + 1 : NULL) {
		unsigned long long ctx, pid, jobs, busy, cycles;
		const char *p = line;
		enpu_stats_proc_t *proc;

		next = strchr(line, '\n');
		if (strncmp(line, "ctx ", 4))
			continue;
		if (take_field(&p, "ctx", UINT32_MAX, &ctx) ||
		    take_field(&p, "pid", UINT32_MAX, &pid) ||
		    take_field(&p, "jobs", ULLONG_MAX, &jobs) ||
		    take_field(&p, "busy_ns", ULLONG_MAX, &busy) ||
		    take_field(&p, "cycles", ULLONG_MAX, &cycles) ||
		    known_fields_end(p))
			return -EINVAL;
		proc = stats_proc_get(s, (uint32_t)pid, 0);
		if (!proc)
			return -ENOMEM;
		if (!proc->comm[0])
			stats_read_comm(root, (uint32_t)pid, proc->comm);
		proc->counters.jobs += jobs;
		proc->counters.busy_ns += busy;
		proc->counters.cycles += cycles;
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
	if (err == -EINVAL)
		return enpu_status_make(ENPU_STATUS_DEVICE_ERROR,
					"stats: %s is not in the expected format", path);
	if (err)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "stats: out of memory");
	s->flags |= ENPU_STATS_HAS_CORES | ENPU_STATS_HAS_BYTES;
	return ENPU_OK;
}
