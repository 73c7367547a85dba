/* SPDX-License-Identifier: MIT */
/* enpu HAL: device buffers. A buffer is a ref-counted span of device-accessible
 * memory. On host devices (CPU, reference) buffers are ordinary memory and may
 * be used by any host device; an NPU backend may back them with dma-bufs.
 * Thread safety: retain/release/map/unmap are thread-safe; concurrent writes to
 * the same bytes are the caller's problem. */
#ifndef ENPU_BUFFER_H
#define ENPU_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include "device.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct enpu_buffer enpu_buffer_t;

/* Called when a wrapped buffer's last reference goes away, on the thread
 * that drops it: where a submission held that reference, a device queue's
 * thread, before the submission's fence signals and the queue's next work
 * starts; so it must not wait for work of that device. */
typedef void (*enpu_buffer_release_fn)(void *user_data, void *host_ptr);

/* Allocates size bytes (zero-filled, 64-byte aligned). On the CPU device the
 * memory is a memfd mapping so that it can be exported as a file descriptor. */
enpu_status_t enpu_buffer_allocate(enpu_device_t *device, size_t size,
				   enpu_buffer_t **out_buffer);
/* Wraps existing user memory without copying. The memory must stay valid until
 * release_fn (may be NULL) is called. */
enpu_status_t enpu_buffer_wrap(enpu_device_t *device, void *host_ptr, size_t size,
			       enpu_buffer_release_fn release_fn, void *user_data,
			       enpu_buffer_t **out_buffer);
/* Imports size bytes at offset of a dma-buf (or any mmap-able fd: memfd, udmabuf).
 * The fd is duplicated; the caller keeps ownership of its own fd. */
enpu_status_t enpu_buffer_import_fd(enpu_device_t *device, int fd, size_t offset,
				    size_t size, enpu_buffer_t **out_buffer);
/* Returns a new fd (caller closes it) referring to the buffer's memory, and the
 * byte offset of the buffer inside it. UNSUPPORTED for wrapped user memory. */
enpu_status_t enpu_buffer_export_fd(enpu_buffer_t *buffer, int *out_fd,
				    size_t *out_offset);

void enpu_buffer_retain(enpu_buffer_t *buffer);
void enpu_buffer_release(enpu_buffer_t *buffer);
size_t enpu_buffer_size(const enpu_buffer_t *buffer);

/* Maps [offset, offset+length) for host access. Mappings nest (counted). */
enpu_status_t enpu_buffer_map(enpu_buffer_t *buffer, size_t offset, size_t length,
			      void **out_ptr);
enpu_status_t enpu_buffer_unmap(enpu_buffer_t *buffer);

/* Cache maintenance around host access of memory a device also touches.
 * Every current backend's memory is coherent (host memory; the enpu NPU's
 * buffers), so both only check their arguments; call them anyway, as a
 * non-coherent device would need them. */
enpu_status_t enpu_buffer_sync_for_cpu(enpu_buffer_t *buffer);
enpu_status_t enpu_buffer_sync_for_device(enpu_buffer_t *buffer);

#ifdef __cplusplus
}
#endif
#endif
