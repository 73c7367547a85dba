/* SPDX-License-Identifier: MIT */
/* Convolution benchmark: enpu int8 CONV2D (3x3, depthwise 3x3, 1x1, the
 * 3-channel first layer) at MobileNet/ResNet-like shapes against oneDNN's
 * int8 convolution and XNNPACK's qs8 convolution, same run, same thread
 * count; without activation, then five shapes again with ReLU6 in all three.
 * Usage: bench_conv [-t threads] [-s seconds] [-f filter] */
#include <stdio.h>
#include <stdlib.h>
#include "exact.h"
#include "onednn_conv.h"
#include "peers.h"

typedef struct conv_shape {
	const char *name;
	uint32_t h, w, cin, cout, k, stride, groups;
} conv_shape_t;

/* relu6: every library clamps to ReLU6 (MobileNet's activation) */
static void bench_one(bench_env_t *env, const conv_shape_t *s, bool relu6, double secs,
		      const bench_peaks_t *peak, pthreadpool_t pool)
{
	char label[96];
	snprintf(label, sizeof(label), "%-9s %3ux%-3u %4u->%-4u k%u s%u g%-4u%s", s->name, s->h,
		 s->w, s->cin, s->cout, s->k, s->stride, s->groups, relu6 ? " relu6" : "");
	if (!bench_selected(label))
		return;
	peer_case_t c = { .env = env, .pool = pool };
	uint32_t pad = s->k / 2, cin_g = s->cin / s->groups;
	uint32_t oh = (s->h + 2 * pad - s->k) / s->stride + 1;
	uint32_t ow = (s->w + 2 * pad - s->k) / s->stride + 1;
	enpu_quant_t qi = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.02f, .zero_point = 3 };
	enpu_quant_t qw = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.01f };
	enpu_quant_t qo = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.5f, .zero_point = -2 };
	enpu_tensor_t *in =
		bench_tensor(env, ENPU_DTYPE_INT8, 4, (uint32_t[]){ 1, s->h, s->w, s->cin }, &qi, 0);
	enpu_tensor_t *f = bench_tensor(env, ENPU_DTYPE_INT8, 4,
					(uint32_t[]){ s->cout, s->k, s->k, cin_g }, &qw,
					ENPU_TENSOR_CONSTANT);
	enpu_tensor_t *out =
		bench_tensor(env, ENPU_DTYPE_INT8, 4, (uint32_t[]){ 1, oh, ow, s->cout }, &qo, 0);
	enpu_conv2d_params_t p = { .input = in, .filter = f, .output = out, .stride_h = s->stride,
				   .stride_w = s->stride, .dilation_h = 1, .dilation_w = 1,
				   .pad_top = pad, .pad_left = pad, .pad_bottom = pad,
				   .pad_right = pad, .groups = s->groups,
				   .act = { relu6 ? ENPU_ACT_RELU6 : ENPU_ACT_NONE } };
	bench_check(enpu_command_list_create(&c.list), "list");
	bench_check(enpu_cmd_conv2d(c.list, &p), "conv2d");
	size_t outs = (size_t)oh * ow * s->cout;
	int8_t *dout = malloc(outs), *xout = malloc(outs);
	int32_t *sums = malloc(outs * sizeof(int32_t));
	const char *note = "";
	onednn_conv_desc_t dd = { .h = s->h, .w = s->w, .cin = s->cin, .cout = s->cout,
				  .k = s->k, .stride = s->stride, .pad = pad,
				  .groups = s->groups, .in_zp = 3, .out_zp = -2,
				  .out_scale = 0.02f * 0.01f / 0.5f,
				  .clip_max = relu6 ? 6.0f / 0.5f : 0,
				  .in = bench_data(in),
				  .weights = bench_data(f), .out = dout };
	onednn_conv_t *dn = onednn_conv_create(&dd, &note);
	bool xnn = false;
	if (xnn_create_convolution2d_nhwc_qs8(pad, pad, pad, pad, s->k, s->k, s->stride, s->stride, 1,
					      1, s->groups, cin_g, s->cout / s->groups, s->cin,
					      s->cout, 3, 0.02f, 0.01f, bench_data(f), NULL, -2, 0.5f,
					      relu6 ? -2 : -128, relu6 ? -2 + 12 : 127, 0,
					      &c.xnn) == xnn_status_success &&
	    xnn_setup_convolution2d_nhwc_qs8(c.xnn, 1, s->h, s->w, bench_data(in), xout, pool) ==
		    xnn_status_success)
		xnn = true;
	/* interleaved, so that the shared machine's load hits all three alike */
	bench_empty_t z;
	bench_empty_open(&z, env);
	void (*const fns[])(void *) = { peer_run_enpu, dn ? onednn_conv_run : NULL,
					xnn ? peer_run_xnn : NULL, bench_empty_run };
	void *const args[] = { &c, dn, &c, &z };
	double ts[4];
	bench_time_interleaved(fns, args, 4, secs, ts);
	double t = ts[0], t_d = ts[1], t_x = ts[2];
	double ops = 2.0 * oh * ow * s->cout * s->k * s->k * cin_g;
	printf("%s enpu %7.1f GOPS ", label, ops / t * 1e-9);
	bench_print_peak_pct(ops / t, peak);
	printf(" | onednn %7.1f (x%.2f)%s | xnnpack qs8 %7.1f (x%.2f)", t_d ? ops / t_d * 1e-9 : 0.0,
	       t_d ? t_d / t : 0.0, note, t_x ? ops / t_x * 1e-9 : 0.0, t_x ? t_x / t : 0.0);
	bench_print_kernel_est(t, ts[3], t_d, "onednn", t_x, "xnnpack");
	bench_empty_close(&z);
	/* outputs against enpu's (each library rounds its own way: 1 is
	 * rounding), then oneDNN's int32 sums of the same problem against exact */
	const int8_t *eout = bench_data(out);
	printf(" | max |out - enpu's|: onednn %d, xnnpack %d",
	       dn ? exact_max_diff_i8(dout, eout, outs) : -1,
	       xnn ? exact_max_diff_i8(xout, eout, outs) : -1);
	dd.sums = true;
	dd.out = sums;
	onednn_conv_t *ds = onednn_conv_create(&dd, &note);
	if (ds) {
		onednn_conv_run(ds);
		exact_result_t r = exact_check_conv(
			&(exact_conv_t){ .in = dd.in, .w = dd.weights, .h = s->h, .w_ = s->w,
					 .cin = s->cin, .cout = s->cout, .k = s->k,
					 .stride = s->stride, .pad = pad, .groups = s->groups },
			sums);
		printf(", onednn int32 sums vs exact:");
		exact_print(&r);
		onednn_conv_destroy(ds);
	}
	printf("\n");
	fflush(stdout);
	if (c.xnn)
		xnn_delete_operator(c.xnn);
	onednn_conv_destroy(dn);
	free(dout);
	free(xout);
	free(sums);
	enpu_command_list_release(c.list);
	enpu_tensor_release(in);
	enpu_tensor_release(f);
	enpu_tensor_release(out);
}

