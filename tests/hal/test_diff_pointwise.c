/* SPDX-License-Identifier: MIT */
/* CPU vs reference, bit-exact: POOL, ADD, MUL, REQUANTIZE and CAST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "tests.h"

static enpu_tensor_t *random_i8(tctx *t, t_env *e, uint32_t rank, const uint32_t *dims,
				const enpu_quant_t *q)
{
	size_t n = 1;
	for (uint32_t i = 0; i < rank; i++)
		n *= dims[i];
	int8_t *data = malloc(n);
	if (!data)
		return NULL;
	t_fill_i8(t, data, n);
	enpu_tensor_t *x = t_tensor(t, e->ref, ENPU_DTYPE_INT8, rank, dims, q, data);
	free(data);
	return x;
}

void test_pool_i8_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	char what[200];
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_POOL, ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 60; i++) {
		uint32_t n = (uint32_t)t_range(t, 1, 2), h = (uint32_t)t_range(t, 1, 16),
			 w = (uint32_t)t_range(t, 1, 16), c = (uint32_t)t_range(t, 1, 70);
		uint32_t kh = (uint32_t)t_range(t, 1, 4), kw = (uint32_t)t_range(t, 1, 4);
		uint32_t sh = (uint32_t)t_range(t, 1, 3), sw = (uint32_t)t_range(t, 1, 3);
		uint32_t pt = (uint32_t)t_range(t, 0, kh - 1), pl = (uint32_t)t_range(t, 0, kw - 1);
		uint32_t pb = (uint32_t)t_range(t, 0, kh - 1), pr = (uint32_t)t_range(t, 0, kw - 1);
		if (h + pt + pb < kh || w + pl + pr < kw)
			continue;
		uint32_t oh = (h + pt + pb - kh) / sh + 1, ow = (w + pl + pr - kw) / sw + 1;
		if ((oh - 1) * sh >= h + pt || (ow - 1) * sw >= w + pl)
			continue; /* a window of padding only: rejected by design */
		enpu_quant_t q = t_q(0.05f, diff_random_zp(t));
		enpu_tensor_t *in = random_i8(t, &e, 4, (const uint32_t[]){ n, h, w, c }, &q);
		CHECK(t, in, "input");
		enpu_pool_params_t p = { .input = in, .kind = t_range(t, 0, 1) ? ENPU_POOL_AVG
									     : ENPU_POOL_MAX,
					 .kernel_h = kh, .kernel_w = kw, .stride_h = sh, .stride_w = sw,
					 .pad_top = pt, .pad_left = pl, .pad_bottom = pb,
					 .pad_right = pr };
		p.act = diff_random_act(t); /* after kind: in order */
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { n, oh, ow, c },
					 .quant = q };
		snprintf(what, sizeof(what), "%s pool %ux%ux%ux%u k=%ux%u s=%u,%u pad=%u,%u,%u,%u",
			 p.kind == ENPU_POOL_AVG ? "avg" : "max", n, h, w, c, kh, kw, sh, sw, pt, pl,
			 pb, pr);
		bool ok = diff_run(t, &e, diff_rec_pool, &p, &p.output, &d, what);
		enpu_tensor_release(in);
		if (!ok)
			break;
	}
out:
	t_env_close(&e);
}

/* Large windows (global pools up to 2^16 - 1 taps: sums past int16, the
 * average's division at its widest) with random data, and constant data at
 * the extremes and one off them, where averages land on halves (x.5 after
 * a tap of the other sign), against the reference; channels 1 to 33
 * (partial vector blocks). */
