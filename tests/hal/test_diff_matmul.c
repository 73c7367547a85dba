/* SPDX-License-Identifier: MIT */
/* CPU vs reference, bit-exact: int8 GEMM, CONV2D (grouped, dilated, strided,
 * padded, pointwise) and depthwise CONV2D, for every CPU kernel family. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "diff.h"
#include "tests.h"

/* Random int8 weights [rows][...] with per-channel (axis 0) or per-tensor
 * scales, plus an optional bias, and the op's requant parameters. */
typedef struct wq {
	enpu_tensor_t *w, *bias;
	int32_t *mult, *shift;
	enpu_requant_t rq;
	float in_scale, out_scale;
} wq_t;

static bool make_weights(tctx *t, t_env *e, uint32_t rank, const uint32_t *dims, uint32_t k,
			 wq_t *q)
{
	uint32_t rows = dims[0];
	size_t count = (size_t)rows * k;
	int8_t *data = malloc(count);
	int32_t *bias = malloc(rows * sizeof(int32_t));
	float *scales = malloc(rows * sizeof(float));
	bool ok = false;
	memset(q, 0, sizeof(*q));
	q->mult = malloc(rows * sizeof(int32_t));
	q->shift = malloc(rows * sizeof(int32_t));
	CHECK(t, data && bias && scales && q->mult && q->shift, "out of memory");
	t_fill_i8(t, data, count);
	bool per_channel = t_range(t, 0, 1);
	for (uint32_t i = 0; i < rows; i++)
		scales[i] = per_channel ? 0.002f + 0.02f * (float)t_range(t, 0, 1000) / 1000.0f : 0.01f;
	enpu_quant_t wqnt = per_channel ? (enpu_quant_t){ .kind = ENPU_QUANT_PER_CHANNEL, .axis = 0,
							  .count = rows, .scales = scales }
					: t_q(0.01f, 0);
	q->w = t_tensor(t, e->ref, ENPU_DTYPE_INT8, rank, dims, &wqnt, data);
	int bias_mode = t_range(t, 0, 7);
	for (uint32_t i = 0; i < rows; i++)
		bias[i] = bias_mode == 0 ? INT32_MAX - t_range(t, 0, 1000) /* wraps */
			: bias_mode == 1 ? INT32_MIN + t_range(t, 0, 1000)
					 : t_range(t, -(1 << 20), 1 << 20);
	if (bias_mode != 2)
		q->bias = t_tensor(t, e->ref, ENPU_DTYPE_INT32, 1, &rows, NULL, bias);
	CHECK(t, q->w && (bias_mode == 2 || q->bias), "weights");
	q->in_scale = 0.02f;
	q->out_scale = 0.02f * 0.01f * sqrtf((float)k) * 40.0f;
	if (t_range(t, 0, 1)) { /* explicit multipliers, per tensor or per channel */
		size_t n = t_range(t, 0, 3) ? rows : 1;
		diff_random_requant(t, q->mult, q->shift, n);
		q->rq = (enpu_requant_t){ q->mult, q->shift, n };
	}
	ok = true;
out:
	free(data);
	free(bias);
	free(scales);
	return ok;
}

static void free_weights(wq_t *q)
{
	enpu_tensor_release(q->w);
	enpu_tensor_release(q->bias);
	free(q->mult);
	free(q->shift);
}

