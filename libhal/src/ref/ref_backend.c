/* SPDX-License-Identifier: MIT */
/* The reference backend: one device ("ref0") running the plain-C oracle
 * kernels on its submission queue thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../backend.h"
#include "../buffer_impl.h"
#include "../host_queue.h"
#include "ref_kernels.h"

static size_t ref_enumerate(enpu_device_info_t *infos, size_t cap)
{
	if (cap >= 1) {
		enpu_device_info_t *i = &infos[0];
		memset(i, 0, sizeof(*i));
		snprintf(i->name, sizeof(i->name), "ref0");
		snprintf(i->description, sizeof(i->description),
			 "reference kernels (plain C oracle, single thread)");
		i->type = ENPU_DEVICE_REFERENCE;
		i->op_mask = (1u << ENPU_OP_KIND_COUNT) - 1u;
		i->dtype_mask = 1u << ENPU_DTYPE_INT8 | 1u << ENPU_DTYPE_FP16;
		i->core_count = 1;
	}
	return 1;
}

static enpu_status_t ref_exec(void *ctx, const enpu_op_t *op)
{
	(void)ctx;
	bool f16 = op->dtype == ENPU_DTYPE_FP16;
	switch (op->kind) {
	case ENPU_OP_GEMM: f16 ? ref_gemm_f16(op) : ref_gemm_i8(op); break;
	case ENPU_OP_CONV2D: f16 ? ref_conv_f16(op) : ref_conv_i8(op); break;
	case ENPU_OP_POOL: ref_pool_i8(op); break;
	case ENPU_OP_ADD: ref_add_i8(op); break;
	case ENPU_OP_MUL: ref_mul_i8(op); break;
	case ENPU_OP_REQUANTIZE: ref_requant_i8(op); break;
	case ENPU_OP_CAST: ref_cast(op); break;
	case ENPU_OP_KIND_COUNT:
		return enpu_status_make(ENPU_STATUS_INTERNAL, "ref: invalid op kind");
	}
	return ENPU_OK;
}

static enpu_status_t ref_open(size_t local_index, const enpu_device_options_t *options,
			      enpu_device_info_t *info, void **state)
{
	(void)local_index;
	(void)options;
	return enpu_host_queue_create(info->name, ref_exec, NULL, (enpu_host_queue_t **)state);
}

static void ref_close(void *state) { enpu_host_queue_destroy(state); }

static enpu_status_t ref_submit(enpu_device_t *device, enpu_command_list_t *list,
				enpu_fence_t *const *waits, size_t wait_count, enpu_fence_t *fence)
{
	return enpu_host_queue_submit(device->state, device, list, waits, wait_count, fence);
}

static enpu_status_t ref_execute(enpu_device_t *device, enpu_command_list_t *list)
{
	return enpu_host_queue_execute(device->state, device, list);
}

const enpu_backend_t enpu_ref_backend = {
	.name = "ref",
	.enumerate = ref_enumerate,
	.open = ref_open,
	.close = ref_close,
	.buffer_allocate = enpu_host_buffer_allocate,
	.buffer_wrap = enpu_host_buffer_wrap,
	.buffer_import_fd = enpu_host_buffer_import_fd,
	.buffer_accessible = enpu_host_buffer_accessible,
	.submit = ref_submit,
	.execute = ref_execute,
};
