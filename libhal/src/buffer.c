/* SPDX-License-Identifier: MIT */
/* Public buffer API: argument checks, then dispatch to the backend/buffer ops. */
#include "backend.h"
#include "buffer_impl.h"

#define CHECK_NOT_NULL(ptr, fn)                                                        \
	do {                                                                           \
		if (!(ptr))                                                            \
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,          \
						"%s: %s is NULL", fn, #ptr);           \
	} while (0)
/* Output pointers hold value on every failure, whatever argument is bad. */
#define CLEAR(out, value)                                                              \
	do {                                                                           \
		if (out)                                                               \
			*(out) = (value);                                              \
	} while (0)

enpu_status_t enpu_buffer_allocate(enpu_device_t *device, size_t size,
				   enpu_buffer_t **out_buffer)
{
	CLEAR(out_buffer, NULL);
	CHECK_NOT_NULL(device, "enpu_buffer_allocate");
	CHECK_NOT_NULL(out_buffer, "enpu_buffer_allocate");
	if (size == 0)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_buffer_allocate: size is 0");
	return device->backend->buffer_allocate(device, size, out_buffer);
}

enpu_status_t enpu_buffer_wrap(enpu_device_t *device, void *host_ptr, size_t size,
			       enpu_buffer_release_fn release_fn, void *user_data,
			       enpu_buffer_t **out_buffer)
{
	CLEAR(out_buffer, NULL);
	CHECK_NOT_NULL(device, "enpu_buffer_wrap");
	CHECK_NOT_NULL(host_ptr, "enpu_buffer_wrap");
	CHECK_NOT_NULL(out_buffer, "enpu_buffer_wrap");
	if (size == 0)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "enpu_buffer_wrap: size is 0");
	return device->backend->buffer_wrap(device, host_ptr, size, release_fn, user_data,
					    out_buffer);
}

enpu_status_t enpu_buffer_import_fd(enpu_device_t *device, int fd, size_t offset,
				    size_t size, enpu_buffer_t **out_buffer)
{
	CLEAR(out_buffer, NULL);
	CHECK_NOT_NULL(device, "enpu_buffer_import_fd");
	CHECK_NOT_NULL(out_buffer, "enpu_buffer_import_fd");
	if (fd < 0)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_buffer_import_fd: fd %d is invalid", fd);
	if (size == 0)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_buffer_import_fd: size is 0");
	return device->backend->buffer_import_fd(device, fd, offset, size, out_buffer);
}

enpu_status_t enpu_buffer_export_fd(enpu_buffer_t *buffer, int *out_fd, size_t *out_offset)
{
	CLEAR(out_fd, -1);
	CHECK_NOT_NULL(buffer, "enpu_buffer_export_fd");
	CHECK_NOT_NULL(out_fd, "enpu_buffer_export_fd");
	CHECK_NOT_NULL(out_offset, "enpu_buffer_export_fd");
	return buffer->ops->export_fd(buffer, out_fd, out_offset);
}

void enpu_buffer_retain(enpu_buffer_t *buffer)
{
	if (buffer)
		enpu_ref_inc(&buffer->ref);
}

void enpu_buffer_attach(enpu_buffer_t *buffer, enpu_buffer_attachment_t *a)
{
	a->next = atomic_load(&buffer->attachments);
	while (!atomic_compare_exchange_weak(&buffer->attachments, &a->next, a))
		;
}

enpu_buffer_attachment_t *enpu_buffer_attachment_find(enpu_buffer_t *buffer, const void *owner)
{
	for (enpu_buffer_attachment_t *a = atomic_load(&buffer->attachments); a; a = a->next)
		if (a->owner == owner)
			return a;
	return NULL;
}

void enpu_buffer_release(enpu_buffer_t *buffer)
{
	if (buffer && enpu_ref_dec(&buffer->ref)) {
		enpu_device_t *device = buffer->device;
		enpu_buffer_attachment_t *a = atomic_load(&buffer->attachments);

		while (a) {
			enpu_buffer_attachment_t *next = a->next;

			a->release(a);
			a = next;
		}
		buffer->ops->destroy(buffer);
		enpu_device_release(device);
	}
}

size_t enpu_buffer_size(const enpu_buffer_t *buffer)
{
	return buffer ? buffer->size : 0;
}

enpu_status_t enpu_buffer_map(enpu_buffer_t *buffer, size_t offset, size_t length,
			      void **out_ptr)
{
	CLEAR(out_ptr, NULL);
	CHECK_NOT_NULL(buffer, "enpu_buffer_map");
	CHECK_NOT_NULL(out_ptr, "enpu_buffer_map");
	if (offset > buffer->size || length > buffer->size - offset)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"enpu_buffer_map: range [%zu, +%zu) exceeds buffer size %zu",
					offset, length, buffer->size);
	enpu_status_t st = buffer->ops->map(buffer, offset, length, out_ptr);
	if (!st)
		atomic_fetch_add(&buffer->map_count, 1);
	return st;
}

enpu_status_t enpu_buffer_unmap(enpu_buffer_t *buffer)
{
	CHECK_NOT_NULL(buffer, "enpu_buffer_unmap");
	int count = atomic_load(&buffer->map_count);
	do {
		if (count <= 0)
			return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
						"enpu_buffer_unmap: buffer is not mapped");
	} while (!atomic_compare_exchange_weak(&buffer->map_count, &count, count - 1));
	return buffer->ops->unmap(buffer);
}

enpu_status_t enpu_buffer_sync_for_cpu(enpu_buffer_t *buffer)
{
	CHECK_NOT_NULL(buffer, "enpu_buffer_sync_for_cpu");
	return buffer->ops->sync(buffer, true);
}

enpu_status_t enpu_buffer_sync_for_device(enpu_buffer_t *buffer)
{
	CHECK_NOT_NULL(buffer, "enpu_buffer_sync_for_device");
	return buffer->ops->sync(buffer, false);
}
