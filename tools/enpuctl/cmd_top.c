// SPDX-License-Identifier: MIT
/* enpuctl top: a live view of an NPU, redrawn every -d seconds with plain
 * ANSI escapes: utilization per core and overall, bandwidth, clock, power
 * state, run-time and queue-wait percentiles, and the processes using it.
 * `q` quits (stdin a terminal); -n ITER stops after ITER screens. */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "enpuctl.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	printf("usage: enpuctl top [DEV] [-d SECS] [-n ITER] [--source auto|bpf|debugfs|fdinfo]\n\n"
	       "Shows DEV (default accel0) live: utilization per core and overall (busy time /\n"
	       "wall time), bytes read and written per second, jobs/s, clock, power state,\n"
	       "run-time and queue-wait percentiles (BPF) and the processes using the NPU.\n"
	       "Refreshes every SECS seconds (default 1); stops after ITER screens (default:\n"
	       "never), on q, or on Ctrl-C.\n");
}

static void bar(FILE *f, double frac, int width)
{
	int fill = (int)(frac * width + 0.5);

	fputc('[', f);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', f);
	fputc(']', f);
}

/* The value below which pct% of the histogram's new entries fall (slot top;
 * ">=" the last slot's bottom when they fall in it). */
static bool hist_pct(const uint64_t *a, const uint64_t *b, double pct, char *out, size_t len)
{
	uint64_t d[ENPU_STATS_HIST_SLOTS], total = 0, run = 0;

	for (int i = 0; i < ENPU_STATS_HIST_SLOTS; i++)
		total += d[i] = b[i] >= a[i] ? b[i] - a[i] : b[i];
	for (int i = 0; total && i < ENPU_STATS_HIST_SLOTS; i++) {
		run += d[i];
		if (run * 100 >= total * pct) {
			/* the last slot has no top: everything from its bottom */
			bool last = i == ENPU_STATS_HIST_SLOTS - 1;
			double ns = (double)((last ? 1ull : 2ull) << i);
			const char *rel = last ? ">=" : "<";

			if (ns >= 1e6)
				snprintf(out, len, "%s%.0f ms", rel, ns / 1e6);
			else if (ns >= 1e3)
				snprintf(out, len, "%s%.0f us", rel, ns / 1e3);
			else
				snprintf(out, len, "%s%.0f ns", rel, ns);
			return true;
		}
	}
	return false;
}

typedef struct row {
	size_t index;
	enpu_stats_proc_rate_t r;
} row_t;

static int cmp_row(const void *x, const void *y)
{
	const row_t *a = x, *b = y;

	return (a->r.utilization < b->r.utilization) - (a->r.utilization > b->r.utilization);
}

static void procs(FILE *f, const enpu_stats_sample_t *a, const enpu_stats_sample_t *b, int rows)
{
	row_t *r = calloc(b->proc_count ? b->proc_count : 1, sizeof(*r));

	fprintf(f, "\n%-8s %-16s %7s %9s %12s %12s %10s\n", "PID", "COMM", "UTIL", "JOBS/S",
		"READ/S", "WRITE/S", "JOBS");
	if (!r)
		return;
	for (size_t i = 0; i < b->proc_count; i++) {
		enpu_status_t st = enpu_stats_proc_rate(a, b, i, &r[i].r);

		enpu_status_free(st);
		r[i].index = i;
	}
	qsort(r, b->proc_count, sizeof(*r), cmp_row);
	for (size_t i = 0; i < b->proc_count && (int)i < rows; i++) {
		const enpu_stats_proc_t *p = &b->procs[r[i].index];
		char rd[32] = "-", wr[32] = "-";

		if (b->flags & ENPU_STATS_HAS_PROC_BYTES) {
			human(r[i].r.read_bytes_per_s, "B/s", rd, sizeof(rd));
			human(r[i].r.write_bytes_per_s, "B/s", wr, sizeof(wr));
		}
		fprintf(f, "%-8u %-16s %6.1f%% %9.1f %12s %12s %10llu\n", p->pid, p->comm,
			r[i].r.utilization * 100, r[i].r.jobs_per_s, rd, wr,
			(unsigned long long)p->counters.jobs);
	}
	if (!b->proc_count)
		fprintf(f, "(no process %s)\n", b->source == ENPU_STATS_SOURCE_BPF ?
			"has used the NPU since the counters were loaded" : "has the NPU open");
	free(r);
}

