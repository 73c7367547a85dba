/* SPDX-License-Identifier: MIT */
/* Convolutions at the edges of 32 bits: pads near 2^32 with strides as
 * large (tiny tensors, a few output pixels) against the reference on every
 * backend; more output pixels than the CPU backend takes; the CPU drivers'
 * task arithmetic (ceil divisions) at 2^32 - 1. */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include "../../libhal/src/cpu/cpu_device.h"
#include "kconv.h"
#include "tests.h"

/* The GPU's shaders compute window rows and columns in int32 (gpu_exec.c) */
static bool gpu_windows_fit(const kconv_t *k, uint32_t oh, uint32_t ow)
{
	return k->pt <= INT32_MAX && k->pl <= INT32_MAX &&
	       (uint64_t)(oh - 1) * k->sh + (uint64_t)(k->kh - 1) * k->dh <= INT32_MAX &&
	       (uint64_t)(ow - 1) * k->sw + (uint64_t)(k->kw - 1) * k->dw <= INT32_MAX;
}

/* The device under test rejects k with UNSUPPORTED (naming 2^31). */
static bool expect_unsupported(tctx *t, t_env *e, const kconv_t *k, uint32_t oh, uint32_t ow)
{
	bool ok = false;
	enpu_tensor_t *in = NULL, *w = NULL, *out = NULL;
	enpu_command_list_t *l = NULL;
	enpu_quant_t q = t_q(0.5f, 0);
	in = t_tensor(t, e->cpu, ENPU_DTYPE_INT8, 4, (const uint32_t[]){ k->n, k->h, k->w, k->cin },
		      &q, NULL);
	w = t_tensor(t, e->cpu, ENPU_DTYPE_INT8, 4,
		     (const uint32_t[]){ k->cout, k->kh, k->kw, k->cin / k->groups }, &q, NULL);
	out = t_tensor(t, e->cpu, ENPU_DTYPE_INT8, 4, (const uint32_t[]){ k->n, oh, ow, k->cout },
		       &q, NULL);
	CHECK(t, in && w && out, "tensors");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_conv2d(l, &(enpu_conv2d_params_t){
				 .input = in, .filter = w, .output = out, .stride_h = k->sh,
				 .stride_w = k->sw, .dilation_h = k->dh, .dilation_w = k->dw,
				 .pad_top = k->pt, .pad_left = k->pl, .pad_bottom = k->pb,
				 .pad_right = k->pr, .groups = k->groups }));
	CHECK_ERR(t, enpu_device_execute(e->cpu, l), ENPU_STATUS_UNSUPPORTED, "beyond 2^31");
	ok = true;
out:
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(w);
	enpu_tensor_release(out);
	return ok;
}

/* Each shape's padded input wraps 32 bits: before 64-bit sizes and im2col
 * for pads of a kernel or more, the implicit GEMM's padded copy was sized
 * modulo 2^32 and read past its end (AVX2, AVX-512 VNNI), and the dedicated
 * kernels sized their row buffers from the padded width. The GPU's 32-bit
 * shaders read the wrong input (or wrote past the output) and now refuse
 * windows beyond 2^31; the NPU's command stream takes pads below 65536. The
 * last three shapes have small pads of a kernel or more (windows of
 * padding alone), which the CPU runs through im2col. */
void test_conv_huge_pads(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t cases[][16] = {
		/* n h w cin cout kh kw sh sw dh dw pt pl pb pr groups */
		{ 1, 1, 20, 8, 8, 1, 1, 1, 214748365, 1, 1, 0, 0, 0, 0xffffffffu, 1 },
		{ 1, 64, 24, 8, 8, 1, 1, 0x80000010u, 1, 1, 1, 0, 0, 0xffffffffu, 0, 1 },
		{ 1, 1, 20, 8, 8, 1, 1, 1, 178956971, 1, 1, 0, 0, 0, 0xffffffffu, 1 },
		{ 1, 3, 40, 16, 24, 3, 3, 1, 0x40000000u, 1, 1, 1, 0xfffffff0u, 1, 1, 1 },
		{ 2, 3, 20, 8, 8, 3, 3, 1, 214748365, 1, 1, 1, 1, 1, 0xffffffffu, 8 },
		{ 1, 5, 30, 3, 32, 3, 3, 2, 0x7fffffffu, 1, 1, 1, 0xfffffffeu, 1, 1, 1 },
		/* pads of a kernel or more, small: windows of padding alone */
		{ 1, 6, 30, 8, 20, 3, 3, 1, 1, 1, 1, 4, 3, 3, 5, 1 },
		{ 1, 6, 30, 8, 8, 3, 3, 2, 2, 1, 1, 3, 3, 4, 4, 8 },
		{ 1, 9, 40, 3, 32, 3, 3, 2, 2, 1, 1, 3, 4, 3, 3, 1 },
	};
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int rq = 0; rq < KCONV_RQ_COUNT; rq += 2) {
			const uint32_t *c = cases[i];
			kconv_t k = { .n = c[0], .h = c[1], .w = c[2], .cin = c[3], .cout = c[4],
				      .kh = c[5], .kw = c[6], .sh = c[7], .sw = c[8], .dh = c[9],
				      .dw = c[10], .pt = c[11], .pl = c[12], .pb = c[13], .pr = c[14],
				      .groups = c[15], .in_zp = -3, .out_zp = 5, .rq = (kconv_rq_t)rq };
			/* the NPU's command stream takes pads below 65536 (enpu_cs.c) */
			if (isa == T_DUT_NPU && (k.pt | k.pl | k.pb | k.pr) >= 65536)
				continue;
			uint32_t oh = (uint32_t)(((uint64_t)k.h + k.pt + k.pb - (k.kh - 1) * k.dh - 1) / k.sh + 1);
			uint32_t ow = (uint32_t)(((uint64_t)k.w + k.pl + k.pr - (k.kw - 1) * k.dw - 1) / k.sw + 1);
			if (isa == T_DUT_GPU && !gpu_windows_fit(&k, oh, ow)) {
				if (!expect_unsupported(t, &e, &k, oh, ow))
					goto out;
				continue;
			}
			if (!kconv_run(t, &e, &k))
				goto out;
		}
