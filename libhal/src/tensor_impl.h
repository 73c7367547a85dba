/* SPDX-License-Identifier: MIT */
/* Internal: tensor layout. */
#ifndef ENPU_TENSOR_IMPL_H
#define ENPU_TENSOR_IMPL_H

#include <stdbool.h>
#include "enpu/tensor.h"
#include "refcount.h"

struct enpu_tensor {
	enpu_refcount_t ref;
	enpu_buffer_t *buffer; /* retained */
	size_t offset;
	enpu_tensor_desc_t desc; /* quant arrays point to the owned copies below */
	float *scales;
	int32_t *zero_points;
};

/* Whether the two tensors' bytes intersect (a == b included): the same
 * buffer, or host memory of any buffers. */
bool enpu_tensor_shares_memory(const enpu_tensor_t *a, const enpu_tensor_t *b);
/* Whether they are the same bytes (same start and size). */
bool enpu_tensor_same_memory(const enpu_tensor_t *a, const enpu_tensor_t *b);

#endif
