/* SPDX-License-Identifier: MIT */
/* The fuzzer's fp16 ops: GEMM and CONV2D with small exact-product values and
 * a few of the range's edges, checked against docs/numerics.md's error bound
 * (S from the inputs: f16_abs_sum) instead of bit for bit. */
#include <math.h>
#include <stdlib.h>
#include "fuzz_f16.h"

/* fp16 values in [-2, 2) in steps of 1/64, zero more often than its share,
 * and one in 256 a value of the range's edge: +-infinity, NaN or -65504 (a
 * product that overflows). */
static const float edge[4] = { INFINITY, -INFINITY, NAN, -65504.0f };

static enpu_tensor_t *tensor_f16(tensors_t *ts, reader_t *r, uint32_t rank, const uint32_t *dims,
				 uint32_t flags)
{
	enpu_tensor_t *t = tensor(ts, r, ENPU_DTYPE_FP16, rank, dims, NULL, flags);
	size_t n = enpu_tensor_element_count(t);
	uint16_t *v;
	if (enpu_buffer_map(enpu_tensor_buffer(t), 0, 2 * n, (void **)&v))
		abort();
	for (size_t i = 0; i < n; i++) {
		uint8_t b = next_byte(), c = b < 32 ? 0 : next_byte();
		v[i] = enpu_f32_to_f16(b == 255 ? edge[c & 3] : (float)(int8_t)c / 64.0f);
	}
	enpu_buffer_unmap(enpu_tensor_buffer(t));
	return t;
}

static enpu_act_t act_f16(reader_t *r)
{
	enpu_act_t a = { .kind = (enpu_activation_t)take(r, 0, 3) };
	a.fmin = (float)take(r, 0, 64) / 16.0f - 2.0f;
	a.fmax = a.fmin + (float)take(r, 0, 64) / 16.0f;
	return a;
}

static float f16_bias[64];

/* An fp32 bias of n (<= 64) values in [-8, 8) by 1/16, or none */
static enpu_tensor_t *bias_f32(tensors_t *ts, reader_t *r, uint32_t n, uint32_t flags,
			       f16_check_t *chk)
{
	if (!take(r, 0, 1) || n > 64)
		return NULL;
	enpu_tensor_t *t = tensor(ts, r, ENPU_DTYPE_FP32, 1, &n, NULL, flags);
	float *v;
	if (enpu_buffer_map(enpu_tensor_buffer(t), 0, 4 * n, (void **)&v))
		abort();
	for (uint32_t i = 0; i < n; i++)
		v[i] = f16_bias[i] = (float)(int8_t)next_byte() / 16.0f;
	enpu_buffer_unmap(enpu_tensor_buffer(t));
	chk->bias = f16_bias;
	return t;
}

