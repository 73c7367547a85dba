/* SPDX-License-Identifier: MIT */
/* The layouts of the BPF maps that tools/bpf/enpu_stats.bpf.c pins under
 * /sys/fs/bpf/enpu. They MUST match tools/bpf/enpu_stats.h (libhal builds with
 * -Iinclude -Isrc only and needs no kernel types): tests/hal/test_stats_abi.c
 * compiles both and checks every size and offset. Fields are only appended
 * there; append them here too. */
#ifndef ENPU_STATS_BPF_ABI_H
#define ENPU_STATS_BPF_ABI_H

#include <stdint.h>

#define STATS_BPF_PIN_DIR "/sys/fs/bpf/enpu"
#define STATS_BPF_HIST_SLOTS 32

struct stats_bpf_core_key {
	uint32_t dev;
	uint32_t core;
};

struct stats_bpf_core_stat {
	uint64_t jobs;
	uint64_t busy_ns;
	uint64_t cycles;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t faults;
	uint64_t resets;
	uint64_t last_done_ns;
};

struct stats_bpf_proc_key {
	uint32_t dev;
	uint32_t pid;
};

struct stats_bpf_proc_stat {
	uint64_t jobs;
	uint64_t busy_ns;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t faults;
	char comm[16];
	uint64_t start_ns; /* appended: maps of older loaders lack it */
};

struct stats_bpf_hist {
	uint64_t slots[STATS_BPF_HIST_SLOTS];
};

struct stats_bpf_power_stat {
	uint32_t on;
	uint32_t clock_mhz;
	uint64_t since_ns;
	uint64_t on_ns;
	uint64_t off_ns;
	uint64_t clock_since_ns;
	uint64_t power_ups;
};

#endif
