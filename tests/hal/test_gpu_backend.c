/* SPDX-License-Identifier: MIT */
/* White-box tests of the GPU backend. Host-memory import (gpu_import.c):
 * tensors the device can import are used in place (counted in
 * imported_bytes), the others are copied (copied_bytes), and the results
 * agree bit-exactly with the reference either way; an import keeps the device
 * alive past its release; an NPU buffer shared as a dma-buf reaches the GPU
 * in place. Shader variants: the tiled GEMM with and without packed integer
 * dot products. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests.h"

#if __has_include(<vulkan/vulkan.h>)
#include "../../libhal/src/gpu/gpu.h"

/* An int8 [rows][cols] tensor at byte offset off of buf. */
static enpu_tensor_t *at(tctx *t, enpu_buffer_t *buf, size_t off, uint32_t rows, uint32_t cols,
			 float scale, int32_t zp)
{
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { rows, cols },
				 .quant = { .kind = ENPU_QUANT_PER_TENSOR, .scale = scale,
					    .zero_point = zp } };
	enpu_tensor_t *tensor = NULL;

	CHECK_OK(t, enpu_tensor_create(buf, off, &d, &tensor));
out:
	return tensor;
}

typedef struct gemm_case {
	const char *what;
	uint32_t m, n, k;
	size_t a_off, b_off, c_off; /* in one buffer of 64 KiB */
	bool c_aliases_a;           /* C written over A's bytes */
} gemm_case_t;

/* Runs C = A B^T on the GPU and on the reference; returns the GPU's
 * (imported, copied) tensor bytes for it. */
static bool run_case(tctx *t, t_env *e, enpu_buffer_t *buf, const gemm_case_t *g,
		     uint64_t *imported, uint64_t *copied)
{
	gpu_device_t *d = e->cpu->state;
	enpu_tensor_t *a = NULL, *b = NULL, *c = NULL, *ref_c = NULL;
	enpu_command_list_t *l = NULL, *rl = NULL;
	enpu_quant_t qc = t_q(0.25f, 3);
	uint64_t i0 = d->imported_bytes, c0 = d->copied_bytes;
	bool ok = false;
	int8_t *host = NULL, *expect;

	CHECK_OK(t, enpu_buffer_map(buf, 0, enpu_buffer_size(buf), (void **)&host));
	t_fill_i8(t, host, enpu_buffer_size(buf));
	a = at(t, buf, g->a_off, g->m, g->k, 0.5f, -7);
	b = at(t, buf, g->b_off, g->n, g->k, 0.5f, 0);
	c = at(t, buf, g->c_aliases_a ? g->a_off : g->c_off, g->m, g->n, 0.25f, 3);
	ref_c = t_tensor(t, e->ref, ENPU_DTYPE_INT8, 2, (uint32_t[]){ g->m, g->n }, &qc, NULL);
	CHECK(t, a && b && c && ref_c, "%s: tensors", g->what);
	CHECK_OK(t, enpu_command_list_create(&rl));
	CHECK_OK(t, enpu_cmd_gemm(rl, &(enpu_gemm_params_t){ .a = a, .b = b, .c = ref_c }));
	CHECK_OK(t, t_run(e->ref, rl));
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = b, .c = c }));
	CHECK_OK(t, t_run(e->cpu, l));
	expect = t_data(ref_c);
	for (size_t i = 0; i < (size_t)g->m * g->n; i++)
		CHECK(t, ((int8_t *)t_data(c))[i] == expect[i], "%s: C[%zu] = %d, reference %d",
		      g->what, i, ((int8_t *)t_data(c))[i], expect[i]);
	*imported = d->imported_bytes - i0;
	*copied = d->copied_bytes - c0;
	ok = true;
out:
	enpu_command_list_release(l);
	enpu_command_list_release(rl);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(c);
	enpu_tensor_release(ref_c);
	return ok;
}

void test_gpu_import_in_place(tctx *t)
{
	t_env e;
	enpu_buffer_t *buf = NULL;

	if (!t_env_open(t, &e, T_DUT_GPU, 1))
		return;
	gpu_device_t *d = e.cpu->state;

	if (!d->host_import) {
		t_skip(t, "the GPU has no VK_EXT_external_memory_host: every tensor is copied");
		goto out;
	}
	/* shaders on host memory need 16-byte starts and whole-word outputs;
	 * staged (discrete) devices copy on the GPU from any offset */
	const gemm_case_t cases[] = {
		{ "aligned", 16, 8, 32, 0, 4096, 8192, false },
		{ "A at +4", 16, 8, 32, 4100, 8192, 12288, false },
		{ "C of 35 bytes", 5, 7, 9, 0, 4096, 8192, false },
		{ "C over A", 8, 8, 8, 0, 4096, 0, true },
	};
	uint64_t imp, cp;

	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 65536, &buf));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const gemm_case_t *g = &cases[i];
		uint64_t a = (uint64_t)g->m * g->k, b = (uint64_t)g->n * g->k;
		uint64_t c = (uint64_t)g->m * g->n;
		uint64_t want_cp = g->c_aliases_a ? c : 0;

		if (!d->staged && g->a_off % 16)
			want_cp += a;
		if (!d->staged && c % 4)
			want_cp += c;
		if (!run_case(t, &e, buf, g, &imp, &cp))
			goto out;
		CHECK(t, cp == want_cp && imp == a + b + c - want_cp,
		      "%s: %llu bytes imported, %llu copied; expected %llu copied of %llu",
		      g->what, (unsigned long long)imp, (unsigned long long)cp,
		      (unsigned long long)want_cp, (unsigned long long)(a + b + c));
	}
