/* SPDX-License-Identifier: MIT */
/* GEMM benchmark: enpu int8 / fp16 GEMM against oneDNN (dnnl_gemm_s8s8s32,
 * dnnl_gemm_u8s8s32, dnnl_sgemm) and XNNPACK (qs8 fully connected), same run,
 * same thread count. Usage: bench_gemm [-t threads] [-s seconds] [-f filter] */
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exact.h"
#include "peers.h"

typedef struct shape {
	uint32_t m, n, k;
} shape_t;

typedef struct gemm_case {
	peer_case_t pc; /* first: the peer_run_* functions take the case */
	shape_t s;
	int8_t *a, *b;
	uint8_t *au;
	int32_t *c32;
	float *af, *bf, *cf;
	int8_t *xout;
	int32_t *c32u; /* u8s8s32's sums (c32: s8s8s32's) */
} gemm_case_t;

static void run_dnnl_s8(void *arg)
{
	gemm_case_t *g = arg;
	int32_t co = 0;
	dnnl_gemm_s8s8s32('N', 'T', 'F', g->s.m, g->s.n, g->s.k, 1.0f, g->a, g->s.k, 0, g->b, g->s.k,
			  0, 0.0f, g->c32, g->s.n, &co);
}

static void run_dnnl_u8(void *arg)
{
	gemm_case_t *g = arg;
	int32_t co = 0;
	dnnl_gemm_u8s8s32('N', 'T', 'F', g->s.m, g->s.n, g->s.k, 1.0f, g->au, g->s.k, 0, g->b,
			  g->s.k, 0, 0.0f, g->c32u, g->s.n, &co);
}

static void run_dnnl_f32(void *arg)
{
	gemm_case_t *g = arg;
	dnnl_sgemm('N', 'T', g->s.m, g->s.n, g->s.k, 1.0f, g->af, g->s.k, g->bf, g->s.k, 0.0f,
		   g->cf, g->s.n);
}

static double gops(const shape_t *s, double sec)
{
	return 2.0 * s->m * s->n * s->k / sec * 1e-9;
}

static void bench_i8(bench_env_t *env, shape_t s, double secs, const bench_peaks_t *peak,
		     pthreadpool_t pool)
{
	char label[64];
	snprintf(label, sizeof(label), "gemm_i8 M=%-5u N=%-5u K=%-5u", s.m, s.n, s.k);
	if (!bench_selected(label))
		return;
	gemm_case_t g = { .pc = { .env = env, .pool = pool }, .s = s };
	enpu_quant_t qa = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.02f, .zero_point = 3 };
	enpu_quant_t qb = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.01f };
	enpu_quant_t qc = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.5f, .zero_point = -2 };
	enpu_tensor_t *a = bench_tensor(env, ENPU_DTYPE_INT8, 2, (uint32_t[]){ s.m, s.k }, &qa, 0);
	enpu_tensor_t *b = bench_tensor(env, ENPU_DTYPE_INT8, 2, (uint32_t[]){ s.n, s.k }, &qb,
					 ENPU_TENSOR_CONSTANT);
	enpu_tensor_t *c = bench_tensor(env, ENPU_DTYPE_INT8, 2, (uint32_t[]){ s.m, s.n }, &qc, 0);
	bench_check(enpu_command_list_create(&g.pc.list), "list");
	bench_check(enpu_cmd_gemm(g.pc.list, &(enpu_gemm_params_t){ .a = a, .b = b, .c = c }),
		    "gemm");
	g.a = bench_data(a);
	g.b = bench_data(b);
	g.au = malloc((size_t)s.m * s.k);
	g.c32 = malloc((size_t)s.m * s.n * sizeof(int32_t));
	g.c32u = malloc((size_t)s.m * s.n * sizeof(int32_t));
	g.xout = malloc((size_t)s.m * s.n);
	memcpy(g.au, g.a, (size_t)s.m * s.k);
	bool xnn = xnn_create_fully_connected_nc_qs8(s.k, s.n, s.k, s.n, 3, 0.02f, 0.01f, g.b, NULL,
						     -2, 0.5f, -128, 127, 0, &g.pc.xnn) ==
			   xnn_status_success &&
		   xnn_setup_fully_connected_nc_qs8(g.pc.xnn, s.m, g.a, g.xout, pool) ==
			   xnn_status_success;
	bench_empty_t z;
	bench_empty_open(&z, env);
	void (*const fns[])(void *) = { peer_run_enpu, run_dnnl_s8, run_dnnl_u8,
					xnn ? peer_run_xnn : NULL, bench_empty_run };
	void *const args[] = { &g, &g, &g, &g, &z };
	double ts[5];
	bench_time_interleaved(fns, args, 5, secs, ts);
	double t = ts[0], t_s8 = ts[1], t_u8 = ts[2], t_x = ts[3];
	printf("%s enpu %7.1f GOPS ", label, gops(&s, t));
	bench_print_peak_pct(gops(&s, t) * 1e9, peak);
	printf(" | onednn s8s8s32 %7.1f (x%.2f) u8s8s32 %7.1f (x%.2f) | xnnpack qs8 fc %7.1f (x%.2f)",
	       gops(&s, t_s8), t_s8 / t, gops(&s, t_u8), t_u8 / t, t_x ? gops(&s, t_x) : 0.0,
	       t_x ? t_x / t : 0.0);
	bench_print_kernel_est(t, ts[4], t_s8, "s8s8s32", t_x, "xnnpack");
	bench_empty_close(&z);
	/* the peers' last results: oneDNN's int32 sums against exact, XNNPACK's
	 * int8 output against enpu's (1 is rounding: it requantizes in fp32) */
	exact_result_t r8 = exact_check_gemm(g.a, false, g.b, s.m, s.n, s.k, g.c32);
	exact_result_t ru = exact_check_gemm((const int8_t *)g.au, true, g.b, s.m, s.n, s.k,
					     g.c32u);
	printf(" | onednn int32 sums vs exact: s8s8s32");
	exact_print(&r8);
	printf(", u8s8s32");
	exact_print(&ru);
	if (xnn)
		printf(" | max |xnnpack out - enpu's| %d",
		       exact_max_diff_i8(g.xout, bench_data(c), (size_t)s.m * s.n));
	printf("\n");
	fflush(stdout);
	if (g.pc.xnn)
		xnn_delete_operator(g.pc.xnn);
	free(g.au);
	free(g.c32);
	free(g.c32u);
	free(g.xout);
	enpu_command_list_release(g.pc.list);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(c);
}

