/* SPDX-License-Identifier: MIT */
/* fp16 GEMM/CONV2D: a hand-checked reference case, and CPU results within the
 * tolerance of docs/numerics.md of the reference (fp64 accumulation, one
 * rounding): f16_bound.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../libhal/src/backend.h"
#include "../../libhal/src/cpu/cpu_device.h"
#include "f16_bound.h"
#include "tests.h"

#define U32(...) ((const uint32_t[]){ __VA_ARGS__ })

static uint16_t h(float f) { return enpu_f32_to_f16(f); }

void test_kat_ref_gemm_f16(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *a = NULL, *b = NULL, *bias = NULL, *c = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	/* A = [[1,2],[3,4]], B = [[0.5,0.25],[1,-1]], bias [0.125, 0]:
	 * C = [[1*.5+2*.25+.125, 1-2], [3*.5+4*.25+.125, 3-4]]
	 *   = [[1.125, -1], [2.625, -1]]; RELU -> [[1.125, 0], [2.625, 0]] */
	a = t_tensor(t, e.ref, ENPU_DTYPE_FP16, 2, U32(2, 2), NULL,
		     (uint16_t[]){ h(1), h(2), h(3), h(4) });
	b = t_tensor(t, e.ref, ENPU_DTYPE_FP16, 2, U32(2, 2), NULL,
		     (uint16_t[]){ h(0.5f), h(0.25f), h(1), h(-1) });
	bias = t_tensor(t, e.ref, ENPU_DTYPE_FP32, 1, U32(2), NULL, (float[]){ 0.125f, 0.0f });
	c = t_tensor(t, e.ref, ENPU_DTYPE_FP16, 2, U32(2, 2), NULL, NULL);
	CHECK(t, a && b && bias && c, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	enpu_gemm_params_t p = { .a = a, .b = b, .bias = bias, .c = c,
				 .act = { .kind = ENPU_ACT_RELU } };
	CHECK_OK(t, enpu_cmd_gemm(l, &p));
	CHECK_OK(t, t_run(e.ref, l));
	uint16_t *r = t_data(c);
	CHECK(t, r[0] == h(1.125f) && r[1] == 0 && r[2] == h(2.625f) && r[3] == 0,
	      "got %04x %04x %04x %04x", r[0], r[1], r[2], r[3]);
out:
	enpu_command_list_release(l);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(bias);
	enpu_tensor_release(c);
	t_env_close(&e);
}

/* The range's edges: +-infinity, NaN, +-65504 (products that overflow), -0 */
static const uint16_t edge16[] = { 0x7c00, 0xfc00, 0x7e00, 0x7bff, 0xfbff, 0x8000 };

/* Random fp16 tensor with values in [-2, 2], with edges one in 64 of them an
 * edge16 value */
static enpu_tensor_t *random_f16(tctx *t, t_env *e, uint32_t rank, const uint32_t *dims,
				 bool edges)
{
	size_t n = 1;
	for (uint32_t i = 0; i < rank; i++)
		n *= dims[i];
	uint16_t *v = calloc(n, sizeof(uint16_t));
	enpu_tensor_t *x = NULL;
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		v[i] = h((float)t_range(t, -30000, 30000) / 15000.0f);
		if (edges && t_range(t, 0, 63) == 0)
			v[i] = edge16[t_range(t, 0, (int32_t)(sizeof(edge16) / sizeof(edge16[0])) - 1)];
	}
	x = t_tensor(t, e->ref, ENPU_DTYPE_FP16, rank, dims, NULL, v);
	free(v);
	return x;
}

/* Runs op (recorded by rec with the output slot) on ref and cpu, then checks
 * the tolerance with S from the inputs x, w of geometry g. */
typedef enpu_status_t (*rec_fn)(enpu_command_list_t *, const void *);
static enpu_status_t rec_gemm(enpu_command_list_t *l, const void *p) { return enpu_cmd_gemm(l, p); }
static enpu_status_t rec_conv(enpu_command_list_t *l, const void *p)
{
	return enpu_cmd_conv2d(l, p);
}

