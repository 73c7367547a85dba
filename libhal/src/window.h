/* SPDX-License-Identifier: MIT */
/* Internal: where kernel tap k of output position o reads its input
 * (docs/numerics.md): i = o*stride - pad + k*dilation, valid in [0, size). */
#ifndef ENPU_WINDOW_H
#define ENPU_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

/* Stores the input index in *i and returns whether it is inside the input. */
static inline bool enpu_tap(uint32_t o, uint32_t k, uint32_t stride, uint32_t pad,
			    uint32_t dilation, uint32_t size, int64_t *i)
{
	*i = (int64_t)o * stride - pad + (int64_t)k * dilation;
	return *i >= 0 && *i < size;
}

#endif