void test_pool_i8_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t shapes[][4] = { /* h w c kernel (square, = h, w: global) */
		{ 7, 7, 33, 7 }, { 56, 56, 24, 56 }, { 255, 257, 3, 0 }, { 9, 9, 17, 3 },
	};
	t_env e;
	char what[160];
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_POOL, ENPU_DTYPE_INT8))
		return;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		for (int fill = 0; fill < 4; fill++)
			for (int kind = 0; kind < 2; kind++) {
				uint32_t h = shapes[i][0], w = shapes[i][1], c = shapes[i][2];
				uint32_t kh = shapes[i][3] ? shapes[i][3] : h;
				uint32_t kw = shapes[i][3] ? shapes[i][3] : w;
				size_t n = (size_t)h * w * c;
				int8_t *data = malloc(n);
				CHECK(t, data, "input");
				t_fill_i8(t, data, n);
				/* 0: random; 1: -128; 2: 127; 3: -128 then one 127 per channel */
				if (fill)
					memset(data, fill == 2 ? 127 : -128, n);
				if (fill == 3)
					memset(data, 127, c);
				enpu_quant_t q = t_q(0.05f, 0);
				enpu_tensor_t *in = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 4,
							     (const uint32_t[]){ 1, h, w, c }, &q, data);
				free(data);
				CHECK(t, in, "input tensor");
				enpu_pool_params_t p = { .input = in,
							 .kind = kind ? ENPU_POOL_AVG : ENPU_POOL_MAX,
							 .kernel_h = kh, .kernel_w = kw,
							 .stride_h = kh, .stride_w = kw };
				uint32_t oh = h / kh, ow = w / kw;
				enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 4,
							 .dims = { 1, oh, ow, c }, .quant = q };
				snprintf(what, sizeof(what), "%s pool %ux%ux%u k=%ux%u fill %d",
					 kind ? "avg" : "max", h, w, c, kh, kw, fill);
				bool ok = diff_run(t, &e, diff_rec_pool, &p, &p.output, &d, what);
				enpu_tensor_release(in);
				if (!ok)
					goto out;
			}
	/* bottom and right pads of a kernel or more (the last windows still
	 * reach the input): the NPU's command stream takes pads below the
	 * kernel, so it gets the padding the windows use */
	for (int kind = 0; kind < 2; kind++) {
		enpu_quant_t q = t_q(0.05f, 0);
		int8_t data[75];
		t_fill_i8(t, data, sizeof(data));
		enpu_tensor_t *in = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 4,
					     (const uint32_t[]){ 1, 5, 5, 3 }, &q, data);
		CHECK(t, in, "input tensor");
		enpu_pool_params_t p = { .input = in, .kind = kind ? ENPU_POOL_AVG : ENPU_POOL_MAX,
					 .kernel_h = 2, .kernel_w = 2, .stride_h = 4, .stride_w = 4,
					 .pad_bottom = 3, .pad_right = 2 };
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 2, 2, 3 },
					 .quant = q };
		snprintf(what, sizeof(what), "%s pool 5x5x3 k=2x2 s=4 pad=0,0,3,2",
			 kind ? "avg" : "max");
		bool ok = diff_run(t, &e, diff_rec_pool, &p, &p.output, &d, what);
		enpu_tensor_release(in);
		if (!ok)
			goto out;
	}
out:
	t_env_close(&e);
}

static float random_scale(tctx *t)
{
	return 0.001f * (float)t_range(t, 1, 1000);
}

/* A random scale times mul, then a random zero point: drawn in this order
 * (as arguments of one call, their order would be unspecified) */
static enpu_quant_t random_q(tctx *t, float mul)
{
	float scale = random_scale(t) * mul;
	return t_q(scale, diff_random_zp(t));
}

void test_eltwise_i8_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	char what[200];
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_ADD | 1u << ENPU_OP_MUL, ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 40; i++) {
		uint32_t count = (uint32_t)t_range(t, 1, 40000);
		bool add = t_range(t, 0, 1);
		enpu_quant_t qa = random_q(t, 1.0f);
		enpu_quant_t qb = random_q(t, 1.0f);
		enpu_quant_t qo = random_q(t, add ? 1.0f : 0.05f);
		enpu_tensor_t *a = random_i8(t, &e, 1, &count, &qa);
		enpu_tensor_t *b = random_i8(t, &e, 1, &count, &qb);
		enpu_eltwise_requant_t rq;
		int32_t m[3], s[3];
		diff_random_requant(t, m, s, 3);
		rq = (enpu_eltwise_requant_t){ m[0], s[0], m[1], s[1], m[2], s[2] };
		enpu_eltwise_params_t p = { .a = a, .b = b, .rq = t_range(t, 0, 2) ? NULL : &rq };
		p.act = diff_random_act(t); /* after rq: in order */
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { count },
					 .quant = qo };
		snprintf(what, sizeof(what), "%s n=%u zp=%d,%d,%d explicit=%d", add ? "add" : "mul",
			 count, qa.zero_point, qb.zero_point, qo.zero_point, p.rq != NULL);
		bool ok = a && b &&
			  diff_run(t, &e, add ? diff_rec_add : diff_rec_mul, &p, &p.out, &d, what);
		enpu_tensor_release(a);
		enpu_tensor_release(b);
		if (!ok) {
			if (t->result == T_OK)
				t_fail(t, __FILE__, __LINE__, "input tensors");
			break;
		}
	}
	t_env_close(&e);
}