static void bench_f16(bench_env_t *env, shape_t s, double secs, double peak)
{
	char label[64];
	snprintf(label, sizeof(label), "gemm_f16 M=%-5u N=%-5u K=%-5u", s.m, s.n, s.k);
	if (!bench_selected(label))
		return;
	gemm_case_t g = { .pc = { .env = env }, .s = s };
	enpu_tensor_t *a = bench_tensor(env, ENPU_DTYPE_FP16, 2, (uint32_t[]){ s.m, s.k }, NULL, 0);
	enpu_tensor_t *b = bench_tensor(env, ENPU_DTYPE_FP16, 2, (uint32_t[]){ s.n, s.k }, NULL,
					 ENPU_TENSOR_CONSTANT);
	enpu_tensor_t *c = bench_tensor(env, ENPU_DTYPE_FP16, 2, (uint32_t[]){ s.m, s.n }, NULL, 0);
	bench_check(enpu_command_list_create(&g.pc.list), "list");
	bench_check(enpu_cmd_gemm(g.pc.list, &(enpu_gemm_params_t){ .a = a, .b = b, .c = c }),
		    "gemm");
	g.af = calloc((size_t)s.m * s.k, sizeof(float));
	g.bf = calloc((size_t)s.n * s.k, sizeof(float));
	g.cf = calloc((size_t)s.m * s.n, sizeof(float));
	void (*const fns[])(void *) = { peer_run_enpu, run_dnnl_f32 };
	void *const args[] = { &g, &g };
	double ts[2];
	bench_time_interleaved(fns, args, 2, secs, ts);
	double t = ts[0], t_f = ts[1];
	printf("%s enpu %7.1f GFLOPS (%4.1f%% of fp32 FMA peak) | "
	       "onednn sgemm (fp32) %7.1f (x%.2f)\n",
	       label, gops(&s, t), peak > 0 ? 100.0 * gops(&s, t) * 1e9 / peak : 0.0,
	       gops(&s, t_f), t_f / t);
	fflush(stdout);
	free(g.af);
	free(g.bf);
	free(g.cf);
	enpu_command_list_release(g.pc.list);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(c);
}

int main(int argc, char **argv)
{
	bench_run_t r;
	bench_start(argc, argv, &r);
	const char *howf;
	bench_peaks_t peak8 = bench_int8_peaks(r.threads);
	double peakf = bench_fma_peak_per_core(&howf) * r.threads;
	printf("measured fp32 peak: %.1f GFLOPS (%s)\n", peakf * 1e-9, howf);
	/* GEMV: B beyond the L2 (1 MiB and 4 MiB) and within it */
	const shape_t i8[] = { { 256, 256, 256 }, { 512, 512, 512 }, { 1024, 1024, 1024 },
			       { 2048, 2048, 2048 }, { 1, 1024, 1024 }, { 1, 4096, 1024 },
			       { 1, 256, 256 }, { 1, 512, 512 }, { 1, 256, 1024 },
			       { 8, 1024, 1024 }, { 64, 1024, 1024 } };
	for (size_t i = 0; i < sizeof(i8) / sizeof(i8[0]); i++)
		bench_i8(&r.env, i8[i], r.secs, &peak8, r.pool);
	const shape_t f16[] = { { 256, 256, 256 }, { 512, 512, 512 }, { 1024, 1024, 1024 },
				{ 1, 1024, 1024 }, { 1, 4096, 1024 }, { 2, 1024, 1024 },
				{ 3, 1024, 1024 }, { 4, 1024, 1024 }, { 6, 1024, 1024 },
				{ 8, 1024, 1024 } };
	for (size_t i = 0; i < sizeof(f16) / sizeof(f16[0]); i++)
		bench_f16(&r.env, f16[i], r.secs, peakf);
	bench_finish(&r);
	return 0;
}
