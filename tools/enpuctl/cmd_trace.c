// SPDX-License-Identifier: MIT
/* enpuctl trace [-d SECS] [-o FILE] [-b KB] [-g SPEC]: records the enpu tracepoints for
 * SECS seconds in a tracefs instance of its own (root) and writes a Chrome /
 * Perfetto JSON trace: per device, one track per core with a complete event
 * per job (started -> done, args ctx/pid/job/cycles/bytes/status), instant
 * events for faults and resets on the core's track, and power and clock
 * changes on a "power/clock" track. With -g, records while a graph runs
 * through the dispatcher (graph_run.h) instead, and adds its timeline: one row
 * per HAL device, measured and predicted. Open it in ui.perfetto.dev. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enpuctl.h"
#include "graph_run.h"
#include "trace_parse.h"

#define POWER_TID 1000  /* the power/clock track of a device */
#define MAX_PENDING 65536
#define MAX_TRACKS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * SIGINT, SIGTERM and SIGHUP set stop (and end a poll early: poll is never
 * restarted), except one ignored at start (nohup). SA_RESTART: the HAL's
 * ioctls carry on.
 */
static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART }, old;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

static void usage(void)
{
	printf("usage: enpuctl trace [-d SECS] [-o FILE] [-b KB] [-g 'graph NAME [OPTIONS]']\n\n"
	       "Records the enpu tracepoints for SECS seconds (default 5; Ctrl-C ends early)\n"
	       "into FILE (default enpu-trace.json), a Chrome/Perfetto JSON trace: one track\n"
	       "per core with a complete event per job (args ctx, pid, job, cycles, busy_ns,\n"
	       "bytes_read, bytes_written, status), instant events for faults, resets, power\n"
	       "and clock changes. Needs root (tracefs). Open FILE in https://ui.perfetto.dev\n"
	       "or chrome://tracing.\n"
	       "-b sets the recording's ring buffer, KB per CPU (the kernel's default if not\n"
	       "given); events that overflow it are lost, and the summary counts them.\n"
	       "-g records while a graph spec of `enpuctl run` runs (its repeat= runs, after\n"
	       "calibration and a warm-up) instead of for SECS, and adds the dispatcher's\n"
	       "timeline: a row per HAL device (cpu0, npu0, gpu0...) with each op, measured\n"
	       "and predicted, on the same clock as the NPU's cores.\n");
}

struct pending {
	long long dev, ctx, job;
	double ts_us;
};

struct recorder {
	FILE *out;
	struct pending *pending;
	size_t npending;
	long long tracks[MAX_TRACKS][2]; /* (dev, tid) already named */
	size_t ntracks;
	unsigned long jobs, instants, unmatched;
	unsigned long lost;        /* events the ring buffer dropped */
	unsigned long start_lost;  /* job ends after a loss without a start */
	bool first;
};

static void emit_begin(struct recorder *r)
{
	fprintf(r->out, "%s\n", r->first ? "" : ",");
	r->first = false;
}

/* Names the track (and its process, for a new device) on first use. */
static void track(struct recorder *r, long long dev, long long tid)
{
	bool dev_seen = false;

	for (size_t i = 0; i < r->ntracks; i++) {
		if (r->tracks[i][0] == dev && r->tracks[i][1] == tid)
			return;
		dev_seen |= r->tracks[i][0] == dev;
	}
	if (r->ntracks < MAX_TRACKS) {
		r->tracks[r->ntracks][0] = dev;
		r->tracks[r->ntracks++][1] = tid;
	}
	if (!dev_seen) {
		emit_begin(r);
		fprintf(r->out, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %lld, "
			"\"args\": {\"name\": \"accel%lld\"}}", dev, dev);
	}
	emit_begin(r);
	fprintf(r->out, "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %lld, \"tid\": %lld, "
		"\"args\": {\"name\": ", dev, tid);
	if (tid == POWER_TID)
		fprintf(r->out, "\"power/clock\"}}");
	else
		fprintf(r->out, "\"core %lld\"}}", tid);
}

static void job_started(struct recorder *r, const trace_line_t *l)
{
	struct pending p = { .ts_us = l->ts_us };

	if (!trace_arg(l->args, "dev", &p.dev) || !trace_arg(l->args, "ctx", &p.ctx) ||
	    !trace_arg(l->args, "job", &p.job) || r->npending == MAX_PENDING)
		return;
	r->pending[r->npending++] = p;
}

