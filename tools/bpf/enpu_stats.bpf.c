// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-core and per-process NPU counters from the enpu tracepoints: busy time,
 * jobs, bytes read and written, faults, resets, queue-wait and run-time log2
 * histograms, power-state and clock-level residency. Maps are pinned by name
 * under /sys/fs/bpf/enpu (the loader sets the pin root).
 *
 * The tracepoints pass scalars (driver/enpu_trace.h), so nothing here reads a
 * kernel structure: the object needs no CO-RE relocation to run on any kernel
 * with the enpu tracepoints. Each handler exists as tp_btf (module BTF) and as
 * raw_tp; the loader keeps one set.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "enpu_stats.h"

char LICENSE[] SEC("license") = "GPL";

#define PINNED_MAP(name, t, k, v, n) \
	struct { \
		__uint(type, t); \
		__uint(max_entries, n); \
		__type(key, k); \
		__type(value, v); \
		__uint(pinning, LIBBPF_PIN_BY_NAME); \
	} name SEC(".maps")
#define PINNED_HASH(name, k, v, n) PINNED_MAP(name, BPF_MAP_TYPE_HASH, k, v, n)

PINNED_HASH(core_stats, struct enpu_core_key, struct enpu_core_stat, 256);
/* Least recently updated processes make room for new ones. */
PINNED_MAP(proc_stats, BPF_MAP_TYPE_LRU_HASH, struct enpu_proc_key, struct enpu_proc_stat,
	   ENPU_PROC_ENTRIES);
PINNED_HASH(queue_wait_hist, struct enpu_core_key, struct enpu_hist, 256);
PINNED_HASH(run_time_hist, struct enpu_core_key, struct enpu_hist, 256);
PINNED_HASH(power, __u32, struct enpu_power_stat, 32);
PINNED_HASH(clock_residency, struct enpu_clock_key, __u64, 256);

/*
 * Per CPU, the process whose proc_stats entry is current (named, its start
 * time recorded) as of a count of entries enpu_job_done made: a submitter
 * sends jobs in bursts, so most enpu_job_queued events skip the hash lookup,
 * but not after the LRU evicted an entry that enpu_job_done then made again
 * unnamed. Internal (not pinned); array lookups are inlined by the verifier.
 */
struct named {
	struct enpu_proc_key key;
	__u64 start_ns;
	__u64 unnamed;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unnamed_entries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct named);
} named_proc SEC(".maps");

static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r < ENPU_HIST_SLOTS ? r : ENPU_HIST_SLOTS - 1;
}

static __always_inline void hist_add(void *map, __u32 dev, __u32 core, __u64 ns)
{
	struct enpu_core_key key = { .dev = dev, .core = core };
	static const struct enpu_hist zero;
	struct enpu_hist *h = lookup_or_init(map, &key, &zero);
	__u32 slot = log2_slot(ns);

	if (h && slot < ENPU_HIST_SLOTS)
		h->slots[slot]++;
}

/*
 * Per-core entries (core_stats and both histograms) need no atomic adds: only
 * enpu_job_done writes them, a core runs one job at a time, and the driver
 * starts a core's next job only after this event has returned (the job's
 * fence signals after the tracepoint), so one CPU at a time writes them. A process's
 * jobs finish on several cores at once, so proc_stats adds atomically.
 */
static const struct enpu_proc_stat proc_zero;

/*
 * Runs in the submitting process: the place to learn its name and start
 * time. An entry of another start time is an earlier process's that had this
 * pid: it starts afresh (the compare-and-swap lets one of the new process's
 * threads do it). An entry without one was made by enpu_job_done for jobs
 * queued before the load: it is this process's.
 */
static __always_inline int on_queued(__u32 dev, __u32 pid, __u64 start_ns)
{
	struct enpu_proc_key pk = { .dev = dev, .pid = pid };
	__u32 zero = 0;
	struct named *last = bpf_map_lookup_elem(&named_proc, &zero);
	__u64 *made = bpf_map_lookup_elem(&unnamed_entries, &zero);
	__u64 unnamed = made ? *made : 0, old;
	struct enpu_proc_stat *p;

	if (!last || (last->key.dev == dev && last->key.pid == pid &&
		      last->start_ns == start_ns && last->unnamed == unnamed))
		return 0;
	p = lookup_or_init(&proc_stats, &pk, &proc_zero);
	if (!p)
		return 0;
	old = p->start_ns;
	if (old != start_ns && __sync_val_compare_and_swap(&p->start_ns, old, start_ns) == old &&
	    old) {
		p->jobs = 0;
		p->busy_ns = 0;
		p->bytes_read = 0;
		p->bytes_written = 0;
		p->faults = 0;
		p->comm[0] = 0;
	}
	if (!p->comm[0])
		bpf_get_current_comm(p->comm, sizeof(p->comm));
	last->key = pk;
	last->start_ns = start_ns;
	last->unnamed = unnamed;
	return 0;
}