static bool gemm_case(tctx *t, t_env *e, uint32_t m, uint32_t n, uint32_t k)
{
	wq_t q = { 0 };
	enpu_tensor_t *a = NULL;
	int8_t *data = malloc((size_t)m * k);
	bool ok = false;
	char what[160];
	CHECK(t, data, "oom");
	if (!make_weights(t, e, 2, (const uint32_t[]){ n, k }, k, &q))
		goto out_w;
	int32_t a_zp = diff_random_zp(t), c_zp = diff_random_zp(t);
	t_fill_i8(t, data, (size_t)m * k);
	enpu_quant_t qa = t_q(q.in_scale, a_zp);
	a = t_tensor(t, e->ref, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ m, k }, &qa, data);
	CHECK(t, a, "A");
	enpu_gemm_params_t p = { .a = a, .b = q.w, .bias = q.bias, .requant = q.rq,
				 .act = diff_random_act(t) };
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { m, n },
				 .quant = t_q(q.out_scale, c_zp) };
	snprintf(what, sizeof(what), "gemm M=%u N=%u K=%u a_zp=%d c_zp=%d rq=%zu bias=%d act=%d", m,
		 n, k, a_zp, c_zp, q.rq.count, q.bias != NULL, (int)p.act.kind);
	ok = diff_run(t, e, diff_rec_gemm, &p, &p.c, &d, what);
out:
	enpu_tensor_release(a);
out_w:
	free_weights(&q);
	free(data);
	return ok;
}

void test_gemm_i8_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t sizes[] = { 1, 3, 17, 255 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2,
			    1u << ENPU_OP_GEMM, ENPU_DTYPE_INT8))
		return;
	/* N and K multiples of 4 (the GPU's tiled shader): whole and partial
	 * 64x64 tiles, K steps of 16 bytes whole and partial; then M and N
	 * multiples of 128, K of 32 (the cooperative-matrix shader, NVIDIA) */
	static const uint32_t tiled[][3] = {
		{ 1, 4, 4 }, { 64, 64, 64 }, { 65, 68, 20 }, { 130, 132, 260 },
		{ 3, 256, 36 }, { 200, 8, 1028 }, { 128, 128, 96 }, { 256, 128, 32 },
		{ 128, 384, 544 },
	};
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			for (int k = 0; k < 4; k++)
				if (!gemm_case(t, &e, sizes[i], sizes[j], sizes[k]))
					goto out;
	for (size_t i = 0; i < sizeof(tiled) / sizeof(tiled[0]); i++)
		if (!gemm_case(t, &e, tiled[i][0], tiled[i][1], tiled[i][2]))
			goto out;
out:
	t_env_close(&e);
}

void test_gemm_i8_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_GEMM, ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 40; i++) {
		/* drawn in order: the order of a call's arguments is unspecified */
		uint32_t m = (uint32_t)t_range(t, 1, 200), n = (uint32_t)t_range(t, 1, 200);
		if (!gemm_case(t, &e, m, n, (uint32_t)t_range(t, 1, 600)))
			break;
	}
	t_env_close(&e);
}

typedef struct conv_geo {
	uint32_t n, h, w, cin, cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
} conv_geo_t;

static bool conv_case(tctx *t, t_env *e, const conv_geo_t *g)
{
	wq_t q = { 0 };
	enpu_tensor_t *in = NULL;
	uint32_t cin_g = g->cin / g->groups;
	size_t count = (size_t)g->n * g->h * g->w * g->cin;
	int8_t *data = malloc(count);
	bool ok = false;
	char what[256];
	CHECK(t, data, "oom");
	if (!make_weights(t, e, 4, (const uint32_t[]){ g->cout, g->kh, g->kw, cin_g },
			  g->kh * g->kw * cin_g, &q))
		goto out_w;
	int32_t in_zp = diff_random_zp(t), out_zp = diff_random_zp(t);
	t_fill_i8(t, data, count);
	enpu_quant_t qi = t_q(q.in_scale, in_zp);
	in = t_tensor(t, e->ref, ENPU_DTYPE_INT8, 4, (const uint32_t[]){ g->n, g->h, g->w, g->cin },
		      &qi, data);
	CHECK(t, in, "input");
	uint32_t oh = (g->h + g->pt + g->pb - ((g->kh - 1) * g->dh + 1)) / g->sh + 1;
	uint32_t ow = (g->w + g->pl + g->pr - ((g->kw - 1) * g->dw + 1)) / g->sw + 1;
	enpu_conv2d_params_t p = { .input = in, .filter = q.w, .bias = q.bias, .stride_h = g->sh,
				   .stride_w = g->sw, .dilation_h = g->dh, .dilation_w = g->dw,
				   .pad_top = g->pt, .pad_left = g->pl, .pad_bottom = g->pb,
				   .pad_right = g->pr, .groups = g->groups, .requant = q.rq,
				   .act = diff_random_act(t) };
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 4,
				 .dims = { g->n, oh, ow, g->cout }, .quant = t_q(q.out_scale, out_zp) };
	snprintf(what, sizeof(what),
		 "conv N=%u H=%u W=%u Cin=%u Cout=%u K=%ux%u s=%u,%u d=%u,%u pad=%u,%u,%u,%u "
		 "groups=%u in_zp=%d out_zp=%d",
		 g->n, g->h, g->w, g->cin, g->cout, g->kh, g->kw, g->sh, g->sw, g->dh, g->dw, g->pt,
		 g->pl, g->pb, g->pr, g->groups, in_zp, out_zp);
	ok = diff_run(t, e, diff_rec_conv, &p, &p.output, &d, what);
