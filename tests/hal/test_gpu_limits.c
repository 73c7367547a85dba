/* SPDX-License-Identifier: MIT */
/* The GPU backend within the device's limits (white-box: the test lowers
 * gpu_device_t's copies of them). Workgroup counts: a GEMM or convolution
 * whose tiled dispatch would exceed maxComputeWorkGroupCount runs on the
 * plain shader, bit-exact (gpu_launch refuses a dispatch past the limits,
 * so a path that ignored them fails); an op past what the plain shader's
 * workgroups reach is UNSUPPORTED. An op with nothing to copy still gets a
 * scratch buffer (its absent sections' descriptors). maxStorageBufferRange: tensors used in
 * place take no room in the scratch buffer, so ops larger than one storage
 * buffer together run; a tensor whose own binding would exceed the range is
 * not bound past it (copied, and refused here as too large). */
#include <stdlib.h>
#include <string.h>
#include "kconv.h"
#include "tests.h"
#if __has_include(<vulkan/vulkan.h>)
#include "../../libhal/src/gpu/gpu.h"

/* A [rows][cols] int8 tensor on dev holding data (or zeros). */
static enpu_tensor_t *tensor(tctx *t, enpu_device_t *dev, uint32_t rows, uint32_t cols,
			     float scale, int32_t zp, const void *data)
{
	enpu_quant_t q = t_q(scale, zp);

	return t_tensor(t, dev, ENPU_DTYPE_INT8, 2, (uint32_t[]){ rows, cols }, &q, data);
}

/* C = A B^T (M x K, N x K) on the GPU and the reference; false on failure. */
static bool gemm_matches(tctx *t, t_env *e, uint32_t m, uint32_t n, uint32_t k)
{
	int8_t *a = malloc((size_t)m * k), *b = malloc((size_t)n * k);
	enpu_tensor_t *ts[6] = { NULL };
	enpu_command_list_t *l[2] = { NULL, NULL };
	enpu_device_t *devs[2] = { e->cpu, e->ref };
	bool ok = false;

	CHECK(t, a && b, "malloc");
	t_fill_i8(t, a, (size_t)m * k);
	t_fill_i8(t, b, (size_t)n * k);
	for (int i = 0; i < 2; i++) {
		ts[3 * i] = tensor(t, devs[i], m, k, 0.5f, -3, a);
		ts[3 * i + 1] = tensor(t, devs[i], n, k, 0.5f, 0, b);
		ts[3 * i + 2] = tensor(t, devs[i], m, n, 0.75f, 2, NULL);
		CHECK(t, ts[3 * i] && ts[3 * i + 1] && ts[3 * i + 2], "tensors");
		CHECK_OK(t, enpu_command_list_create(&l[i]));
		CHECK_OK(t, enpu_cmd_gemm(l[i], &(enpu_gemm_params_t){ .a = ts[3 * i],
									.b = ts[3 * i + 1],
									.c = ts[3 * i + 2] }));
		CHECK_OK(t, t_run(devs[i], l[i]));
	}
	CHECK(t, !memcmp(t_data(ts[2]), t_data(ts[5]), (size_t)m * n),
	      "gemm %ux%ux%u: the GPU differs from the reference", m, n, k);
	ok = true;
out:
	for (int i = 0; i < 6; i++)
		enpu_tensor_release(ts[i]);
	enpu_command_list_release(l[0]);
	enpu_command_list_release(l[1]);
	free(a);
	free(b);
	return ok;
}

/* Requantizes bytes (a multiple of 1024) from one GPU buffer into another;
 * the status, and with ENPU_OK the output compared with the reference. */
static enpu_status_t requant(tctx *t, t_env *e, size_t bytes, bool *same)
{
	uint32_t rows = (uint32_t)(bytes / 1024);
	int8_t *in = malloc(bytes);
	enpu_tensor_t *ts[4] = { NULL };
	enpu_command_list_t *l[2] = { NULL, NULL };
	enpu_device_t *devs[2] = { e->cpu, e->ref };
	enpu_status_t st = enpu_status_make(ENPU_STATUS_INTERNAL, "test setup failed");

	*same = false;
	if (!in)
		goto out;
	t_fill_i8(t, in, bytes);
	for (int i = 1; i >= 0; i--) {
		ts[2 * i] = tensor(t, devs[i], rows, 1024, 0.5f, 1, in);
		ts[2 * i + 1] = tensor(t, devs[i], rows, 1024, 0.375f, -2, NULL);
		if (!ts[2 * i] || !ts[2 * i + 1] || enpu_command_list_create(&l[i]) ||
		    enpu_cmd_requantize(l[i], &(enpu_requantize_params_t){
						      .input = ts[2 * i], .output = ts[2 * i + 1] }))
			goto out;
		enpu_status_free(st);
		st = t_run(devs[i], l[i]);
		if (st != ENPU_OK)
			goto out;
	}
	*same = !memcmp(t_data(ts[1]), t_data(ts[3]), bytes);
out:
	for (int i = 0; i < 4; i++)
		enpu_tensor_release(ts[i]);
	enpu_command_list_release(l[0]);
	enpu_command_list_release(l[1]);
	free(in);
	return st;
}

