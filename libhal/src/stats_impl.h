/* SPDX-License-Identifier: MIT */
/* Internal to the stats reader (stats*.c): paths under the options' root,
 * small file readers, and one function per counter source. */
#ifndef ENPU_STATS_IMPL_H
#define ENPU_STATS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enpu/stats.h"

/* out = root + the formatted absolute path; false when it does not fit. */
bool stats_path(char *out, size_t len, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Reads a whole (small) file, NUL-terminated; bytes read or -errno. */
long stats_read_text(const char *path, char *buf, size_t len);
/* The first unsigned number in a file; -errno when unreadable, -EINVAL when none. */
int stats_read_u64(const char *path, uint64_t *out);
/* The first line of a file, without its newline; -errno. */
int stats_read_line(const char *path, char *buf, size_t len);
/* The entry for pid (and client_id) in sample->procs, appended when absent;
 * NULL when out of memory. */
enpu_stats_proc_t *stats_proc_get(enpu_stats_sample_t *s, uint32_t pid, uint64_t client_id);
/* comm of pid from <root>/proc/<pid>/comm ("?" when gone). */
void stats_read_comm(const char *root, uint32_t pid, char comm[16]);
uint64_t stats_now_ns(void);
void stats_counters_add(enpu_stats_counters_t *sum, const enpu_stats_counters_t *c);

/* sysfs and devfreq: power state, clock and levels, cores_enabled, and the
 * device's name (the debugfs directory), e.g. "enpu-sim.0". */
enpu_status_t stats_read_sysfs(const char *root, enpu_stats_sample_t *s, char *devname,
			       size_t devname_len);

/* The sources. Each fills counters, procs, flags and timestamp_ns, or returns
 * FAILED_PRECONDITION saying what to do. */
enpu_status_t stats_read_bpf(const char *root, enpu_stats_sample_t *s);
enpu_status_t stats_read_debugfs(const char *root, const char *devname,
				 enpu_stats_sample_t *s);
enpu_status_t stats_read_fdinfo(const char *root, enpu_stats_sample_t *s);

#define STATS_HINT                                                              \
	"load the BPF counters with `build/bpf/enpu-bpf load`, or run as root for debugfs"

#endif
