/* SPDX-License-Identifier: MIT */
/* Internal: the fuzzer's fp16 GEMM and CONV2D (fuzz_f16.c). */
#ifndef ENPU_FUZZ_F16_H
#define ENPU_FUZZ_F16_H

#include <stdbool.h>
#include "fuzz_input.h"

/* An fp16 GEMM or CONV2D is checked against the contract's bound
 * (docs/numerics.md), not bit for bit: the reference's run on |inputs| gives
 * S per output, k the reduction length, bias (fp32, or none) per column. */
typedef struct f16_check {
	bool on;
	enpu_command_list_t *abs_list;
	enpu_tensor_t *abs_out;
	uint32_t k, channels;
	const float *bias;
} f16_check_t;

/* An fp16 GEMM or CONV2D (kind; always valid shapes) into l[0], l[1] and,
 * on |inputs|, chk->abs_list. */
void record_f16(reader_t *r, tensors_t *ts, uint32_t kind, enpu_command_list_t *l[2],
		enpu_tensor_t *out[2], f16_check_t *chk);
/* Aborts unless out[1] (dut's) lies within the fp16 contract's bound of
 * out[0] (the reference's). */
void check_f16(const f16_check_t *chk, enpu_tensor_t *out[2], enpu_device_t *dut);

#endif
