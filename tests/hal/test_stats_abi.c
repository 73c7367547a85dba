/* SPDX-License-Identifier: MIT */
/* libhal mirrors the BPF map layouts (libhal/src/stats_bpf_abi.h) instead of
 * including tools/bpf/enpu_stats.h: every size and offset must agree. */
#include <linux/types.h>
#include <stddef.h>
#include "../../tools/bpf/enpu_stats.h"
#include "../../libhal/src/stats_bpf_abi.h"
#include "enpu/stats.h"
#include "tests.h"

#define SAME_SIZE(a, b)                                                         \
	CHECK(t, sizeof(struct a) == sizeof(struct b), "sizeof %s %zu != %s %zu", #a,  \
	      sizeof(struct a), #b, sizeof(struct b))
#define SAME_FIELD(a, b, f)                                                     \
	CHECK(t, offsetof(struct a, f) == offsetof(struct b, f) &&              \
		 sizeof(((struct a *)0)->f) == sizeof(((struct b *)0)->f),      \
	      "%s.%s: offset %zu size %zu, mirror offset %zu size %zu", #a, #f,   \
	      offsetof(struct a, f), sizeof(((struct a *)0)->f), offsetof(struct b, f), \
	      sizeof(((struct b *)0)->f))

void test_stats_bpf_abi(tctx *t)
{
	CHECK(t, strcmp(ENPU_BPF_PIN_DIR, STATS_BPF_PIN_DIR) == 0, "pin dir");
	CHECK(t, ENPU_HIST_SLOTS == STATS_BPF_HIST_SLOTS, "histogram slots");
	CHECK(t, ENPU_HIST_SLOTS == ENPU_STATS_HIST_SLOTS, "public histogram slots");
	SAME_SIZE(enpu_core_key, stats_bpf_core_key);
	SAME_FIELD(enpu_core_key, stats_bpf_core_key, dev);
	SAME_FIELD(enpu_core_key, stats_bpf_core_key, core);
	SAME_SIZE(enpu_core_stat, stats_bpf_core_stat);
	SAME_FIELD(enpu_core_stat, stats_bpf_core_stat, jobs);
	SAME_FIELD(enpu_core_stat, stats_bpf_core_stat, busy_ns);
	SAME_FIELD(enpu_core_stat, stats_bpf_core_stat, cycles);
	SAME_FIELD(enpu_core_stat, stats_bpf_core_stat, bytes_read);
	SAME_FIELD(enpu_core_stat, stats_bpf_core_stat, bytes_written);
	SAME_FIELD(enpu_core_stat, stats_bpf_core_stat, faults);
	SAME_FIELD(enpu_core_stat, stats_bpf_core_stat, resets);
	SAME_FIELD(enpu_core_stat, stats_bpf_core_stat, last_done_ns);
	SAME_SIZE(enpu_proc_key, stats_bpf_proc_key);
	SAME_FIELD(enpu_proc_key, stats_bpf_proc_key, dev);
	SAME_FIELD(enpu_proc_key, stats_bpf_proc_key, pid);
	SAME_SIZE(enpu_proc_stat, stats_bpf_proc_stat);
	SAME_FIELD(enpu_proc_stat, stats_bpf_proc_stat, jobs);
	SAME_FIELD(enpu_proc_stat, stats_bpf_proc_stat, busy_ns);
	SAME_FIELD(enpu_proc_stat, stats_bpf_proc_stat, bytes_read);
	SAME_FIELD(enpu_proc_stat, stats_bpf_proc_stat, bytes_written);
	SAME_FIELD(enpu_proc_stat, stats_bpf_proc_stat, faults);
	SAME_FIELD(enpu_proc_stat, stats_bpf_proc_stat, comm);
	SAME_FIELD(enpu_proc_stat, stats_bpf_proc_stat, start_ns);
	SAME_SIZE(enpu_hist, stats_bpf_hist);
	SAME_FIELD(enpu_hist, stats_bpf_hist, slots);
	SAME_SIZE(enpu_power_stat, stats_bpf_power_stat);
	SAME_FIELD(enpu_power_stat, stats_bpf_power_stat, on);
	SAME_FIELD(enpu_power_stat, stats_bpf_power_stat, clock_mhz);
	SAME_FIELD(enpu_power_stat, stats_bpf_power_stat, since_ns);
	SAME_FIELD(enpu_power_stat, stats_bpf_power_stat, on_ns);
	SAME_FIELD(enpu_power_stat, stats_bpf_power_stat, off_ns);
	SAME_FIELD(enpu_power_stat, stats_bpf_power_stat, clock_since_ns);
	SAME_FIELD(enpu_power_stat, stats_bpf_power_stat, power_ups);
out:;
}
