/* SPDX-License-Identifier: MIT */
/* Internal: tensor layout. */
#ifndef ENPU_TENSOR_IMPL_H
#define ENPU_TENSOR_IMPL_H

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

#endif
