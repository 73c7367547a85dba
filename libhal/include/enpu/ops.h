/* SPDX-License-Identifier: MIT */
/* enpu HAL: operation descriptors recorded into command lists (command.h).
 * Exact semantics, formulas and limits: docs/numerics.md. Descriptors are read
 * at record time only; arrays are copied and tensors retained. */
#ifndef ENPU_OPS_H
#define ENPU_OPS_H

#include <stddef.h>
#include <stdint.h>
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum enpu_op_kind {
	ENPU_OP_GEMM = 0,        /* int8 or fp16 */
	ENPU_OP_CONV2D = 1,      /* int8 or fp16, groups/depthwise */
	ENPU_OP_POOL = 2,        /* int8 max/avg */
	ENPU_OP_ADD = 3,         /* int8 */
	ENPU_OP_MUL = 4,         /* int8 */
	ENPU_OP_REQUANTIZE = 5,  /* int8 -> int8 */
	ENPU_OP_CAST = 6,        /* int8 <-> fp16 */
	ENPU_OP_KIND_COUNT
} enpu_op_kind_t;

/* Largest reduction length (GEMM K, conv KH*KW*Cin/groups): keeps the int32
 * accumulation of products exact (65536 * 255 * 128 < 2^31). */
#define ENPU_MAX_REDUCTION 65536u

typedef enum enpu_activation {
	ENPU_ACT_NONE = 0,  /* int8: [-128,127]; fp16: no clamp */
	ENPU_ACT_RELU = 1,  /* int8: [out_zp,127]; fp16: [0,+inf] */
	ENPU_ACT_RELU6 = 2, /* int8: [out_zp, min(127, out_zp+round(6/out_scale))]; fp16: [0,6] */
	ENPU_ACT_CLAMP = 3, /* int8: [qmin,qmax] (quantized); fp16: [fmin,fmax] */
} enpu_activation_t;

typedef struct enpu_act {
	enpu_activation_t kind;
	int32_t qmin, qmax; /* CLAMP, int8 outputs: -128 <= qmin <= qmax <= 127 */
	float fmin, fmax;   /* CLAMP, fp16 outputs: fmin <= fmax, not NaN */
} enpu_act_t;

/* Fixed-point output scaling: real multiplier = mult * 2^(shift-31).
 * count == 1 (per tensor) or count == output channels. When mult is NULL the
 * HAL derives it from the tensors' scales with enpu_quantize_multiplier(). */
typedef struct enpu_requant {
	const int32_t *mult;  /* each in [0, INT32_MAX] */
	const int32_t *shift; /* each in [-31, 30] */
	size_t count;
} enpu_requant_t;

/* C = A * B^T (+ bias). int8: A [M][K] int8, B [N][K] int8 symmetric per-tensor
 * or per-channel on axis 0, bias int32 [N] or NULL, C [M][N] int8.
 * fp16: A, B, C fp16, bias fp32 [N] or NULL; requant ignored. */
typedef struct enpu_gemm_params {
	enpu_tensor_t *a, *b, *bias, *c;
	enpu_requant_t requant;
	enpu_act_t act;
} enpu_gemm_params_t;

/* input NHWC [N][H][W][Cin], filter OHWI [Cout][KH][KW][Cin/groups],
 * bias [Cout] or NULL, output NHWC [N][OH][OW][Cout]. All counts >= 1. */
typedef struct enpu_conv2d_params {
	enpu_tensor_t *input, *filter, *bias, *output;
	uint32_t stride_h, stride_w;
	uint32_t dilation_h, dilation_w;
	uint32_t pad_top, pad_left, pad_bottom, pad_right;
	uint32_t groups;
	enpu_requant_t requant;
	enpu_act_t act;
} enpu_conv2d_params_t;

typedef enum enpu_pool_kind { ENPU_POOL_MAX = 0, ENPU_POOL_AVG = 1 } enpu_pool_kind_t;

/* int8 NHWC; input and output share scale and zero point. Every output window
 * must contain at least one non-padded element. */
typedef struct enpu_pool_params {
	enpu_tensor_t *input, *output;
	enpu_pool_kind_t kind;
	uint32_t kernel_h, kernel_w;
	uint32_t stride_h, stride_w;
	uint32_t pad_top, pad_left, pad_bottom, pad_right;
	enpu_act_t act;
} enpu_pool_params_t;

/* Explicit fixed-point parameters of ADD (all six) and MUL (out_* only). */
typedef struct enpu_eltwise_requant {
	int32_t a_mult, a_shift, b_mult, b_shift;
	int32_t out_mult, out_shift;
} enpu_eltwise_requant_t;

/* int8, a, b and out of identical shape (no broadcast). rq NULL: derived from
 * the scales exactly as TFLite does (docs/numerics.md). */
typedef struct enpu_eltwise_params {
	enpu_tensor_t *a, *b, *out;
	const enpu_eltwise_requant_t *rq;
	enpu_act_t act;
} enpu_eltwise_params_t;

/* int8 -> int8 of identical shape, per-tensor quantization on both. */
typedef struct enpu_requantize_params {
	enpu_tensor_t *input, *output;
	enpu_requant_t requant; /* count 1, or mult NULL to derive */
	enpu_act_t act;
} enpu_requantize_params_t;

/* int8 -> fp16 (dequantize with the input's per-tensor scale/zp) or
 * fp16 -> int8 (quantize with the output's). Identical shapes. */
typedef struct enpu_cast_params {
	enpu_tensor_t *input, *output;
} enpu_cast_params_t;

const char *enpu_op_kind_name(enpu_op_kind_t kind);

#ifdef __cplusplus
}
#endif
#endif
