/* SPDX-License-Identifier: MIT */
/* HAL test harness implementation. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "harness.h"

void t_fail(tctx *t, const char *file, int line, const char *fmt, ...)
{
	int n = snprintf(t->msg, sizeof(t->msg), "%s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg + n, sizeof(t->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	t->result = T_FAIL;
}

void t_skip(tctx *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->result = T_SKIP;
}

uint64_t t_rand(tctx *t)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545F4914F6CDD1DULL;
}

int32_t t_range(tctx *t, int32_t lo, int32_t hi)
{
	uint64_t span = (uint64_t)((int64_t)hi - lo) + 1;
	return (int32_t)(lo + (int64_t)(t_rand(t) % span));
}

int32_t t_pick(tctx *t, const int32_t *values, size_t n)
{
	return values[t_rand(t) % n];
}

void t_fill_i8(tctx *t, int8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (int8_t)(t_rand(t) >> 56);
}

/* Opens the first device of type as env->cpu; skips with why when none. */
static bool t_env_open_dut(tctx *t, t_env *env, size_t ref_i, enpu_device_type_t type,
			   const char *why)
{
	size_t dut_i;
	enpu_status_t none = enpu_context_find_device(env->ctx, type, &dut_i);

	if (none) {
		enpu_status_free(none);
		enpu_context_release(env->ctx);
		env->ctx = NULL;
		t_skip(t, "%s", why);
		return false;
	}
	CHECK_OK(t, enpu_device_open(env->ctx, ref_i, NULL, &env->ref));
	CHECK_OK(t, enpu_device_open(env->ctx, dut_i, NULL, &env->cpu));
	return true;
out:
	t_env_close(env);
	return false;
}

bool t_env_open(tctx *t, t_env *env, enpu_cpu_isa_t isa, uint32_t threads)
{
	memset(env, 0, sizeof(*env));
	size_t ref_i, cpu_i;
	enpu_device_options_t opt = { .num_threads = threads, .cpu_isa = isa };
	CHECK_OK(t, enpu_context_create(&env->ctx));
	CHECK_OK(t, enpu_context_find_device(env->ctx, ENPU_DEVICE_REFERENCE, &ref_i));
	if (isa == T_DUT_NPU)
		return t_env_open_dut(t, env, ref_i, ENPU_DEVICE_NPU,
				      "no enpu NPU here: run `tools/vm/run -- tests/hal/build/hal_tests /npu`");
	if (isa == T_DUT_GPU)
		return t_env_open_dut(t, env, ref_i, ENPU_DEVICE_GPU,
				      "no Vulkan compute device with shaderInt64 (or libenpu built "
				      "without the Vulkan headers and glslc): install libvulkan-dev "
				      "mesa-vulkan-drivers glslc");
	CHECK_OK(t, enpu_context_find_device(env->ctx, ENPU_DEVICE_CPU, &cpu_i));
	CHECK_OK(t, enpu_device_open(env->ctx, ref_i, NULL, &env->ref));
	enpu_status_t st = enpu_device_open(env->ctx, cpu_i, &opt, &env->cpu);
	if (enpu_status_code(st) == ENPU_STATUS_UNSUPPORTED) {
		t_skip(t, "%s", enpu_status_message(st));
		enpu_status_free(st);
		goto out;
	}
	CHECK_OK(t, st);
	return true;
out:
	t_env_close(env);
	return false;
}

bool t_env_open_ops(tctx *t, t_env *env, enpu_cpu_isa_t isa, uint32_t threads,
		    uint32_t op_mask, enpu_dtype_t dtype)
{
	enpu_device_info_t i;
	if (!t_env_open(t, env, isa, threads))
		return false;
	enpu_device_query(env->cpu, &i);
	if ((i.op_mask & op_mask) == op_mask && (i.dtype_mask & 1u << dtype))
		return true;
	char ops[128] = "";
	for (int k = 0; k < ENPU_OP_KIND_COUNT; k++)
		if (op_mask & 1u << k)
			snprintf(ops + strlen(ops), sizeof(ops) - strlen(ops), "%s%s",
				 *ops ? "+" : "", enpu_op_kind_name((enpu_op_kind_t)k));
	t_skip(t, "%s (%s) does not implement %s on %s", i.name, i.description, ops,
	       enpu_dtype_name(dtype));
	t_env_close(env);
	return false;
}

void t_env_close(t_env *env)
{
	enpu_device_release(env->cpu);
	enpu_device_release(env->ref);
	enpu_context_release(env->ctx);
	memset(env, 0, sizeof(*env));
}

enpu_quant_t t_q(float scale, int32_t zp)
{
	return (enpu_quant_t){ .kind = ENPU_QUANT_PER_TENSOR, .scale = scale, .zero_point = zp };
}

/* The descriptor of a tensor; returns its bytes. */
static size_t t_desc(enpu_tensor_desc_t *d, enpu_dtype_t dtype, uint32_t rank,
		     const uint32_t *dims, const enpu_quant_t *quant)
{
	*d = (enpu_tensor_desc_t){ .dtype = dtype, .rank = rank };
	size_t bytes = enpu_dtype_size(dtype);
	for (uint32_t i = 0; i < rank; i++) {
		d->dims[i] = dims[i];
		bytes *= dims[i];
	}
	if (quant)
		d->quant = *quant;
	return bytes;
}

enpu_tensor_t *t_tensor(tctx *t, enpu_device_t *dev, enpu_dtype_t dtype, uint32_t rank,
			const uint32_t *dims, const enpu_quant_t *quant, const void *data)
{
	return t_tensor_flags(t, dev, dtype, rank, dims, quant, data, 0);
}