static void frame(FILE *f, const enpu_stats_sample_t *a, const enpu_stats_sample_t *b,
		  const enpu_stats_rates_t *r, double secs, int cols, int lines)
{
	int width = cols - 40 > 10 ? (cols - 40 < 50 ? cols - 40 : 50) : 10;
	char rd[32], wr[32], p50[32], p99[32];

	human(r->read_bytes_per_s, "B/s", rd, sizeof(rd));
	human(r->write_bytes_per_s, "B/s", wr, sizeof(wr));
	fprintf(f, "enpuctl top - accel%u, source %s, every %.2g s (q quits)\n", b->dev,
		enpu_stats_source_name(b->source), secs);
	fprintf(f, "power %s  clock %u MHz (limits %u..%u)  cores enabled %#x", b->runtime_status,
		b->clock_mhz, b->clock_min_mhz, b->clock_max_mhz, b->cores_enabled);
	if (b->flags & ENPU_STATS_HAS_POWER_RESIDENCY)
		fprintf(f, "  power-ups %llu", (unsigned long long)b->power_ups);
	fprintf(f, "\nNPU  %5.1f%% ", r->utilization * 100);
	bar(f, r->utilization, width);
	fprintf(f, "  %.1f jobs/s\n", r->jobs_per_s);
	if (b->flags & ENPU_STATS_HAS_BYTES)
		fprintf(f, "bandwidth: read %s, write %s\n", rd, wr);
	else
		fprintf(f, "bandwidth: not available from %s\n", enpu_stats_source_name(b->source));
	if (b->flags & ENPU_STATS_HAS_HIST) {
		fprintf(f, "run time p50 %s p99 %s", hist_pct(a->run_time_hist, b->run_time_hist, 50,
							   p50, sizeof(p50)) ? p50 : "-",
			hist_pct(a->run_time_hist, b->run_time_hist, 99, p99, sizeof(p99)) ? p99 : "-");
		fprintf(f, "  queue wait p50 %s p99 %s\n",
			hist_pct(a->queue_wait_hist, b->queue_wait_hist, 50, p50, sizeof(p50)) ? p50 : "-",
			hist_pct(a->queue_wait_hist, b->queue_wait_hist, 99, p99, sizeof(p99)) ? p99 : "-");
	}
	if (b->flags & ENPU_STATS_HAS_CORES) {
		fprintf(f, "\n%-5s %6s %-*s %9s %10s\n", "CORE", "UTIL", width + 2, "", "JOBS/S",
			"JOBS");
		for (uint32_t c = 0; c < b->core_count; c++) {
			uint64_t dj = b->cores[c].jobs - (a->cores[c].jobs <= b->cores[c].jobs ?
							  a->cores[c].jobs : 0);

			fprintf(f, "%-5u %5.1f%% ", c, r->core_utilization[c] * 100);
			bar(f, r->core_utilization[c], width);
			fprintf(f, " %9.1f %10llu%s\n", (double)dj / r->interval_s,
				(unsigned long long)b->cores[c].jobs,
				b->cores_enabled & (1u << c) ? "" : "  (disabled)");
		}
	} else {
		fprintf(f, "\nper-core counters: not available from %s\n",
			enpu_stats_source_name(b->source));
	}
	procs(f, a, b, lines - 12 - (int)b->core_count);
	if (b->note[0])
		fprintf(f, "\nnote: %s\n", b->note);
}

static void term_size(int *cols, int *lines)
{
	struct winsize ws;

	*cols = 100;
	*lines = 40;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		*cols = ws.ws_col;
		*lines = ws.ws_row;
	}
}

/* Shows a frame in one write: on a terminal over the previous one, each line
 * cleared to its end. */
static void show(const char *text, bool tty)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return;
	if (!tty) {
		fprintf(f, "%s\n", text);
	} else {
		fputs("\033[H", f);
		for (const char *p = text; *p;) {
			size_t n = strcspn(p, "\n");

			fwrite(p, 1, n, f);
			fputs("\033[K", f);
			p += n;
			if (*p == '\n') {
				fputc('\n', f);
				p++;
			}
		}
		fputs("\033[J", f);
	}
	fclose(f);
	fwrite(out, 1, len, stdout);
	fflush(stdout);
	free(out);
}

/* Waits secs, or until q or a signal; true to go on. */
static bool wait_key(double secs, bool keys)
{
	double end = now_s() + secs;

	while (!stop) {
		double left = end - now_s();
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		char c;

		if (left <= 0)
			return true;
		if (poll(&p, keys ? 1 : 0, (int)(left * 1000) + 1) > 0 &&
		    (read(STDIN_FILENO, &c, 1) != 1 || c == 'q' || c == 'Q'))
			return false;
	}
	return false;
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "source", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enpu_stats_source_t src = ENPU_STATS_SOURCE_AUTO;
	enpu_stats_sample_t *a, *b = NULL;
	struct termios saved, raw;
	bool tty = isatty(STDOUT_FILENO), keys = isatty(STDIN_FILENO);
	double secs = 1;
	unsigned long long count;
	long iters = 0;
	uint32_t index = 0;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!parse_seconds(optarg, &secs))
				return usage_error("top", "-d %s: expected seconds > 0", optarg);
			break;
		case 'n':
			if (!parse_uint(optarg, 10, 1, LONG_MAX, &count))
				return usage_error("top", "-n %s: expected a count >= 1", optarg);
			iters = (long)count;
			break;
		case 'S':
			if (!parse_source(optarg, &src))
				return usage_error("top", "--source %s: expected auto, bpf, debugfs "
						   "or fdinfo", optarg);
			break;
		case 'h': usage(); return 0;
		default: return usage_error("top", "bad option");
		}
	}
	if (optind < argc && (optind != argc - 1 || !parse_accel(argv[optind], &index)))
		return usage_error("top", "expected at most one DEV such as accel0");
	a = stats_sample("top", index, src);
	if (!a)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (keys && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	} else {
		keys = false;
	}
	if (tty)
		fputs("\033[?25l\033[H\033[2J", stdout);
	for (long n = 0; (!iters || n < iters) && wait_key(secs, keys); n++) {
		enpu_stats_rates_t r;
		enpu_status_t st;
		char *text = NULL;
		size_t len = 0;
		FILE *f;
		int cols, lines;

		b = stats_sample("top", index, a->source);
		if (!b) {
			ret = 1;
			break;
		}
		st = enpu_stats_rates(a, b, &r);
		if (st) {
			ret = fail_status("top", st);
			break;
		}
		term_size(&cols, &lines);
		f = open_memstream(&text, &len);
		if (!f) {
			ret = fail("top", "out of memory");
			break;
		}
		frame(f, a, b, &r, secs, cols, lines);
		fclose(f);
		show(text, tty);
		free(text);
		enpu_stats_free(a);
		a = b;
		b = NULL;
	}
	if (tty)
		fputs("\033[?25h", stdout);
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	enpu_stats_free(a);
	enpu_stats_free(b);
	return ret;
}
