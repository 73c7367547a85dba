/* SPDX-License-Identifier: MIT */
/* Helpers of the stats reader: paths under a root, small file reads, the
 * per-process table. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "stats_impl.h"

bool stats_path(char *out, size_t len, const char *root, const char *fmt, ...)
{
	size_t r = strlen(root);
	va_list ap;
	int n;

	while (r > 0 && root[r - 1] == '/')
		r--;
	if (r >= len)
		return false;
	memcpy(out, root, r);
	va_start(ap, fmt);
	n = vsnprintf(out + r, len - r, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len - r;
}

long stats_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	if (n < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	buf[got] = '\0';
	return (long)got;
}

int stats_read_u64(const char *path, uint64_t *out)
{
	char buf[64], *end;
	long n = stats_read_text(path, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	errno = 0;
	*out = strtoull(buf, &end, 0);
	return end == buf || errno ? -EINVAL : 0;
}

int stats_read_line(const char *path, char *buf, size_t len)
{
	long n = stats_read_text(path, buf, len);

	if (n < 0)
		return (int)n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

enpu_stats_proc_t *stats_proc_get(enpu_stats_sample_t *s, uint32_t pid, uint64_t client_id)
{
	enpu_stats_proc_t *grown;

	for (size_t i = 0; i < s->proc_count; i++)
		if (s->procs[i].pid == pid && s->procs[i].client_id == client_id)
			return &s->procs[i];
	grown = realloc(s->procs, (s->proc_count + 1) * sizeof(*s->procs));
	if (!grown)
		return NULL;
	s->procs = grown;
	memset(&grown[s->proc_count], 0, sizeof(*grown));
	grown[s->proc_count].pid = pid;
	grown[s->proc_count].client_id = client_id;
	return &grown[s->proc_count++];
}

void stats_read_comm(const char *root, uint32_t pid, char comm[16])
{
	char path[512];

	if (!stats_path(path, sizeof(path), root, "/proc/%u/comm", pid) ||
	    stats_read_line(path, comm, 16))
		strcpy(comm, "?");
}

uint64_t stats_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void stats_counters_add(enpu_stats_counters_t *sum, const enpu_stats_counters_t *c)
{
	sum->jobs += c->jobs;
	sum->busy_ns += c->busy_ns;
	sum->cycles += c->cycles;
	sum->bytes_read += c->bytes_read;
	sum->bytes_written += c->bytes_written;
	sum->faults += c->faults;
	sum->resets += c->resets;
}