out:
	enpu_tensor_release(in);
out_w:
	free_weights(&q);
	free(data);
	return ok;
}

/* A random valid geometry; depthwise picks groups == cin. */
static conv_geo_t random_geo(tctx *t, bool depthwise)
{
	conv_geo_t g;
	for (;;) {
		g.n = (uint32_t)t_range(t, 1, 2);
		g.h = (uint32_t)t_range(t, 1, 12);
		g.w = (uint32_t)t_range(t, 1, 12);
		g.kh = (uint32_t)t_range(t, 1, 5);
		g.kw = (uint32_t)t_range(t, 1, 5);
		g.sh = (uint32_t)t_range(t, 1, 3);
		g.sw = (uint32_t)t_range(t, 1, 3);
		g.dh = (uint32_t)t_range(t, 1, 3);
		g.dw = (uint32_t)t_range(t, 1, 3);
		g.pt = (uint32_t)t_range(t, 0, 3);
		g.pl = (uint32_t)t_range(t, 0, 3);
		g.pb = (uint32_t)t_range(t, 0, 3);
		g.pr = (uint32_t)t_range(t, 0, 3);
		if (depthwise) {
			g.cin = g.groups = (uint32_t)t_range(t, 2, 70);
			g.cout = g.cin * (uint32_t)t_range(t, 1, 3);
		} else {
			g.groups = (uint32_t)t_range(t, 1, 4);
			g.cin = g.groups * (uint32_t)t_range(t, 1, 10);
			g.cout = g.groups * (uint32_t)t_range(t, 1, 10);
		}
		if (g.h + g.pt + g.pb >= (g.kh - 1) * g.dh + 1 &&
		    g.w + g.pl + g.pr >= (g.kw - 1) * g.dw + 1)
			return g;
	}
}

void test_conv_i8_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 40; i++) {
		conv_geo_t g = random_geo(t, false);
		if (!conv_case(t, &e, &g))
			break;
	}
	t_env_close(&e);
}

void test_dwconv_i8_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 40; i++) {
		conv_geo_t g = random_geo(t, true);
		if (!conv_case(t, &e, &g))
			break;
	}
	t_env_close(&e);
}