static bool check_f16(tctx *t, t_env *e, rec_fn rec, void *params, enpu_tensor_t **slot,
		      const f16_geom_t *g, enpu_tensor_t *x, enpu_tensor_t *w, const uint32_t *dims,
		      uint32_t rank, const float *bias, const char *what)
{
	enpu_tensor_t *out[2] = { 0 };
	enpu_command_list_t *l[2] = { 0 };
	bool ok = false;
	for (int i = 0; i < 2; i++) {
		out[i] = t_tensor(t, e->ref, ENPU_DTYPE_FP16, rank, dims, NULL, NULL);
		CHECK(t, out[i], "output");
		CHECK_OK(t, enpu_command_list_create(&l[i]));
		*slot = out[i];
		CHECK_OK(t, rec(l[i], params));
		CHECK_OK(t, t_run(i ? e->cpu : e->ref, l[i]));
	}
	const uint16_t *r = t_data(out[0]), *c = t_data(out[1]);
	size_t n = enpu_tensor_element_count(out[0]);
	uint32_t k = g->k_h * g->k_w * (g->in_c / g->groups);
	for (size_t i = 0; i < n; i++) {
		double ref = enpu_f16_to_f32(r[i]), got = enpu_f16_to_f32(c[i]);
		double b = bias ? fabs((double)bias[i % g->out_c]) : 0.0;
		double s = f16_abs_sum(g, t_data(x), t_data(w), i);
		CHECK(t, f16_conforms(got, ref, k, s, b), "%s: element %zu: dut %.9g ref %.9g (S %.9g)",
		      what, i, got, ref, s);
	}
	ok = true;
out:
	*slot = NULL;
	for (int i = 0; i < 2; i++) {
		enpu_command_list_release(l[i]);
		enpu_tensor_release(out[i]);
	}
	return ok;
}

/* Random fp32 bias in [-10, 10]; with edges one in 16 +-infinity or NaN */
static enpu_tensor_t *random_bias(tctx *t, t_env *e, uint32_t n, bool edges, float **values)
{
	static const float edge32[] = { INFINITY, -INFINITY, NAN };
	*values = malloc(n * sizeof(float));
	if (!*values)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		(*values)[i] = (float)t_range(t, -1000, 1000) / 100.0f;
		if (edges && t_range(t, 0, 15) == 0)
			(*values)[i] = edge32[t_range(t, 0, 2)];
	}
	return t_tensor(t, e->ref, ENPU_DTYPE_FP32, 1, &n, NULL, *values);
}

static enpu_act_t random_f16_act(tctx *t)
{
	switch (t_range(t, 0, 3)) {
	case 0: return (enpu_act_t){ .kind = ENPU_ACT_RELU };
	case 1: return (enpu_act_t){ .kind = ENPU_ACT_RELU6 };
	case 2: return (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .fmin = -3.0f, .fmax = 2.5f };
	default: return (enpu_act_t){ .kind = ENPU_ACT_NONE };
	}
}

/* One random M x N x K fp16 GEMM (bias or not, random clamp) checked against
 * the reference; with edges, edge values among its inputs. how: appended to
 * its name in a failure ("" for nothing). */
static void gemm_case_how(tctx *t, t_env *e, uint32_t m, uint32_t n, uint32_t k, bool edges,
			  const char *how)
{
	char what[160];
	enpu_tensor_t *bias = NULL;
	float *bv = NULL;
	enpu_tensor_t *a = random_f16(t, e, 2, U32(m, k), edges);
	enpu_tensor_t *b = random_f16(t, e, 2, U32(n, k), edges);
	if (t_range(t, 0, 1))
		bias = random_bias(t, e, n, edges, &bv);
	enpu_gemm_params_t p = { .a = a, .b = b, .bias = bias, .act = random_f16_act(t) };
	const f16_geom_t g = { .in_h = 1, .in_w = m, .in_c = k, .out_h = 1, .out_w = m, .out_c = n,
			       .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .groups = 1 };
	snprintf(what, sizeof(what), "gemm f16 M=%u N=%u K=%u bias=%d act=%d%s", m, n, k,
		 bias != NULL, (int)p.act.kind, how);
	if (a && b)
		check_f16(t, e, rec_gemm, &p, &p.c, &g, a, b, U32(m, n), 2, bv, what);
	else
		t_fail(t, __FILE__, __LINE__, "inputs");
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(bias);
	free(bv);
}

static void gemm_case(tctx *t, t_env *e, uint32_t m, uint32_t n, uint32_t k, bool edges)
{
	gemm_case_how(t, e, m, n, k, edges, "");
}

/* e's CPU device under test, NULL for the NPU and the GPU */
static cpu_device_t *cpu_dut(const t_env *e)
{
	return e->cpu->backend == &enpu_cpu_backend ? e->cpu->state : NULL;
}

