/* SPDX-License-Identifier: MIT */
/* Sample graphs (enpu_graph_create_sample): MobileNetV2, a mixed graph with
 * branches, and a tiny graph for exhaustive search. A builder with a sticky
 * status creates every tensor in its own buffer with seeded random data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enpu/fp16.h"
#include "graph_impl.h"

typedef struct builder {
	enpu_device_t *dev;
	enpu_graph_t *g;
	uint64_t rng;
	enpu_status_t st;
	enpu_tensor_t **owned; /* released at the end (the graph keeps its own) */
	size_t owned_count, owned_cap;
} builder_t;

static uint64_t next(builder_t *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 2685821657736338717ULL;
}

/* A tensor of dims (rank from the count of non-zero dims), random contents
 * when fill (int8/uint8 bytes, small int32 biases, fp16 in [-1, 1)). */
static enpu_tensor_t *tensor(builder_t *b, enpu_dtype_t dt, const uint32_t *dims, uint32_t rank,
			     float scale, int32_t zp, bool constant, bool fill)
{
	enpu_tensor_desc_t d = { .dtype = dt, .rank = rank,
				 .flags = constant ? ENPU_TENSOR_CONSTANT : 0 };
	enpu_buffer_t *buf = NULL;
	enpu_tensor_t *t = NULL;
	size_t count = 1;
	void *p;

	if (b->st)
		return NULL;
	for (uint32_t i = 0; i < rank; i++) {
		d.dims[i] = dims[i];
		count *= dims[i];
	}
	if (dt == ENPU_DTYPE_INT8)
		d.quant = (enpu_quant_t){ .kind = ENPU_QUANT_PER_TENSOR, .scale = scale,
					  .zero_point = zp };
	if (b->owned_count == b->owned_cap) {
		size_t cap = b->owned_cap ? 2 * b->owned_cap : 64;
		enpu_tensor_t **n = realloc(b->owned, cap * sizeof(*n));
		if (!n) {
			b->st = enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "sample: out of memory");
			return NULL;
		}
		b->owned = n;
		b->owned_cap = cap;
	}
	b->st = enpu_buffer_allocate(b->dev, count * enpu_dtype_size(dt), &buf);
	if (!b->st)
		b->st = enpu_tensor_create(buf, 0, &d, &t);
	if (!b->st && fill) {
		b->st = enpu_buffer_map(buf, 0, count * enpu_dtype_size(dt), &p);
		for (size_t i = 0; !b->st && i < count; i++) {
			uint64_t r = next(b);
			if (dt == ENPU_DTYPE_INT32)
				((int32_t *)p)[i] = (int32_t)(r >> 54) - 512;
			else if (dt == ENPU_DTYPE_FP16)
				((uint16_t *)p)[i] = enpu_f32_to_f16((float)(r >> 40) /
									(float)(1 << 23) - 1.0f);
			else
				((int8_t *)p)[i] = (int8_t)(r >> 56);
		}
		if (!b->st)
			b->st = enpu_buffer_unmap(buf);
	}
	enpu_buffer_release(buf);
	if (t)
		b->owned[b->owned_count++] = t;
	return b->st ? NULL : t;
}

static void op_done(builder_t *b, enpu_status_t st)
{
	if (!b->st)
		b->st = st;
	else
		enpu_status_free(st);
}

static const enpu_tensor_desc_t *desc(const enpu_tensor_t *t)
{
	return enpu_tensor_desc(t);
}

/* NHWC conv (int8 or fp16 by the input) with "same" padding; groups == cin
 * for depthwise. ReLU6 for int8 when relu. */
