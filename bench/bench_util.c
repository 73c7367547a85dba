/* SPDX-License-Identifier: MIT */
/* Benchmark helpers. */
#define _DEFAULT_SOURCE /* syscall() */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#endif
#include "bench_util.h"

static const char *filter;
static enpu_cpu_isa_t isa = ENPU_CPU_ISA_AUTO; /* -i */
static const char *spincount; /* -w: GOMP_SPINCOUNT for oneDNN's threads */

bool bench_selected(const char *label)
{
	return !filter || strstr(label, filter);
}

void bench_args(int argc, char **argv, uint32_t *threads, double *secs)
{
	int opt;
	*threads = 1;
	*secs = 0.5;
	while ((opt = getopt(argc, argv, "t:s:f:w:i:")) != -1) {
		if (opt == 't')
			*threads = (uint32_t)atoi(optarg);
		else if (opt == 's')
			*secs = atof(optarg);
		else if (opt == 'f')
			filter = optarg;
		else if (opt == 'w' && strspn(optarg, "0123456789") == strlen(optarg) && *optarg)
			spincount = optarg;
		else if (opt == 'i')
			isa = (enpu_cpu_isa_t)atoi(optarg);
		else {
			fprintf(stderr,
				"usage: %s [-t threads] [-s seconds] [-f filter] [-w spincount]"
				" [-i kernel family (enpu_cpu_isa_t)]\n",
				argv[0]);
			exit(2);
		}
	}
}

void bench_omp_env(char **argv, uint32_t threads)
{
	char nt[16];
	snprintf(nt, sizeof(nt), "%u", threads);
	const char *cur = getenv("OMP_NUM_THREADS"), *wait = getenv("OMP_WAIT_POLICY");
	const char *spin = getenv("GOMP_SPINCOUNT");
	bool ok = cur && strcmp(cur, nt) == 0 &&
		  (spincount ? !wait && spin && strcmp(spin, spincount) == 0
			     : wait && strcmp(wait, "passive") == 0);
	if (ok)
		return;
	setenv("OMP_NUM_THREADS", nt, 1);
	if (spincount) {
		unsetenv("OMP_WAIT_POLICY");
		setenv("GOMP_SPINCOUNT", spincount, 1);
	} else {
		setenv("OMP_WAIT_POLICY", "passive", 1);
	}
	execv("/proc/self/exe", argv);
	perror("execv");
	exit(1);
}

void bench_print_command(const char *argv0, uint32_t threads, double secs)
{
	printf("command: %s -t %u -s %g", argv0, threads, secs);
	if (isa != ENPU_CPU_ISA_AUTO)
		printf(" -i %d", (int)isa);
	if (spincount)
		printf(" -w %s (OMP_NUM_THREADS=%u GOMP_SPINCOUNT=%s)\n", spincount, threads,
		       spincount);
	else
		printf(" (OMP_NUM_THREADS=%u OMP_WAIT_POLICY=passive)\n", threads);
}

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#define MAX_SAMPLES 4096
#define MAX_FNS 8
#define WARM_S 0.015  /* untimed start of each slice */
#define SLICE_S 0.025 /* timed rest of it */

void bench_time_interleaved(void (*const *fns)(void *arg), void *const *args, size_t n,
			    double min_s, double *secs)
{
	static double times[MAX_FNS][MAX_SAMPLES];
	double total[MAX_FNS] = { 0 };
	size_t count[MAX_FNS] = { 0 };
	if (n > MAX_FNS) {
		fprintf(stderr, "bench_time_interleaved: at most %d functions\n", MAX_FNS);
		exit(2);
	}
	for (unsigned round = 0, more = 1; more; round++) {
		more = round < 2;
		for (size_t i = 0; i < n; i++) {
			if (!fns[i])
				continue;
			/* untimed: wakes threads that slept, refills caches, and lets the
			 * previous library's idle workers stop spinning (pthreadpool's
			 * spin for milliseconds after a job) */
			double start = bench_now();
			do
				fns[i](args[i]);
			while (bench_now() - start < WARM_S);
			start = bench_now();
			do {
				double t0 = bench_now();
				fns[i](args[i]);
				double t = bench_now() - t0;
				total[i] += t;
				if (count[i] < MAX_SAMPLES)
					times[i][count[i]++] = t;
			} while (bench_now() - start < SLICE_S);
			more |= total[i] < min_s && count[i] < MAX_SAMPLES;
		}
	}
	for (size_t i = 0; i < n; i++) {
		secs[i] = 0;
		if (!fns[i])
			continue;
		qsort(times[i], count[i], sizeof(double), cmp_double);
		secs[i] = times[i][count[i] / 2];
	}
}