out:
	enpu_buffer_release(buf);
	t_env_close(&e);
}

/* Wrapped user memory at an odd address imports (its pages). The buffer
 * belongs to the reference device, so it outlives the GPU device handle:
 * its import keeps the Vulkan device, without the pipelines and scratch
 * memory (freed at the close), and then frees it, last. */
void test_gpu_import_lifetime(tctx *t)
{
	t_env e;
	enpu_buffer_t *buf = NULL;
	char *mem = malloc(3 * 4096);
	uint64_t imp = 0, cp = 0;
	const gemm_case_t g = { "wrapped", 4, 4, 16, 0, 64, 128, false };

	if (!t_env_open(t, &e, T_DUT_GPU, 1))
		goto out;
	if (!((gpu_device_t *)e.cpu->state)->host_import) {
		t_skip(t, "the GPU has no VK_EXT_external_memory_host: every tensor is copied");
		goto out;
	}
	CHECK(t, mem, "malloc");
	CHECK_OK(t, enpu_buffer_wrap(e.ref, mem + 48, 2 * 4096, NULL, NULL, &buf));
	if (!run_case(t, &e, buf, &g, &imp, &cp))
		goto out;
	CHECK(t, cp == 0 && imp == 64 + 64 + 16, "wrapped: %llu imported, %llu copied",
	      (unsigned long long)imp, (unsigned long long)cp);
	gpu_device_t *d = e.cpu->state;
	CHECK(t, d->scratch_size && d->pipes[GPU_PIPE_GEMM], "no scratch buffer or pipeline");
	t_env_close(&e); /* the buffer's import still holds the GPU device */
	CHECK(t, d->dev && !d->scratch && !d->scratch_size && !d->pipes[GPU_PIPE_GEMM] &&
		 !d->cmd_pool,
	      "the closed GPU device kept its scratch buffer or pipelines");
out:
	t_env_close(&e); /* again after the check: a no-op */
	enpu_buffer_release(buf);
	free(mem);
}
/* The tiled int8 GEMM (K and N multiples of 4) with packed dot products
 * (gemm_tiled_dot.comp) and with byte products (gemm_tiled.comp). */
void test_gpu_gemm_int_dot(tctx *t)
{
	t_env e;
	enpu_buffer_t *buf = NULL;
	const gemm_case_t cases[] = {
		{ "37x20x64", 37, 20, 64, 0, 8192, 16384, false },
		{ "64x64x128", 64, 64, 128, 0, 16384, 32768, false },
		{ "3x4x4", 3, 4, 4, 0, 4096, 8192, false },
	};
	uint64_t imp, cp;

	if (!t_env_open(t, &e, T_DUT_GPU, 1))
		goto out;
	gpu_device_t *d = e.cpu->state;
	bool has_dot = d->int_dot;

	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 65536, &buf));
	for (int dot = has_dot; dot >= 0; dot--) {
		d->int_dot = dot;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (!run_case(t, &e, buf, &cases[i], &imp, &cp))
				break;
	}
	d->int_dot = has_dot;
	if (!has_dot)
		t_skip(t, "the GPU has no shaderIntegerDotProduct: only the byte-product shader ran");
out:
	enpu_buffer_release(buf);
	t_env_close(&e);
}

/* NPU -> GPU through a dma-buf: the NPU computes C1 = A B^T into its buffer,
 * which is exported and imported on the GPU; the GPU computes C2 = C1 D^T
 * reading C1 there (in place where the driver imports the dma-buf's mapping:
 * lavapipe). Both agree with the reference. Runs in the VM (`/npu`). */
