/* SPDX-License-Identifier: MIT */
/* Internal to fuzz_ops.c and fuzz_f16.c: the input as bounded numbers, the
 * tensors of one input, and the harness state they share. */
#ifndef ENPU_FUZZ_INPUT_H
#define ENPU_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "enpu/enpu.h"

/* The input, read as bounded numbers (zeros once it is used up). */
typedef struct reader {
	const uint8_t *p;
	size_t n, at;
} reader_t;

static inline uint32_t take(reader_t *r, uint32_t lo, uint32_t hi)
{
	uint32_t v = 0, span = hi - lo + 1;
	for (uint32_t left = span - 1; left; left >>= 8)
		v = v << 8 | (r->at < r->n ? r->p[r->at++] : 0);
	return lo + (span ? v % span : v);
}

static inline int32_t pick(reader_t *r, const int32_t *v, size_t n)
{
	return v[take(r, 0, (uint32_t)n - 1)];
}

/* The tensors of one input, released together. */
typedef struct tensors {
	enpu_tensor_t *t[10];
	int n;
} tensors_t;

/* What the input recorded, for the report of a difference. */
extern char desc[512];
#define DESC(...) snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), __VA_ARGS__)

extern enpu_device_t *ref; /* the reference device */
/* The data stream (seeded from the input) */
uint8_t next_byte(void);
/* Reports what failed and aborts. */
void die(const char *what, enpu_status_t st);
/* A tensor on the reference device, filled from the data stream (extremes
 * more often than their share); flags may mark it constant. */
enpu_tensor_t *tensor(tensors_t *ts, reader_t *r, enpu_dtype_t dt, uint32_t rank,
		      const uint32_t *dims, const enpu_quant_t *q, uint32_t flags);

#endif