#if defined(__x86_64__)
/* 12 independent accumulators in named variables (an array would live on
 * the stack) hide the instruction latency; the empty asm keeps a and b opaque,
 * and the accumulators' start values, so that the compiler cannot merge the
 * 12 identical chains into one (gcc 12 did: the loop then ran one vpdpbusd
 * per iteration and the "peak" was 12 / latency, not the throughput). */
#define PEAK_LOOP(T, ZERO, OP, iters, a, b, secs)                                        \
	do {                                                                             \
		T x0 = ZERO, x1 = ZERO, x2 = ZERO, x3 = ZERO, x4 = ZERO, x5 = ZERO;      \
		T x6 = ZERO, x7 = ZERO, x8 = ZERO, x9 = ZERO, x10 = ZERO, x11 = ZERO;    \
		__asm__ volatile("" : "+v"(x0), "+v"(x1), "+v"(x2), "+v"(x3), "+v"(x4), \
				 "+v"(x5), "+v"(x6), "+v"(x7), "+v"(x8), "+v"(x9),       \
				 "+v"(x10), "+v"(x11));                                  \
		double t0 = bench_now();                                                 \
		for (long it = 0; it < (iters); it++) {                                  \
			x0 = OP(x0, a, b); x1 = OP(x1, a, b); x2 = OP(x2, a, b);         \
			x3 = OP(x3, a, b); x4 = OP(x4, a, b); x5 = OP(x5, a, b);         \
			x6 = OP(x6, a, b); x7 = OP(x7, a, b); x8 = OP(x8, a, b);         \
			x9 = OP(x9, a, b); x10 = OP(x10, a, b); x11 = OP(x11, a, b);     \
			__asm__ volatile("" : "+v"(a), "+v"(b));                         \
		}                                                                        \
		secs = bench_now() - t0;                                                 \
		__asm__ volatile("" ::"v"(x0), "v"(x1), "v"(x2), "v"(x3), "v"(x4),       \
				 "v"(x5), "v"(x6), "v"(x7), "v"(x8), "v"(x9), "v"(x10),  \
				 "v"(x11));                                              \
	} while (0)

__attribute__((target("avx512f,avx512vnni"))) static double vnni_loop(long iters)
{
	__m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(2);
	double t;
	PEAK_LOOP(__m512i, _mm512_setzero_si512(), _mm512_dpbusd_epi32, iters, a, b, t);
	return (double)iters * 12 * 64 * 2 / t;
}

/* AVX2 has no int8 dot product into int32: the fastest sequence is u8 x s8
 * pairs into int16 (vpmaddubsw, which saturates), int16 pairs into int32
 * (vpmaddwd with ones) and the accumulation (vpaddd): 32 MACs. The product
 * takes the chain's own value (the same product for all 12 chains would be
 * computed once). */
#define UBS_MADD_ADD(x, a, b)                                                            \
	_mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(x, b), a), b)

__attribute__((target("avx2"))) static double maddubs_loop(long iters)
{
	__m256i a = _mm256_set1_epi16(1), b = _mm256_set1_epi8(2);
	double t;
	PEAK_LOOP(__m256i, _mm256_setzero_si256(), UBS_MADD_ADD, iters, a, b, t);
	return (double)iters * 12 * 32 * 2 / t;
}

/* The exact AVX2 form (enpu's kernels): int16 pairs into int32 (vpmaddwd)
 * and the accumulation (vpaddd), 16 MACs; on Zen 3 the pair ran 1.6-1.8
 * per cycle against ~2 of the saturating triple's two multiplies. */
#define MADD_ADD(x, a, b) _mm256_add_epi32(_mm256_madd_epi16(x, a), b)

__attribute__((target("avx2"))) static double madd_loop(long iters)
{
	__m256i a = _mm256_set1_epi16(1), b = _mm256_set1_epi32(2);
	double t;
	PEAK_LOOP(__m256i, _mm256_setzero_si256(), MADD_ADD, iters, a, b, t);
	return (double)iters * 12 * 16 * 2 / t;
}

__attribute__((target("avx512f,fma"))) static double fma512_loop(long iters)
{
	__m512 a = _mm512_set1_ps(1.0001f), b = _mm512_set1_ps(0.9999f);
	double t;
	PEAK_LOOP(__m512, _mm512_setzero_ps(), _mm512_fmadd_ps, iters, a, b, t);
	return (double)iters * 12 * 16 * 2 / t;
}

