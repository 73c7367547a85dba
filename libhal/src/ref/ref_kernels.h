/* SPDX-License-Identifier: MIT */
/* Internal: reference kernels, the literal transcription of docs/numerics.md. */
#ifndef ENPU_REF_KERNELS_H
#define ENPU_REF_KERNELS_H

#include "../op.h"

void ref_gemm_i8(const enpu_op_t *op);
void ref_conv_i8(const enpu_op_t *op);
void ref_gemm_f16(const enpu_op_t *op);
void ref_conv_f16(const enpu_op_t *op);
void ref_pool_i8(const enpu_op_t *op);
void ref_add_i8(const enpu_op_t *op);
void ref_mul_i8(const enpu_op_t *op);
void ref_requant_i8(const enpu_op_t *op);
void ref_cast(const enpu_op_t *op);

#endif