void test_gemm_f16_tol(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_GEMM, ENPU_DTYPE_FP16))
		return;
	/* the edge sizes; the CPU's skinny GEMMs (M <= 12: fp16 B panels, read
	 * in groups; one to three rows: K over interleaved chains, with K
	 * tails), also as the last
	 * row tile of a taller GEMM; N and K multiples of 4 (the GPU's tiled
	 * shader), then M, N multiples of 128 and K of 32 (its cooperative-matrix
	 * shader); then random */
	static const uint32_t fixed[][3] = {
		{ 1, 1, 1 },	 { 3, 3, 3 },	  { 17, 17, 17 },   { 255, 255, 255 },
		{ 2, 40, 7 },	 { 1, 33, 1023 }, { 6, 17, 5 },	    { 7, 20, 9 },
		{ 8, 35, 402 },	 { 9, 20, 11 },	  { 1, 4, 4 },	  { 65, 68, 20 },   { 130, 132, 260 },
		{ 3, 256, 36 },	 { 128, 128, 96 }, { 256, 128, 256 },
		/* M <= 12 over groups of fp16 panels and the panels after them
		 * (N = 800: more panels than one call takes), then the first M of
		 * fp32 panels */
		{ 1, 293, 70 },	 { 2, 150, 33 },  { 3, 300, 20 },   { 4, 200, 45 },
		{ 5, 170, 19 },	 { 6, 330, 64 },	  { 9, 290, 40 },   { 12, 200, 33 },
		{ 2, 800, 40 },	 { 13, 70, 50 },
	};
	const int nfixed = (int)(sizeof(fixed) / sizeof(fixed[0]));
	cpu_device_t *d = cpu_dut(&e);
	size_t host_max = d ? d->f16_fp32_max : 0;
	/* the fixed shapes with the host's choice of B's panels, then on the CPU
	 * with skinny GEMMs forced to fp32 panels (a host with slow fp16
	 * conversions: cpu_f16_fp32_max) and to fp16 panels */
	static const char *const how[] = { "", " (fp32 B panels)", " (fp16 B panels)" };
	for (int pass = 0; pass < (d ? 3 : 1) && t->result == T_OK; pass++) {
		if (d)
			d->f16_fp32_max = pass == 1 ? SIZE_MAX : pass == 2 ? 0 : host_max;
		for (int i = 0; i < nfixed && t->result == T_OK; i++)
			gemm_case_how(t, &e, fixed[i][0], fixed[i][1], fixed[i][2], false,
				      how[pass]);
	}
	if (d)
		d->f16_fp32_max = host_max;
	for (int i = 0; i < 21 && t->result == T_OK; i++)
		gemm_case(t, &e, (uint32_t)t_range(t, 1, 80), (uint32_t)t_range(t, 1, 80),
			  (uint32_t)t_range(t, 1, 400), false);
	t_env_close(&e);
}

/* One random fp16 convolution (square kernel kk, stride st, padding pad on
 * every side) checked against the reference; with edges, edge values among
 * its inputs. */
static void conv_case(tctx *t, t_env *e, uint32_t hh, uint32_t ww, uint32_t cin, uint32_t cout,
		      uint32_t kk, uint32_t st, uint32_t pad, uint32_t groups, bool edges)
{
	char what[160];
	uint32_t oh = (hh + 2 * pad - kk) / st + 1, ow = (ww + 2 * pad - kk) / st + 1;
	enpu_tensor_t *bias = NULL;
	float *bv = NULL;
	enpu_tensor_t *x = random_f16(t, e, 4, U32(1, hh, ww, cin), edges);
	enpu_tensor_t *w = random_f16(t, e, 4, U32(cout, kk, kk, cin / groups), edges);
	if (t_range(t, 0, 1))
		bias = random_bias(t, e, cout, edges, &bv);
	enpu_conv2d_params_t p = { .input = x, .filter = w, .bias = bias, .stride_h = st,
				   .stride_w = st, .dilation_h = 1, .dilation_w = 1,
				   .pad_top = pad, .pad_left = pad, .pad_bottom = pad,
				   .pad_right = pad, .groups = groups, .act = random_f16_act(t) };
	const f16_geom_t g = { .in_h = hh, .in_w = ww, .in_c = cin, .out_h = oh, .out_w = ow,
			       .out_c = cout, .k_h = kk, .k_w = kk, .stride_h = st, .stride_w = st,
			       .pad_t = pad, .pad_l = pad, .groups = groups };
	snprintf(what, sizeof(what), "conv f16 %ux%ux%u->%u k=%u s=%u pad=%u groups=%u", hh, ww,
		 cin, cout, kk, st, pad, groups);
	if (x && w)
		check_f16(t, e, rec_conv, &p, &p.output, &g, x, w, U32(1, oh, ow, cout), 4, bv, what);
	else
		t_fail(t, __FILE__, __LINE__, "inputs");
	enpu_tensor_release(x);
	enpu_tensor_release(w);
	enpu_tensor_release(bias);
	free(bv);
}