__attribute__((target("avx2,fma"))) static double fma256_loop(long iters)
{
	__m256 a = _mm256_set1_ps(1.0001f), b = _mm256_set1_ps(0.9999f);
	double t;
	PEAK_LOOP(__m256, _mm256_setzero_ps(), _mm256_fmadd_ps, iters, a, b, t);
	return (double)iters * 12 * 8 * 2 / t;
}

/* AMX: 4 independent C tiles (tmm0-3) += A (tmm4) x B (tmm6), 16 x 16 x 64
 * MACs each; the tile data state is asked for first (as libenpu's AMX family
 * does); 0 when refused. */
#define AMX_CHAINS 4
__attribute__((target("amx-tile,amx-int8"))) static double amx_loop(long iters)
{
	if (syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XTILEDATA */))
		return 0.0;
	struct {
		uint8_t palette, start_row, reserved[14];
		uint16_t colsb[16];
		uint8_t rows[16];
	} cfg = { .palette = 1 };
	for (int i = 0; i < 8; i++) {
		cfg.colsb[i] = 64;
		cfg.rows[i] = 16;
	}
	int8_t tile[16 * 64];
	memset(tile, 1, sizeof(tile));
	__asm__ volatile("" : : "m"(cfg) : "memory");
	_tile_loadconfig(&cfg);
	_tile_zero(0);
	_tile_zero(1);
	_tile_zero(2);
	_tile_zero(3);
	_tile_loadd(4, tile, 64);
	_tile_loadd(6, tile, 64);
	iters /= 16;
	double t0 = bench_now();
	for (long it = 0; it < iters; it++) {
		_tile_dpbssd(0, 4, 6);
		_tile_dpbssd(1, 4, 6);
		_tile_dpbssd(2, 4, 6);
		_tile_dpbssd(3, 4, 6);
	}
	double secs = bench_now() - t0;
	_tile_release();
	return (double)iters * AMX_CHAINS * 16 * 16 * 64 * 2 / secs;
}

/* The best of 8 short runs of loop: other VMs share the cores. */
static double best_of(double (*loop)(long iters))
{
	double best = loop(1000000);
	for (int i = 0; i < 8; i++)
		best = fmax(best, loop(4000000));
	return best;
}

/* cpuid leaf 7: AMX-TILE and AMX-INT8 (edx bits 24, 25) */
static bool host_has_amx(void)
{
	unsigned a, b, c, d;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (d >> 24 & 3) == 3;
}
#endif

double bench_int8_peak_per_core(const char **how)
{
#if defined(__x86_64__)
	double amx = host_has_amx() ? best_of(amx_loop) : 0.0;
	if (amx > 0) {
		*how = "tdpbssd tile loop";
		return amx;
	}
	if (__builtin_cpu_supports("avx512vnni")) {
		*how = "vpdpbusd zmm loop";
		return best_of(vnni_loop);
	}
	if (__builtin_cpu_supports("avx2")) {
		*how = "vpmaddubsw + vpmaddwd + vpaddd ymm loop";
		return best_of(maddubs_loop);
	}
#endif
	*how = "not measured on this CPU";
	return 0.0;
}

bench_peaks_t bench_int8_peaks(uint32_t threads)
{
	const char *how;
	double peak = bench_int8_peak_per_core(&how) * threads;
	bench_peaks_t p = { peak, peak };
	printf("measured int8 peak (%u thread%s): %.1f GOPS (%s)", threads, threads > 1 ? "s" : "",
	       p.i8 * 1e-9, how);
#if defined(__x86_64__)
	/* bench_int8_peak_per_core's AVX2 loop saturates: the exact one too */
	if (!__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx2")) {
		p.i8_exact = best_of(madd_loop) * threads;
		printf(", exact %.1f GOPS (vpmaddwd + vpaddd ymm loop)", p.i8_exact * 1e-9);
	}
#endif
	printf("\n");
	return p;
}

void bench_print_peak_pct(double ops_per_s, const bench_peaks_t *p)
{
	printf("(%4.1f%% of peak", p->i8 > 0 ? 100.0 * ops_per_s / p->i8 : 0.0);
	if (p->i8_exact != p->i8)
		printf(", %5.1f%% of exact peak", 100.0 * ops_per_s / p->i8_exact);
	printf(")");
}

