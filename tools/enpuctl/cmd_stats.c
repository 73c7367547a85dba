// SPDX-License-Identifier: MIT
/* enpuctl stats [DEV] [-d SECS] [--source S] [--json]: two samples SECS apart;
 * the counters, utilization and bandwidth between them, as text or as one
 * JSON object for scripts. */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "enpuctl.h"

static void usage(void)
{
	printf("usage: enpuctl stats [DEV] [-d SECS] [--source auto|bpf|debugfs|fdinfo] [--json]\n\n"
	       "Samples DEV (default accel0) twice, SECS apart (default 1), and prints its\n"
	       "counters, utilization (busy time / wall time, per core and overall) and\n"
	       "bandwidth over that interval. Sources: the BPF counters (`build/bpf/enpu-bpf\n"
	       "load`), else debugfs (root), else the DRM fdinfo of the processes you can see\n"
	       "(totals only). --json prints one JSON object.\n");
}

static void json_counters(FILE *f, const enpu_stats_counters_t *c)
{
	fprintf(f, "\"jobs\": %llu, \"busy_ns\": %llu, \"cycles\": %llu, \"bytes_read\": %llu, "
		"\"bytes_written\": %llu, \"faults\": %llu, \"resets\": %llu",
		(unsigned long long)c->jobs, (unsigned long long)c->busy_ns,
		(unsigned long long)c->cycles, (unsigned long long)c->bytes_read,
		(unsigned long long)c->bytes_written, (unsigned long long)c->faults,
		(unsigned long long)c->resets);
}

static void json_hist(FILE *f, const char *name, const uint64_t *h)
{
	fprintf(f, "    \"%s\": [", name);
	for (int i = 0; i < ENPU_STATS_HIST_SLOTS; i++)
		fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)h[i]);
	fprintf(f, "]");
}

static void print_json(const enpu_stats_sample_t *a, const enpu_stats_sample_t *b,
		       const enpu_stats_rates_t *r)
{
	printf("{\n  \"device\": \"accel%u\",\n  \"source\": \"%s\",\n", b->dev,
	       enpu_stats_source_name(b->source));
	printf("  \"interval_s\": %.6f,\n  \"timestamp_ns\": %llu,\n", r->interval_s,
	       (unsigned long long)b->timestamp_ns);
	printf("  \"utilization\": %.6f,\n  \"read_bytes_per_s\": %.1f,\n"
	       "  \"write_bytes_per_s\": %.1f,\n  \"jobs_per_s\": %.3f,\n", r->utilization,
	       r->read_bytes_per_s, r->write_bytes_per_s, r->jobs_per_s);
	printf("  \"has\": {\"cores\": %s, \"bytes\": %s, \"histograms\": %s, "
	       "\"process_bytes\": %s},\n", b->flags & ENPU_STATS_HAS_CORES ? "true" : "false",
	       b->flags & ENPU_STATS_HAS_BYTES ? "true" : "false",
	       b->flags & ENPU_STATS_HAS_HIST ? "true" : "false",
	       b->flags & ENPU_STATS_HAS_PROC_BYTES ? "true" : "false");
	printf("  \"power\": {\"runtime_status\": ");
	json_string(stdout, b->runtime_status);
	printf(", \"autosuspend_delay_ms\": %lld, \"cores_enabled\": %u, \"clock_mhz\": %u, "
	       "\"clock_min_mhz\": %u, \"clock_max_mhz\": %u, \"clock_levels_mhz\": [",
	       (long long)b->autosuspend_delay_ms, b->cores_enabled, b->clock_mhz,
	       b->clock_min_mhz, b->clock_max_mhz);
	for (uint32_t i = 0; i < b->clock_level_count; i++)
		printf("%s%u", i ? ", " : "", b->clock_levels_mhz[i]);
	printf("]");
	if (b->flags & ENPU_STATS_HAS_POWER_RESIDENCY)
		printf(", \"on_ns\": %llu, \"off_ns\": %llu, \"power_ups\": %llu",
		       (unsigned long long)b->on_ns, (unsigned long long)b->off_ns,
		       (unsigned long long)b->power_ups);
	printf("},\n  \"core_count\": %u,\n  \"cores\": [", b->core_count);
	for (uint32_t c = 0; (b->flags & ENPU_STATS_HAS_CORES) && c < b->core_count; c++) {
		printf("%s\n    {\"core\": %u, \"utilization\": %.6f, ", c ? "," : "", c,
		       r->core_utilization[c]);
		json_counters(stdout, &b->cores[c]);
		printf("}");
	}
	printf("\n  ],\n  \"total\": {");
	json_counters(stdout, &b->total);
	printf("},\n  \"processes\": [");
	for (size_t i = 0; i < b->proc_count; i++) {
		const enpu_stats_proc_t *p = &b->procs[i];
		enpu_stats_proc_rate_t pr;
		enpu_status_t st = enpu_stats_proc_rate(a, b, i, &pr);

		enpu_status_free(st);
		printf("%s\n    {\"pid\": %u, \"comm\": ", i ? "," : "", p->pid);
		json_string(stdout, p->comm);
		printf(", \"client_id\": %llu, \"utilization\": %.6f, \"read_bytes_per_s\": %.1f, "
		       "\"write_bytes_per_s\": %.1f, ", (unsigned long long)p->client_id,
		       pr.utilization, pr.read_bytes_per_s, pr.write_bytes_per_s);
		json_counters(stdout, &p->counters);
		printf("}");
	}
	printf("\n  ],\n  \"histograms\": {\n");
	json_hist(stdout, "queue_wait_ns_log2", b->queue_wait_hist);
	printf(",\n");
	json_hist(stdout, "run_time_ns_log2", b->run_time_hist);
	printf("\n  },\n  \"note\": ");
	json_string(stdout, b->note);
	printf("\n}\n");
}

