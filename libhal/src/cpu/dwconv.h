/* SPDX-License-Identifier: MIT */
/* Internal: dedicated depthwise int8 convolution kernels (depth multiplier 1)
 * of a CPU kernel family; families without one use vec_kernels' dwconv_row. */
#ifndef ENPU_CPU_DWCONV_H
#define ENPU_CPU_DWCONV_H

#include "../op.h"

typedef struct cpu_dw_ops {
	uint32_t cblock; /* channels per block */
	/* Weights, bias and requantization of c in the kernel's layout, or NULL
	 * when out of memory. key: this table. */
	enpu_op_cache_t *(*pack)(const enpu_conv_op_t *c, const int8_t *filter, const int32_t *bias);
	/* Scratch bytes for one row of blocks [b0, b0 + nb). */
	size_t (*scratch_bytes)(const enpu_conv_op_t *c, uint32_t nb);
	/* Output row (n, oh), channel blocks [b0, b0 + nb). */
	void (*row)(const enpu_conv_op_t *c, const enpu_op_cache_t *packed, const int8_t *in,
		    int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t nb, void *scratch);
} cpu_dw_ops_t;

#if defined(__x86_64__)
extern const cpu_dw_ops_t cpu_dw_vnni512;
#endif

#endif
