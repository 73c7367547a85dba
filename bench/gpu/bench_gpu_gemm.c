// SPDX-License-Identifier: MIT
/* GEMM on the HAL's GPU device (Vulkan): INT8 (int8 out, requantized) and
 * FP16 (fp32 accumulate, fp16 out), C = A B^T. For each shape it prints the
 * device's own kernel time (enpu_fence_device_time_ns: timestamps around the
 * dispatch) and the end-to-end time of submit + wait (host copies included),
 * as the median of the runs, in the form torch_peer.py and run-h100 read:
 *   gpu int8 M N K kernel_us e2e_us kernel_tops e2e_tops
 * A shape conv:H,W,Cin,Cout,k times a k x k convolution instead (stride 1,
 * padding k / 2, batch 1; its line says "conv HxWxCin->Cout kk" for M N K).
 * Usage: bench_gpu_gemm [runs] [M,N,K | conv:H,W,Cin,Cout,k ...]
 * (default 1024^3 2048^3 4096^3) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const enpu_quant_t qa = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.02f, .zero_point = 3 };
static const enpu_quant_t qb = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.01f };
static const enpu_quant_t qc = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.5f, .zero_point = -2 };

/* Times the one op of l (label: what the line prints after "gpu dtype") */
static void run(bench_env_t *env, enpu_command_list_t *l, bool f16, const char *label,
		double ops, int runs)
{
	uint64_t *kern = calloc((size_t)runs, sizeof(uint64_t));
	uint64_t *e2e = calloc((size_t)runs, sizeof(uint64_t));

	if (!kern || !e2e)
		bench_check(enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "oom"), "results");
	for (int i = -1; i < runs; i++) {	/* run -1: warm-up */
		enpu_fence_t *f;
		double t0 = bench_now();
		uint64_t ns;

		bench_check(enpu_device_submit(env->cpu, l, NULL, 0, &f), "submit");
		bench_check(enpu_fence_wait(f, ENPU_TIMEOUT_INFINITE), label);
		ns = (uint64_t)((bench_now() - t0) * 1e9);
		bench_check(enpu_fence_device_time_ns(f, &kern[i < 0 ? 0 : i]), "device time");
		if (i >= 0)
			e2e[i] = ns;
		enpu_fence_release(f);
	}
	qsort(kern, (size_t)runs, sizeof(*kern), cmp_u64);
	qsort(e2e, (size_t)runs, sizeof(*e2e), cmp_u64);
	printf("gpu %s %s %.1f %.1f %.3f %.3f\n", f16 ? "fp16" : "int8", label,
	       kern[runs / 2] / 1e3, e2e[runs / 2] / 1e3, ops / kern[runs / 2] / 1e3,
	       ops / e2e[runs / 2] / 1e3);
	fflush(stdout);
	free(kern);
	free(e2e);
}

/* env->cpu is the GPU device here: bench_tensor allocates on it. */
static void gemm(bench_env_t *env, bool f16, uint32_t m, uint32_t n, uint32_t k, int runs)
{
	enpu_dtype_t dt = f16 ? ENPU_DTYPE_FP16 : ENPU_DTYPE_INT8;
	enpu_tensor_t *a = bench_tensor(env, dt, 2, (uint32_t[]){ m, k }, f16 ? NULL : &qa, 0);
	enpu_tensor_t *b = bench_tensor(env, dt, 2, (uint32_t[]){ n, k }, f16 ? NULL : &qb, 0);
	enpu_tensor_t *c = bench_tensor(env, dt, 2, (uint32_t[]){ m, n }, f16 ? NULL : &qc, 0);
	enpu_command_list_t *l;
	char label[64];

	bench_check(enpu_command_list_create(&l), "list");
	bench_check(enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = b, .c = c }), "gemm");
	snprintf(label, sizeof(label), "%u %u %u", m, n, k);
	run(env, l, f16, label, 2.0 * m * n * k, runs);
	enpu_command_list_release(l);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(c);
}

/* Conv2d k x k, stride 1, padding k / 2, batch 1, NHWC */
static void conv(bench_env_t *env, bool f16, uint32_t h, uint32_t w, uint32_t cin, uint32_t cout,
		 uint32_t k, int runs)
{
	enpu_dtype_t dt = f16 ? ENPU_DTYPE_FP16 : ENPU_DTYPE_INT8;
	uint32_t pad = k / 2, oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1;
	enpu_tensor_t *in = bench_tensor(env, dt, 4, (uint32_t[]){ 1, h, w, cin },
					 f16 ? NULL : &qa, 0);
	enpu_tensor_t *f = bench_tensor(env, dt, 4, (uint32_t[]){ cout, k, k, cin },
					f16 ? NULL : &qb, 0);
	enpu_tensor_t *out = bench_tensor(env, dt, 4, (uint32_t[]){ 1, oh, ow, cout },
					  f16 ? NULL : &qc, 0);
	enpu_conv2d_params_t p = { .input = in, .filter = f, .output = out, .stride_h = 1,
				   .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
				   .pad_top = pad, .pad_left = pad, .pad_bottom = pad,
				   .pad_right = pad, .groups = 1 };
	enpu_command_list_t *l;
	char label[64];

	bench_check(enpu_command_list_create(&l), "list");
	bench_check(enpu_cmd_conv2d(l, &p), "conv2d");
	snprintf(label, sizeof(label), "conv %ux%ux%u->%u k%u", h, w, cin, cout, k);
	run(env, l, f16, label, 2.0 * oh * ow * cout * k * k * cin, runs);
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(f);
	enpu_tensor_release(out);
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = { "1024,1024,1024", "2048,2048,2048",
						"4096,4096,4096" };
	int runs = argc > 1 ? atoi(argv[1]) : 5, nshapes = argc > 2 ? argc - 2 : 3;
	bench_env_t env;
	enpu_device_info_t info;
	size_t idx;

	if (runs < 1) {
		fprintf(stderr, "usage: bench_gpu_gemm [runs] [M,N,K ...]\n");
		return 64;
	}
	bench_check(enpu_context_create(&env.ctx), "context");
	if (enpu_context_find_device(env.ctx, ENPU_DEVICE_GPU, &idx) != ENPU_OK) {
		printf("skip: no Vulkan GPU device (see docs/hal.md, GPU backend)\n");
		return 0;
	}
	bench_check(enpu_device_open(env.ctx, idx, NULL, &env.cpu), "open");
	enpu_device_query(env.cpu, &info);
	printf("command: bench/gpu/build/bench_gpu_gemm %d ...\ndevice: %s\n", runs,
	       info.description);
	printf("# dev dtype M N K kernel_us e2e_us kernel_TOPS e2e_TOPS (median of %d)\n", runs);
	for (int s = 0; s < nshapes; s++) {
		const char *spec = argc > 2 ? argv[s + 2] : defaults[s];
		unsigned m, n, k, h, w, ci, co, kk;

		if (sscanf(spec, "conv:%u,%u,%u,%u,%u", &h, &w, &ci, &co, &kk) == 5 && h && w &&
		    ci && co && kk) {
			conv(&env, false, h, w, ci, co, kk, runs);
			conv(&env, true, h, w, ci, co, kk, runs);
			continue;
		}
		if (sscanf(spec, "%u,%u,%u", &m, &n, &k) != 3 || !m || !n || !k) {
			fprintf(stderr, "bench_gpu_gemm: bad shape %s (want M,N,K or conv:H,W,Cin,Cout,k)\n",
				spec);
			return 64;
		}
		gemm(&env, false, m, n, k, runs);
		gemm(&env, true, m, n, k, runs);
	}
	bench_env_close(&env);
	return 0;
}
