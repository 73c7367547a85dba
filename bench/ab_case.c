/* SPDX-License-Identifier: MIT */
/* One enpu case for ab.c, built into a shared object per libenpu.a
 * (each object carries its own library and CPU device). Arguments:
 * gemm M N K | gemm16 M N K (fp16) | conv H W Cin Cout k stride groups
 * (int8 NHWC, batch 1, pad k/2) | add N | mul N (int8, N elements), with
 * bench_gemm's / bench_conv's quantization; threads: $AB_THREADS (default
 * 1); kernel family: $AB_ISA (enpu_cpu_isa_t's number, default 0: the
 * host's best); the int8 gemm's and conv's activation: $AB_ACT
 * (enpu_activation_t's number, default 0: none). */
#include <stdlib.h>
#include <string.h>
#include "bench_util.h"

typedef struct ab_case {
	bench_env_t env;
	enpu_command_list_t *list;
} ab_case_t;

static uint32_t arg(int argc, char **argv, int i)
{
	if (i >= argc)
		exit(2);
	return (uint32_t)strtoul(argv[i], NULL, 10);
}

void *ab_setup(int argc, char **argv);
void ab_run(void *c);

void *ab_setup(int argc, char **argv)
{
	ab_case_t *c = calloc(1, sizeof(*c));
	if (!c || argc < 1)
		exit(2);
	const char *threads = getenv("AB_THREADS"), *isa = getenv("AB_ISA");
	const char *act = getenv("AB_ACT");
	const enpu_act_t a8 = { .kind = act ? (enpu_activation_t)strtoul(act, NULL, 10)
					    : ENPU_ACT_NONE };
	bench_env_open_isa(&c->env, threads ? (uint32_t)strtoul(threads, NULL, 10) : 1,
			   isa ? (enpu_cpu_isa_t)strtoul(isa, NULL, 10) : ENPU_CPU_ISA_AUTO);
	bench_check(enpu_command_list_create(&c->list), "list");
	enpu_quant_t qa = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.02f, .zero_point = 3 };
	enpu_quant_t qb = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.01f };
	enpu_quant_t qc = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.5f, .zero_point = -2 };
	if (!strcmp(argv[0], "gemm") || !strcmp(argv[0], "gemm16")) {
		bool f16 = argv[0][4] == '1';
		enpu_dtype_t dt = f16 ? ENPU_DTYPE_FP16 : ENPU_DTYPE_INT8;
		uint32_t m = arg(argc, argv, 1), n = arg(argc, argv, 2), k = arg(argc, argv, 3);
		enpu_tensor_t *a = bench_tensor(&c->env, dt, 2, (uint32_t[]){ m, k },
						f16 ? NULL : &qa, 0);
		enpu_tensor_t *b = bench_tensor(&c->env, dt, 2, (uint32_t[]){ n, k },
						f16 ? NULL : &qb, ENPU_TENSOR_CONSTANT);
		enpu_tensor_t *o = bench_tensor(&c->env, dt, 2, (uint32_t[]){ m, n },
						f16 ? NULL : &qc, 0);
		enpu_gemm_params_t p = { .a = a, .b = b, .c = o,
					 .act = f16 ? (enpu_act_t){ 0 } : a8 };
		bench_check(enpu_cmd_gemm(c->list, &p), "gemm");
		return c;
	}
	if (!strcmp(argv[0], "add") || !strcmp(argv[0], "mul")) {
		uint32_t n = arg(argc, argv, 1);
		enpu_eltwise_params_t p = {
			.a = bench_tensor(&c->env, ENPU_DTYPE_INT8, 1, &n, &qa, 0),
			.b = bench_tensor(&c->env, ENPU_DTYPE_INT8, 1, &n, &qb, 0),
			.out = bench_tensor(&c->env, ENPU_DTYPE_INT8, 1, &n, &qc, 0),
		};
		bench_check(argv[0][0] == 'a' ? enpu_cmd_add(c->list, &p) : enpu_cmd_mul(c->list, &p),
			    "eltwise");
		return c;
	}
	if (!strcmp(argv[0], "dequant") || !strcmp(argv[0], "quant")) {
		uint32_t n = arg(argc, argv, 1);
		bool to_f16 = argv[0][0] == 'd';
		enpu_tensor_t *i8 = bench_tensor(&c->env, ENPU_DTYPE_INT8, 1, &n, &qa, 0);
		enpu_tensor_t *f16 = bench_tensor(&c->env, ENPU_DTYPE_FP16, 1, &n, NULL, 0);
		enpu_cast_params_t p = { .input = to_f16 ? i8 : f16, .output = to_f16 ? f16 : i8 };
		bench_check(enpu_cmd_cast(c->list, &p), "cast");
		return c;
	}
	uint32_t h = arg(argc, argv, 1), w = arg(argc, argv, 2), cin = arg(argc, argv, 3);
	uint32_t cout = arg(argc, argv, 4), k = arg(argc, argv, 5), s = arg(argc, argv, 6);
	uint32_t g = arg(argc, argv, 7), pad = k / 2;
	uint32_t oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
	enpu_tensor_t *in =
		bench_tensor(&c->env, ENPU_DTYPE_INT8, 4, (uint32_t[]){ 1, h, w, cin }, &qa, 0);
	enpu_tensor_t *f = bench_tensor(&c->env, ENPU_DTYPE_INT8, 4,
					(uint32_t[]){ cout, k, k, cin / g }, &qb,
					ENPU_TENSOR_CONSTANT);
	enpu_tensor_t *out =
		bench_tensor(&c->env, ENPU_DTYPE_INT8, 4, (uint32_t[]){ 1, oh, ow, cout }, &qc, 0);
	enpu_conv2d_params_t p = { .input = in, .filter = f, .output = out, .stride_h = s,
				   .stride_w = s, .dilation_h = 1, .dilation_w = 1,
				   .pad_top = pad, .pad_left = pad, .pad_bottom = pad,
				   .pad_right = pad, .groups = g, .act = a8 };
	bench_check(enpu_cmd_conv2d(c->list, &p), "conv2d");
	return c;
}

void ab_run(void *c)
{
	ab_case_t *x = c;
	bench_run_list(&x->env, x->list);
}
