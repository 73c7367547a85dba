/* SPDX-License-Identifier: MIT */
/* Internal: the loop of the vector element-wise kernels (eltwise_avx2.c,
 * eltwise_neon.c): a step of ELTWISE_STEP elements at a time, and the tail
 * of fewer through the same step on zero-padded copies. */
#ifndef ENPU_CPU_ELTWISE_STEPS_H
#define ENPU_CPU_ELTWISE_STEPS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ELTWISE_STEP 16

/* Runs step over [begin, end) in steps of ELTWISE_STEP; b may be NULL
 * (unary). */
typedef void eltwise_step_fn(const void *g, const int8_t *a, const int8_t *b, int8_t *out);
static inline __attribute__((always_inline)) void eltwise_run(eltwise_step_fn *step,
							      const void *g, const int8_t *a,
							      const int8_t *b, int8_t *out,
							      size_t begin, size_t end)
{
	size_t i = begin;
	for (; i + ELTWISE_STEP <= end; i += ELTWISE_STEP)
		step(g, a + i, b ? b + i : NULL, out + i);
	if (i < end) {
		int8_t ta[ELTWISE_STEP] = { 0 }, tb[ELTWISE_STEP] = { 0 }, to[ELTWISE_STEP];
		memcpy(ta, a + i, end - i);
		if (b)
			memcpy(tb, b + i, end - i);
		step(g, ta, tb, to);
		memcpy(out + i, to, end - i);
	}
}

#endif