void test_gpu_limits(tctx *t)
{
	t_env e;
	if (!t_env_open(t, &e, T_DUT_GPU, 1))
		return;
	gpu_device_t *d = e.cpu->state;
	uint32_t groups[2] = { d->max_groups[0], d->max_groups[1] };
	VkDeviceSize range = d->max_range;
	enpu_status_t st = ENPU_OK;
	bool same;

	/* the first op, all in place where the shaders use imports: the
	 * descriptors of its absent sections still need the scratch buffer */
	st = requant(t, &e, 1024, &same);
	CHECK(t, st == ENPU_OK && same && d->scratch, "requantize of 1 KiB: %s",
	      st ? enpu_status_message(st) : same ? "no scratch buffer" : "wrong result");
	enpu_status_free(st);
	st = ENPU_OK;
	/* 8 x 8 workgroups: the tiled GEMM of N = 1024 needs 16 in x, the tiled
	 * convolution of 1024 channels too; the plain shaders 16 (64 words a
	 * group); 4352 words need 68 */
	d->max_groups[0] = d->max_groups[1] = 8;
	if (!gemm_matches(t, &e, 8, 1024, 16))
		goto out;
	kconv_t k = { .n = 1, .h = 2, .w = 2, .cin = 4, .cout = 1024, .kh = 1, .kw = 1,
		      .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1, .in_zp = 3, .out_zp = -1 };
	if (!kconv_run(t, &e, &k))
		goto out;
	st = requant(t, &e, 4096 * 4, &same);
	CHECK(t, st == ENPU_OK && same, "requantize of 4096 words: %s",
	      st ? enpu_status_message(st) : "differs from the reference");
	enpu_status_free(st);
	st = requant(t, &e, 17 * 1024, &same);
	CHECK(t, enpu_status_code(st) == ENPU_STATUS_UNSUPPORTED,
	      "requantize of 4352 words on 8 x 8 workgroups: %s, expected UNSUPPORTED",
	      st ? enpu_status_message(st) : "OK");
	enpu_status_free(st);
	st = ENPU_OK;
	d->max_groups[0] = groups[0];
	d->max_groups[1] = groups[1];

	if (!d->host_import || d->staged) {
		t_skip(t, "the GPU's shaders do not use imported host memory in place: only the "
			  "workgroup limits were tested");
		goto out;
	}
	/* storage buffers of 1 MiB: 2 x 768 KiB in place run, a tensor of
	 * 1.5 MiB cannot be bound */
	d->max_range = 1 << 20;
	uint64_t imported = d->imported_bytes, copied = d->copied_bytes;
	st = requant(t, &e, 768 << 10, &same);
	CHECK(t, st == ENPU_OK && same, "requantize of 768 KiB in place: %s",
	      st ? enpu_status_message(st) : "differs from the reference");
	CHECK(t, d->imported_bytes - imported == 2 * (768 << 10) && d->copied_bytes == copied,
	      "requantize of 768 KiB: %llu bytes imported, %llu copied",
	      (unsigned long long)(d->imported_bytes - imported),
	      (unsigned long long)(d->copied_bytes - copied));
	enpu_status_free(st);
	st = requant(t, &e, 1536 << 10, &same);
	CHECK(t, enpu_status_code(st) == ENPU_STATUS_RESOURCE_EXHAUSTED,
	      "requantize of 1.5 MiB with 1 MiB storage buffers: %s, expected "
	      "RESOURCE_EXHAUSTED",
	      st ? enpu_status_message(st) : "OK");
out:
	enpu_status_free(st);
	d->max_groups[0] = groups[0];
	d->max_groups[1] = groups[1];
	d->max_range = range;
	t_env_close(&e);
}
#else
void test_gpu_limits(tctx *t)
{
	t_skip(t, "built without the Vulkan headers: no GPU backend");
}
#endif
