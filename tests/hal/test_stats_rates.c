/* SPDX-License-Identifier: MIT */
/* Utilization and bandwidth between two hand-made samples. */
#include <math.h>
#include "enpu/stats.h"
#include "tests.h"

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

static void sample(enpu_stats_sample_t *s, enpu_stats_source_t src, uint64_t t_ns)
{
	memset(s, 0, sizeof(*s));
	s->source = src;
	s->flags = src == ENPU_STATS_SOURCE_FDINFO ? 0 : ENPU_STATS_HAS_CORES | ENPU_STATS_HAS_BYTES;
	s->timestamp_ns = t_ns;
	s->core_count = 2;
}

static void set_core(enpu_stats_sample_t *s, uint32_t c, uint64_t jobs, uint64_t busy,
		     uint64_t rd, uint64_t wr)
{
	s->cores[c] = (enpu_stats_counters_t){ .jobs = jobs, .busy_ns = busy, .bytes_read = rd,
					       .bytes_written = wr };
	s->total.jobs = s->cores[0].jobs + s->cores[1].jobs;
	s->total.busy_ns = s->cores[0].busy_ns + s->cores[1].busy_ns;
	s->total.bytes_read = s->cores[0].bytes_read + s->cores[1].bytes_read;
	s->total.bytes_written = s->cores[0].bytes_written + s->cores[1].bytes_written;
}

void test_stats_rates_cores(tctx *t)
{
	enpu_stats_sample_t a, b;
	enpu_stats_rates_t r;

	/* 0.5 s: core 0 busy 250 ms, core 1 busy 600 ms (a long job ended: clamped) */
	sample(&a, ENPU_STATS_SOURCE_BPF, 1000000000);
	set_core(&a, 0, 10, 1000, 5000, 100);
	set_core(&a, 1, 1, 0, 0, 0);
	sample(&b, ENPU_STATS_SOURCE_BPF, 1500000000);
	set_core(&b, 0, 30, 1000 + 250000000, 5000 + 1000000, 100 + 3000);
	set_core(&b, 1, 2, 600000000, 0, 1000);
	CHECK_OK(t, enpu_stats_rates(&a, &b, &r));
	CHECK(t, near(r.interval_s, 0.5), "interval %g", r.interval_s);
	CHECK(t, r.core_count == 2, "cores");
	CHECK(t, near(r.core_utilization[0], 0.5), "core 0 %g", r.core_utilization[0]);
	CHECK(t, near(r.core_utilization[1], 1.0), "core 1 clamped %g", r.core_utilization[1]);
	CHECK(t, near(r.utilization, 850000000.0 / 1e9), "overall %g", r.utilization);
	CHECK(t, near(r.read_bytes_per_s, 2e6) && near(r.write_bytes_per_s, 8000),
	      "bandwidth %g %g", r.read_bytes_per_s, r.write_bytes_per_s);
	CHECK(t, near(r.jobs_per_s, 42), "jobs/s %g", r.jobs_per_s);
	/* reloaded counters went backwards: count from zero */
	set_core(&a, 0, 10, 900000000, 5000, 100);
	set_core(&b, 0, 4, 100000000, 0, 0);
	set_core(&b, 1, 0, 0, 0, 0);
	CHECK_OK(t, enpu_stats_rates(&a, &b, &r));
	CHECK(t, near(r.core_utilization[0], 0.2) && near(r.utilization, 0.1), "reset %g %g",
	      r.core_utilization[0], r.utilization);
	/* idle */
	CHECK_OK(t, enpu_stats_rates(&a, &(enpu_stats_sample_t){ .source = a.source,
		.timestamp_ns = a.timestamp_ns + 1, .core_count = 2, .total = a.total,
		.cores = { a.cores[0], a.cores[1] }, .flags = a.flags }, &r));
	CHECK(t, r.utilization == 0 && r.core_utilization[0] == 0 && r.read_bytes_per_s == 0,
	      "idle");
out:;
}

void test_stats_rates_errors(tctx *t)
{
	enpu_stats_sample_t a, b;
	enpu_stats_rates_t r;
	enpu_stats_proc_rate_t pr;

	sample(&a, ENPU_STATS_SOURCE_BPF, 100);
	sample(&b, ENPU_STATS_SOURCE_DEBUGFS, 200);
	CHECK_ERR(t, enpu_stats_rates(&a, &b, &r), ENPU_STATUS_INVALID_ARGUMENT, "do not compare");
	b.source = ENPU_STATS_SOURCE_BPF;
	b.dev = 1;
	CHECK_ERR(t, enpu_stats_rates(&a, &b, &r), ENPU_STATUS_INVALID_ARGUMENT, "accel1");
	b.dev = 0;
	b.timestamp_ns = 100;
	CHECK_ERR(t, enpu_stats_rates(&a, &b, &r), ENPU_STATUS_INVALID_ARGUMENT, "not later");
	CHECK_ERR(t, enpu_stats_rates(NULL, &b, &r), ENPU_STATUS_INVALID_ARGUMENT, "NULL");
	b.timestamp_ns = 200;
	CHECK_ERR(t, enpu_stats_rates(&a, &b, NULL), ENPU_STATUS_INVALID_ARGUMENT, "NULL");
	CHECK_ERR(t, enpu_stats_proc_rate(&a, &b, 0, &pr), ENPU_STATUS_OUT_OF_RANGE, "index 0");
out:;
}

