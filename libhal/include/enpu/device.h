/* SPDX-License-Identifier: MIT */
/* enpu HAL: context (owns the device registry), device enumeration, capability
 * query, open/close. Thread safety: every function here may be called from any
 * thread concurrently. */
#ifndef ENPU_DEVICE_H
#define ENPU_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct enpu_context enpu_context_t;
typedef struct enpu_device enpu_device_t;

typedef enum enpu_device_type {
	ENPU_DEVICE_CPU = 0,       /* optimized host kernels */
	ENPU_DEVICE_REFERENCE = 1, /* plain-C oracle implementing docs/numerics.md literally */
	ENPU_DEVICE_NPU = 2,       /* /dev/accel/accelN of the enpu driver (src/npu/) */
	ENPU_DEVICE_GPU = 3,       /* Vulkan compute device (src/gpu/; when built) */
} enpu_device_type_t;

/* Bits of enpu_device_info_t.op_mask: 1u << enpu_op_kind_t (see ops.h). */
/* Bits of enpu_device_info_t.dtype_mask: 1u << enpu_dtype_t (see tensor.h). */

typedef struct enpu_device_info {
	char name[32];          /* stable identifier, e.g. "cpu0", "ref0", "npu0", "gpu0" */
	char description[96];   /* human readable, e.g. ISA in use */
	enpu_device_type_t type;
	uint32_t op_mask;
	uint32_t dtype_mask;
	uint32_t core_count;    /* compute cores (CPU: online cores / threads) */
	uint64_t memory_bytes;  /* device-addressable memory (CPU: physical RAM) */
	double peak_int8_ops;   /* ops/s (1 MAC = 2 ops); 0 if unknown */
	double peak_fp16_ops;   /* ops/s; 0 if unknown */
} enpu_device_info_t;

typedef enum enpu_cpu_isa {
	ENPU_CPU_ISA_AUTO = 0,       /* best the host supports */
	ENPU_CPU_ISA_GENERIC = 1,    /* portable C */
	ENPU_CPU_ISA_AVX2 = 2,       /* AVX2 + FMA + F16C */
	ENPU_CPU_ISA_AVX512VNNI = 3, /* AVX-512 F/BW/VL + VNNI + F16C */
	ENPU_CPU_ISA_NEON_DOTPROD = 4, /* aarch64 ASIMD + DotProd (sdot) */
	ENPU_CPU_ISA_AMX_INT8 = 5,   /* AVX512VNNI + AMX-TILE/INT8 (tdpbssd) for GEMM */
} enpu_cpu_isa_t;

/* Submission priority of an open device handle (docs/dispatch.md). */
typedef enum enpu_priority {
	ENPU_PRIORITY_NORMAL = 0,
	ENPU_PRIORITY_LOW = 1,
	ENPU_PRIORITY_HIGH = 2, /* NPU: needs CAP_SYS_NICE (the open fails without) */
} enpu_priority_t;

typedef struct enpu_device_options {
	uint32_t num_threads;  /* CPU: worker threads; 0 = online cores */
	enpu_cpu_isa_t cpu_isa;/* CPU: force a kernel family (UNSUPPORTED if absent) */
	/* NPU: the driver's job priority for every job of this handle (its
	 * scheduler runs queued jobs of higher priority first). CPU, reference
	 * and GPU devices accept and ignore it. */
	enpu_priority_t priority;
} enpu_device_options_t;

/* A context owns the registry of backends and enumerates their devices. */
enpu_status_t enpu_context_create(enpu_context_t **out_context);
void enpu_context_retain(enpu_context_t *context);
void enpu_context_release(enpu_context_t *context);

/* Number of devices found at context creation (>= 2: the CPU and reference
 * devices are always present). */
size_t enpu_context_device_count(const enpu_context_t *context);
/* Information about device index (0 <= index < count) without opening it. */
enpu_status_t enpu_context_device_info(const enpu_context_t *context, size_t index,
				       enpu_device_info_t *out_info);
/* Index of the first device of a type; OUT_OF_RANGE when there is none. */
enpu_status_t enpu_context_find_device(const enpu_context_t *context,
				       enpu_device_type_t type, size_t *out_index);

/* Opens a device. options may be NULL for defaults. The device keeps the
 * context alive, and submitted work keeps the device alive until it is done,
 * so enpu_device_release() never waits for or cancels pending work. */
enpu_status_t enpu_device_open(enpu_context_t *context, size_t index,
			       const enpu_device_options_t *options,
			       enpu_device_t **out_device);
void enpu_device_retain(enpu_device_t *device);
void enpu_device_release(enpu_device_t *device);
/* Information about an open device (reflects options, e.g. thread count). */
void enpu_device_query(const enpu_device_t *device, enpu_device_info_t *out_info);

#ifdef __cplusplus
}
#endif
#endif