enpu_tensor_t *t_tensor_flags(tctx *t, enpu_device_t *dev, enpu_dtype_t dtype, uint32_t rank,
			      const uint32_t *dims, const enpu_quant_t *quant, const void *data,
			      uint32_t flags)
{
	enpu_tensor_desc_t d;
	size_t bytes = t_desc(&d, dtype, rank, dims, quant);
	d.flags = flags;
	enpu_buffer_t *buf = NULL;
	enpu_tensor_t *tensor = NULL;
	CHECK_OK(t, enpu_buffer_allocate(dev, bytes, &buf));
	CHECK_OK(t, enpu_tensor_create(buf, 0, &d, &tensor));
	if (data)
		memcpy(t_data(tensor), data, bytes);
out:
	enpu_buffer_release(buf);
	return tensor;
}

typedef struct guard_map {
	void *base;
	size_t len;
} guard_map_t;

static void guard_release(void *user_data, void *host_ptr)
{
	(void)host_ptr;
	guard_map_t *g = user_data;
	munmap(g->base, g->len);
	free(g);
}

enpu_tensor_t *t_tensor_guarded(tctx *t, enpu_device_t *dev, enpu_dtype_t dtype, uint32_t rank,
				const uint32_t *dims, const enpu_quant_t *quant, const void *data)
{
	enpu_tensor_desc_t d;
	size_t bytes = t_desc(&d, dtype, rank, dims, quant);
	const size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = (bytes + page - 1) / page;
	enpu_buffer_t *buf = NULL;
	enpu_tensor_t *tensor = NULL;
	guard_map_t *g = malloc(sizeof(*g));
	CHECK(t, g, "out of memory");
	g->len = (pages + 1) * page;
	g->base = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->base == MAP_FAILED) {
		free(g);
		CHECK(t, false, "mmap of a guarded tensor failed");
	}
	uint8_t *end = (uint8_t *)g->base + pages * page;
	if (mprotect(end, page, PROT_NONE)) {
		guard_release(g, NULL);
		CHECK(t, false, "mprotect of a guard page failed");
	}
	enpu_status_t st = enpu_buffer_wrap(dev, end - bytes, bytes, guard_release, g, &buf);
	if (st)
		guard_release(g, NULL);
	CHECK(t, !st, "wrap: %s", enpu_status_message(st));
	CHECK_OK(t, enpu_tensor_create(buf, 0, &d, &tensor));
	memcpy(t_data(tensor), data, bytes);
out:
	enpu_buffer_release(buf);
	return tensor;
}

void *t_data(enpu_tensor_t *tensor)
{
	enpu_buffer_t *b = enpu_tensor_buffer(tensor);
	void *p = NULL;
	enpu_status_t st = enpu_buffer_map(b, enpu_tensor_offset(tensor),
					   enpu_tensor_byte_size(tensor), &p);
	if (st) {
		fprintf(stderr, "t_data: %s\n", enpu_status_message(st));
		abort();
	}
	enpu_status_free(enpu_buffer_unmap(b));
	return p;
}

enpu_status_t t_run(enpu_device_t *dev, enpu_command_list_t *list)
{
	enpu_fence_t *f = NULL;
	enpu_status_t st = enpu_device_submit(dev, list, NULL, 0, &f);
	if (st)
		return st;
	st = enpu_fence_wait(f, ENPU_TIMEOUT_INFINITE);
	enpu_fence_release(f);
	return st;
}

#if defined(__aarch64__)
const enpu_cpu_isa_t t_all_isas[] = { ENPU_CPU_ISA_GENERIC, ENPU_CPU_ISA_NEON_DOTPROD,
				      T_DUT_NPU, T_DUT_GPU };
#else
const enpu_cpu_isa_t t_all_isas[] = { ENPU_CPU_ISA_GENERIC, ENPU_CPU_ISA_AVX2,
				      ENPU_CPU_ISA_AVX512VNNI, ENPU_CPU_ISA_AMX_INT8,
				      T_DUT_NPU, T_DUT_GPU };
#endif
const size_t t_all_isa_count = sizeof(t_all_isas) / sizeof(t_all_isas[0]);

size_t t_isas(enpu_cpu_isa_t *out)
{
	const enpu_cpu_isa_t *all = t_all_isas;
	size_t n = 0;
	enpu_context_t *ctx;
	if (enpu_context_create(&ctx))
		return 0;
	size_t idx;
	enpu_status_t st = enpu_context_find_device(ctx, ENPU_DEVICE_CPU, &idx);
	for (size_t i = 0; i < t_all_isa_count && !st; i++) {
		if (all[i] == T_DUT_NPU || all[i] == T_DUT_GPU)
			continue;
		enpu_device_options_t o = { .num_threads = 1, .cpu_isa = all[i] };
		enpu_device_t *d;
		enpu_status_t s = enpu_device_open(ctx, idx, &o, &d);
		if (!s) {
			out[n++] = all[i];
			enpu_device_release(d);
		}
		enpu_status_free(s);
	}
	enpu_status_free(st);
	enpu_context_release(ctx);
	return n;
}

const char *t_isa_name(enpu_cpu_isa_t isa)
{
	if (isa == T_DUT_NPU)
		return "npu";
	if (isa == T_DUT_GPU)
		return "gpu";
	switch (isa) {
	case ENPU_CPU_ISA_GENERIC: return "generic";
	case ENPU_CPU_ISA_AVX2: return "avx2";
	case ENPU_CPU_ISA_AVX512VNNI: return "avx512vnni";
	case ENPU_CPU_ISA_NEON_DOTPROD: return "neon-dotprod";
	case ENPU_CPU_ISA_AMX_INT8: return "amx-int8";
	default: return "auto";
	}
}
