/* SPDX-License-Identifier: MIT */
/* HAL test harness: result reporting, checks, seeded RNG, and helpers to
 * build tensors and run command lists. */
#ifndef ENPU_TEST_HARNESS_H
#define ENPU_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "enpu/enpu.h"

enum { T_OK = 0, T_FAIL = 1, T_SKIP = 2 };

typedef struct tctx {
	uint64_t seed;   /* this test's seed (printed on failure) */
	uint64_t rng;
	int result;
	char msg[1024];
} tctx;

void t_fail(tctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void t_skip(tctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CHECK(t, cond, ...)                                                     \
	do {                                                                    \
		if (!(cond)) {                                                  \
			t_fail(t, __FILE__, __LINE__, __VA_ARGS__);             \
			goto out;                                               \
		}                                                               \
	} while (0)

/* expr must return ENPU_OK. */
#define CHECK_OK(t, expr)                                                       \
	do {                                                                    \
		enpu_status_t s_ = (expr);                                      \
		if (s_) {                                                       \
			t_fail(t, __FILE__, __LINE__, "%s -> %s: %s", #expr,    \
			       enpu_status_code_name(enpu_status_code(s_)),     \
			       enpu_status_message(s_));                        \
			enpu_status_free(s_);                                   \
			goto out;                                               \
		}                                                               \
	} while (0)

/* expr must fail with code and a message containing substr. */
#define CHECK_ERR(t, expr, code, substr)                                        \
	do {                                                                    \
		enpu_status_t s_ = (expr);                                      \
		bool ok_ = enpu_status_code(s_) == (code) &&                    \
			   strstr(enpu_status_message(s_), (substr)) != NULL;   \
		if (!ok_)                                                       \
			t_fail(t, __FILE__, __LINE__,                           \
			       "%s -> %s \"%s\", expected %s containing \"%s\"", \
			       #expr, enpu_status_code_name(enpu_status_code(s_)), \
			       enpu_status_message(s_), enpu_status_code_name(code), \
			       substr);                                         \
		enpu_status_free(s_);                                           \
		if (!ok_)                                                       \
			goto out;                                               \
	} while (0)

/* RNG (xorshift64*). */
uint64_t t_rand(tctx *t);
/* Uniform in [lo, hi]. */
int32_t t_range(tctx *t, int32_t lo, int32_t hi);
/* One of the n values. */
int32_t t_pick(tctx *t, const int32_t *values, size_t n);

/* A context with the reference device and one CPU device. */
/* The device under test is "cpu": a CPU device, or the NPU (GPU) for T_DUT_NPU
 * (T_DUT_GPU). */
typedef struct t_env {
	enpu_context_t *ctx;
	enpu_device_t *ref, *cpu;
} t_env;

/* Not a CPU ISA: runs the differential tests with the NPU as device under test
 * (skipped where no enpu NPU exists; run them in the VM). */
#define T_DUT_NPU ((enpu_cpu_isa_t)100)
/* The same with the first GPU (Vulkan compute; lavapipe counts) as device under
 * test, skipped where there is none. */
#define T_DUT_GPU ((enpu_cpu_isa_t)101)

/* Opens ref and cpu (isa, threads); returns false (test skipped) when the
 * host lacks isa, or failed, with nothing left open. */
bool t_env_open(tctx *t, t_env *env, enpu_cpu_isa_t isa, uint32_t threads);
void t_env_close(t_env *env);
/* t_env_open, then skips (and closes env) unless the device under test
 * implements every op kind of op_mask (bits 1u << kind) on dtype. */
bool t_env_open_ops(tctx *t, t_env *env, enpu_cpu_isa_t isa, uint32_t threads,
		    uint32_t op_mask, enpu_dtype_t dtype);

/* Allocates a tensor on dev; copies data in when non-NULL. quant may be NULL. */
enpu_tensor_t *t_tensor(tctx *t, enpu_device_t *dev, enpu_dtype_t dtype, uint32_t rank,
			const uint32_t *dims, const enpu_quant_t *quant, const void *data);
/* t_tensor with the tensor's flags (ENPU_TENSOR_CONSTANT) */
enpu_tensor_t *t_tensor_flags(tctx *t, enpu_device_t *dev, enpu_dtype_t dtype, uint32_t rank,
			      const uint32_t *dims, const enpu_quant_t *quant, const void *data,
			      uint32_t flags);
/* Per-tensor quantization. */
enpu_quant_t t_q(float scale, int32_t zp);
/* Host pointer of a tensor's data (host devices only). */
/* t_tensor over wrapped user memory that ends where an inaccessible page
 * begins: a kernel reading past the tensor's last byte faults. */
enpu_tensor_t *t_tensor_guarded(tctx *t, enpu_device_t *dev, enpu_dtype_t dtype, uint32_t rank,
				const uint32_t *dims, const enpu_quant_t *quant, const void *data);
void *t_data(enpu_tensor_t *tensor);
/* Submits list to dev, waits, returns the fence's status. */
enpu_status_t t_run(enpu_device_t *dev, enpu_command_list_t *list);
/* Fills n bytes with random int8. */
void t_fill_i8(tctx *t, int8_t *p, size_t n);

/* The CPU kernel families built for this architecture (x86-64: generic,
 * avx2, avx512vnni, amx-int8; aarch64: generic, neon-dotprod). */
extern const enpu_cpu_isa_t t_all_isas[];
extern const size_t t_all_isa_count;
/* The ones this host supports (at most t_all_isa_count). */
size_t t_isas(enpu_cpu_isa_t *out);
const char *t_isa_name(enpu_cpu_isa_t isa);

#endif
