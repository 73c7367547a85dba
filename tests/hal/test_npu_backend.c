/* SPDX-License-Identifier: MIT */
/* The NPU backend (`/npu`, in the VM): buffers that share a BO (a dma-buf the
 * NPU exported, imported on the same NPU, gets the exporter's GEM handle back
 * from PRIME); ops past the command stream's limits. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "tests.h"

/* in (int8 [64], scale 1) -> out (scale 0.5): every value doubled */
static bool doubled(tctx *t, enpu_device_t *dev, enpu_buffer_t *src, size_t src_off,
		    enpu_buffer_t *dst, size_t dst_off)
{
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { 64 },
				 .quant = t_q(1.0f, 0) };
	enpu_tensor_desc_t dh = d;
	enpu_tensor_t *in = NULL, *out = NULL;
	enpu_command_list_t *l = NULL;
	bool ok = false;

	dh.quant = t_q(0.5f, 0);
	CHECK_OK(t, enpu_tensor_create(src, src_off, &d, &in));
	CHECK_OK(t, enpu_tensor_create(dst, dst_off, &dh, &out));
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = in, .output = out }));
	CHECK_OK(t, enpu_device_execute(dev, l));
	ok = true;
out:
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
	return ok;
}

/* Imports (two) of an NPU buffer's dma-buf on that NPU: one op may use the
 * buffer and its import together; releasing the imports leaves the BO to
 * the exporter (before, the first release closed the shared handle and a
 * new buffer took its number: an op on the exporter then read the new
 * buffer's zeros and returned OK). */
void test_buffer_import_alias_npu(tctx *t)
{
	t_env e;
	enpu_buffer_t *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	int8_t *pa = NULL;
	int fd = -1;
	size_t off = 1;

	if (!t_env_open(t, &e, T_DUT_NPU, 1))
		return;
	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 4096, &a));
	CHECK_OK(t, enpu_buffer_map(a, 0, 4096, (void **)&pa));
	for (int i = 0; i < 64; i++)
		pa[i] = (int8_t)(i - 32);
	CHECK_OK(t, enpu_buffer_export_fd(a, &fd, &off));
	CHECK(t, fd >= 0 && off == 0, "export: fd %d offset %zu", fd, off);
	CHECK_OK(t, enpu_buffer_import_fd(e.cpu, fd, 0, 4096, &b));
	CHECK_OK(t, enpu_buffer_import_fd(e.cpu, fd, 0, 4096, &c));
	enpu_buffer_release(c);
	c = NULL;
	/* read a, write its import b: one BO in the job */
	CHECK(t, doubled(t, e.cpu, a, 0, b, 1024), "a -> b");
	for (int i = 0; i < 64; i++)
		CHECK(t, pa[1024 + i] == 2 * (i - 32), "through the import: [%d] = %d", i,
		      pa[1024 + i]);
	enpu_buffer_release(b);
	b = NULL;
	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 4096, &d));
	CHECK(t, doubled(t, e.cpu, a, 0, a, 2048), "a -> a");
	for (int i = 0; i < 64; i++)
		CHECK(t, pa[2048 + i] == 2 * (i - 32), "after the imports went: [%d] = %d", i,
		      pa[2048 + i]);
out:
	if (fd >= 0)
		close(fd);
	if (pa)
		enpu_buffer_unmap(a);
	enpu_buffer_release(a);
	enpu_buffer_release(b);
	enpu_buffer_release(c);
	enpu_buffer_release(d);
	t_env_close(&e);
}

/* A dma-buf of the NPU imported at an offset on the NPU: a BO at that offset
 * (before, it became host memory, which the NPU cannot pin: DEVICE_ERROR
 * in the op), re-exported with its offset. With a second NPU (`tools/vm/run
 * -p sim_devices=2`): its buffers are not accessible here as they are,
 * but are as an imported dma-buf. */