void test_gpu_share_npu(tctx *t)
{
	t_env e;
	enpu_device_t *gpu = NULL;
	enpu_buffer_t *nb = NULL, *gb = NULL;
	enpu_tensor_t *a = NULL, *b = NULL, *c1 = NULL, *c1g = NULL, *d = NULL, *c2 = NULL;
	enpu_tensor_t *ra = NULL, *rb = NULL, *rc1 = NULL, *rd = NULL, *rc2 = NULL;
	enpu_command_list_t *l1 = NULL, *l2 = NULL, *r1 = NULL, *r2 = NULL;
	enpu_quant_t q = t_q(0.5f, 0), qc = t_q(0.25f, 0);
	int8_t *host = NULL;
	int fd = -1;
	size_t idx, off;

	if (!t_env_open(t, &e, T_DUT_NPU, 1))
		return;
	enpu_status_t none = enpu_context_find_device(e.ctx, ENPU_DEVICE_GPU, &idx);
	if (none) {
		enpu_status_free(none);
		t_skip(t, "no Vulkan compute device next to the NPU");
		goto out;
	}
	CHECK_OK(t, enpu_device_open(e.ctx, idx, NULL, &gpu));
	gpu_device_t *g = gpu->state;
	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 4096, &nb));
	CHECK_OK(t, enpu_buffer_map(nb, 0, 4096, (void **)&host));
	t_fill_i8(t, host, 4096);
	a = at(t, nb, 0, 8, 16, 0.5f, 0);
	b = at(t, nb, 256, 8, 16, 0.5f, 0);
	c1 = at(t, nb, 512, 8, 8, 0.25f, 0);
	ra = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 2, (uint32_t[]){ 8, 16 }, &q, host);
	rb = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 2, (uint32_t[]){ 8, 16 }, &q, host + 256);
	rd = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 2, (uint32_t[]){ 8, 8 }, &q, host + 1024);
	rc1 = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 2, (uint32_t[]){ 8, 8 }, &qc, NULL);
	rc2 = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 2, (uint32_t[]){ 8, 8 }, &qc, NULL);
	CHECK(t, a && b && c1 && ra && rb && rd && rc1 && rc2, "tensors");
	CHECK_OK(t, enpu_command_list_create(&l1));
	CHECK_OK(t, enpu_cmd_gemm(l1, &(enpu_gemm_params_t){ .a = a, .b = b, .c = c1 }));
	CHECK_OK(t, enpu_device_execute(e.cpu, l1));
	CHECK_OK(t, enpu_buffer_sync_for_cpu(nb));
	/* the GPU's view of the same memory */
	CHECK_OK(t, enpu_buffer_export_fd(nb, &fd, &off));
	CHECK_OK(t, enpu_buffer_import_fd(gpu, fd, off, 4096, &gb));
	c1g = at(t, gb, 512, 8, 8, 0.25f, 0);
	d = at(t, gb, 1024, 8, 8, 0.5f, 0);
	c2 = t_tensor(t, gpu, ENPU_DTYPE_INT8, 2, (uint32_t[]){ 8, 8 }, &qc, NULL);
	CHECK(t, c1g && d && c2, "GPU tensors");
	uint64_t imp0 = g->imported_bytes;
	CHECK_OK(t, enpu_command_list_create(&l2));
	CHECK_OK(t, enpu_cmd_gemm(l2, &(enpu_gemm_params_t){ .a = c1g, .b = d, .c = c2 }));
	CHECK_OK(t, enpu_device_execute(gpu, l2));
	CHECK_OK(t, enpu_command_list_create(&r1));
	CHECK_OK(t, enpu_cmd_gemm(r1, &(enpu_gemm_params_t){ .a = ra, .b = rb, .c = rc1 }));
	CHECK_OK(t, enpu_device_execute(e.ref, r1));
	CHECK_OK(t, enpu_command_list_create(&r2));
	CHECK_OK(t, enpu_cmd_gemm(r2, &(enpu_gemm_params_t){ .a = rc1, .b = rd, .c = rc2 }));
	CHECK_OK(t, enpu_device_execute(e.ref, r2));
	CHECK(t, !memcmp(host + 512, t_data(rc1), 64), "the NPU's C1 differs from the reference");
	CHECK(t, !memcmp(t_data(c2), t_data(rc2), 64), "the GPU's C2 differs from the reference");
	if (g->host_import && !g->staged)
		CHECK(t, g->imported_bytes - imp0 >= 2 * 64,
		      "C1 and D were not read in place (%llu bytes imported)",
		      (unsigned long long)(g->imported_bytes - imp0));
out:
	if (fd >= 0)
		close(fd);
	enpu_command_list_release(l1);
	enpu_command_list_release(l2);
	enpu_command_list_release(r1);
	enpu_command_list_release(r2);
	enpu_tensor_t *all[] = { a, b, c1, c1g, d, c2, ra, rb, rc1, rd, rc2 };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		enpu_tensor_release(all[i]);
	enpu_buffer_release(gb);
	if (host)
		enpu_buffer_unmap(nb);
	enpu_buffer_release(nb);
	enpu_device_release(gpu);
	t_env_close(&e);
}
#else
void test_gpu_import_in_place(tctx *t)
{
	t_skip(t, "built without the Vulkan headers: no GPU backend");
}

void test_gpu_import_lifetime(tctx *t)
{
	t_skip(t, "built without the Vulkan headers: no GPU backend");
}

void test_gpu_gemm_int_dot(tctx *t)
{
	t_skip(t, "built without the Vulkan headers: no GPU backend");
}

void test_gpu_share_npu(tctx *t)
{
	t_skip(t, "built without the Vulkan headers: no GPU backend");
}
#endif
