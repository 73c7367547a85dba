/* SPDX-License-Identifier: MIT */
/* Internal: the fuzzer's fp16 GEMM and CONV2D (fuzz_f16.c). */
#ifndef ENPU_FUZZ_F16_H
#define ENPU_FUZZ_F16_H

#include <stdbool.h>
#include "../hal/f16_bound.h"
#include "fuzz_input.h"

/* An fp16 GEMM or CONV2D is checked against the contract's bound
 * (docs/numerics.md), not bit for bit: S per output from its inputs x, w and
 * geometry g (f16_abs_sum), bias (fp32, or none) per column. */
typedef struct f16_check {
	bool on;
	f16_geom_t g;
	enpu_tensor_t *x, *w;
	const float *bias;
} f16_check_t;

/* An fp16 GEMM or CONV2D (kind; always valid shapes) into l[0] and l[1]. */
void record_f16(reader_t *r, tensors_t *ts, uint32_t kind, enpu_command_list_t *l[2],
		enpu_tensor_t *out[2], f16_check_t *chk);
/* Aborts unless out[1] (dut's) lies within the fp16 contract's bound of
 * out[0] (the reference's). */
void check_f16(const f16_check_t *chk, enpu_tensor_t *out[2], enpu_device_t *dut);

#endif