/* fdinfo: totals are the clients' changes; a closed client drops out, a new
 * one counts from zero. Per-process rates match by client. */
void test_stats_rates_clients(tctx *t)
{
	enpu_stats_proc_t pa[2] = {
		{ .pid = 5, .client_id = 1, .counters = { .busy_ns = 1000000 } },
		{ .pid = 6, .client_id = 2, .counters = { .busy_ns = 900000000 } },
	};
	enpu_stats_proc_t pb[2] = {
		{ .pid = 5, .client_id = 1, .counters = { .busy_ns = 1000000 + 300000000 } },
		{ .pid = 7, .client_id = 3, .counters = { .busy_ns = 100000000 } },
	};
	enpu_stats_sample_t a, b;
	enpu_stats_rates_t r;
	enpu_stats_proc_rate_t pr;

	sample(&a, ENPU_STATS_SOURCE_FDINFO, 0);
	sample(&b, ENPU_STATS_SOURCE_FDINFO, 1000000000);
	a.procs = pa;
	a.proc_count = 2;
	b.procs = pb;
	b.proc_count = 2;
	a.total.busy_ns = 901000000;
	b.total.busy_ns = 401000000; /* went down: client 2 closed */
	CHECK_OK(t, enpu_stats_rates(&a, &b, &r));
	CHECK(t, near(r.utilization, 0.2), "overall %g (400 ms over 2 cores x 1 s)", r.utilization);
	CHECK(t, r.core_utilization[0] == 0 && r.read_bytes_per_s == 0, "no per-core, no bytes");
	CHECK_OK(t, enpu_stats_proc_rate(&a, &b, 0, &pr));
	CHECK(t, near(pr.utilization, 0.15), "client 1 %g", pr.utilization);
	CHECK_OK(t, enpu_stats_proc_rate(&a, &b, 1, &pr));
	CHECK(t, near(pr.utilization, 0.05), "client 3 (new) %g", pr.utilization);
	/* two clients (open files) of one process: matched by client, not by pid */
	pa[0] = (enpu_stats_proc_t){ .pid = 5, .client_id = 1, .counters = { .busy_ns = 100000000 } };
	pa[1] = (enpu_stats_proc_t){ .pid = 5, .client_id = 2, .counters = { .busy_ns = 500000000 } };
	pb[0] = (enpu_stats_proc_t){ .pid = 5, .client_id = 1, .counters = { .busy_ns = 200000000 } };
	pb[1] = (enpu_stats_proc_t){ .pid = 5, .client_id = 2, .counters = { .busy_ns = 900000000 } };
	CHECK_OK(t, enpu_stats_rates(&a, &b, &r));
	CHECK(t, near(r.utilization, 0.25), "one pid, two clients: overall %g", r.utilization);
	CHECK_OK(t, enpu_stats_proc_rate(&a, &b, 1, &pr));
	CHECK(t, near(pr.utilization, 0.2), "one pid, client 2: %g", pr.utilization);
	/* a client whose file passed to another process (fork, then the parent
	 * exited): still matched by its id, so only its change counts */
	pb[1].pid = 6;
	CHECK_OK(t, enpu_stats_proc_rate(&a, &b, 1, &pr));
	CHECK(t, near(pr.utilization, 0.2), "client 2 now in pid 6: %g", pr.utilization);
	/* per process for BPF: bytes too */
	sample(&a, ENPU_STATS_SOURCE_BPF, 0);
	sample(&b, ENPU_STATS_SOURCE_BPF, 2000000000);
	pa[0] = (enpu_stats_proc_t){ .pid = 5, .counters = { .jobs = 1, .bytes_read = 10 } };
	pb[0] = (enpu_stats_proc_t){ .pid = 5, .counters = { .jobs = 9, .busy_ns = 1000000000,
							     .bytes_read = 4000010, .bytes_written = 6 } };
	a.procs = pa;
	a.proc_count = 1;
	b.procs = pb;
	b.proc_count = 1;
	CHECK_OK(t, enpu_stats_proc_rate(&a, &b, 0, &pr));
	CHECK(t, near(pr.utilization, 0.25) && near(pr.read_bytes_per_s, 2e6) &&
		 near(pr.write_bytes_per_s, 3) && near(pr.jobs_per_s, 4), "bpf process %g %g %g %g",
	      pr.utilization, pr.read_bytes_per_s, pr.write_bytes_per_s, pr.jobs_per_s);
out:;
}
