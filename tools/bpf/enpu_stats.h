/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The maps enpu_stats.bpf.c keeps, pinned under /sys/fs/bpf/enpu/ with BTF so
 * that `bpftool map dump pinned /sys/fs/bpf/enpu/<map>` prints these field names.
 * Shared by the BPF program, its loader and libhal's stats reader: fields are
 * only ever appended.
 */
#ifndef ENPU_STATS_H
#define ENPU_STATS_H

#define ENPU_BPF_PIN_DIR	"/sys/fs/bpf/enpu"
/* slot i counts values in [2^i, 2^(i+1)) ns; the last one everything from 2^31 */
#define ENPU_HIST_SLOTS		32

/* core_stats, queue_wait_hist, run_time_hist: per device and core */
struct enpu_core_key {
	__u32 dev;
	__u32 core;
};

struct enpu_core_stat {
	__u64 jobs;
	__u64 busy_ns;		/* device time of the jobs (the driver's busy_ns) */
	__u64 cycles;
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 faults;
	__u64 resets;
	__u64 last_done_ns;	/* bpf_ktime_get_ns() of the last job's end */
};

/*
 * proc_stats: per device and submitting process (tgid; a later process with
 * the same pid starts afresh); an LRU map of ENPU_PROC_ENTRIES: when it fills
 * (or sooner, its free lists being per CPU) the least recently updated
 * entries go
 */
#define ENPU_PROC_ENTRIES	4096

struct enpu_proc_key {
	__u32 dev;
	__u32 pid;
};

struct enpu_proc_stat {
	__u64 jobs;
	__u64 busy_ns;
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 faults;
	char comm[16];		/* at its first job since the counters were loaded */
	__u64 start_ns;		/* its start (CLOCK_MONOTONIC); 0: no job queued since */
};

struct enpu_hist {
	__u64 slots[ENPU_HIST_SLOTS];
};

/* power: per device; residency up to since_ns, plus the open interval */
struct enpu_power_stat {
	__u32 on;
	__u32 clock_mhz;
	__u64 since_ns;		/* last power change */
	__u64 on_ns;
	__u64 off_ns;
	__u64 clock_since_ns;	/* last clock change */
	__u64 power_ups;
};

/* clock_residency: time spent at each clock level */
struct enpu_clock_key {
	__u32 dev;
	__u32 mhz;
};

#endif /* ENPU_STATS_H */