static enpu_tensor_t *conv(builder_t *b, const char *name, enpu_tensor_t *in, uint32_t cout,
			   uint32_t k, uint32_t stride, uint32_t groups, bool relu)
{
	if (b->st)
		return NULL;
	const enpu_tensor_desc_t *id = desc(in);
	enpu_dtype_t dt = id->dtype;
	uint32_t cin = id->dims[3], pad = k / 2;
	uint32_t oh = (id->dims[1] + 2 * pad - k) / stride + 1;
	uint32_t ow = (id->dims[2] + 2 * pad - k) / stride + 1;
	uint32_t fd[4] = { cout, k, k, cin / groups }, bd[1] = { cout }, od[4] = { 1, oh, ow, cout };
	float in_s = dt == ENPU_DTYPE_INT8 ? id->quant.scale : 1.0f, w_s = 0.02f;
	float out_s = in_s * w_s * 40.0f * sqrtf((float)(k * k * (cin / groups)));
	enpu_tensor_t *f = tensor(b, dt, fd, 4, w_s, 0, true, true);
	enpu_tensor_t *bias = tensor(b, dt == ENPU_DTYPE_INT8 ? ENPU_DTYPE_INT32 : ENPU_DTYPE_FP32,
				     bd, 1, 0, 0, true, dt == ENPU_DTYPE_INT8);
	enpu_tensor_t *out = tensor(b, dt, od, 4, out_s, -5, false, false);
	if (b->st)
		return NULL;
	enpu_conv2d_params_t p = {
		.input = in, .filter = f, .bias = bias, .output = out,
		.stride_h = stride, .stride_w = stride, .dilation_h = 1, .dilation_w = 1,
		.pad_top = pad, .pad_left = pad, .pad_bottom = pad, .pad_right = pad,
		.groups = groups,
		.act = { .kind = relu && dt == ENPU_DTYPE_INT8 ? ENPU_ACT_RELU6 : ENPU_ACT_NONE },
	};
	op_done(b, enpu_graph_add_conv2d(b->g, name, &p, NULL));
	return b->st ? NULL : out;
}

static enpu_tensor_t *add(builder_t *b, const char *name, enpu_tensor_t *x, enpu_tensor_t *y)
{
	if (b->st)
		return NULL;
	const enpu_tensor_desc_t *d = desc(x);
	enpu_tensor_t *out = tensor(b, ENPU_DTYPE_INT8, d->dims, d->rank, d->quant.scale * 1.5f, 0,
				    false, false);
	if (b->st)
		return NULL;
	op_done(b, enpu_graph_add_add(b->g, name, &(enpu_eltwise_params_t){ .a = x, .b = y, .out = out },
				      NULL));
	return b->st ? NULL : out;
}

/* Pool over k x k with stride s (pad k/2 when s == 1; none for global). */
static enpu_tensor_t *pool(builder_t *b, const char *name, enpu_tensor_t *in, enpu_pool_kind_t kind,
			   uint32_t k, uint32_t s)
{
	if (b->st)
		return NULL;
	const enpu_tensor_desc_t *d = desc(in);
	uint32_t pad = s == 1 ? k / 2 : 0;
	uint32_t od[4] = { 1, (d->dims[1] + 2 * pad - k) / s + 1, (d->dims[2] + 2 * pad - k) / s + 1,
			   d->dims[3] };
	enpu_tensor_t *out = tensor(b, ENPU_DTYPE_INT8, od, 4, d->quant.scale, d->quant.zero_point,
				    false, false);
	if (b->st)
		return NULL;
	enpu_pool_params_t p = { .input = in, .output = out, .kind = kind, .kernel_h = k,
				 .kernel_w = k, .stride_h = s, .stride_w = s, .pad_top = pad,
				 .pad_left = pad, .pad_bottom = pad, .pad_right = pad };
	op_done(b, enpu_graph_add_pool(b->g, name, &p, NULL));
	return b->st ? NULL : out;
}

static enpu_tensor_t *cast(builder_t *b, const char *name, enpu_tensor_t *in, enpu_dtype_t to)
{
	if (b->st)
		return NULL;
	const enpu_tensor_desc_t *d = desc(in);
	enpu_tensor_t *out = tensor(b, to, d->dims, d->rank, 0.05f, 0, false, false);
	if (b->st)
		return NULL;
	op_done(b, enpu_graph_add_cast(b->g, name, &(enpu_cast_params_t){ in, out }, NULL));
	return b->st ? NULL : out;
}