out:
	t_env_close(&e);
}

/* A 1 x 1 convolution of a 1 x 1 image padded to 65536 x 65537 outputs:
 * 2^32 + 65536 pixels, past the CPU backend's 32-bit GEMM rows. It fails
 * with UNSUPPORTED instead of computing the first 65536 (the output's 4 GiB
 * are reserved address space, never touched). */
void test_conv_cpu_pixel_limit(tctx *t)
{
	t_env e;
	enpu_buffer_t *ob = NULL;
	enpu_tensor_t *in = NULL, *w = NULL, *out = NULL;
	enpu_command_list_t *l = NULL;
	const size_t bytes = (size_t)65536 * 65537;
	void *mem = MAP_FAILED;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_AUTO, 1))
		return;
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (mem == MAP_FAILED) {
		t_skip(t, "cannot reserve 4 GiB of address space");
		goto out;
	}
	enpu_quant_t q = t_q(0.5f, 0);
	in = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, (const uint32_t[]){ 1, 1, 1, 1 }, &q,
		      (int8_t[]){ 3 });
	w = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, (const uint32_t[]){ 1, 1, 1, 1 }, &q,
		     (int8_t[]){ 1 });
	CHECK(t, in && w, "tensors");
	CHECK_OK(t, enpu_buffer_wrap(e.cpu, mem, bytes, NULL, NULL, &ob));
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 65536, 65537, 1 },
				 .quant = t_q(1.0f, 0) };
	CHECK_OK(t, enpu_tensor_create(ob, 0, &d, &out));
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_conv2d(l, &(enpu_conv2d_params_t){
				 .input = in, .filter = w, .output = out, .stride_h = 1,
				 .stride_w = 1, .dilation_h = 1, .dilation_w = 1, .pad_top = 30000,
				 .pad_bottom = 35535, .pad_left = 40000, .pad_right = 25536,
				 .groups = 1 }));
	CHECK_ERR(t, enpu_device_execute(e.cpu, l), ENPU_STATUS_UNSUPPORTED,
		  "4295032832 output pixels");
out:
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(w);
	enpu_tensor_release(out);
	enpu_buffer_release(ob);
	if (mem != MAP_FAILED)
		munmap(mem, bytes);
	t_env_close(&e);
}

/* The CPU drivers' splits at 2^32 - 1 rows, columns and output pixels: every
 * count covers its total, none is 0 (a division by zero before, as
 * (x + n - 1) / n wrapped). */
void test_cpu_split_extremes(tctx *t)
{
	static const uint32_t sizes[] = { 1, 95, 96, 97, UINT32_MAX - 96, UINT32_MAX - 63,
					  UINT32_MAX - 1, UINT32_MAX };
	static const uint32_t tiles[][2] = { { 5, 64 }, { 6, 16 }, { 16, 16 }, { 4, 32 } };
	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++)
		for (size_t b = 0; b < sizeof(sizes) / sizeof(sizes[0]); b++)
			for (size_t r = 0; r < 4; r++)
				for (unsigned threads = 1; threads <= 16; threads *= 16) {
					uint32_t m = sizes[a], n = sizes[b];
					cpu_grid_t g = cpu_grid_make(m, n, tiles[r][0], tiles[r][1],
								     threads);
					CHECK(t, g.mc >= 1 && g.mblocks >= 1 &&
							 (uint64_t)g.mblocks * g.mc >= m &&
							 (uint64_t)(g.mblocks - 1) * g.mc < m,
					      "m %u: %u blocks of %u", m, g.mblocks, g.mc);
					CHECK(t, g.panels >= 1 &&
							 (uint64_t)g.panels * tiles[r][1] >= n &&
							 g.pan_per_chunk >= 1 && g.nchunks >= 1 &&
							 (uint64_t)g.nchunks * g.pan_per_chunk >= g.panels,
					      "n %u: %u panels, %u chunks of %u", n, g.panels,
					      g.nchunks, g.pan_per_chunk);
				}
	CHECK(t, cpu_div_up(UINT32_MAX, 96) == 44739243 && cpu_div_up(UINT32_MAX, 1) == UINT32_MAX &&
			 cpu_div_up(0, 7) == 0 && cpu_div_up(UINT32_MAX - 1, UINT32_MAX) == 1,
	      "cpu_div_up");
#if defined(__x86_64__)
	const cpu_i8_gemm_ops_t *o = cpu_i8_gemm_for(ENPU_CPU_ISA_AVX512VNNI);
#elif defined(__aarch64__)
	const cpu_i8_gemm_ops_t *o = cpu_i8_gemm_for(ENPU_CPU_ISA_NEON_DOTPROD);
#else
	const cpu_i8_gemm_ops_t *o = NULL;
#endif
	for (size_t a = 0; o && a < sizeof(sizes) / sizeof(sizes[0]); a++) {
		uint32_t rows = cpu_conv_implicit_rows(o, sizes[a], 1, 1, 1);
		CHECK(t, rows >= 1 && rows <= 96 && (uint64_t)rows * cpu_div_up(sizes[a], rows) >= sizes[a],
		      "span %u: %u rows", sizes[a], rows);
	}
out:;
}