static void job_done(struct recorder *r, const trace_line_t *l)
{
	static const char *const keys[] = { "cycles", "busy_ns", "bytes_read", "bytes_written",
					    "status" };
	long long dev, core, ctx, pid, job, v;
	size_t i;

	if (!trace_arg(l->args, "dev", &dev) || !trace_arg(l->args, "core", &core) ||
	    !trace_arg(l->args, "ctx", &ctx) || !trace_arg(l->args, "pid", &pid) ||
	    !trace_arg(l->args, "job", &job))
		return;
	for (i = 0; i < r->npending; i++)
		if (r->pending[i].dev == dev && r->pending[i].ctx == ctx && r->pending[i].job == job)
			break;
	if (i == r->npending) {
		/* started before the recording; after a loss, maybe its start was lost */
		if (r->lost)
			r->start_lost++;
		else
			r->unmatched++;
		return;
	}
	track(r, dev, core);
	emit_begin(r);
	fprintf(r->out, "{\"name\": \"ctx %lld job %lld\", \"cat\": \"job\", \"ph\": \"X\", "
		"\"ts\": %.3f, \"dur\": %.3f, \"pid\": %lld, \"tid\": %lld, \"args\": {\"ctx\": %lld, "
		"\"pid\": %lld, \"job\": %lld", ctx, job, r->pending[i].ts_us,
		l->ts_us - r->pending[i].ts_us, dev, core, ctx, pid, job);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (trace_arg(l->args, keys[k], &v))
			fprintf(r->out, ", \"%s\": %lld", keys[k], v);
	fprintf(r->out, "}}");
	r->pending[i] = r->pending[--r->npending];
	r->jobs++;
}