void test_requant_i8_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	char what[160];
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_REQUANTIZE, ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 40; i++) {
		uint32_t dims[3]; /* drawn in order (not in an initializer list) */
		for (int d = 0; d < 3; d++)
			dims[d] = (uint32_t)t_range(t, 1, 40);
		enpu_quant_t qi = random_q(t, 1.0f);
		enpu_quant_t qo = random_q(t, 1.0f);
		enpu_tensor_t *in = random_i8(t, &e, 3, dims, &qi);
		CHECK(t, in, "input");
		int32_t m, s;
		diff_random_requant(t, &m, &s, 1);
		enpu_requantize_params_t p = { .input = in, .act = diff_random_act(t) };
		if (t_range(t, 0, 1))
			p.requant = (enpu_requant_t){ &m, &s, 1 };
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 3,
					 .dims = { dims[0], dims[1], dims[2] }, .quant = qo };
		snprintf(what, sizeof(what), "requant mult=%d shift=%d explicit=%d", m, s,
			 p.requant.mult != NULL);
		bool ok = diff_run(t, &e, diff_rec_requant, &p, &p.output, &d, what);
		enpu_tensor_release(in);
		if (!ok)
			break;
	}
out:
	t_env_close(&e);
}

void test_cast_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	enpu_tensor_t *h = NULL, *i8 = NULL;
	uint16_t *all = malloc(65536 * sizeof(uint16_t));
	char what[120];
	if (!t_env_open_ops(t, &e, isa, 2,
			    1u << ENPU_OP_CAST, ENPU_DTYPE_FP16)) {
		free(all);
		return;
	}
	CHECK(t, all, "oom");
	/* fp16 -> int8 over every fp16 bit pattern (NaN, inf, subnormals, ties) */
	for (uint32_t i = 0; i < 65536; i++)
		all[i] = (uint16_t)i;
	h = t_tensor(t, e.ref, ENPU_DTYPE_FP16, 1, (const uint32_t[]){ 65536 }, NULL, all);
	CHECK(t, h, "fp16 input");
	for (int rep = 0; rep < 4; rep++) {
		enpu_quant_t q = rep < 2 ? t_q(rep == 0 ? 1.0f : 0.5f, diff_random_zp(t))
					 : random_q(t, 1.0f);
		enpu_cast_params_t p = { .input = h };
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { 65536 },
					 .quant = q };
		snprintf(what, sizeof(what), "quantize scale=%g zp=%d", (double)q.scale, q.zero_point);
		if (!diff_run(t, &e, diff_rec_cast, &p, &p.output, &d, what))
			goto out;
	}
	/* int8 -> fp16 */
	for (int rep = 0; rep < 4; rep++) {
		uint32_t n = (uint32_t)t_range(t, 1, 5000);
		enpu_quant_t q = random_q(t, rep == 0 ? 1e-4f : 1.0f);
		enpu_tensor_release(i8);
		i8 = random_i8(t, &e, 1, &n, &q);
		CHECK(t, i8, "int8 input");
		enpu_cast_params_t p = { .input = i8 };
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_FP16, .rank = 1, .dims = { n } };
		snprintf(what, sizeof(what), "dequantize scale=%g zp=%d", (double)q.scale, q.zero_point);
		if (!diff_run(t, &e, diff_rec_cast, &p, &p.output, &d, what))
			goto out;
	}
out:
	enpu_tensor_release(h);
	enpu_tensor_release(i8);
	free(all);
	t_env_close(&e);
}
