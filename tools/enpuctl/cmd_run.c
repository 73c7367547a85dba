// SPDX-License-Identifier: MIT
/* enpuctl run SPEC | -f FILE: runs workloads through the HAL and prints
 * their latency (min, median, p90, mean) and throughput; "graph" specs run a
 * sample model through the dispatcher (graph_run.h). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "graph_run.h"
#include "workload.h"

static void usage(void)
{
	printf("usage: enpuctl run SPEC...\n       enpuctl run -f FILE\n"
	       "       enpuctl run [--explain] [--trace FILE] graph NAME [OPTIONS]\n\n"
	       "Runs a workload through the HAL and prints its latency and throughput.\n"
	       "SPEC (words may be one argument or several):\n"
	       "  gemm MxNxK [i8|f16] [device=D] [repeat=N] [threads=T]\n"
	       "  conv HxWxCINxCOUT [k=K] [stride=S] [pad=P] [i8|f16] [device=D] [repeat=N]\n"
	       "       [threads=T]\n"
	       "D is a HAL device name (cpu0, ref0, npu0, gpu0) or type (cpu, ref or\n"
	       "reference, npu, gpu: the first device of that type); default cpu, i8,\n"
	       "repeat=10, k=3, stride=1, pad=1. -f FILE runs one spec per line (# starts\n"
	       "a comment). Example: enpuctl run gemm 256x256x256 i8 device=cpu repeat=10\n\n"
	       "graph NAME places a sample model on several devices with the dispatcher\n"
	       "(HEFT over calibrated costs) and prints the predicted and measured makespan:\n"
	       "  graph mobilenetv2|branches|tiny [size=S] [devices=LIST] [place=OP:DEV,...]\n"
	       "        [priority=low|normal|high] [cache=PATH] [repeat=N] [calib=N] [threads=T]\n"
	       "        [overlap]\n"
	       "LIST: device names or types (default: all but ref0); place forces ops onto\n"
	       "devices; cache keeps the calibrated costs; overlap plans devices that share\n"
	       "the host's cores as independent. --explain prints the placement\n"
	       "and predicted vs measured times per op; --trace FILE writes a Chrome/Perfetto\n"
	       "JSON timeline with one row per device. Example:\n"
	       "  enpuctl run --explain graph branches size=32 devices=cpu0,gpu0\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static bool explain;
static const char *trace_path;

static int run_spec(enpu_context_t *ctx, const char *text)
{
	char err[256], what[96];
	enpu_device_info_t info;
	enpu_status_t st;
	wl_spec_t spec;
	double *t, sum = 0, warm;
	wl_t wl;

	text += strspn(text, " \t");
	if (!strncmp(text, "graph", 5) && (!text[5] || text[5] == ' ' || text[5] == '\t')) {
		gr_spec_t g;
		if (!gr_parse(text, &g, err, sizeof(err)))
			return usage_error("run", "%s", err);
		return gr_run(ctx, &g, explain, trace_path);
	}
	if (explain || trace_path)
		return usage_error("run", "--explain and --trace apply to graph specs");
	if (!wl_parse(text, &spec, err, sizeof(err)))
		return usage_error("run", "%s", err);
	wl_describe(&spec, what, sizeof(what));
	st = wl_prepare(ctx, &spec, &wl);
	if (st) {
		fail("run", "%s: %s", what, enpu_status_message(st));
		enpu_status_free(st);
		return 1;
	}
	enpu_device_query(wl.dev, &info);
	t = calloc(spec.repeat, sizeof(*t));
	st = t ? wl_run(&wl, &warm) : enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "no memory");
	for (uint32_t i = 0; !st && i < spec.repeat; i++) {
		st = wl_run(&wl, &t[i]);
		sum += t[i];
	}
	wl_release(&wl);
	if (st) {
		free(t);
		fail("run", "%s on %s: %s", what, info.name, enpu_status_message(st));
		enpu_status_free(st);
		return 1;
	}
	qsort(t, spec.repeat, sizeof(*t), cmp_double);
	printf("%s on %s: %u runs\n", what, info.name, spec.repeat);
	/* p90: nearest rank, the ceil(0.9 n)-th smallest */
	printf("  latency     min %.3f ms  median %.3f ms  p90 %.3f ms  mean %.3f ms\n", t[0] * 1e3,
	       t[spec.repeat / 2] * 1e3, t[(9 * (size_t)spec.repeat + 9) / 10 - 1] * 1e3,
	       sum / spec.repeat * 1e3);
	printf("  throughput  %.2f GOPS (median run; %.0f ops per run)\n",
	       wl_ops(&spec) / t[spec.repeat / 2] / 1e9, wl_ops(&spec));
	free(t);
	return 0;
}

/* One spec per line, of any length; '#' starts a comment. */
static int run_file(enpu_context_t *ctx, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0, n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return fail("run", "cannot open %s: %m", path);
	while (!ret && getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "#\n")] = '\0';
		if (line[strspn(line, " \t")] == '\0')
			continue;
		ret = run_spec(ctx, line);
		n++;
	}
	if (!ret && ferror(f))
		ret = fail("run", "reading %s: %m", path);
	free(line);
	fclose(f);
	if (!ret && !n)
		return fail("run", "%s holds no spec", path);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "explain", no_argument, NULL, 'e' },
		{ "trace", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = NULL;
	char spec[1024] = "";
	enpu_context_t *ctx = NULL;
	enpu_status_t st;
	int c, ret;

	optind = 1;
	explain = false;
	trace_path = NULL;
	while ((c = getopt_long(argc, argv, "+f:het:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'e': explain = true; break;
		case 't': trace_path = optarg; break;
		case 'h': usage(); return 0;
		default: return usage_error("run", "bad option");
		}
	}
	if (!file == (optind == argc))
		return usage_error("run", "expected a SPEC or -f FILE");
	for (int i = optind; i < argc; i++) {
		if (strlen(spec) + strlen(argv[i]) + 2 > sizeof(spec))
			return usage_error("run", "spec too long");
		strcat(strcat(spec, i > optind ? " " : ""), argv[i]);
	}
	st = enpu_context_create(&ctx);
	if (st)
		return fail_status("run", st);
	ret = file ? run_file(ctx, file) : run_spec(ctx, spec);
	enpu_context_release(ctx);
	return ret;
}
