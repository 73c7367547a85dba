/* SPDX-License-Identifier: MIT */
/* Internal: buffer object layout. Backends embed enpu_buffer_t first in their
 * own buffer struct and provide the ops table. */
#ifndef ENPU_BUFFER_IMPL_H
#define ENPU_BUFFER_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include "enpu/buffer.h"
#include "refcount.h"

typedef struct enpu_buffer_ops {
	void (*destroy)(enpu_buffer_t *buffer);
	enpu_status_t (*export_fd)(enpu_buffer_t *buffer, int *fd, size_t *offset);
	enpu_status_t (*map)(enpu_buffer_t *buffer, size_t offset, size_t length, void **ptr);
	enpu_status_t (*unmap)(enpu_buffer_t *buffer);
	enpu_status_t (*sync)(enpu_buffer_t *buffer, bool for_cpu);
} enpu_buffer_ops_t;

/* State that a device keeps with a buffer it uses but does not own (a GPU's
 * import of the buffer's host memory): found by owner, and released, on any
 * thread, when the buffer is destroyed, before its memory goes. */
typedef struct enpu_buffer_attachment {
	struct enpu_buffer_attachment *next;
	const void *owner;
	void (*release)(struct enpu_buffer_attachment *a);
} enpu_buffer_attachment_t;

struct enpu_buffer {
	enpu_refcount_t ref;
	const enpu_buffer_ops_t *ops;
	enpu_device_t *device; /* retained */
	size_t size;
	void *host;            /* host address when always host-accessible, else NULL */
	atomic_int map_count;
	_Atomic(enpu_buffer_attachment_t *) attachments; /* NULL-initialized (calloc) */
};

/* Adds a (lock-free: devices may attach concurrently); one per owner. */
void enpu_buffer_attach(enpu_buffer_t *buffer, enpu_buffer_attachment_t *a);
/* The attachment of owner, or NULL. */
enpu_buffer_attachment_t *enpu_buffer_attachment_find(enpu_buffer_t *buffer, const void *owner);

/* Host memory buffers (memfd allocations, wrapped pointers, mmap'ed fds),
 * shared by the CPU and reference backends. */
enpu_status_t enpu_host_buffer_allocate(enpu_device_t *device, size_t size,
					enpu_buffer_t **out);
enpu_status_t enpu_host_buffer_wrap(enpu_device_t *device, void *ptr, size_t size,
				    enpu_buffer_release_fn fn, void *user,
				    enpu_buffer_t **out);
enpu_status_t enpu_host_buffer_import_fd(enpu_device_t *device, int fd, size_t offset,
					 size_t size, enpu_buffer_t **out);
bool enpu_host_buffer_accessible(const enpu_device_t *device, const enpu_buffer_t *buffer);

#endif
