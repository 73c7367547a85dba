/* SPDX-License-Identifier: MIT */
/* enpu HAL: tensors: a view of a buffer with shape, dtype and quantization.
 * Layout is dense row-major; 4-D activations are NHWC, conv filters OHWI,
 * GEMM weights [N][K]. Tensors are immutable after creation (thread-safe). */
#ifndef ENPU_TENSOR_H
#define ENPU_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include "buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ENPU_MAX_RANK 4

typedef enum enpu_dtype {
	ENPU_DTYPE_INT8 = 0,
	ENPU_DTYPE_UINT8 = 1,
	ENPU_DTYPE_INT32 = 2,
	ENPU_DTYPE_FP16 = 3,
	ENPU_DTYPE_FP32 = 4,
} enpu_dtype_t;

typedef enum enpu_quant_kind {
	ENPU_QUANT_NONE = 0,
	ENPU_QUANT_PER_TENSOR = 1,
	ENPU_QUANT_PER_CHANNEL = 2,
} enpu_quant_kind_t;

typedef struct enpu_quant {
	enpu_quant_kind_t kind;
	/* PER_TENSOR */
	float scale;
	int32_t zero_point;
	/* PER_CHANNEL: count == dims[axis]; arrays are copied at tensor creation */
	uint32_t axis;
	size_t count;
	const float *scales;
	const int32_t *zero_points; /* may be NULL: all zero */
} enpu_quant_t;

/* enpu_tensor_desc_t.flags */
/* The contents never change after the first submission that reads the tensor
 * (weights, biases): devices may keep transformed copies (packed weights)
 * with the recorded op and reuse them on later submissions. */
#define ENPU_TENSOR_CONSTANT 1u

typedef struct enpu_tensor_desc {
	enpu_dtype_t dtype;
	uint32_t rank;                 /* 1..4 */
	uint32_t dims[ENPU_MAX_RANK];  /* each >= 1 */
	enpu_quant_t quant;            /* NONE for float and int32 tensors */
	uint32_t flags;                /* ENPU_TENSOR_* */
} enpu_tensor_desc_t;

typedef struct enpu_tensor enpu_tensor_t;

/* Creates a tensor over buffer at byte offset (aligned to the element size).
 * Checks the quantization: scales finite and > 0, zero points within the dtype,
 * per-channel axis < rank and count == dims[axis]. Retains the buffer. */
enpu_status_t enpu_tensor_create(enpu_buffer_t *buffer, size_t offset,
				 const enpu_tensor_desc_t *desc,
				 enpu_tensor_t **out_tensor);
void enpu_tensor_retain(enpu_tensor_t *tensor);
void enpu_tensor_release(enpu_tensor_t *tensor);

/* The descriptor (its quant arrays point into the tensor; valid while it lives). */
const enpu_tensor_desc_t *enpu_tensor_desc(const enpu_tensor_t *tensor);
enpu_buffer_t *enpu_tensor_buffer(const enpu_tensor_t *tensor);
size_t enpu_tensor_offset(const enpu_tensor_t *tensor);
size_t enpu_tensor_element_count(const enpu_tensor_t *tensor);
size_t enpu_tensor_byte_size(const enpu_tensor_t *tensor);
size_t enpu_dtype_size(enpu_dtype_t dtype);   /* 0 for an unknown dtype */
const char *enpu_dtype_name(enpu_dtype_t dtype);

#ifdef __cplusplus
}
#endif
#endif