/* Random convolution shapes; every fourth one of the GPU's tiled shader (one
 * group, Cin and Cout multiples of 4, padding) */
static void conv_cases(tctx *t, t_env *e, int count, bool edges)
{
	for (int i = 0; i < count && t->result == T_OK; i++) {
		uint32_t groups = (uint32_t)t_range(t, 1, 3);
		uint32_t cin = groups * (uint32_t)t_range(t, 1, 8), cout = groups * (uint32_t)t_range(t, 1, 8);
		uint32_t hh = (uint32_t)t_range(t, 3, 10), ww = (uint32_t)t_range(t, 3, 10);
		uint32_t kk = (uint32_t)t_range(t, 1, 3), st = (uint32_t)t_range(t, 1, 2);
		uint32_t pad = (uint32_t)t_range(t, 0, 2);
		if (i % 4 == 0) {
			groups = 1;
			cin = 4 * (uint32_t)t_range(t, 1, 3);
			cout = 4 * (uint32_t)t_range(t, 1, 3);
			pad = (uint32_t)t_range(t, 1, 2);
		}
		conv_case(t, e, hh, ww, cin, cout, kk, st, pad, groups, edges);
	}
}

void test_conv_f16_tol(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_CONV2D, ENPU_DTYPE_FP16))
		return;
	conv_cases(t, &e, 20, false);
	t_env_close(&e);
}

/* A padded tap's input is +0.0, so an infinite weight over padding gives NaN
 * (docs/numerics.md): 2 x 2 input of ones, 3 x 3 filter of ones with +inf in
 * its top left corner, padding 1: that corner reads padding for every output
 * but the bottom right one, which reads 1 * inf. */
static void conv_pad_times_inf(tctx *t, t_env *e)
{
	enpu_tensor_t *x = NULL, *w = NULL, *y[2] = { 0 };
	enpu_command_list_t *l = NULL;
	uint16_t wv[9];
	for (int i = 0; i < 9; i++)
		wv[i] = h(1.0f);
	wv[0] = 0x7c00;
	x = t_tensor(t, e->ref, ENPU_DTYPE_FP16, 4, U32(1, 2, 2, 1), NULL,
		     (uint16_t[]){ h(1), h(1), h(1), h(1) });
	w = t_tensor(t, e->ref, ENPU_DTYPE_FP16, 4, U32(1, 3, 3, 1), NULL, wv);
	for (int i = 0; i < 2; i++)
		y[i] = t_tensor(t, e->ref, ENPU_DTYPE_FP16, 4, U32(1, 2, 2, 1), NULL, NULL);
	CHECK(t, x && w && y[0] && y[1], "tensors");
	for (int i = 0; i < 2; i++) {
		enpu_conv2d_params_t p = { .input = x, .filter = w, .output = y[i], .stride_h = 1,
					   .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
					   .pad_top = 1, .pad_left = 1, .pad_bottom = 1,
					   .pad_right = 1, .groups = 1 };
		CHECK_OK(t, enpu_command_list_create(&l));
		CHECK_OK(t, enpu_cmd_conv2d(l, &p));
		CHECK_OK(t, t_run(i ? e->cpu : e->ref, l));
		enpu_command_list_release(l);
		l = NULL;
		const uint16_t *o = t_data(y[i]);
		CHECK(t, (o[0] & 0x7fff) > 0x7c00 && (o[1] & 0x7fff) > 0x7c00 &&
			      (o[2] & 0x7fff) > 0x7c00 && o[3] == 0x7c00,
		      "%s: padding x inf: got %04x %04x %04x %04x, want NaN NaN NaN 7c00",
		      i ? "dut" : "reference", o[0], o[1], o[2], o[3]);
	}
out:
	enpu_command_list_release(l);
	enpu_tensor_release(x);
	enpu_tensor_release(w);
	enpu_tensor_release(y[0]);
	enpu_tensor_release(y[1]);
}

/* GEMM and convolution with the range's edges among their inputs (and in
 * the bias): NaN, infinities and overflow where the reference has them
 * (f16_conforms), clamps included (NaN passes a clamp). */
void test_f16_nonfinite(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3),
			    1u << ENPU_OP_GEMM | 1u << ENPU_OP_CONV2D, ENPU_DTYPE_FP16))
		return;
	conv_pad_times_inf(t, &e);
	static const uint32_t fixed[][3] = {
		{ 1, 40, 64 }, { 3, 17, 33 }, { 6, 20, 100 }, { 33, 36, 48 }, { 128, 128, 96 },
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && t->result == T_OK; i++)
		gemm_case(t, &e, fixed[i][0], fixed[i][1], fixed[i][2], true);
	for (int i = 0; i < 8 && t->result == T_OK; i++) {
		/* drawn in order: the order of a call's arguments is unspecified */
		uint32_t m = (uint32_t)t_range(t, 1, 40), n = (uint32_t)t_range(t, 1, 40);
		gemm_case(t, &e, m, n, (uint32_t)t_range(t, 1, 200), true);
	}
	conv_cases(t, &e, 16, true);
	t_env_close(&e);
}