void test_import_offset_npu(tctx *t)
{
	t_env e;
	enpu_buffer_t *a = NULL, *b = NULL, *o = NULL, *oi = NULL;
	enpu_device_t *npu1 = NULL;
	int8_t *pa = NULL;
	int fd = -1, fd2 = -1, fd3 = -1;
	size_t off = 0;

	if (!t_env_open(t, &e, T_DUT_NPU, 1))
		return;
	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 8192, &a));
	CHECK_OK(t, enpu_buffer_map(a, 0, 8192, (void **)&pa));
	for (int i = 0; i < 64; i++)
		pa[4096 + i] = (int8_t)(i - 32);
	CHECK_OK(t, enpu_buffer_export_fd(a, &fd, &off));
	CHECK_OK(t, enpu_buffer_import_fd(e.cpu, fd, 4096, 4096, &b));
	CHECK(t, doubled(t, e.cpu, b, 0, a, 1024), "b -> a");
	for (int i = 0; i < 64; i++)
		CHECK(t, pa[1024 + i] == 2 * (i - 32), "from the import at 4096: [%d] = %d", i,
		      pa[1024 + i]);
	CHECK_OK(t, enpu_buffer_export_fd(b, &fd2, &off));
	CHECK(t, off == 4096, "re-exported at offset %zu", off);
	CHECK_ERR(t, enpu_buffer_import_fd(e.cpu, fd, 4096, 4097, &o), ENPU_STATUS_OUT_OF_RANGE,
		  "exceeds the dma-buf's 8192 bytes");
	/* a second NPU's buffer */
	for (size_t i = 0; i < enpu_context_device_count(e.ctx) && !npu1; i++) {
		enpu_device_info_t info;
		CHECK_OK(t, enpu_context_device_info(e.ctx, i, &info));
		if (info.type == ENPU_DEVICE_NPU && strcmp(info.name, "npu0"))
			CHECK_OK(t, enpu_device_open(e.ctx, i, NULL, &npu1));
	}
	if (npu1) {
		int8_t *po;
		CHECK_OK(t, enpu_buffer_allocate(npu1, 4096, &o));
		CHECK_OK(t, enpu_buffer_map(o, 0, 4096, (void **)&po));
		for (int i = 0; i < 64; i++)
			po[i] = (int8_t)(i - 32);
		CHECK_OK(t, enpu_buffer_unmap(o));
		{
			enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { 64 },
						 .quant = t_q(1.0f, 0) };
			enpu_tensor_t *x = NULL, *y = NULL;
			enpu_command_list_t *l = NULL;
			enpu_status_t es = enpu_tensor_create(o, 0, &d, &x);
			if (!es)
				es = enpu_tensor_create(a, 2048, &d, &y);
			if (!es)
				es = enpu_command_list_create(&l);
			if (!es)
				es = enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = x,
											.output = y });
			if (!es)
				es = enpu_device_execute(e.cpu, l);
			char msg[256];
			bool refused = enpu_status_code(es) == ENPU_STATUS_INVALID_ARGUMENT &&
				       strstr(enpu_status_message(es), "not accessible");
			snprintf(msg, sizeof(msg), "%s", enpu_status_message(es));
			enpu_status_free(es);
			enpu_command_list_release(l);
			enpu_tensor_release(x);
			enpu_tensor_release(y);
			CHECK(t, refused, "another NPU's buffer as it is: %s", msg);
		}
		CHECK_OK(t, enpu_buffer_export_fd(o, &fd3, &off));
		CHECK_OK(t, enpu_buffer_import_fd(e.cpu, fd3, 0, 4096, &oi));
		CHECK(t, doubled(t, e.cpu, oi, 0, a, 2048), "its dma-buf, imported");
		for (int i = 0; i < 64; i++)
			CHECK(t, pa[2048 + i] == 2 * (i - 32), "from npu1: [%d] = %d", i, pa[2048 + i]);
	}
out:
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	if (fd3 >= 0)
		close(fd3);
	if (pa)
		enpu_buffer_unmap(a);
	enpu_buffer_release(a);
	enpu_buffer_release(b);
	enpu_buffer_release(o);
	enpu_buffer_release(oi);
	enpu_device_release(npu1);
	t_env_close(&e);
}

/* Valid ops the command stream cannot take (docs/hw-model.md): UNSUPPORTED,
 * naming the limit, where the driver's EINVAL read INVALID_ARGUMENT. */
void test_limits_npu(tctx *t)
{
	t_env e;
	enpu_tensor_t *a = NULL, *b = NULL, *c = NULL, *bias = NULL;
	enpu_buffer_t *wb = NULL;
	enpu_command_list_t *l = NULL;
	char *mem = NULL;

	if (!t_env_open(t, &e, T_DUT_NPU, 1))
		return;
	enpu_quant_t q = t_q(0.5f, 0);
	/* M = 65537 */
	a = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 65537, 1 }, &q, NULL);
	b = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 1, 1 }, &q, NULL);
	c = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 65537, 1 }, &q, NULL);
	CHECK(t, a && b && c, "tensors");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = b, .c = c }));
	CHECK_ERR(t, enpu_device_execute(e.cpu, l), ENPU_STATUS_UNSUPPORTED,
		  "dimension, kernel, stride, dilation or group count past the NPU's 65536");
	enpu_command_list_release(l);
	l = NULL;
	enpu_tensor_release(a);
	enpu_tensor_release(c);
	a = c = NULL;
	/* an int32 bias in wrapped memory at an address 2 mod 4 */
	mem = aligned_alloc(64, 128);
	CHECK(t, mem, "out of memory");
	memset(mem, 0, 128);
	CHECK_OK(t, enpu_buffer_wrap(e.cpu, mem + 2, 64, NULL, NULL, &wb));
	enpu_tensor_desc_t bd = { .dtype = ENPU_DTYPE_INT32, .rank = 1, .dims = { 1 } };
	CHECK_OK(t, enpu_tensor_create(wb, 0, &bd, &bias));
	a = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 2, 1 }, &q, NULL);
	c = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 2, 1 }, &q, NULL);
	CHECK(t, a && c, "tensors");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = b, .c = c, .bias = bias }));
	CHECK_ERR(t, enpu_device_execute(e.cpu, l), ENPU_STATUS_UNSUPPORTED,
		  "not aligned to its 4-byte elements");
	enpu_command_list_release(l);
	l = NULL;
	enpu_tensor_release(a);
	enpu_tensor_release(c);
	/* an int8 requantization of 2^29 + 65536 elements: 512 MiB, within the
	 * tensor limit, past the descriptor's count (pages never touched) */
	a = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 8193, 65536 }, &q, NULL);
	c = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ 8193, 65536 }, &q, NULL);
	CHECK(t, a && c, "tensors");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = a, .output = c }));
	CHECK_ERR(t, enpu_device_execute(e.cpu, l), ENPU_STATUS_UNSUPPORTED,
		  "2^29 elements at most");
out:
	enpu_command_list_release(l);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(c);
	enpu_tensor_release(bias);
	enpu_buffer_release(wb);
	free(mem);
	t_env_close(&e);
}
