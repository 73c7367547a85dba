/* SPDX-License-Identifier: MIT */
/* The CPU backend: one device ("cpu0") whose kernels are chosen at open time
 * from the host's ISA (or forced by options), run on a thread pool sized to
 * the online cores, behind an asynchronous in-order queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../backend.h"
#include "../buffer_impl.h"
#include "../tensor_impl.h"
#include "cpu_device.h"
#include "cpu_features.h"

static unsigned online_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1u;
}

/* Nominal clock from /proc/cpuinfo ("cpu MHz"), 0 if unknown. */
static double clock_hz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	double mhz = 0.0;
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "cpu MHz", 7) == 0 && sscanf(strchr(line, ':') + 1, "%lf", &mhz) == 1)
			break;
	if (f)
		fclose(f);
	return mhz * 1e6;
}

/* Peak ops/cycle/core assumed per kernel family (docs/perf.md gives the
 * sources): int8 = 2 x 512-bit vpdpbusd (2 x 64 MACs) or 2 x 256-bit vpmaddwd
 * (2 x 16 MACs); fp16 path = 2 x fp32 FMA of the vector width. */
static void peaks(enpu_cpu_isa_t isa, double *i8, double *f16)
{
	switch (isa) {
	case ENPU_CPU_ISA_AVX512VNNI: *i8 = 256; *f16 = 64; return;
	case ENPU_CPU_ISA_AMX_INT8: *i8 = 2048; *f16 = 64; return; /* tdpbssd: 16x16x64 / 16 cycles */
	case ENPU_CPU_ISA_AVX2: *i8 = 64; *f16 = 32; return;
	case ENPU_CPU_ISA_NEON_DOTPROD: *i8 = 64; *f16 = 16; return; /* 2 x 128-bit sdot, 2 x fmla */
	default: *i8 = 0; *f16 = 0; return;
	}
}

static void fill_info(enpu_device_info_t *i, enpu_cpu_isa_t isa, unsigned threads)
{
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "cpu0");
	snprintf(i->description, sizeof(i->description), "host CPU, %s kernels, %u threads",
		 cpu_isa_name(isa), threads);
	i->type = ENPU_DEVICE_CPU;
	i->op_mask = (1u << ENPU_OP_KIND_COUNT) - 1u;
	i->dtype_mask = 1u << ENPU_DTYPE_INT8 | 1u << ENPU_DTYPE_FP16;
	i->core_count = threads;
	i->memory_bytes = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	double i8, f16, hz = clock_hz();
	peaks(isa, &i8, &f16);
	i->peak_int8_ops = i8 * hz * threads;
	i->peak_fp16_ops = f16 * hz * threads;
}

static size_t cpu_enumerate(enpu_device_info_t *infos, size_t cap)
{
	if (cap >= 1)
		fill_info(&infos[0], cpu_isa_best(), online_cores());
	return 1;
}

/* The op's cache slot when its weights and bias are constant. The slot is the
 * one field of a recorded op written during execution (atomically). */
_Atomic(enpu_op_cache_t *) *cpu_cache_slot(const enpu_op_t *op)
{
	bool constant = enpu_op_constant(op, ENPU_OP_IN1) && enpu_op_constant(op, ENPU_OP_IN2);
	return constant ? &((enpu_op_t *)op)->cache : NULL;
}

/* op, its output written at out */
static enpu_status_t run_op(const cpu_device_t *d, const enpu_op_t *op, void *out)
{
	switch (op->kind) {
	case ENPU_OP_GEMM: {
		const enpu_gemm_op_t *g = &op->u.gemm;
		bool i8 = op->dtype == ENPU_DTYPE_INT8;
		cpu_dense_rows_t rows = { .base = enpu_op_host_ptr(op, ENPU_OP_IN0),
					  .row_bytes = (size_t)g->k * (i8 ? 1 : 2) };
		cpu_gemm_problem_t p = {
			.m = g->m, .n = g->n, .k = g->k, .a_row = cpu_dense_row, .a_ctx = &rows,
			.b = enpu_op_host_ptr(op, ENPU_OP_IN1), .bias = enpu_op_host_ptr(op, ENPU_OP_IN2),
			.mult = g->mult, .shift = g->shift, .a_zp = g->a_zp, .c_zp = g->c_zp,
			.clamp = g->clamp, .c = out, .ldc = g->n,
			.cache = cpu_cache_slot(op),
		};
		return i8 ? cpu_gemm_i8(d, &p) : cpu_gemm_f16(d, &p);
	}
	case ENPU_OP_CONV2D: return cpu_conv(d, op, out);
	case ENPU_OP_POOL: return cpu_pool(d, op, out);
	case ENPU_OP_ADD:
	case ENPU_OP_MUL:
	case ENPU_OP_REQUANTIZE:
	case ENPU_OP_CAST: return cpu_pointwise(d, op, out);
	case ENPU_OP_KIND_COUNT: break;
	}
	return enpu_status_make(ENPU_STATUS_INTERNAL, "cpu: invalid op kind %d", (int)op->kind);
}

/* An output over an input (C written over A, say) goes to a buffer of its
 * own first, then to the output: the ops' tasks read their inputs (in
 * place: gemm_i8_kernels.h) while other tasks write the output. An ADD, MUL
 * or REQUANTIZE exactly on its inputs' bytes stays in place: each element
 * is read before it is written, by one task. */