int main(int argc, char **argv)
{
	bench_run_t r;
	bench_start(argc, argv, &r);
	bench_peaks_t peak = bench_int8_peaks(r.threads);
	static const conv_shape_t shapes[] = {
		{ "conv3x3", 56, 56, 64, 64, 3, 1, 1 },     { "conv3x3", 28, 28, 128, 128, 3, 1, 1 },
		{ "conv3x3", 14, 14, 256, 256, 3, 1, 1 },   { "conv3x3", 224, 224, 3, 32, 3, 2, 1 },
		{ "dw3x3", 112, 112, 32, 32, 3, 1, 32 },    { "dw3x3", 56, 56, 128, 128, 3, 1, 128 },
		{ "dw3x3", 28, 28, 256, 256, 3, 1, 256 },   { "dw3x3", 14, 14, 512, 512, 3, 1, 512 },
		{ "dw3x3", 7, 7, 1024, 1024, 3, 1, 1024 },  { "dw3x3", 112, 112, 64, 64, 3, 2, 64 },
		{ "dw3x3", 56, 56, 128, 128, 3, 2, 128 },   { "dw3x3", 28, 28, 256, 256, 3, 2, 256 },
		{ "dw3x3", 14, 14, 512, 512, 3, 2, 512 },   { "dw5x5", 28, 28, 120, 120, 5, 1, 120 },
		{ "dw5x5", 14, 14, 672, 672, 5, 1, 672 },   { "dw5x5", 7, 7, 960, 960, 5, 1, 960 },
		{ "pw1x1", 56, 56, 128, 128, 1, 1, 1 },
		{ "pw1x1", 14, 14, 512, 512, 1, 1, 1 },     { "pw1x1", 7, 7, 1024, 1024, 1, 1, 1 },
	};
	/* again with ReLU6: the first layer, dw3x3 s1 (large and small), s2, dw5x5 */
	static const size_t relu6[] = { 3, 4, 7, 9, 13 };
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		bench_one(&r.env, &shapes[i], false, r.secs, &peak, r.pool);
	for (size_t i = 0; i < sizeof(relu6) / sizeof(relu6[0]); i++)
		bench_one(&r.env, &shapes[relu6[i]], true, r.secs, &peak, r.pool);
	bench_finish(&r);
	return 0;
}