/* Constant fp16 weights are converted once and cached with the op: the cached
 * runs of every CPU family must give the bits of an uncached run of that
 * family (same kernel), including when families share one command list and
 * when a device reads B's panels in the other format (fp32 or fp16). */
void test_gemm_f16_weight_cache(tctx *t)
{
	enpu_cpu_isa_t isas[4];
	size_t n_isa = t_isas(isas);
	t_env e;
	enpu_device_t *cpu[4] = { 0 };
	enpu_tensor_t *a = NULL, *b = NULL, *bc = NULL, *c = NULL;
	enpu_command_list_t *lc = NULL, *lm = NULL;
	enum { M = 5, N = 40, K = 33 };
	uint16_t want[M * N];
	size_t idx;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	CHECK_OK(t, enpu_context_find_device(e.ctx, ENPU_DEVICE_CPU, &idx));
	for (size_t i = 0; i < n_isa; i++) {
		enpu_device_options_t opt = { .num_threads = 2, .cpu_isa = isas[i] };
		CHECK_OK(t, enpu_device_open(e.ctx, idx, &opt, &cpu[i]));
	}
	a = random_f16(t, &e, 2, U32(M, K), false);
	b = random_f16(t, &e, 2, U32(N, K), false);
	enpu_tensor_desc_t d = *enpu_tensor_desc(b);
	d.flags = ENPU_TENSOR_CONSTANT;
	CHECK_OK(t, enpu_tensor_create(enpu_tensor_buffer(b), 0, &d, &bc)); /* same memory */
	c = t_tensor(t, e.ref, ENPU_DTYPE_FP16, 2, U32(M, N), NULL, NULL);
	CHECK(t, a && b && c, "tensors");
	CHECK_OK(t, enpu_command_list_create(&lc));
	CHECK_OK(t, enpu_command_list_create(&lm));
	CHECK_OK(t, enpu_cmd_gemm(lc, &(enpu_gemm_params_t){ .a = a, .b = bc, .c = c }));
	CHECK_OK(t, enpu_cmd_gemm(lm, &(enpu_gemm_params_t){ .a = a, .b = b, .c = c }));
	for (int rep = 0; rep < 2; rep++)
		for (size_t i = 0; i < n_isa; i++) {
			CHECK_OK(t, t_run(cpu[i], lm));
			memcpy(want, t_data(c), sizeof(want));
			memset(t_data(c), 0, sizeof(want));
			CHECK_OK(t, t_run(cpu[i], lc));
			CHECK(t, memcmp(t_data(c), want, sizeof(want)) == 0,
			      "%s run %d: cached weights give different bits", t_isa_name(isas[i]), rep);
		}
	/* a device that caches B's panels in one format, then reads them in the
	 * other (fp32 or fp16: f16_fp32_max) and back, on a list of its own */
	for (size_t i = 0; i < n_isa; i++) {
		cpu_device_t *dev = cpu[i]->state;
		size_t host_max = dev->f16_fp32_max;
		enpu_command_list_release(lc);
		lc = NULL;
		CHECK_OK(t, enpu_command_list_create(&lc));
		CHECK_OK(t, enpu_cmd_gemm(lc, &(enpu_gemm_params_t){ .a = a, .b = bc, .c = c }));
		for (int rep = 0; rep < 3; rep++) {
			dev->f16_fp32_max = rep != 1 ? host_max : host_max ? 0 : SIZE_MAX;
			CHECK_OK(t, t_run(cpu[i], lm));
			memcpy(want, t_data(c), sizeof(want));
			memset(t_data(c), 0, sizeof(want));
			CHECK_OK(t, t_run(cpu[i], lc));
			dev->f16_fp32_max = host_max;
			CHECK(t, memcmp(t_data(c), want, sizeof(want)) == 0,
			      "%s run %d: cached weights in the other format give different bits",
			      t_isa_name(isas[i]), rep);
		}
	}
out:
	enpu_command_list_release(lc);
	enpu_command_list_release(lm);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(bc);
	enpu_tensor_release(c);
	for (int i = 0; i < 4; i++)
		enpu_device_release(cpu[i]);
	t_env_close(&e);
}
