/* SPDX-License-Identifier: MIT */
/* Differential cases for the dedicated convolution kernels (kconv.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "kblock.h"
#include "kconv.h"

static void mixed_requant(tctx *t, int32_t *mult, int32_t *shift, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		switch (t_range(t, 0, 5)) {
		case 0: mult[i] = INT32_MAX; shift[i] = 30; break;
		case 1: mult[i] = INT32_MAX; shift[i] = -31; break;
		case 2: mult[i] = 1 << 30; shift[i] = t_range(t, 0, 3); break;
		case 3: mult[i] = t_range(t, 0, INT32_MAX); shift[i] = t_range(t, -31, 30); break;
		default: mult[i] = t_range(t, 1 << 30, INT32_MAX); shift[i] = t_range(t, -14, -1); break;
		}
	}
}

void kconv_left_requant(tctx *t, int32_t *mult, int32_t *shift, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		bool left = t_range(t, 0, 3) != 0;
		mult[i] = t_range(t, 1 << 16, 1 << 24);
		shift[i] = left ? t_range(t, 1, 6) : t_range(t, -3, 0);
	}
}

/* kconv_t's ties data */
static void small_data(tctx *t, int32_t in_zp, int8_t *in, size_t in_count, int8_t *w,
		       size_t w_count)
{
	for (size_t i = 0; i < in_count; i++) {
		int32_t v = in_zp + t_range(t, -1, 1);
		in[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
	}
	for (size_t i = 0; i < w_count; i++)
		w[i] = (int8_t)t_range(t, -1, 1);
}

bool kconv_run(tctx *t, t_env *e, const kconv_t *k)
{
	uint32_t cin_g = k->cin / k->groups, taps = k->kh * k->kw * cin_g;
	size_t in_count = (size_t)k->n * k->h * k->w * k->cin, w_count = (size_t)k->cout * taps;
	int8_t *in_data = malloc(in_count), *w_data = malloc(w_count);
	int32_t *bias = malloc(k->cout * sizeof(int32_t)), *mult = malloc(k->cout * sizeof(int32_t));
	int32_t *shift = malloc(k->cout * sizeof(int32_t));
	enpu_tensor_t *in = NULL, *w = NULL, *b = NULL;
	bool ok = false;
	char what[384];
	CHECK(t, in_data && w_data && bias && mult && shift, "out of memory");
	t_fill_i8(t, in_data, in_count);
	t_fill_i8(t, w_data, w_count);
	if (k->ties || k->edge)
		small_data(t, k->in_zp, in_data, in_count, w_data, w_count);
	if (k->edge && k->edge_flat)
		memset(in_data, (int8_t)k->in_zp, in_count);
	int bias_mode = k->ties ? 4 : k->edge ? 5 : t_range(t, 0, 4);
	for (uint32_t i = 0; i < k->cout; i++)
		bias[i] = bias_mode == 5   ? k->edge_bias
			: bias_mode == 0 ? INT32_MAX - t_range(t, 0, 1000)
			: bias_mode == 1 ? INT32_MIN + t_range(t, 0, 1000)
					 : t_range(t, -(1 << 20), 1 << 20);
	float in_scale = 0.02f, w_scale = 0.01f;
	float out_scale = in_scale * w_scale * sqrtf((float)taps) * 40.0f;
	enpu_quant_t qi = t_q(in_scale, k->in_zp), qw = t_q(w_scale, 0);
	const uint32_t in_dims[] = { k->n, k->h, k->w, k->cin };
	in = k->guard_in ? t_tensor_guarded(t, e->ref, ENPU_DTYPE_INT8, 4, in_dims, &qi, in_data)
			 : t_tensor(t, e->ref, ENPU_DTYPE_INT8, 4, in_dims, &qi, in_data);
	w = t_tensor(t, e->ref, ENPU_DTYPE_INT8, 4,
		     (const uint32_t[]){ k->cout, k->kh, k->kw, cin_g }, &qw, w_data);
	if (bias_mode != 4)
		b = t_tensor(t, e->ref, ENPU_DTYPE_INT32, 1, &k->cout, NULL, bias);
	CHECK(t, in && w && (bias_mode == 4 || b), "tensors");
	enpu_requant_t rq = { 0 };
	if (k->ties || k->edge)
		for (uint32_t i = 0; i < k->cout; i++) {
			mult[i] = k->edge ? k->edge_mult : 1 << 30;
			shift[i] = k->edge			? k->edge_shift
				   : k->ties_one_shift && i > 0 ? shift[0]
								: -t_range(t, 1, 2);
		}
	else if (k->rq == KCONV_RQ_RANDOM)
		diff_random_requant(t, mult, shift, k->cout);
	else if (k->rq == KCONV_RQ_MIXED)
		mixed_requant(t, mult, shift, k->cout);
	else if (k->rq == KCONV_RQ_LEFT)
		kconv_left_requant(t, mult, shift, k->cout);
	if (k->rq != KCONV_RQ_DERIVED || k->ties || k->edge)
		rq = (enpu_requant_t){ mult, shift, k->cout };
	uint32_t oh = (uint32_t)(((uint64_t)k->h + k->pt + k->pb -
				  ((uint64_t)(k->kh - 1) * k->dh + 1)) / k->sh + 1);
	uint32_t ow = (uint32_t)(((uint64_t)k->w + k->pl + k->pr -
				  ((uint64_t)(k->kw - 1) * k->dw + 1)) / k->sw + 1);
	enpu_conv2d_params_t p = { .input = in, .filter = w, .bias = b, .stride_h = k->sh,
				   .stride_w = k->sw, .dilation_h = k->dh, .dilation_w = k->dw,
				   .pad_top = k->pt, .pad_left = k->pl, .pad_bottom = k->pb,
				   .pad_right = k->pr, .groups = k->groups, .requant = rq,
				   .act = k->edge ? (enpu_act_t){ .kind = ENPU_ACT_NONE }
						  : diff_random_act(t) };
	if (k->ties) {
		int32_t lo = k->out_zp + k->qmin_off;
		lo = lo < -128 ? -128 : lo > 127 ? 127 : lo;
		p.act = (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .qmin = lo, .qmax = 127 };
	}
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { k->n, oh, ow, k->cout },
				 .quant = t_q(out_scale, k->out_zp) };
	snprintf(what, sizeof(what),
		 "conv N=%u H=%u W=%u Cin=%u Cout=%u K=%ux%u s=%u,%u d=%u,%u pad=%u,%u,%u,%u "
		 "groups=%u in_zp=%d out_zp=%d rq=%d bias=%d act=%d qmin=%d ties=%d%s edge=%d,%d,%d "
		 "K block %u",
		 k->n, k->h, k->w, k->cin, k->cout, k->kh, k->kw, k->sh, k->sw, k->dh, k->dw, k->pt,
		 k->pl, k->pb, k->pr, k->groups, k->in_zp, k->out_zp, (int)k->rq, bias_mode,
		 (int)p.act.kind, p.act.qmin, (int)k->ties, k->ties_one_shift ? " (one shift)" : "",
		 k->edge ? k->edge_mult : 0, k->edge ? k->edge_shift : 0, k->edge ? k->edge_bias : 0,
		 t_kblock(e));
	ok = diff_run(t, e, diff_rec_conv, &p, &p.output, &d, what);
out:
	enpu_tensor_release(in);
	enpu_tensor_release(w);
	enpu_tensor_release(b);
	free(in_data);
	free(w_data);
	free(bias);
	free(mult);
	free(shift);
	return ok;
}

void kconv_randomize(tctx *t, kconv_t *k, uint32_t max_pad)
{
	k->in_zp = diff_random_zp(t);
	k->out_zp = diff_random_zp(t);
	k->rq = (kconv_rq_t)t_range(t, 0, KCONV_RQ_COUNT - 1);
	k->pt = (uint32_t)t_range(t, 0, (int32_t)max_pad);
	k->pl = (uint32_t)t_range(t, 0, (int32_t)max_pad);
	k->pb = (uint32_t)t_range(t, 0, (int32_t)max_pad);
	k->pr = (uint32_t)t_range(t, 0, (int32_t)max_pad);
	while (k->h + k->pt + k->pb < (k->kh - 1) * k->dh + 1)
		k->pb++;
	while (k->w + k->pl + k->pr < (k->kw - 1) * k->dw + 1)
		k->pr++;
}
