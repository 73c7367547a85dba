// SPDX-License-Identifier: MIT
/* enpuctl bench: the HAL micro-benchmarks (int8 and fp16 GEMM, int8 conv)
 * on each HAL device, with a progress bar when stderr is a terminal. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

static const char *const cases[] = {
	"gemm 256x256x256 i8", "gemm 128x128x128 f16", "conv 28x28x32x32 k=3 i8",
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void usage(void)
{
	printf("usage: enpuctl bench [-d DEVICE] [-s SECS]\n\n"
	       "Runs the HAL micro-benchmarks (");
	for (size_t i = 0; i < NCASES; i++)
		printf("%s%s", i ? ", " : "", cases[i]);
	printf(")\non every HAL device, or on DEVICE (a name such as cpu0, or cpu/ref/npu), each\n"
	       "for about SECS seconds (default 0.3), and prints the median latency and ops/s.\n");
}

static void progress(bool tty, size_t done, size_t total, const char *what)
{
	enum { WIDTH = 30 };
	size_t fill = total ? done * WIDTH / total : WIDTH;

	if (!tty)
		return;
	fprintf(stderr, "\r[");
	for (size_t i = 0; i < WIDTH; i++)
		fputc(i < fill ? '#' : ' ', stderr);
	fprintf(stderr, "] %zu/%zu %-40.40s", done, total, what);
	if (done == total)
		fprintf(stderr, "\r\033[K");
	fflush(stderr);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median seconds of runs over about secs (>= 3 runs after a warm-up). */
static enpu_status_t measure(wl_t *wl, double secs, double *median, int *runs)
{
	double t[1000], warm, start = now_s();
	enpu_status_t st = wl_run(wl, &warm);
	int n = 0;

	while (!st && n < 1000 && (n < 3 || now_s() - start < secs))
		st = wl_run(wl, &t[n++]);
	qsort(t, (size_t)n, sizeof(t[0]), cmp_double);
	*median = n ? t[n / 2] : 0;
	*runs = n;
	return st;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *only = NULL;
	double secs = 0.3;
	enpu_context_t *ctx = NULL;
	enpu_status_t st;
	size_t devs[16], ndev = 0, step = 0;
	bool tty = isatty(STDERR_FILENO);
	int c, failed = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': only = optarg; break;
		case 's':
			if (!parse_seconds(optarg, &secs))
				return usage_error("bench", "-s %s: expected seconds > 0", optarg);
			break;
		case 'h': usage(); return 0;
		default: return usage_error("bench", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("bench", "unexpected argument '%s'", argv[optind]);
	st = enpu_context_create(&ctx);
	if (st)
		return fail_status("bench", st);
	if (only) {
		devs[0] = hal_find(ctx, only);
		if (devs[0] == SIZE_MAX) {
			enpu_context_release(ctx);
			return usage_error("bench", "no HAL device '%s' (`enpuctl list`)", only);
		}
		ndev = 1;
	} else {
		for (size_t i = 0; i < enpu_context_device_count(ctx) && i < 16; i++)
			devs[ndev++] = i;
	}
	printf("%-8s %-28s %6s %12s %12s\n", "DEVICE", "CASE", "RUNS", "MEDIAN MS", "GOPS");
	for (size_t d = 0; d < ndev; d++) {
		enpu_device_info_t info;

		st = enpu_context_device_info(ctx, devs[d], &info);
		if (st) {
			failed = fail_status("bench", st);
			continue;
		}
		for (size_t i = 0; i < NCASES; i++, step++) {
			char err[128], label[160];
			double median = 0;
			int runs = 0;
			wl_spec_t spec;
			wl_t wl;

			snprintf(label, sizeof(label), "%s on %s", cases[i], info.name);
			progress(tty, step, ndev * NCASES, label);
			if (!wl_parse(cases[i], &spec, err, sizeof(err))) {
				failed = fail("bench", "built-in case '%s': %s", cases[i], err);
				continue;
			}
			snprintf(spec.device, sizeof(spec.device), "%s", info.name);
			st = wl_prepare(ctx, &spec, &wl);
			if (!st) {
				st = measure(&wl, secs, &median, &runs);
				wl_release(&wl);
			}
			progress(tty, step + 1, ndev * NCASES, label);
			if (enpu_status_code(st) == ENPU_STATUS_UNSUPPORTED) {
				printf("%-8s %-28s %6s %12s %12s  (%s)\n", info.name, cases[i], "-", "-",
				       "-", enpu_status_message(st));
				enpu_status_free(st);
			} else if (st) {
				failed = fail("bench", "%s: %s", label, enpu_status_message(st));
				enpu_status_free(st);
			} else {
				printf("%-8s %-28s %6d %12.3f %12.2f\n", info.name, cases[i], runs,
				       median * 1e3, wl_ops(&spec) / median / 1e9);
			}
			fflush(stdout);
		}
	}
	enpu_context_release(ctx);
	return failed;
}
