/* SPDX-License-Identifier: MIT */
/* enpu HAL: NPU counters, utilization and bandwidth (docs/stats.md).
 *
 * enpu_stats_read() takes a sample of one NPU (/dev/accel/accel<dev>) from the
 * best source it can read: the BPF counters pinned in /sys/fs/bpf/enpu (loaded
 * by `enpu-bpf load`), else the driver's debugfs (root), else the DRM fdinfo
 * of the processes the caller can see (totals only). enpu_stats_rates() turns
 * two samples of one source into utilization (busy time over wall time, the
 * nvidia-smi definition) and bandwidth. No libbpf needed: maps are read with
 * the bpf(2) syscall. Thread safety: every function may be called from any
 * thread; a sample is not shared state. */
/* (not ENPU_STATS_H: tools/bpf/enpu_stats.h uses that guard) */
#ifndef ENPU_HAL_STATS_H
#define ENPU_HAL_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ENPU_STATS_MAX_CORES 8
#define ENPU_STATS_MAX_CLOCKS 16
/* slot i counts values in [2^i, 2^(i+1)) ns; the last one everything from 2^31 */
#define ENPU_STATS_HIST_SLOTS 32

typedef enum enpu_stats_source {
	ENPU_STATS_SOURCE_AUTO = 0, /* options only: BPF, else debugfs, else fdinfo */
	ENPU_STATS_SOURCE_BPF = 1,     /* pinned maps: per core, per process, histograms */
	ENPU_STATS_SOURCE_DEBUGFS = 2, /* debugfs cores + contexts: per core, per process */
	ENPU_STATS_SOURCE_FDINFO = 3,  /* /proc/<pid>/fdinfo: device totals, per client */
} enpu_stats_source_t;

/* Bits of enpu_stats_sample_t.flags: what the source provides. */
#define ENPU_STATS_HAS_CORES 0x1u /* cores[] (else only total) */
#define ENPU_STATS_HAS_BYTES 0x2u /* bytes_read / bytes_written */
#define ENPU_STATS_HAS_HIST 0x4u  /* queue_wait_hist / run_time_hist */
#define ENPU_STATS_HAS_POWER_RESIDENCY 0x8u /* on_ns / off_ns / power_ups */
#define ENPU_STATS_HAS_PROC_BYTES 0x10u /* procs[] bytes_read / bytes_written */

/* Cumulative counters (since the device, the BPF maps or the file existed). */
typedef struct enpu_stats_counters {
	uint64_t jobs;
	uint64_t busy_ns; /* device time of finished jobs (modelled: cycles at the clock) */
	uint64_t cycles;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t faults;
	uint64_t resets;
} enpu_stats_counters_t;

/* One process (BPF, debugfs: summed over its contexts) or one DRM client
 * (fdinfo: client_id != 0, a process may have several). */
typedef struct enpu_stats_proc {
	uint32_t pid;
	char comm[16];
	uint64_t client_id; /* fdinfo drm-client-id; 0 for the other sources */
	enpu_stats_counters_t counters;
} enpu_stats_proc_t;

typedef struct enpu_stats_sample {
	uint32_t dev;                 /* accel index */
	enpu_stats_source_t source;   /* never AUTO */
	uint32_t flags;               /* ENPU_STATS_HAS_* */
	uint64_t timestamp_ns;        /* CLOCK_MONOTONIC when taken */
	uint32_t core_count;          /* cores of the device (capacity of total) */
	enpu_stats_counters_t cores[ENPU_STATS_MAX_CORES]; /* HAS_CORES */
	enpu_stats_counters_t total;  /* sum over cores (fdinfo: over visible clients) */
	char runtime_status[16];      /* sysfs power/runtime_status: "active", "suspended" */
	int64_t autosuspend_delay_ms; /* -1 when unknown */
	uint32_t cores_enabled;       /* sysfs mask; 0 when unknown */
	uint32_t clock_mhz;           /* devfreq cur_freq; 0 when unknown */
	uint32_t clock_min_mhz, clock_max_mhz; /* devfreq min_freq / max_freq limits */
	uint32_t clock_level_count;
	uint32_t clock_levels_mhz[ENPU_STATS_MAX_CLOCKS]; /* slowest first */
	uint64_t on_ns, off_ns, power_ups; /* HAS_POWER_RESIDENCY (BPF) */
	uint64_t queue_wait_hist[ENPU_STATS_HIST_SLOTS]; /* HAS_HIST, summed over cores */
	uint64_t run_time_hist[ENPU_STATS_HIST_SLOTS];
	size_t proc_count;
	enpu_stats_proc_t *procs;     /* by pid (fdinfo: by client), owned by the sample */
	char note[160];               /* what the source cannot see, or "" */
} enpu_stats_sample_t;

typedef struct enpu_stats_options {
	enpu_stats_source_t source; /* AUTO, or insist on one (its error if unreadable) */
	const char *root;           /* prefix of /sys, /proc and /dev paths; NULL = "/" */
} enpu_stats_options_t;

/* Takes a sample of /dev/accel/accel<dev>. options may be NULL (AUTO, "/").
 * Errors: OUT_OF_RANGE no such accel device; UNSUPPORTED not an enpu device;
 * FAILED_PRECONDITION the requested source (or, with AUTO, every source) is
 * unreadable, the message says what to do. Free with enpu_stats_free(). */
enpu_status_t enpu_stats_read(uint32_t dev, const enpu_stats_options_t *options,
			      enpu_stats_sample_t **out_sample);
void enpu_stats_free(enpu_stats_sample_t *sample);

/* "bpf", "debugfs", "fdinfo" ("auto" for AUTO). */
const char *enpu_stats_source_name(enpu_stats_source_t source);

/* What happened between two samples. A counter that went backwards (the
 * maps were reloaded, a client closed) counts from zero. */
typedef struct enpu_stats_rates {
	double interval_s;
	uint32_t core_count;
	double core_utilization[ENPU_STATS_MAX_CORES]; /* HAS_CORES; each in [0, 1] */
	double utilization;       /* Δbusy / (Δt × cores), in [0, 1] */
	double read_bytes_per_s;  /* HAS_BYTES */
	double write_bytes_per_s;
	double jobs_per_s;
} enpu_stats_rates_t;

/* Rates from prev to cur: INVALID_ARGUMENT unless both are of the same device
 * and source and cur is later. fdinfo totals are the clients' changes: a
 * client in cur only counts from zero, one gone from cur drops out. */
enpu_status_t enpu_stats_rates(const enpu_stats_sample_t *prev,
			       const enpu_stats_sample_t *cur, enpu_stats_rates_t *out);

typedef struct enpu_stats_proc_rate {
	double utilization;       /* of the whole device: Δbusy / (Δt × cores), [0, 1] */
	double read_bytes_per_s;
	double write_bytes_per_s;
	double jobs_per_s;
} enpu_stats_proc_rate_t;

/* Rates of cur->procs[index], matched in prev by pid (fdinfo: by client id);
 * a process new in cur counts from zero. Same errors as enpu_stats_rates. */
enpu_status_t enpu_stats_proc_rate(const enpu_stats_sample_t *prev,
				   const enpu_stats_sample_t *cur, size_t index,
				   enpu_stats_proc_rate_t *out);

#ifdef __cplusplus
}
#endif
#endif