static enpu_status_t cpu_exec(void *ctx, const enpu_op_t *op)
{
	const cpu_device_t *d = ctx;
	void *dst = enpu_op_host_ptr(op, ENPU_OP_OUT);
	bool in_place = (op->out_shared & ENPU_OP_OUT_EXACT) &&
			(op->kind == ENPU_OP_ADD || op->kind == ENPU_OP_MUL ||
			 op->kind == ENPU_OP_REQUANTIZE);
	if (!op->out_shared || in_place)
		return run_op(d, op, dst);
	size_t bytes = enpu_tensor_byte_size(op->tensors[ENPU_OP_OUT]);
	void *out = malloc(bytes);
	if (!out)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"cpu: out of memory for an output over an input (%zu bytes)",
					bytes);
	enpu_status_t st = run_op(d, op, out);
	if (!st)
		memcpy(dst, out, bytes);
	free(out);
	return st;
}

static void cpu_close(void *state)
{
	cpu_device_t *d = state;
	if (d->queue)
		enpu_host_queue_destroy(d->queue);
	if (d->pool)
		cpu_threadpool_destroy(d->pool);
	free(d);
}

#if defined(__x86_64__)
static const cpu_conv_kernel_t *const conv_vnni512[] = { &cpu_dw_vnni512, &cpu_conv_small_vnni512,
							 NULL };
static const cpu_conv_kernel_t *const conv_avx2[] = { &cpu_dw_avx2, &cpu_conv_small_avx2, NULL };
#endif
#if defined(__aarch64__)
static const cpu_conv_kernel_t *const conv_neon_dot[] = { &cpu_dw_neon_dot,
							  &cpu_conv_small_neon_dot, NULL };
#endif
static const cpu_conv_kernel_t *const conv_none[] = { NULL };

const cpu_i8_gemm_ops_t *cpu_i8_gemm_for(enpu_cpu_isa_t isa)
{
	switch (isa) {
#if defined(__x86_64__)
	case ENPU_CPU_ISA_AVX2: return &cpu_i8_gemm_avx2;
	case ENPU_CPU_ISA_AVX512VNNI: return &cpu_i8_gemm_vnni512;
	case ENPU_CPU_ISA_AMX_INT8: return &cpu_i8_gemm_amx;
#elif defined(__aarch64__)
	case ENPU_CPU_ISA_NEON_DOTPROD: return &cpu_i8_gemm_neon_dot;
#endif
	default: return &cpu_i8_gemm_generic;
	}
}

static enpu_status_t cpu_open(size_t local_index, const enpu_device_options_t *options,
			      enpu_device_info_t *info, void **state)
{
	(void)local_index;
	enpu_cpu_isa_t isa = options->cpu_isa == ENPU_CPU_ISA_AUTO ? cpu_isa_best() : options->cpu_isa;
	if (isa > ENPU_CPU_ISA_AMX_INT8 || !cpu_isa_supported(isa))
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"cpu: kernel family %s (%d) not supported by this host",
					cpu_isa_name(isa), (int)isa);
	unsigned threads = options->num_threads ? options->num_threads : online_cores();
	cpu_device_t *d = calloc(1, sizeof(*d));
	if (!d)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cpu: out of memory");
	d->i8 = cpu_i8_gemm_for(isa);
	d->vec = &cpu_vec_generic;
	d->conv = conv_none;
	d->prefetch = cpu_stream_prefetch();
	d->f16_narrow = cpu_f16_narrow();
	d->f16_fp32_max = cpu_f16_fp32_max(cpu_f16_convert_slow(), cpu_l3_bytes());
	d->kc = cpu_i8_kc(d->i8, cpu_l1d_bytes());
#if defined(__x86_64__)
	if (isa == ENPU_CPU_ISA_AVX2) {
		d->vec = &cpu_vec_avx2;
		d->conv = conv_avx2;
	} else if (isa == ENPU_CPU_ISA_AVX512VNNI || isa == ENPU_CPU_ISA_AMX_INT8) {
		d->vec = &cpu_vec_avx512;
		d->conv = conv_vnni512;
	}
#elif defined(__aarch64__)
	if (isa == ENPU_CPU_ISA_NEON_DOTPROD) {
		d->vec = &cpu_vec_neon;
		d->conv = conv_neon_dot;
	}
#endif
	enpu_status_t st = cpu_threadpool_create(threads, &d->pool);
	if (!st)
		st = enpu_host_queue_create(info->name, cpu_exec, d, &d->queue);
	if (st) {
		cpu_close(d);
		return st;
	}
	fill_info(info, isa, threads);
	*state = d;
	return ENPU_OK;
}

static enpu_status_t cpu_submit(enpu_device_t *device, enpu_command_list_t *list,
				enpu_fence_t *const *waits, size_t wait_count, enpu_fence_t *fence)
{
	cpu_device_t *d = device->state;
	return enpu_host_queue_submit(d->queue, device, list, waits, wait_count, fence);
}

static enpu_status_t cpu_execute(enpu_device_t *device, enpu_command_list_t *list)
{
	cpu_device_t *d = device->state;
	return enpu_host_queue_execute(d->queue, device, list);
}

const enpu_backend_t enpu_cpu_backend = {
	.name = "cpu",
	.enumerate = cpu_enumerate,
	.open = cpu_open,
	.close = cpu_close,
	.buffer_allocate = enpu_host_buffer_allocate,
	.buffer_wrap = enpu_host_buffer_wrap,
	.buffer_import_fd = enpu_host_buffer_import_fd,
	.buffer_accessible = enpu_host_buffer_accessible,
	.submit = cpu_submit,
	.execute = cpu_execute,
};
