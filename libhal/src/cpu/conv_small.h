/* SPDX-License-Identifier: MIT */
/* Internal: what the direct few-input-channel int8 conv kernels
 * (conv_small_avx2.c, conv_small_vnni512.c, conv_small_neon.c) share: the
 * shapes they take, the padded input columns an output row reads, and the
 * weights packed in groups of a kernel row's elements. */
#ifndef ENPU_CPU_CONV_SMALL_H
#define ENPU_CPU_CONV_SMALL_H

#include <stdbool.h>
#include <stddef.h>
#include "../op.h"

/* Cin <= 4, Cin * KW <= 16, groups 1, no horizontal dilation. */
bool cpu_conv_small_accepts(const enpu_conv_op_t *c);

/* Padded input columns one output row reads. */
size_t cpu_conv_small_columns(const enpu_conv_op_t *c);

/* The padded columns [*lo, *hi) of those that hold input columns (input
 * column 0 sits at padded column pad_l); the others hold the zero point. */
void cpu_conv_small_span(const enpu_conv_op_t *c, size_t *lo, size_t *hi);

/* Input row ih's element at padded column lo, the first of the span [lo, hi)
 * (in itself when the span is empty: a left padding wider than the columns
 * read puts lo before the row, where no pointer may point). */
static inline const int8_t *cpu_conv_small_row(const enpu_conv_op_t *c, const int8_t *in,
					       int64_t ih, size_t lo, size_t hi)
{
	return hi > lo ? in + ((size_t)ih * c->in_w + (lo - c->pad_l)) * c->in_c : in;
}

/* Weights w[q][blocks][cb][g] in groups q of g of the S = KW * Cin elements
 * of each kernel row (zeros past out_c), and beff[blocks * cb] = bias -
 * comp * sum(w) modulo 2^32 for a kernel whose inputs hold x - zp + comp
 * (padding: comp), so that sum((x - zp) w) + bias = sum(input * w) + beff.
 * tails == 0: KH * ceil(S / g) groups, kernel row y's at y * ceil(S / g)
 * on (zeros past S). tails > 0: KH * floor(S / g) groups of whole rows'
 * elements, then tails groups that hold the last S % g elements of every
 * kernel row, row after row (zeros past KH * (S % g)). */
void cpu_conv_small_pack(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias,
			 uint32_t g, uint32_t tails, uint32_t cb, uint32_t blocks, int32_t comp,
			 int8_t *w, int32_t *beff);

#endif