void test_conv_i8_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const conv_geo_t cases[] = {
		/* n  h  w  cin cout kh kw sh sw dh dw pt pl pb pr groups */
		{ 1, 3, 3, 255, 17, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1 },  /* pointwise, direct rows */
		{ 2, 5, 4, 17, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1 },    /* K = 153, not /4 */
		{ 1, 1, 1, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1 },     /* all but one tap padded */
		{ 1, 9, 7, 8, 8, 3, 3, 2, 2, 1, 1, 0, 1, 2, 0, 1 },     /* stride 2, asymmetric pad */
		{ 1, 11, 11, 4, 6, 3, 3, 1, 1, 3, 2, 3, 2, 3, 2, 2 },   /* dilation, groups 2 */
		{ 1, 8, 8, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32 },  /* depthwise 3x3 */
		{ 1, 8, 8, 16, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 16 },  /* depth multiplier 2 */
		{ 1, 6, 6, 12, 12, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 4 },   /* groups 4 */
		{ 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1 },     /* 1 channel */
		{ 1, 4, 4, 3, 1, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1 },     /* kernel = input */
	};
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2,
			    1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int rep = 0; rep < 3; rep++)
			if (!conv_case(t, &e, &cases[i]))
				goto out;
out:
	t_env_close(&e);
}

/* Weights flagged ENPU_TENSOR_CONSTANT are packed once and cached with the op;
 * the cache must serve later submissions, must not be used by a CPU device of
 * another kernel family, and weights without the flag must be re-read. */
void test_gemm_i8_weight_cache(tctx *t)
{
	enpu_cpu_isa_t isas[8];
	size_t n_isa = t_isas(isas);
	enpu_context_t *ctx = NULL;
	enpu_device_t *dev[5] = { 0 }; /* ref + up to 4 CPU families */
	enpu_tensor_t *a = NULL, *b[2] = { 0 }, *c[2] = { 0 };
	enpu_command_list_t *l[2] = { 0 };
	enum { M = 7, N = 70, K = 45 };
	int8_t data[N * K], want[M * N];
	size_t idx;
	CHECK_OK(t, enpu_context_create(&ctx));
	CHECK_OK(t, enpu_context_find_device(ctx, ENPU_DEVICE_REFERENCE, &idx));
	CHECK_OK(t, enpu_device_open(ctx, idx, NULL, &dev[0]));
	CHECK_OK(t, enpu_context_find_device(ctx, ENPU_DEVICE_CPU, &idx));
	for (size_t i = 0; i < n_isa; i++) {
		enpu_device_options_t opt = { .num_threads = 2, .cpu_isa = isas[i] };
		CHECK_OK(t, enpu_device_open(ctx, idx, &opt, &dev[i + 1]));
	}
	enpu_quant_t qa = t_q(0.05f, 3), qb = t_q(0.01f, 0), qc = t_q(0.02f, -1);
	t_fill_i8(t, data, sizeof(data));
	a = t_tensor(t, dev[0], ENPU_DTYPE_INT8, 2, (const uint32_t[]){ M, K }, &qa, NULL);
	t_fill_i8(t, t_data(a), M * K);
	for (int v = 0; v < 2; v++) { /* v = 0: constant weights, v = 1: mutable */
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { N, K },
					 .quant = qb, .flags = v == 0 ? ENPU_TENSOR_CONSTANT : 0 };
		enpu_buffer_t *buf;
		CHECK_OK(t, enpu_buffer_allocate(dev[0], sizeof(data), &buf));
		enpu_status_t st = enpu_tensor_create(buf, 0, &d, &b[v]);
		enpu_buffer_release(buf);
		CHECK_OK(t, st);
		memcpy(t_data(b[v]), data, sizeof(data));
		c[v] = t_tensor(t, dev[0], ENPU_DTYPE_INT8, 2, (const uint32_t[]){ M, N }, &qc, NULL);
		CHECK(t, c[v], "output");
		CHECK_OK(t, enpu_command_list_create(&l[v]));
		CHECK_OK(t, enpu_cmd_gemm(l[v], &(enpu_gemm_params_t){ .a = a, .b = b[v], .c = c[v] }));
	}
	CHECK_OK(t, t_run(dev[0], l[0]));
	memcpy(want, t_data(c[0]), sizeof(want));
	/* each family twice (second run from the cache), interleaved */
	for (int rep = 0; rep < 2; rep++)
		for (size_t i = 1; i <= n_isa; i++) {
			memset(t_data(c[0]), 0, sizeof(want));
			CHECK_OK(t, t_run(dev[i], l[0]));
			CHECK(t, memcmp(t_data(c[0]), want, sizeof(want)) == 0,
			      "constant weights: %s run %d differs from the reference",
			      t_isa_name(isas[i - 1]), rep);
		}
	/* mutable weights: change them between runs, the device must see it */
	for (size_t i = 1; i <= n_isa; i++) {
		int8_t *w = t_data(b[1]);
		for (int run = 0; run < 2; run++) {
			t_fill_i8(t, w, sizeof(data));
			CHECK_OK(t, t_run(dev[0], l[1]));
			memcpy(want, t_data(c[1]), sizeof(want));
			CHECK_OK(t, t_run(dev[i], l[1]));
			CHECK(t, memcmp(t_data(c[1]), want, sizeof(want)) == 0,
			      "mutable weights: %s run %d used stale weights",
			      t_isa_name(isas[i - 1]), run);
		}
	}
