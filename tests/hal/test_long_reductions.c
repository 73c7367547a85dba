/* SPDX-License-Identifier: MIT */
/* Every backend at the longest loops the API allows: reductions of
 * ENPU_MAX_REDUCTION (65536) terms in GEMM and in CONV2D (along input
 * channels, along a kernel's rows and columns, and both), and pool windows
 * of 65536 taps, against the reference bit for bit (fp16 with small
 * integers, whose fp32 sums are exact in any order); the recording accepts
 * them (test_api_ops.c has one more refused). On the GPU the GEMMs run the
 * plain and the tiled shaders, the convolutions the plain ones: lavapipe
 * stops a shader's loops after 65535 iterations in all, without an error
 * (libhal/src/gpu/shaders/window.glsl): a loop per output element, or per
 * kernel row, returned truncated sums here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "diff.h"
#include "tests.h"

/* Random int8 (scale s) or, dtype fp16, integers in [-2, 2]. */
static enpu_tensor_t *random_tensor(tctx *t, t_env *e, enpu_dtype_t dtype, uint32_t rank,
				    const uint32_t *dims, float s)
{
	size_t n = 1;
	for (uint32_t i = 0; i < rank; i++)
		n *= dims[i];
	bool f16 = dtype == ENPU_DTYPE_FP16;
	void *v = malloc(n * (f16 ? 2 : 1));
	if (!v)
		return NULL;
	if (f16)
		for (size_t i = 0; i < n; i++)
			((uint16_t *)v)[i] = enpu_f32_to_f16((float)t_range(t, -2, 2));
	else
		t_fill_i8(t, v, n);
	enpu_quant_t q = t_q(s, 0);
	enpu_tensor_t *x = t_tensor(t, e->ref, dtype, rank, dims, f16 ? NULL : &q, v);
	free(v);
	return x;
}

/* An int8 output scale for sums of k products of random int8 (inputs of
 * scale 0.01) that lands most of them off the clamp. */
static enpu_quant_t out_q(enpu_dtype_t dtype, uint32_t k)
{
	return dtype == ENPU_DTYPE_FP16 ? (enpu_quant_t){ 0 }
					: t_q(1e-4f * 5400.0f * sqrtf((float)k) / 30.0f, 0);
}

static bool gemm_case(tctx *t, t_env *e, enpu_dtype_t dtype, uint32_t m, uint32_t n, uint32_t k)
{
	char what[100];
	enpu_tensor_t *a = random_tensor(t, e, dtype, 2, (uint32_t[]){ m, k }, 0.01f);
	enpu_tensor_t *b = random_tensor(t, e, dtype, 2, (uint32_t[]){ n, k }, 0.01f);
	enpu_gemm_params_t p = { .a = a, .b = b };
	enpu_tensor_desc_t d = { .dtype = dtype, .rank = 2, .dims = { m, n },
				 .quant = out_q(dtype, k) };
	bool ok = false;

	snprintf(what, sizeof(what), "%s gemm %ux%ux%u", enpu_dtype_name(dtype), m, n, k);
	CHECK(t, a && b, "%s: tensors", what);
	ok = diff_run(t, e, diff_rec_gemm, &p, &p.c, &d, what);
out:
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	return ok;
}

/* A kernel of kh x kw over cin channels (groups g), cout filters, on an
 * input of h x w, stride 1; pad pixels of padding on every side. */
typedef struct conv_case {
	uint32_t h, w, cin, kh, kw, cout, groups, pad, dil;
} conv_case_t;