/* Faults and resets on the core's track; power and clock on the device's. */
static void instant(struct recorder *r, const trace_line_t *l)
{
	long long dev, tid = POWER_TID, v;
	char name[64];

	if (!trace_arg(l->args, "dev", &dev))
		return;
	if (!strcmp(l->event, "enpu_fault") || !strcmp(l->event, "enpu_reset")) {
		if (!trace_arg(l->args, "core", &tid))
			return;
		snprintf(name, sizeof(name), "%s", l->event + 5);
	} else if (!strcmp(l->event, "enpu_power") && trace_arg(l->args, "on", &v)) {
		snprintf(name, sizeof(name), "power %s", v ? "on" : "off");
	} else if (!strcmp(l->event, "enpu_clock") && trace_arg(l->args, "new_mhz", &v)) {
		snprintf(name, sizeof(name), "clock %lld MHz", v);
	} else {
		return;
	}
	track(r, dev, tid);
	emit_begin(r);
	fprintf(r->out, "{\"name\": \"%s\", \"cat\": \"%s\", \"ph\": \"i\", \"s\": \"t\", "
		"\"ts\": %.3f, \"pid\": %lld, \"tid\": %lld, \"args\": {", name, l->event + 5,
		l->ts_us, dev, tid);
	/* every key=value of the event */
	for (const char *p = l->args; *p;) {
		size_t k = strcspn(p, "=");
		long long val;

		if (!p[k] || k > 20)
			break;
		val = strtoll(p + k + 1, NULL, 10);
		fprintf(r->out, "%s\"%.*s\": %lld", p == l->args ? "" : ", ", (int)k, p, val);
		p += k + 1;
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	fprintf(r->out, "}}");
	r->instants++;
}

static void line(struct recorder *r, const char *text)
{
	trace_line_t l;
	unsigned long n;
	int cpu;

	/* trace_pipe's note where the ring buffer overflowed */
	if (sscanf(text, "CPU:%d [LOST %lu EVENTS]", &cpu, &n) == 2) {
		r->lost += n;
		return;
	}
	if (!trace_parse(text, &l))
		return;
	if (!strcmp(l.event, "enpu_job_started"))
		job_started(r, &l);
	else if (!strcmp(l.event, "enpu_job_done"))
		job_done(r, &l);
	else if (strcmp(l.event, "enpu_job_queued"))
		instant(r, &l);
}

/* Reads what trace_pipe has; splits it into lines (keeping a partial one). */
static void drain(struct recorder *r, int fd, char *buf, size_t size, size_t *have)
{
	ssize_t n;

	while ((n = read(fd, buf + *have, size - 1 - *have)) > 0) {
		char *p = buf, *nl;

		*have += (size_t)n;
		buf[*have] = '\0';
		while ((nl = strchr(p, '\n'))) {
			*nl = '\0';
			line(r, p);
			p = nl + 1;
		}
		*have = strlen(p);
		memmove(buf, p, *have + 1);
		if (*have == size - 1)
			*have = 0; /* a line longer than the buffer: drop it */
	}
}

static const char *tracefs(void)
{
	return access("/sys/kernel/tracing/instances", F_OK) ? "/sys/kernel/debug/tracing" :
							       "/sys/kernel/tracing";
}

/* What to record during: SECS seconds, or the runs of a graph. */
struct window {
	double secs;
	gr_session_t *graph;   /* NULL: secs */
	enpu_run_t **runs;     /* [count], filled */
	uint32_t count;
};

/* Starts run k of the graph; true while it is in flight (false once done or
 * failed, with *st set). */
static bool graph_busy(struct window *w, uint32_t *k, enpu_status_t *st)
{
	if (*k < w->count && w->runs[*k]) {
		enpu_status_t s = enpu_run_wait(w->runs[*k], 0);
		if (enpu_status_code(s) == ENPU_STATUS_DEADLINE_EXCEEDED) {
			enpu_status_free(s);
			return true;
		}
		if (s) {
			*st = s;
			return false;
		}
		(*k)++;
	}
	if (*k == w->count)
		return false;
	*st = enpu_plan_execute(w->graph->plan, &w->runs[*k]);
	return !*st;
}

/* -b's argument: KB per CPU, 1..1048576, decimal. */
static bool parse_buffer_kb(const char *arg)
{
	unsigned long long kb;

	return parse_uint(arg, 10, 1, 1048576, &kb);
}

static int record(const char *inst, const char *buffer_kb, struct window *w,
		  struct recorder *r)
{
	char path[512], buf[65536];
	size_t have = 0;
	double end = now_s() + w->secs;
	enpu_status_t st = ENPU_OK;
	uint32_t k = 0;
	int fd, err;

	if (buffer_kb) {
		snprintf(path, sizeof(path), "%s/buffer_size_kb", inst);
		err = write_file(path, buffer_kb);
		if (err)
			return fail("trace", "cannot set the ring buffer to %s KB per CPU (%s: %s)",
				    buffer_kb, path, strerror(-err));
	}
	snprintf(path, sizeof(path), "%s/trace_clock", inst);
	write_file(path, "mono"); /* CLOCK_MONOTONIC where the kernel has it; else the default */
	snprintf(path, sizeof(path), "%s/events/enpu/enable", inst);
	err = write_file(path, "1");
	if (err)
		return fail("trace", "cannot enable the enpu events (%s: %s); is enpu.ko loaded?",
			    path, strerror(-err));
	snprintf(path, sizeof(path), "%s/trace_pipe", inst);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail("trace", "cannot open %s: %s", path, strerror(errno));
	while (!stop && (w->graph ? graph_busy(w, &k, &st) : now_s() < end)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = w->graph ? 0.01 : end - now_s();

		poll(&p, 1, left < 0.1 ? (int)(left * 1000) + 1 : 100);
		drain(r, fd, buf, sizeof(buf), &have);
	}
	snprintf(path, sizeof(path), "%s/events/enpu/enable", inst);
	write_file(path, "0");
	drain(r, fd, buf, sizeof(buf), &have);
	close(fd);
	if (st)
		return fail_status("trace", st);
	if (stop && w->graph)
		return fail("trace", "interrupted");
	return 0;
}

/* The dispatcher's rows: every run measured, the first one's prediction. */
static void graph_events(struct recorder *r, struct window *w)
{
	for (uint32_t k = 0; k < w->count; k++)
		gr_trace_events(r->out, w->graph, w->runs[k], false, GR_PID_MEASURED,
				(double)enpu_run_start_ns(w->runs[k]) / 1e3, &r->first);
	gr_trace_events(r->out, w->graph, w->runs[0], true, GR_PID_PREDICTED,
			(double)enpu_run_start_ns(w->runs[0]) / 1e3, &r->first);
}

/* Prepares the graph of -g (calibration happens before recording). */
static int graph_prepare(const gr_spec_t *spec, enpu_context_t **ctx, gr_session_t *s,
			 struct window *w)
{
	enpu_status_t st;

	st = enpu_context_create(ctx);
	if (st)
		return fail_status("trace", st);
	if (gr_open(*ctx, spec, s))
		return 1;
	w->graph = s;
	w->count = spec->repeat;
	w->runs = calloc(spec->repeat, sizeof(*w->runs));
	return w->runs ? 0 : fail("trace", "out of memory");
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "graph", required_argument, NULL, 'g' },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = "enpu-trace.json", *graph = NULL, *buffer_kb = NULL;
	struct recorder r = { .first = true };
	struct window w = { .secs = 5 };
	enpu_context_t *ctx = NULL;
	gr_session_t gs = { 0 };
	gr_spec_t spec;
	char inst[256], err[256];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:o:g:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!parse_seconds(optarg, &w.secs))
				return usage_error("trace", "-d %s: expected seconds > 0", optarg);
			break;
		case 'o': file = optarg; break;
		case 'g': graph = optarg; break;
		case 'b':
			if (!parse_buffer_kb(optarg))
				return usage_error("trace", "-b %s: expected KB per CPU, 1..1048576",
						   optarg);
			buffer_kb = optarg;
			break;
		case 'h': usage(); return 0;
		default: return usage_error("trace", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("trace", "unexpected argument '%s'", argv[optind]);
	/* every argument checked before anything needs root */
	if (graph && !gr_parse(graph, &spec, err, sizeof(err)))
		return usage_error("trace", "-g: %s", err);
	/* from here on, a signal ends the recording and removes the instance */
	catch_signals();
	/* pid and start time: a pid may repeat (another pid namespace, or a
	 * killed run's leftover) */
	snprintf(inst, sizeof(inst), "%s/instances/enpuctl-%d-%.0f", tracefs(), (int)getpid(),
		 now_s() * 1e6);
	if (mkdir(inst, 0700))
		return fail("trace", "cannot create the tracefs instance %s: %s; %s", inst,
			    strerror(errno), errno == EACCES || errno == EPERM ?
			    "tracing needs root: sudo enpuctl trace ..." :
			    "is tracefs mounted (`mount -t tracefs nodev /sys/kernel/tracing`)?");
	ret = graph ? graph_prepare(&spec, &ctx, &gs, &w) : 0;
	if (!ret && stop)
		ret = fail("trace", "interrupted");
	if (ret)
		goto out;
	r.pending = calloc(MAX_PENDING, sizeof(*r.pending));
	r.out = fopen(file, "w");
	if (!r.pending || !r.out) {
		ret = fail("trace", "cannot write %s: %s", file, strerror(errno));
	} else {
		fprintf(r.out, "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [");
		ret = record(inst, buffer_kb, &w, &r);
		if (!ret && graph)
			graph_events(&r, &w);
		fprintf(r.out, "\n]}\n");
	}
	if (r.out && fclose(r.out) && !ret)
		ret = fail("trace", "writing %s: %s", file, strerror(errno));
	if (!ret)
		printf("enpuctl trace: %lu jobs, %lu instant events in %s (%lu jobs had started "
		       "before the recording)%s\n", r.jobs, r.instants, file, r.unmatched,
		       graph ? "; the graph's ops on rows per HAL device" : "");
	if (!ret && r.lost)
		fprintf(stderr, "enpuctl trace: warning: the ring buffer overflowed and %lu events "
			"were lost; left out: %lu job ends whose start may be among them, %zu job "
			"starts without an end (a larger -b KB keeps them)\n", r.lost, r.start_lost,
			r.npending);
out:
	if (rmdir(inst))
		fprintf(stderr, "enpuctl trace: cannot remove the tracefs instance %s: %s\n", inst,
			strerror(errno));
	free(r.pending);
	for (uint32_t k = 0; k < w.count && w.runs; k++)
		enpu_run_release(w.runs[k]);
	free(w.runs);
	if (gs.d)
		gr_close(&gs);
	enpu_context_release(ctx);
	return ret;
}