/* An fp16 GEMM or CONV2D (always valid shapes) into l[0] and l[1]. */
void record_f16(reader_t *r, tensors_t *ts, uint32_t kind, enpu_command_list_t *l[2],
		enpu_tensor_t *out[2], f16_check_t *chk)
{
	uint32_t dims[4], rank = 4, flags = take(r, 0, 1) ? ENPU_TENSOR_CONSTANT : 0;
	enpu_act_t a = act_f16(r);
	enpu_tensor_t *x, *w, *bias;
	enpu_conv2d_params_t cp = { 0 }; /* CONV2D's geometry */
	chk->on = true;
	if (kind == ENPU_OP_GEMM) {
		uint32_t m = take(r, 1, 40), n = take(r, 1, 64), k = take(r, 1, 40);
		k = take(r, 0, 3) ? k : take(r, 1, 1200);
		DESC("fp16 GEMM M %u N %u K %u act %d [%g,%g] const %u; ", m, n, k, (int)a.kind,
		     (double)a.fmin, (double)a.fmax, flags);
		x = tensor_f16(ts, r, 2, (uint32_t[]){ m, k }, 0);
		w = tensor_f16(ts, r, 2, (uint32_t[]){ n, k }, flags);
		bias = bias_f32(ts, r, n, flags, chk);
		rank = 2, dims[0] = m, dims[1] = n;
		chk->g = (f16_geom_t){ .in_h = 1, .in_w = m, .in_c = k, .out_h = 1, .out_w = m,
				       .out_c = n, .k_h = 1, .k_w = 1, .stride_h = 1,
				       .stride_w = 1, .groups = 1 };
	} else {
		uint32_t h = take(r, 1, 24), wd = take(r, 1, 24), c = take(r, 1, 40);
		uint32_t kh = take(r, 1, 5), kw = take(r, 1, 5), sh = take(r, 1, 3), sw = take(r, 1, 3);
		uint32_t pt = take(r, 0, kh - 1), pl = take(r, 0, kw - 1);
		uint32_t pb = take(r, 0, kh - 1), pr = take(r, 0, kw - 1);
		uint32_t g = take(r, 0, 2) ? 1 : take(r, 0, 1) ? c : 1;
		uint32_t cout = g == 1 ? take(r, 1, 40) : c;
		if (h + pt + pb < kh)
			h = kh;
		if (wd + pl + pr < kw)
			wd = kw;
		DESC("fp16 CONV2D in %ux%ux%u k %ux%u s %u,%u pad %u,%u,%u,%u g %u cout %u act %d "
		     "[%g,%g] const %u; ", h, wd, c, kh, kw, sh, sw, pt, pl, pb, pr, g, cout,
		     (int)a.kind, (double)a.fmin, (double)a.fmax, flags);
		x = tensor_f16(ts, r, 4, (uint32_t[]){ 1, h, wd, c }, 0);
		w = tensor_f16(ts, r, 4, (uint32_t[]){ cout, kh, kw, c / g }, flags);
		bias = bias_f32(ts, r, cout, flags, chk);
		dims[0] = 1, dims[1] = (h + pt + pb - kh) / sh + 1;
		dims[2] = (wd + pl + pr - kw) / sw + 1, dims[3] = cout;
		chk->g = (f16_geom_t){ .in_h = h, .in_w = wd, .in_c = c, .out_h = dims[1],
				       .out_w = dims[2], .out_c = cout, .k_h = kh, .k_w = kw,
				       .stride_h = sh, .stride_w = sw, .pad_t = pt, .pad_l = pl,
				       .groups = g };
		cp = (enpu_conv2d_params_t){ .stride_h = sh, .stride_w = sw, .dilation_h = 1,
					     .dilation_w = 1, .pad_top = pt, .pad_left = pl,
					     .pad_bottom = pb, .pad_right = pr, .groups = g };
	}
	chk->x = x, chk->w = w;
	for (int i = 0; i < 2; i++) {
		enpu_tensor_t *o = tensor(ts, r, ENPU_DTYPE_FP16, rank, dims, NULL, 0);
		enpu_status_t st;
		if (kind == ENPU_OP_GEMM) {
			st = enpu_cmd_gemm(l[i], &(enpu_gemm_params_t){ .a = x, .b = w, .bias = bias,
									.c = o, .act = a });
		} else {
			cp.input = x, cp.filter = w, cp.bias = bias, cp.output = o, cp.act = a;
			st = enpu_cmd_conv2d(l[i], &cp);
		}
		if (st)
			die("fp16 record", st);
		out[i] = o;
	}
}

/* out[1] (dut) within the fp16 contract's bound of out[0] (reference) */
void check_f16(const f16_check_t *chk, enpu_tensor_t *out[2], enpu_device_t *dut)
{
	size_t n = enpu_tensor_element_count(out[0]);
	const uint16_t *a, *b, *x, *w;
	if (enpu_buffer_map(enpu_tensor_buffer(out[0]), 0, 2 * n, (void **)&a) ||
	    enpu_buffer_map(enpu_tensor_buffer(out[1]), 0, 2 * n, (void **)&b) ||
	    enpu_buffer_map(enpu_tensor_buffer(chk->x), 0, enpu_tensor_byte_size(chk->x),
			    (void **)&x) ||
	    enpu_buffer_map(enpu_tensor_buffer(chk->w), 0, enpu_tensor_byte_size(chk->w),
			    (void **)&w))
		abort();
	const f16_geom_t *g = &chk->g;
	uint32_t k = g->k_h * g->k_w * (g->in_c / g->groups);
	for (size_t i = 0; i < n; i++) {
		double y = enpu_f16_to_f32(b[i]), yr = enpu_f16_to_f32(a[i]);
		double bias = chk->bias ? fabs((double)chk->bias[i % g->out_c]) : 0.0;
		double s = f16_abs_sum(g, x, w, i);
		if (!f16_conforms(y, yr, k, s, bias)) {
			enpu_device_info_t info;
			enpu_device_query(dut, &info);
			fprintf(stderr, "fuzz_ops: %s: element %zu of %zu: %.9g, reference %.9g "
					"(S %.9g)\nfuzz_ops: the op: %s\n",
				info.description, i, n, y, yr, s, desc);
			abort();
		}
	}
	enpu_buffer_unmap(enpu_tensor_buffer(out[0]));
	enpu_buffer_unmap(enpu_tensor_buffer(out[1]));
	enpu_buffer_unmap(enpu_tensor_buffer(chk->x));
	enpu_buffer_unmap(enpu_tensor_buffer(chk->w));
}
