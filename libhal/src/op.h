/* SPDX-License-Identifier: MIT */
/* Internal: a validated, fully resolved op as stored in a command list and
 * handed to backends. All quantization parameters are concrete integers. */
#ifndef ENPU_OP_H
#define ENPU_OP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "enpu/command.h"

/* Output clamp, resolved: int8 ops use qmin/qmax, fp16 ops fmin/fmax. */
typedef struct enpu_clamp {
	int32_t qmin, qmax;
	float fmin, fmax;
} enpu_clamp_t;

typedef struct enpu_gemm_op {
	uint32_t m, n, k;
	int32_t a_zp, c_zp;
	int32_t *mult, *shift; /* [n], int8 only */
	enpu_clamp_t clamp;
} enpu_gemm_op_t;

typedef struct enpu_conv_op {
	uint32_t batch, in_h, in_w, in_c;
	uint32_t out_h, out_w, out_c;
	uint32_t k_h, k_w;
	uint32_t stride_h, stride_w, dil_h, dil_w;
	uint32_t pad_t, pad_l, pad_b, pad_r;
	uint32_t groups;
	int32_t in_zp, out_zp;
	int32_t *mult, *shift; /* [out_c], int8 only */
	enpu_clamp_t clamp;
} enpu_conv_op_t;

typedef struct enpu_pool_op {
	enpu_pool_kind_t kind;
	uint32_t batch, in_h, in_w, c, out_h, out_w;
	uint32_t k_h, k_w, stride_h, stride_w;
	uint32_t pad_t, pad_l, pad_b, pad_r;
	enpu_clamp_t clamp;
} enpu_pool_op_t;

typedef struct enpu_eltwise_op {
	size_t count;
	int32_t a_zp, b_zp, out_zp;
	enpu_eltwise_requant_t rq;
	enpu_clamp_t clamp;
} enpu_eltwise_op_t;

typedef struct enpu_requant_op {
	size_t count;
	int32_t in_zp, out_zp, mult, shift;
	enpu_clamp_t clamp;
} enpu_requant_op_t;

typedef struct enpu_cast_op {
	size_t count;
	float scale;     /* of the int8 side */
	int32_t zp;      /* of the int8 side */
} enpu_cast_op_t;

/* Tensor roles: GEMM a,b,bias,c; CONV input,filter,bias,output;
 * POOL/REQUANT/CAST input,-,-,output; ADD/MUL a,b,-,out. */
enum { ENPU_OP_IN0 = 0, ENPU_OP_IN1 = 1, ENPU_OP_IN2 = 2, ENPU_OP_OUT = 3, ENPU_OP_TENSORS = 4 };

/* Backend data derived from an op's constant tensors (e.g. packed weights),
 * kept with the op: the backend embeds this header first in its own struct;
 * key identifies the producer (a backend may only use entries it made). */
typedef struct enpu_op_cache {
	const void *key;
	void (*destroy)(struct enpu_op_cache *cache);
} enpu_op_cache_t;

typedef struct enpu_op {
	enpu_op_kind_t kind;
	enpu_dtype_t dtype;   /* INT8 or FP16 (CAST: the input dtype) */
	enpu_tensor_t *tensors[ENPU_OP_TENSORS];
	/* ENPU_OP_OUT_* (set when appended: tensors keep their memory) */
	uint8_t out_shared;
	/* NULL until a backend caches something; set once with compare-exchange
	 * (the only field written after recording, hence atomic). */
	_Atomic(enpu_op_cache_t *) cache;
	union {
		enpu_gemm_op_t gemm;
		enpu_conv_op_t conv;
		enpu_pool_op_t pool;
		enpu_eltwise_op_t eltwise;
		enpu_requant_op_t requant;
		enpu_cast_op_t cast;
	} u;
} enpu_op_t;

/* The output shares memory with an input (enpu_tensor_shares_memory) */
#define ENPU_OP_OUT_OVERLAPS 1u
/* ... and every such input is the output's very bytes (same start and size) */
#define ENPU_OP_OUT_EXACT 2u

/* True when tensor role i is absent or flagged ENPU_TENSOR_CONSTANT. */
bool enpu_op_constant(const enpu_op_t *op, int role);

/* Host address of tensor role i (NULL when the role is unused). Only valid for
 * tensors in host-accessible buffers. */
void *enpu_op_host_ptr(const enpu_op_t *op, int role);

#endif
