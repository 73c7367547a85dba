/* SPDX-License-Identifier: MIT */
/* Internal: context layout (read by device.c to open devices). */
#ifndef ENPU_CONTEXT_IMPL_H
#define ENPU_CONTEXT_IMPL_H

#include "backend.h"

typedef struct enpu_context_entry {
	const enpu_backend_t *backend;
	size_t local_index;
	enpu_device_info_t info;
} enpu_context_entry_t;

struct enpu_context {
	enpu_refcount_t ref;
	enpu_context_entry_t *entries;
	size_t count;
};

#endif