static void print_text(const enpu_stats_sample_t *b, const enpu_stats_rates_t *r)
{
	char rd[32], wr[32];

	human(r->read_bytes_per_s, "B/s", rd, sizeof(rd));
	human(r->write_bytes_per_s, "B/s", wr, sizeof(wr));
	printf("accel%u  source %s  over %.2f s\n", b->dev, enpu_stats_source_name(b->source),
	       r->interval_s);
	printf("power %s, clock %u MHz, cores enabled %#x\n",
	       b->runtime_status[0] ? b->runtime_status : "unknown", b->clock_mhz, b->cores_enabled);
	printf("utilization %.1f%%, %.1f jobs/s", r->utilization * 100, r->jobs_per_s);
	if (b->flags & ENPU_STATS_HAS_BYTES)
		printf(", read %s, write %s", rd, wr);
	printf("\n");
	if (b->flags & ENPU_STATS_HAS_CORES) {
		printf("%-5s %7s %10s %14s %14s %14s %7s %7s\n", "CORE", "UTIL", "JOBS", "BUSY_NS",
		       "BYTES_READ", "BYTES_WRITTEN", "FAULTS", "RESETS");
		for (uint32_t c = 0; c < b->core_count; c++) {
			const enpu_stats_counters_t *k = &b->cores[c];

			printf("%-5u %6.1f%% %10llu %14llu %14llu %14llu %7llu %7llu\n", c,
			       r->core_utilization[c] * 100, (unsigned long long)k->jobs,
			       (unsigned long long)k->busy_ns, (unsigned long long)k->bytes_read,
			       (unsigned long long)k->bytes_written, (unsigned long long)k->faults,
			       (unsigned long long)k->resets);
		}
	}
	if (b->note[0])
		printf("note: %s\n", b->note);
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "source", required_argument, NULL, 'S' },
		{ "delay", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enpu_stats_source_t src = ENPU_STATS_SOURCE_AUTO;
	enpu_stats_sample_t *a, *b;
	enpu_stats_rates_t r;
	enpu_status_t st;
	double secs = 1;
	bool json = false;
	uint32_t index = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'S':
			if (!parse_source(optarg, &src))
				return usage_error("stats", "--source %s: expected auto, bpf, debugfs "
						   "or fdinfo", optarg);
			break;
		case 'd':
			if (!parse_seconds(optarg, &secs))
				return usage_error("stats", "-d %s: expected seconds > 0", optarg);
			break;
		case 'h': usage(); return 0;
		default: return usage_error("stats", "bad option");
		}
	}
	if (optind < argc && (optind != argc - 1 || !parse_accel(argv[optind], &index)))
		return usage_error("stats", "expected at most one DEV such as accel0");
	a = stats_sample("stats", index, src);
	if (!a)
		return 1;
	nanosleep(&(struct timespec){ (time_t)secs, (long)((secs - (time_t)secs) * 1e9) }, NULL);
	/* the same source, even if a better one appeared meanwhile */
	b = stats_sample("stats", index, a->source);
	st = b ? enpu_stats_rates(a, b, &r) : ENPU_OK;
	if (b && !st) {
		if (json)
			print_json(a, b, &r);
		else
			print_text(b, &r);
	}
	enpu_stats_free(a);
	enpu_stats_free(b);
	return !b ? 1 : st ? fail_status("stats", st) : 0;
}
