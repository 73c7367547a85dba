/* SPDX-License-Identifier: MIT */
/* Internal: atomic reference counts shared by all HAL objects. */
#ifndef ENPU_REFCOUNT_H
#define ENPU_REFCOUNT_H

#include <stdatomic.h>
#include <stdbool.h>

typedef struct { atomic_uint count; } enpu_refcount_t;

static inline void enpu_ref_init(enpu_refcount_t *r) { atomic_init(&r->count, 1u); }
static inline void enpu_ref_inc(enpu_refcount_t *r)
{
	atomic_fetch_add_explicit(&r->count, 1u, memory_order_relaxed);
}
/* True when this was the last reference. */
static inline bool enpu_ref_dec(enpu_refcount_t *r)
{
	return atomic_fetch_sub_explicit(&r->count, 1u, memory_order_acq_rel) == 1u;
}

#endif