static enpu_tensor_t *gemm(builder_t *b, const char *name, enpu_tensor_t *a, uint32_t n)
{
	if (b->st)
		return NULL;
	const enpu_tensor_desc_t *d = desc(a);
	uint32_t k = d->dims[1], wd[2] = { n, k }, cd[2] = { d->dims[0], n };
	enpu_tensor_t *w = tensor(b, ENPU_DTYPE_INT8, wd, 2, 0.02f, 0, true, true);
	enpu_tensor_t *c = tensor(b, ENPU_DTYPE_INT8, cd, 2,
				  d->quant.scale * 0.02f * 40.0f * sqrtf((float)k), 3, false, false);
	if (b->st)
		return NULL;
	enpu_gemm_params_t p = { .a = a, .b = w, .c = c };
	op_done(b, enpu_graph_add_gemm(b->g, name, &p, NULL));
	return b->st ? NULL : c;
}

static void mobilenetv2(builder_t *b, uint32_t size)
{
	static const uint32_t cfg[7][4] = { /* expansion t, channels c, repeats n, stride s */
		{ 1, 16, 1, 1 }, { 6, 24, 2, 2 }, { 6, 32, 3, 2 }, { 6, 64, 4, 2 },
		{ 6, 96, 3, 1 }, { 6, 160, 3, 2 }, { 6, 320, 1, 1 },
	};
	uint32_t id[4] = { 1, size, size, 3 };
	char nm[ENPU_GRAPH_NAME_MAX];
	enpu_tensor_t *x = tensor(b, ENPU_DTYPE_INT8, id, 4, 0.03f, 0, false, true);
	int blk = 0;

	if (!b->st)
		op_done(b, enpu_graph_add_input(b->g, x));
	x = conv(b, "stem", x, 32, 3, 2, 1, true);
	for (int s = 0; s < 7; s++)
		for (uint32_t r = 0; r < cfg[s][2]; r++, blk++) {
			uint32_t cin = x && !b->st ? desc(x)->dims[3] : 0, stride = r ? 1 : cfg[s][3];
			enpu_tensor_t *h = x;
			if (cfg[s][0] != 1) {
				snprintf(nm, sizeof(nm), "b%d_expand", blk);
				h = conv(b, nm, h, cin * cfg[s][0], 1, 1, 1, true);
			}
			snprintf(nm, sizeof(nm), "b%d_dw", blk);
			h = conv(b, nm, h, h && !b->st ? desc(h)->dims[3] : 0, 3, stride,
				 h && !b->st ? desc(h)->dims[3] : 1, true);
			snprintf(nm, sizeof(nm), "b%d_project", blk);
			h = conv(b, nm, h, cfg[s][1], 1, 1, 1, false);
			if (stride == 1 && cin == cfg[s][1]) {
				snprintf(nm, sizeof(nm), "b%d_add", blk);
				h = add(b, nm, x, h);
			}
			x = h;
		}
	x = conv(b, "head", x, 1280, 1, 1, 1, true);
	x = pool(b, "avgpool", x, ENPU_POOL_AVG, size / 32, size / 32);
	x = conv(b, "fc", x, 1000, 1, 1, 1, false);
	if (!b->st)
		op_done(b, enpu_graph_add_output(b->g, x));
}