double bench_fma_peak_per_core(const char **how)
{
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx512f")) {
		*how = "vfmadd zmm loop";
		return best_of(fma512_loop);
	}
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		*how = "vfmadd ymm loop";
		return best_of(fma256_loop);
	}
#endif
	*how = "not measured on this CPU";
	return 0.0;
}

void bench_check(enpu_status_t st, const char *what)
{
	if (st) {
		fprintf(stderr, "%s: %s\n", what, enpu_status_message(st));
		exit(1);
	}
}

void bench_env_open(bench_env_t *e, uint32_t threads)
{
	bench_env_open_isa(e, threads, isa);
}

void bench_env_open_isa(bench_env_t *e, uint32_t threads, enpu_cpu_isa_t isa)
{
	size_t idx;
	enpu_device_options_t o = { .num_threads = threads, .cpu_isa = isa };
	bench_check(enpu_context_create(&e->ctx), "context");
	bench_check(enpu_context_find_device(e->ctx, ENPU_DEVICE_CPU, &idx), "find cpu");
	bench_check(enpu_device_open(e->ctx, idx, &o, &e->cpu), "open cpu");
}

void bench_env_close(bench_env_t *e)
{
	enpu_device_release(e->cpu);
	enpu_context_release(e->ctx);
}

void *bench_data(enpu_tensor_t *t)
{
	void *p;
	enpu_buffer_t *b = enpu_tensor_buffer(t);
	bench_check(enpu_buffer_map(b, enpu_tensor_offset(t), enpu_tensor_byte_size(t), &p), "map");
	bench_check(enpu_buffer_unmap(b), "unmap");
	return p;
}

enpu_tensor_t *bench_tensor(bench_env_t *e, enpu_dtype_t dt, uint32_t rank,
			    const uint32_t *dims, const enpu_quant_t *quant, uint32_t flags)
{
	enpu_tensor_desc_t d = { .dtype = dt, .rank = rank, .flags = flags };
	size_t bytes = enpu_dtype_size(dt);
	for (uint32_t i = 0; i < rank; i++)
		bytes *= (d.dims[i] = dims[i]);
	if (quant)
		d.quant = *quant;
	enpu_buffer_t *b;
	enpu_tensor_t *t;
	bench_check(enpu_buffer_allocate(e->cpu, bytes, &b), "allocate");
	bench_check(enpu_tensor_create(b, 0, &d, &t), "tensor");
	enpu_buffer_release(b);
	uint8_t *p = bench_data(t);
	uint32_t x = 12345;
	for (size_t i = 0; i < bytes; i++) {
		x = x * 1664525u + 1013904223u;
		p[i] = (uint8_t)(x >> 24);
	}
	if (dt == ENPU_DTYPE_FP16) /* keep halves finite and small: clear exponent top bits */
		for (size_t i = 1; i < bytes; i += 2)
			p[i] &= 0xbb;
	return t;
}

void bench_run_list(bench_env_t *e, enpu_command_list_t *list)
{
	bench_check(enpu_device_execute(e->cpu, list), "execute");
}

void bench_empty_open(bench_empty_t *z, bench_env_t *e)
{
	enpu_quant_t q = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.5f };
	z->env = e;
	z->t[0] = bench_tensor(e, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 1, 4 }, &q, 0);
	z->t[1] = bench_tensor(e, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 1, 4 }, &q,
			       ENPU_TENSOR_CONSTANT);
	z->t[2] = bench_tensor(e, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 1, 1 }, &q, 0);
	bench_check(enpu_command_list_create(&z->list), "list");
	bench_check(enpu_cmd_gemm(z->list,
				  &(enpu_gemm_params_t){ .a = z->t[0], .b = z->t[1], .c = z->t[2] }),
		    "gemm");
}

void bench_empty_run(void *z)
{
	bench_empty_t *e = z;
	bench_run_list(e->env, e->list);
}

void bench_empty_close(bench_empty_t *z)
{
	enpu_command_list_release(z->list);
	for (int i = 0; i < 3; i++)
		enpu_tensor_release(z->t[i]);
}

void bench_print_kernel_est(double t, double t_empty, double t_p1, const char *l1, double t_p2,
			    const char *l2)
{
	double k = t - t_empty;
	printf(" | empty call %4.1f us, kernel est.:", t_empty * 1e6);
	if (t_p1 > 0 && k > 0)
		printf(" x%.2f %s", t_p1 / k, l1);
	if (t_p2 > 0 && k > 0)
		printf(" x%.2f %s", t_p2 / k, l2);
}
