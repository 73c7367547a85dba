/* SPDX-License-Identifier: MIT */
/* Internal: dedicated int8 convolution kernels of a CPU kernel family, run by
 * conv.c over (output row, chunk of channel blocks) tasks: depthwise with
 * depth multiplier 1, and convolutions with few input channels (first
 * layers). Families without one use vec_kernels' dwconv_row or im2col + GEMM. */
#ifndef ENPU_CPU_CONV_KERNELS_H
#define ENPU_CPU_CONV_KERNELS_H

#include <stdbool.h>
#include "../op.h"

typedef struct cpu_conv_kernel {
	uint32_t cblock; /* output channels per block */
	/* one more thread per 2^macs_per_thread MACs (about 40 us of work)
	 * while the pool's workers sleep, per a 32nd of that while they spin
	 * (cpu_threads_for; an eighth had depthwise layers of 3-10 us run
	 * alone: at 2 threads on Zen 4, 1.45-1.55x with the 32nd) */
	uint32_t macs_per_thread;
	/* Whether the kernel implements c (int8). */
	bool (*accepts)(const enpu_conv_op_t *c);
	/* Weights, bias and requantization of c in the kernel's layout, or NULL
	 * when out of memory. key: this table. */
	enpu_op_cache_t *(*pack)(const enpu_conv_op_t *c, const int8_t *filter, const int32_t *bias);
	/* Scratch bytes for one row of nb blocks. */
	size_t (*scratch_bytes)(const enpu_conv_op_t *c, uint32_t nb);
	/* Output rows per task (the row function does oh .. oh + this - 1). */
	uint32_t (*rows_per_task)(const enpu_conv_op_t *c);
	/* Output rows (n, oh ...), channel blocks [b0, b0 + nb). */
	void (*row)(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		    int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch);
} cpu_conv_kernel_t;

#if defined(__x86_64__)
extern const cpu_conv_kernel_t cpu_dw_avx2;
extern const cpu_conv_kernel_t cpu_conv_small_avx2;
extern const cpu_conv_kernel_t cpu_dw_vnni512;
extern const cpu_conv_kernel_t cpu_conv_small_vnni512;
#endif
#if defined(__aarch64__)
extern const cpu_conv_kernel_t cpu_dw_neon_dot;
extern const cpu_conv_kernel_t cpu_conv_small_neon_dot;
#endif

#endif