static bool conv_case(tctx *t, t_env *e, enpu_dtype_t dtype, const conv_case_t *c)
{
	char what[120];
	uint32_t cin_g = c->cin / c->groups;
	uint32_t oh = c->h + 2 * c->pad - (c->kh - 1) * c->dil;
	uint32_t ow = c->w + 2 * c->pad - (c->kw - 1) * c->dil;
	enpu_tensor_t *x = random_tensor(t, e, dtype, 4, (uint32_t[]){ 1, c->h, c->w, c->cin },
					 0.01f);
	enpu_tensor_t *f = random_tensor(t, e, dtype, 4,
					 (uint32_t[]){ c->cout, c->kh, c->kw, cin_g }, 0.01f);
	enpu_conv2d_params_t p = { .input = x, .filter = f, .stride_h = 1, .stride_w = 1,
				   .dilation_h = c->dil, .dilation_w = c->dil,
				   .pad_top = c->pad, .pad_left = c->pad, .pad_bottom = c->pad,
				   .pad_right = c->pad, .groups = c->groups };
	enpu_tensor_desc_t d = { .dtype = dtype, .rank = 4, .dims = { 1, oh, ow, c->cout },
				 .quant = out_q(dtype, c->kh * c->kw * cin_g) };
	bool ok = false;

	snprintf(what, sizeof(what), "%s conv %ux%ux%u k=%ux%u cout=%u g=%u pad=%u dil=%u",
		 enpu_dtype_name(dtype), c->h, c->w, c->cin, c->kh, c->kw, c->cout, c->groups,
		 c->pad, c->dil);
	CHECK(t, x && f, "%s: tensors", what);
	ok = diff_run(t, e, diff_rec_conv, &p, &p.output, &d, what);
out:
	enpu_tensor_release(x);
	enpu_tensor_release(f);
	return ok;
}

static bool pool_case(tctx *t, t_env *e, enpu_pool_kind_t kind, uint32_t k, uint32_t c,
		      uint32_t pad)
{
	char what[100];
	uint32_t h = k + 1 - 2 * pad, o = h + 2 * pad - k + 1;
	enpu_tensor_t *x = random_tensor(t, e, ENPU_DTYPE_INT8, 4, (uint32_t[]){ 1, h, h, c },
					 0.05f);
	enpu_pool_params_t p = { .input = x, .kind = kind, .kernel_h = k, .kernel_w = k,
				 .stride_h = 1, .stride_w = 1, .pad_top = pad, .pad_left = pad,
				 .pad_bottom = pad, .pad_right = pad };
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, o, o, c },
				 .quant = t_q(0.05f, 0) };
	bool ok = false;

	snprintf(what, sizeof(what), "%s pool %ux%ux%u k=%ux%u pad=%u",
		 kind == ENPU_POOL_AVG ? "avg" : "max", h, h, c, k, k, pad);
	CHECK(t, x, "%s: input", what);
	ok = diff_run(t, e, diff_rec_pool, &p, &p.output, &d, what);
out:
	enpu_tensor_release(x);
	return ok;
}

void test_long_reductions(tctx *t, enpu_cpu_isa_t isa)
{
	static const conv_case_t convs[] = {
		{ 1, 1, 65536, 1, 1, 5, 1, 0, 1 },	/* along channels, two words */
		{ 256, 256, 1, 256, 256, 4, 1, 0, 1 },	/* along rows and columns */
		/* 3x3 dilated windows, partly padding, two groups of 3640 channels */
		{ 3, 3, 7280, 3, 3, 2, 2, 2, 2 },
	};
	static const enpu_dtype_t dtypes[] = { ENPU_DTYPE_INT8, ENPU_DTYPE_FP16 };
	t_env e;

	if (!t_env_open(t, &e, isa, 1))
		return;
	for (size_t i = 0; i < 2; i++) {
		/* N % 4 != 0: on the GPU the plain GEMM shaders, not the tiled ones */
		if (!gemm_case(t, &e, dtypes[i], 2, 3, ENPU_MAX_REDUCTION))
			goto out;
		/* N and K multiples of 4: the tiled ones (a loop per 4 of K) */
		if (!gemm_case(t, &e, dtypes[i], 4, 4, ENPU_MAX_REDUCTION))
			goto out;
		for (size_t j = 0; j < sizeof(convs) / sizeof(convs[0]); j++)
			if (!conv_case(t, &e, dtypes[i], &convs[j]))
				goto out;
	}
	/* 5 channels: a word's elements in two windows; the padded one: 2x2
	 * outputs, windows partly off the input */
	for (int kind = 0; kind < 2; kind++)
		for (uint32_t pad = 0; pad < 2; pad++)
			if (!pool_case(t, &e, kind ? ENPU_POOL_AVG : ENPU_POOL_MAX, 256, 5, pad))
				goto out;
out:
	t_env_close(&e);
}
