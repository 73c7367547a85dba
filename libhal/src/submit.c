/* SPDX-License-Identifier: MIT */
/* enpu_device_submit and enpu_device_execute: check the list against the
 * device, seal it and hand it to the backend (submit: with a new device
 * fence). */
#include "backend.h"
#include "command_list_impl.h"
#include "fence_impl.h"
#include "tensor_impl.h"

/* fn: the API function, for the messages. */
static enpu_status_t check_op(const char *fn, const enpu_device_t *dev, size_t i,
			      const enpu_op_t *op)
{
	if (!(dev->info.op_mask & (1u << op->kind)) ||
	    !(dev->info.dtype_mask & (1u << op->dtype)))
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"%s: device %s does not support op %zu (%s %s)", fn,
					dev->info.name, i, enpu_op_kind_name(op->kind),
					enpu_dtype_name(op->dtype));
	for (int r = 0; r < ENPU_OP_TENSORS; r++) {
		const enpu_tensor_t *t = op->tensors[r];
		if (t && !dev->backend->buffer_accessible(dev, t->buffer))
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: op %zu (%s): a buffer is not "
						"accessible from device %s",
						fn, i, enpu_op_kind_name(op->kind), dev->info.name);
	}
	return ENPU_OK;
}

static enpu_status_t check_list(const char *fn, const enpu_device_t *device,
				const enpu_command_list_t *list)
{
	for (size_t i = 0; i < list->count; i++) {
		enpu_status_t st = check_op(fn, device, i, &list->ops[i]);
		if (st)
			return st;
	}
	return ENPU_OK;
}

enpu_status_t enpu_device_submit(enpu_device_t *device, enpu_command_list_t *list,
				 enpu_fence_t *const *wait_fences, size_t wait_count,
				 enpu_fence_t **out_fence)
{
	if (out_fence)
		*out_fence = NULL;
	if (!device || !list || !out_fence || (wait_count && !wait_fences))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_device_submit: %s is NULL",
					!device ? "device" : !list ? "list" : !out_fence ? "out_fence"
										  : "wait_fences");
	for (size_t i = 0; i < wait_count; i++)
		if (!wait_fences[i])
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"enpu_device_submit: wait_fences[%zu] is NULL", i);
	enpu_status_t st = check_list("enpu_device_submit", device, list);
	if (st)
		return st;
	enpu_fence_t *fence;
	st = enpu_fence_create_device(&fence);
	if (st)
		return st;
	atomic_store(&list->sealed, true);
	st = device->backend->submit(device, list, wait_fences, wait_count, fence);
	if (st) {
		enpu_fence_release(fence);
		return st;
	}
	*out_fence = fence;
	return ENPU_OK;
}

enpu_status_t enpu_device_execute(enpu_device_t *device, enpu_command_list_t *list)
{
	if (!device || !list)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_device_execute: %s is NULL", !device ? "device" : "list");
	enpu_status_t st = check_list("enpu_device_execute", device, list);
	if (st)
		return st;
	atomic_store(&list->sealed, true);
	return device->backend->execute(device, list);
}