static void branches(builder_t *b, uint32_t size)
{
	uint32_t id[4] = { 1, size, size, 32 };
	enpu_tensor_t *x = tensor(b, ENPU_DTYPE_INT8, id, 4, 0.03f, 0, false, true);

	if (!b->st)
		op_done(b, enpu_graph_add_input(b->g, x));
	x = conv(b, "stem", x, 32, 3, 1, 1, true);
	enpu_tensor_t *a = conv(b, "a_expand", x, 64, 1, 1, 1, true);
	a = conv(b, "a_conv", a, 64, 3, 1, 1, true);
	a = conv(b, "a_project", a, 32, 1, 1, 1, false);
	enpu_tensor_t *c = conv(b, "b_dw", x, 32, 3, 1, 32, true);
	c = conv(b, "b_pw", c, 32, 1, 1, 1, true);
	c = pool(b, "b_maxpool", c, ENPU_POOL_MAX, 3, 1);
	enpu_tensor_t *h = cast(b, "c_to_f16", x, ENPU_DTYPE_FP16);
	h = conv(b, "c_conv_f16", h, 32, 3, 1, 1, false);
	h = cast(b, "c_to_i8", h, ENPU_DTYPE_INT8);
	enpu_tensor_t *d = conv(b, "d_conv5", x, 32, 5, 1, 1, true);
	x = add(b, "join_ab", a, c);
	x = add(b, "join_c", x, h);
	x = add(b, "join_d", x, d);
	x = pool(b, "avgpool", x, ENPU_POOL_AVG, size, size);
	x = conv(b, "fc", x, 10, 1, 1, 1, false);
	if (!b->st)
		op_done(b, enpu_graph_add_output(b->g, x));
}

static void tiny(builder_t *b, uint32_t n)
{
	uint32_t xd[2] = { n, n };
	enpu_tensor_t *x = tensor(b, ENPU_DTYPE_INT8, xd, 2, 0.03f, 0, false, true);

	if (!b->st)
		op_done(b, enpu_graph_add_input(b->g, x));
	enpu_tensor_t *a = gemm(b, "g1", x, n), *c = gemm(b, "g2", x, n), *a2 = NULL, *c2 = NULL;
	if (!b->st) {
		a2 = tensor(b, ENPU_DTYPE_INT8, xd, 2, desc(a)->quant.scale * 2, 0, false, false);
		if (!b->st)
			op_done(b, enpu_graph_add_requantize(
					   b->g, "r1", &(enpu_requantize_params_t){ .input = a, .output = a2 },
					   NULL));
	}
	a = gemm(b, "g3", a2, n);
	if (!b->st) {
		c2 = tensor(b, ENPU_DTYPE_INT8, xd, 2, desc(c)->quant.scale, 0, false, false);
		if (!b->st)
			op_done(b, enpu_graph_add_mul(b->g, "m1",
						      &(enpu_eltwise_params_t){ .a = c, .b = c, .out = c2 },
						      NULL));
	}
	c = gemm(b, "g4", c2, n);
	x = add(b, "join", a, c);
	x = gemm(b, "g5", x, n);
	if (!b->st)
		op_done(b, enpu_graph_add_output(b->g, x));
}

enpu_status_t enpu_graph_create_sample(enpu_device_t *device, const char *name, uint32_t size,
				       uint64_t seed, enpu_graph_t **out_graph)
{
	builder_t b = { .dev = device, .rng = seed * 0x9e3779b97f4a7c15ULL + 1 };
	bool mnv2 = name && !strcmp(name, "mobilenetv2"), br = name && !strcmp(name, "branches");
	bool tn = name && !strcmp(name, "tiny");

	if (!out_graph)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_create_sample: out_graph is NULL");
	*out_graph = NULL;
	if (!device || !(mnv2 || br || tn))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_create_sample: %s%s (samples: mobilenetv2, "
					"branches, tiny)", device ? "unknown sample " : "device is NULL",
					device && name ? name : "");
	if (size < (mnv2 ? 32u : 4u) || size > 1024 || (mnv2 && size % 32))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_graph_create_sample: size %u does not suit %s (%s)", size,
					name, mnv2 ? "a multiple of 32, 32..1024" : "4..1024");
	b.st = enpu_graph_create(&b.g);
	if (mnv2)
		mobilenetv2(&b, size);
	else if (br)
		branches(&b, size);
	else
		tiny(&b, size);
	if (!b.st)
		b.st = enpu_graph_finalize(b.g);
	for (size_t i = 0; i < b.owned_count; i++)
		enpu_tensor_release(b.owned[i]);
	free(b.owned);
	if (b.st) {
		enpu_graph_release(b.g);
		return b.st;
	}
	*out_graph = b.g;
	return ENPU_OK;
}