static __always_inline int on_done(__u32 dev, __u32 core, __u32 pid, __u64 cycles,
				   __u64 busy_ns, __u64 rd, __u64 wr, __s32 status, __u64 wait_ns,
				   __u64 run_ns)
{
	struct enpu_core_key ck = { .dev = dev, .core = core };
	struct enpu_proc_key pk = { .dev = dev, .pid = pid };
	static const struct enpu_core_stat czero;
	struct enpu_core_stat *c = lookup_or_init(&core_stats, &ck, &czero);
	struct enpu_proc_stat *p = bpf_map_lookup_elem(&proc_stats, &pk);
	__u32 zero = 0;
	__u64 *made;

	if (!p) {
		/* queued before the load, or evicted since: named at its next job */
		bpf_map_update_elem(&proc_stats, &pk, &proc_zero, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&proc_stats, &pk);
		made = bpf_map_lookup_elem(&unnamed_entries, &zero);
		if (made)
			__sync_fetch_and_add(made, 1);
	}

	if (c) {
		c->jobs++;
		c->busy_ns += busy_ns;
		c->cycles += cycles;
		c->bytes_read += rd;
		c->bytes_written += wr;
		if (status == -14)
			c->faults++;
		else if (status == -110)
			c->resets++;
		c->last_done_ns = bpf_ktime_get_ns();
	}
	if (p) {
		__sync_fetch_and_add(&p->jobs, 1);
		__sync_fetch_and_add(&p->busy_ns, busy_ns);
		__sync_fetch_and_add(&p->bytes_read, rd);
		__sync_fetch_and_add(&p->bytes_written, wr);
		if (status == -14)
			__sync_fetch_and_add(&p->faults, 1);
	}
	hist_add(&queue_wait_hist, dev, core, wait_ns);
	hist_add(&run_time_hist, dev, core, run_ns);
	return 0;
}

static __always_inline int on_power(__u32 dev, __u32 on)
{
	static const struct enpu_power_stat zero;
	struct enpu_power_stat *s = lookup_or_init(&power, &dev, &zero);
	__u64 now = bpf_ktime_get_ns();

	if (!s)
		return 0;
	if (s->since_ns) {
		if (s->on)
			s->on_ns += now - s->since_ns;
		else
			s->off_ns += now - s->since_ns;
	}
	if (on && !s->on)
		s->power_ups++;
	s->on = on;
	s->since_ns = now;
	return 0;
}

static __always_inline int on_clock(__u32 dev, __u32 old_mhz, __u32 new_mhz)
{
	static const struct enpu_power_stat zero;
	struct enpu_power_stat *s = lookup_or_init(&power, &dev, &zero);
	struct enpu_clock_key key = { .dev = dev, .mhz = old_mhz };
	static const __u64 nszero;
	__u64 now = bpf_ktime_get_ns(), *r;

	if (!s)
		return 0;
	r = lookup_or_init(&clock_residency, &key, &nszero);
	if (r && s->clock_since_ns)
		__sync_fetch_and_add(r, now - s->clock_since_ns);
	s->clock_mhz = new_mhz;
	s->clock_since_ns = now;
	return 0;
}

/* Each handler twice: tp_btf (typed, module BTF) and raw_tp (the fallback). */
#define HANDLERS(kind)									\
SEC(#kind "/enpu_job_queued")								\
int BPF_PROG(kind##_queued, __u32 dev, __u32 context, __u32 pid, __u64 job, __u32 core,	\
	     __u32 priority, __u32 bos, __u32 cmd_size, __u64 start_ns)			\
{ return on_queued(dev, pid, start_ns); }						\
SEC(#kind "/enpu_job_done")								\
int BPF_PROG(kind##_done, __u32 dev, __u32 core, __u32 context, __u32 pid, __u64 job,	\
	     __u64 cycles, __u64 busy_ns, __u64 rd, __u64 wr, __s32 status, __u64 wait_ns,	\
	     __u64 run_ns)									\
{ return on_done(dev, core, pid, cycles, busy_ns, rd, wr, status, wait_ns, run_ns); }	\
SEC(#kind "/enpu_power")								\
int BPF_PROG(kind##_power, __u32 dev, __u32 on)						\
{ return on_power(dev, on); }								\
SEC(#kind "/enpu_clock")								\
int BPF_PROG(kind##_clock, __u32 dev, __u32 old_mhz, __u32 new_mhz)			\
{ return on_clock(dev, old_mhz, new_mhz); }

HANDLERS(tp_btf)
HANDLERS(raw_tp)
