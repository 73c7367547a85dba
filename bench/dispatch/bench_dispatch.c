// SPDX-License-Identifier: MIT
/* bench_dispatch: the dispatcher's makespan on a MobileNetV2-shaped INT8
 * graph and a mixed graph with branches, on each device alone and
 * dispatched, then HEFT against exhaustive search on small graphs.
 * Usage: bench_dispatch [-d DEVICES] [-m MNV2_SIZE] [-b BRANCHES_SIZE]
 *                       [-t TINY_SIZE,...] [-r RUNS] [-c CALIB_RUNS] [-T THREADS] [-o] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

static void usage(void)
{
	printf("usage: bench_dispatch [-d DEVICES] [-m MNV2_SIZE] [-b BRANCHES_SIZE]\n"
	       "                      [-t TINY_SIZE[,TINY_SIZE...]] [-r RUNS] [-c CALIB_RUNS]\n"
	       "                      [-T CPU_THREADS] [-o]\n"
	       "DEVICES: as enpuctl run graph devices= (default: all but ref0); sizes default\n"
	       "224 (mobilenetv2), 56 (branches), 64,256 (tiny, 8 ops, exhaustive search);\n"
	       "0 skips a graph. RUNS timed runs per configuration (default 20). -o plans\n"
	       "host-core devices as independent (host_devices_overlap).\n");
}

int main(int argc, char **argv)
{
	bench_opts_t o = { .runs = 20 };
	uint32_t mnv2 = 224, branches = 56;
	char tiny[128] = "64,256", *save = NULL;
	enpu_context_t *ctx;
	int c;

	while ((c = getopt(argc, argv, "d:m:b:t:r:c:T:oh")) != -1) {
		switch (c) {
		case 'd': o.devices = optarg; break;
		case 'm': mnv2 = (uint32_t)atoi(optarg); break;
		case 'b': branches = (uint32_t)atoi(optarg); break;
		case 't': snprintf(tiny, sizeof(tiny), "%s", optarg); break;
		case 'r': o.runs = (uint32_t)atoi(optarg); break;
		case 'c': o.calib = (uint32_t)atoi(optarg); break;
		case 'T': o.threads = (uint32_t)atoi(optarg); break;
		case 'o': o.overlap = true; break;
		case 'h': usage(); return 0;
		default: usage(); return 64;
		}
	}
	if (!o.runs) {
		usage();
		return 64;
	}
	printf("bench_dispatch");
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	bench_check(enpu_context_create(&ctx), "context");
	if (mnv2)
		bench_makespan(ctx, &o, "mobilenetv2", mnv2);
	if (branches)
		bench_makespan(ctx, &o, "branches", branches);
	for (char *w = strtok_r(tiny, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (atoi(w) > 0)
			bench_exhaustive(ctx, &o, "tiny", (uint32_t)atoi(w));
	enpu_context_release(ctx);
	return 0;
}
