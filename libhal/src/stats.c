/* SPDX-License-Identifier: MIT */
/* enpu_stats_read: the device's sysfs state plus counters from the best
 * readable source (BPF maps, debugfs, fdinfo). */
#include <stdlib.h>
#include <string.h>
#include "stats_impl.h"

const char *enpu_stats_source_name(enpu_stats_source_t source)
{
	switch (source) {
	case ENPU_STATS_SOURCE_AUTO: return "auto";
	case ENPU_STATS_SOURCE_BPF: return "bpf";
	case ENPU_STATS_SOURCE_DEBUGFS: return "debugfs";
	case ENPU_STATS_SOURCE_FDINFO: return "fdinfo";
	}
	return "unknown";
}

/* Resets what a failed source may have filled in, keeping the sysfs state. */
static void clear_counters(enpu_stats_sample_t *s, uint32_t core_count)
{
	memset(s->cores, 0, sizeof(s->cores));
	memset(&s->total, 0, sizeof(s->total));
	memset(s->queue_wait_hist, 0, sizeof(s->queue_wait_hist));
	memset(s->run_time_hist, 0, sizeof(s->run_time_hist));
	free(s->procs);
	s->procs = NULL;
	s->proc_count = 0;
	s->flags = 0;
	s->core_count = core_count;
	s->note[0] = '\0';
}

static enpu_status_t read_source(const char *root, const char *devname,
				 enpu_stats_source_t src, enpu_stats_sample_t *s)
{
	s->source = src;
	switch (src) {
	case ENPU_STATS_SOURCE_BPF: return stats_read_bpf(root, s);
	case ENPU_STATS_SOURCE_DEBUGFS: return stats_read_debugfs(root, devname, s);
	case ENPU_STATS_SOURCE_FDINFO: return stats_read_fdinfo(root, s);
	case ENPU_STATS_SOURCE_AUTO: break;
	}
	return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "stats: unknown source %d",
				(int)src);
}

enpu_status_t enpu_stats_read(uint32_t dev, const enpu_stats_options_t *options,
			      enpu_stats_sample_t **out_sample)
{
	static const enpu_stats_source_t order[] = {
		ENPU_STATS_SOURCE_BPF, ENPU_STATS_SOURCE_DEBUGFS, ENPU_STATS_SOURCE_FDINFO,
	};
	enpu_stats_source_t want = options ? options->source : ENPU_STATS_SOURCE_AUTO;
	const char *root = options && options->root ? options->root : "/";
	enpu_stats_sample_t *s;
	enpu_status_t st;
	char devname[256];
	uint32_t sysfs_cores;

	if (!out_sample)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_stats_read: out_sample is NULL");
	*out_sample = NULL;
	if (want > ENPU_STATS_SOURCE_FDINFO)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_stats_read: unknown source %d", (int)want);
	s = calloc(1, sizeof(*s));
	if (!s)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "stats: out of memory");
	s->dev = dev;
	st = stats_read_sysfs(root, s, devname, sizeof(devname));
	sysfs_cores = s->core_count;
	if (!st && want != ENPU_STATS_SOURCE_AUTO) {
		st = read_source(root, devname, want, s);
	} else if (!st) {
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			enpu_status_code_t code;

			enpu_status_free(st);
			clear_counters(s, sysfs_cores);
			st = read_source(root, devname, order[i], s);
			code = enpu_status_code(st);
			if (code != ENPU_STATUS_FAILED_PRECONDITION)
				break;
		}
	}
	if (st) {
		enpu_stats_free(s);
		return st;
	}
	if (s->core_count < sysfs_cores)
		s->core_count = sysfs_cores;
	*out_sample = s;
	return ENPU_OK;
}

void enpu_stats_free(enpu_stats_sample_t *sample)
{
	if (sample) {
		free(sample->procs);
		free(sample);
	}
}
