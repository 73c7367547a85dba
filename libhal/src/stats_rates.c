/* SPDX-License-Identifier: MIT */
/* Utilization and bandwidth between two samples: Δcounter / Δt, busy time
 * over the capacity of the cores (nvidia-smi's definition), clamped to [0, 1]
 * because a job's whole device time is counted when it ends. */
#include "stats_impl.h"

/* A counter that went backwards was reset: count from zero. */
static uint64_t delta(uint64_t prev, uint64_t cur)
{
	return cur >= prev ? cur - prev : cur;
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static enpu_status_t check(const enpu_stats_sample_t *prev, const enpu_stats_sample_t *cur)
{
	if (!prev || !cur)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "stats rates: NULL sample");
	if (prev->dev != cur->dev || prev->source != cur->source)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"stats rates: samples of accel%u (%s) and accel%u (%s) "
					"do not compare", prev->dev,
					enpu_stats_source_name(prev->source), cur->dev,
					enpu_stats_source_name(cur->source));
	if (cur->timestamp_ns <= prev->timestamp_ns)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"stats rates: the second sample is not later (%llu <= %llu ns)",
					(unsigned long long)cur->timestamp_ns,
					(unsigned long long)prev->timestamp_ns);
	return ENPU_OK;
}

/* p in s: by client id where there is one (fdinfo: a client's fd may pass
 * to another process between samples), else by pid. */
static const enpu_stats_proc_t *find_proc(const enpu_stats_sample_t *s, const enpu_stats_proc_t *p)
{
	for (size_t i = 0; i < s->proc_count; i++)
		if (p->client_id ? s->procs[i].client_id == p->client_id
				 : s->procs[i].pid == p->pid && !s->procs[i].client_id)
			return &s->procs[i];
	return NULL;
}

static void counters_delta(const enpu_stats_counters_t *a, const enpu_stats_counters_t *b,
			   enpu_stats_counters_t *d)
{
	d->jobs = delta(a->jobs, b->jobs);
	d->busy_ns = delta(a->busy_ns, b->busy_ns);
	d->cycles = delta(a->cycles, b->cycles);
	d->bytes_read = delta(a->bytes_read, b->bytes_read);
	d->bytes_written = delta(a->bytes_written, b->bytes_written);
	d->faults = delta(a->faults, b->faults);
	d->resets = delta(a->resets, b->resets);
}

/* The change of one process (zero before it appeared). */
static void proc_delta(const enpu_stats_sample_t *prev, const enpu_stats_proc_t *p,
		       enpu_stats_counters_t *d)
{
	static const enpu_stats_counters_t zero;
	const enpu_stats_proc_t *q = find_proc(prev, p);

	counters_delta(q ? &q->counters : &zero, &p->counters, d);
}

static uint32_t capacity(const enpu_stats_sample_t *s)
{
	return s->core_count ? s->core_count : 1;
}

enpu_status_t enpu_stats_rates(const enpu_stats_sample_t *prev, const enpu_stats_sample_t *cur,
			       enpu_stats_rates_t *out)
{
	enpu_stats_counters_t d = { 0 };
	enpu_status_t st = check(prev, cur);
	double dt_ns;

	if (!out)
		return st ? st : enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						  "stats rates: out is NULL");
	*out = (enpu_stats_rates_t){ 0 };
	if (st)
		return st;
	dt_ns = (double)(cur->timestamp_ns - prev->timestamp_ns);
	if (cur->source == ENPU_STATS_SOURCE_FDINFO) {
		/* totals move when files close: sum the clients instead */
		for (size_t i = 0; i < cur->proc_count; i++) {
			enpu_stats_counters_t pd;

			proc_delta(prev, &cur->procs[i], &pd);
			stats_counters_add(&d, &pd);
		}
	} else {
		counters_delta(&prev->total, &cur->total, &d);
	}
	out->interval_s = dt_ns / 1e9;
	out->core_count = cur->core_count;
	if (cur->flags & ENPU_STATS_HAS_CORES) {
		for (uint32_t c = 0; c < cur->core_count && c < ENPU_STATS_MAX_CORES; c++)
			out->core_utilization[c] =
				clamp01((double)delta(prev->cores[c].busy_ns,
						      cur->cores[c].busy_ns) / dt_ns);
	}
	out->utilization = clamp01((double)d.busy_ns / (dt_ns * capacity(cur)));
	out->read_bytes_per_s = (double)d.bytes_read * 1e9 / dt_ns;
	out->write_bytes_per_s = (double)d.bytes_written * 1e9 / dt_ns;
	out->jobs_per_s = (double)d.jobs * 1e9 / dt_ns;
	return ENPU_OK;
}

enpu_status_t enpu_stats_proc_rate(const enpu_stats_sample_t *prev,
				   const enpu_stats_sample_t *cur, size_t index,
				   enpu_stats_proc_rate_t *out)
{
	enpu_status_t st = check(prev, cur);
	enpu_stats_counters_t d;
	double dt_ns;

	if (!out)
		return st ? st : enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						  "stats proc rate: out is NULL");
	*out = (enpu_stats_proc_rate_t){ 0 };
	if (st)
		return st;
	if (index >= cur->proc_count)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"stats proc rate: index %zu >= %zu processes", index,
					cur->proc_count);
	proc_delta(prev, &cur->procs[index], &d);
	dt_ns = (double)(cur->timestamp_ns - prev->timestamp_ns);
	out->utilization = clamp01((double)d.busy_ns / (dt_ns * capacity(cur)));
	out->read_bytes_per_s = (double)d.bytes_read * 1e9 / dt_ns;
	out->write_bytes_per_s = (double)d.bytes_written * 1e9 / dt_ns;
	out->jobs_per_s = (double)d.jobs * 1e9 / dt_ns;
	return ENPU_OK;
}
