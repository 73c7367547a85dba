/* SPDX-License-Identifier: MIT */
/* The NPU backend (`/npu`, in the VM): buffers that share a BO (a dma-buf the
 * NPU exported, imported on the same NPU, gets the exporter's GEM handle back
 * from PRIME); ops past the command stream's limits. */
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
