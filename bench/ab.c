/* SPDX-License-Identifier: MIT */
/* Same-process A/B of two libenpu builds: ab A.so B.so seconds case...
 * loads two ab_case objects (ab_case.c, each linked against its own
 * libenpu.a) with RTLD_LOCAL | RTLD_DEEPBIND, sets up the same case in
 * both and times their calls interleaved like bench_time_interleaved
 * (15 ms untimed, 25 ms timed per round; threads: $AB_THREADS, default 1),
 * then prints both median times and A/B (> 1: B faster). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_SAMPLES 200000

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s A.so B.so seconds gemm|gemm16 M N K | conv H W Cin Cout k s g\n",
			argv[0]);
		return 2;
	}
	void (*run[2])(void *);
	void *ctx[2];
	for (int i = 0; i < 2; i++) {
		void *h = dlopen(argv[1 + i], RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
		if (!h)
			return fprintf(stderr, "%s\n", dlerror()), 1;
		void *(*setup)(int, char **) = (void *(*)(int, char **))dlsym(h, "ab_setup");
		run[i] = (void (*)(void *))dlsym(h, "ab_run");
		if (!setup || !run[i])
			return fprintf(stderr, "%s: not an ab_case object\n", argv[1 + i]), 1;
		ctx[i] = setup(argc - 4, argv + 4);
	}
	double secs = atof(argv[3]), total[2] = { 0, 0 };
	double *t[2] = { malloc(MAX_SAMPLES * sizeof(double)), malloc(MAX_SAMPLES * sizeof(double)) };
	size_t n[2] = { 0, 0 };
	if (!t[0] || !t[1])
		return 1;
	while ((total[0] < secs || total[1] < secs) && n[0] < MAX_SAMPLES && n[1] < MAX_SAMPLES)
		for (int i = 0; i < 2; i++) {
			for (double s = now(); now() - s < 0.015;)
				run[i](ctx[i]);
			for (double s = now(); now() - s < 0.025 && n[i] < MAX_SAMPLES;) {
				double a = now();
				run[i](ctx[i]);
				t[i][n[i]++] = now() - a;
				total[i] += t[i][n[i] - 1];
			}
		}
	for (int i = 0; i < 2; i++)
		qsort(t[i], n[i], sizeof(double), cmp);
	double ma = t[0][n[0] / 2], mb = t[1][n[1] / 2];
	for (int i = 4; i < argc; i++)
		printf("%s ", argv[i]);
	printf("| A %.1f us  B %.1f us  A/B %.3f\n", ma * 1e6, mb * 1e6, ma / mb);
	return 0;
}