out:
	for (int v = 0; v < 2; v++) {
		enpu_command_list_release(l[v]);
		enpu_tensor_release(b[v]);
		enpu_tensor_release(c[v]);
	}
	enpu_tensor_release(a);
	for (int i = 0; i < 5; i++)
		enpu_device_release(dev[i]);
	enpu_context_release(ctx);
}

/* A grouped convolution with constant weights, twice on each CPU family: the
 * second run must not reuse one group's packed weights for the others (the
 * weight cache holds one GEMM's B; conv.c runs a GEMM per group). */
void test_conv_grouped_weight_cache(tctx *t, enpu_cpu_isa_t isa)
{
	enum { H = 6, W = 5, CIN = 8, COUT = 12, G = 2, KS = 3 };
	t_env e;
	enpu_tensor_t *x = NULL, *f = NULL, *y = NULL;
	enpu_command_list_t *l = NULL;
	int8_t want[H * W * COUT];
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	enpu_quant_t qx = t_q(0.05f, 3), qf = t_q(0.01f, 0), qy = t_q(0.02f, -1);
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 4,
				 .dims = { COUT, KS, KS, CIN / G }, .quant = qf,
				 .flags = ENPU_TENSOR_CONSTANT };
	enpu_buffer_t *buf = NULL;
	x = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 4, (const uint32_t[]){ 1, H, W, CIN }, &qx, NULL);
	y = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 4, (const uint32_t[]){ 1, H, W, COUT }, &qy, NULL);
	CHECK_OK(t, enpu_buffer_allocate(e.ref, COUT * KS * KS * (CIN / G), &buf));
	enpu_status_t st = enpu_tensor_create(buf, 0, &d, &f);
	enpu_buffer_release(buf);
	CHECK_OK(t, st);
	CHECK(t, x && y, "tensors");
	t_fill_i8(t, t_data(x), H * W * CIN);
	t_fill_i8(t, t_data(f), COUT * KS * KS * (CIN / G));
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_conv2d(l, &(enpu_conv2d_params_t){
		.input = x, .filter = f, .output = y, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1, .pad_top = 1, .pad_left = 1, .pad_bottom = 1,
		.pad_right = 1, .groups = G }));
	CHECK_OK(t, t_run(e.ref, l));
	memcpy(want, t_data(y), sizeof(want));
	for (int run = 0; run < 2; run++) {
		memset(t_data(y), 0, sizeof(want));
		CHECK_OK(t, t_run(e.cpu, l));
		CHECK(t, !memcmp(t_data(y), want, sizeof(want)),
		      "run %d differs from the reference", run);
	}
out:
	enpu_command_list_release(l);
	enpu_tensor_release(x);
	enpu_tensor_release(f);
	enpu_tensor_release(y);
	t_env_close(&e);
}
