/* SPDX-License-Identifier: MIT */
/* Known-answer tests of the reference backend (the oracle), small cases
 * worked out by hand in the comments. */
#include "tests.h"

#define U32(...) ((const uint32_t[]){ __VA_ARGS__ })

void test_kat_ref_gemm_2x2(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *a = NULL, *b = NULL, *bias = NULL, *c = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	/* A - a_zp = [[0,1],[2,3]]; B = [[1,-1],[2,0]] (rows are n)
	 * acc = bias + (A-zp) B^T = [10,-4] + [[-1,0],[-1,4]] = [[9,-4],[9,0]]
	 * x0.25 (mult 2^30, shift -1): 9 -> 3 (double rounding), -4 -> -1, 0 -> 0
	 * + c_zp -3 -> [[0,-4],[0,-3]] */
	enpu_quant_t qa = t_q(0.5f, 1), qc = t_q(1.0f, -3);
	a = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 2, U32(2, 2), &qa, (int8_t[]){ 1, 2, 3, 4 });
	b = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 2, U32(2, 2), NULL, (int8_t[]){ 1, -1, 2, 0 });
	bias = t_tensor(t, e.ref, ENPU_DTYPE_INT32, 1, U32(2), NULL, (int32_t[]){ 10, -4 });
	c = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 2, U32(2, 2), &qc, NULL);
	CHECK(t, a && b && bias && c, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	enpu_gemm_params_t p = { .a = a, .b = b, .bias = bias, .c = c,
				 .requant = { (int32_t[]){ 1 << 30 }, (int32_t[]){ -1 }, 1 } };
	CHECK_OK(t, enpu_cmd_gemm(l, &p));
	CHECK_OK(t, t_run(e.ref, l));
	int8_t *r = t_data(c);
	CHECK(t, r[0] == 0 && r[1] == -4 && r[2] == 0 && r[3] == -3, "got [[%d,%d],[%d,%d]]", r[0],
	      r[1], r[2], r[3]);
out:
	enpu_command_list_release(l);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(bias);
	enpu_tensor_release(c);
	t_env_close(&e);
}

void test_kat_ref_conv_3x3_pad(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *in = NULL, *f = NULL, *out = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	/* input 3x3 = 2..10 with zp 1 (i.e. 1..9), 3x3 filter of ones, pad 1:
	 * each output is the sum of its in-bounds neighbourhood of 1..9;
	 * padding contributes nothing. mult 2^30 shift 1 is x1.0 exactly. */
	enpu_quant_t qi = t_q(1.0f, 1), qo = t_q(1.0f, 0);
	in = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 4, U32(1, 3, 3, 1), &qi,
		      (int8_t[]){ 2, 3, 4, 5, 6, 7, 8, 9, 10 });
	f = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 4, U32(1, 3, 3, 1), NULL,
		     (int8_t[]){ 1, 1, 1, 1, 1, 1, 1, 1, 1 });
	out = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 4, U32(1, 3, 3, 1), &qo, NULL);
	CHECK(t, in && f && out, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	enpu_conv2d_params_t p = { .input = in, .filter = f, .output = out, .stride_h = 1,
				   .stride_w = 1, .dilation_h = 1, .dilation_w = 1, .pad_top = 1,
				   .pad_left = 1, .pad_bottom = 1, .pad_right = 1, .groups = 1,
				   .requant = { (int32_t[]){ 1 << 30 }, (int32_t[]){ 1 }, 1 } };
	CHECK_OK(t, enpu_cmd_conv2d(l, &p));
	CHECK_OK(t, t_run(e.ref, l));
	const int8_t want[9] = { 12, 21, 16, 27, 45, 33, 24, 39, 28 };
	int8_t *r = t_data(out);
	for (int i = 0; i < 9; i++)
		CHECK(t, r[i] == want[i], "output %d = %d, expected %d", i, r[i], want[i]);
out:
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(f);
	enpu_tensor_release(out);
	t_env_close(&e);
}

/* Runs a pool over a 1xHxWx1 input; returns output element 0..n in r. */
static void pool1(tctx *t, t_env *e, enpu_pool_kind_t kind, uint32_t h, uint32_t w,
		  const int8_t *data, uint32_t k, uint32_t stride, uint32_t pad, int8_t *r,
		  uint32_t oh, uint32_t ow)
{
	enpu_command_list_t *l = NULL;
	enpu_quant_t q = t_q(0.1f, 0);
	enpu_tensor_t *in = t_tensor(t, e->ref, ENPU_DTYPE_INT8, 4, U32(1, h, w, 1), &q, data);
	enpu_tensor_t *out = t_tensor(t, e->ref, ENPU_DTYPE_INT8, 4, U32(1, oh, ow, 1), &q, NULL);
	CHECK(t, in && out, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	enpu_pool_params_t p = { .input = in, .output = out, .kind = kind, .kernel_h = k,
				 .kernel_w = k, .stride_h = stride, .stride_w = stride,
				 .pad_top = pad, .pad_left = pad, .pad_bottom = pad,
				 .pad_right = pad };
	CHECK_OK(t, enpu_cmd_pool(l, &p));
	CHECK_OK(t, t_run(e->ref, l));
	memcpy(r, t_data(out), (size_t)oh * ow);
out:
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
}

void test_kat_ref_pool(tctx *t)
{
	t_env e;
	int8_t r[4] = { 0 };
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	/* avg of 1,2,3,4 = (10 + 2) / 4 = 3; of -1..-4 = (-10 - 2) / 4 = -3 */
	pool1(t, &e, ENPU_POOL_AVG, 2, 2, (int8_t[]){ 1, 2, 3, 4 }, 2, 1, 0, r, 1, 1);
	CHECK(t, t->result == T_OK && r[0] == 3, "avg(1..4) = %d", r[0]);
	pool1(t, &e, ENPU_POOL_AVG, 2, 2, (int8_t[]){ -1, -2, -3, -4 }, 2, 1, 0, r, 1, 1);
	CHECK(t, t->result == T_OK && r[0] == -3, "avg(-1..-4) = %d", r[0]);
	pool1(t, &e, ENPU_POOL_MAX, 2, 2, (int8_t[]){ -9, 7, -128, 6 }, 2, 1, 0, r, 1, 1);
	CHECK(t, t->result == T_OK && r[0] == 7, "max = %d", r[0]);
	/* 2x2 input, 2x2 window, stride 1, pad 1 -> 3x3 output; the corner
	 * windows see one element, the edges two: avg of {1,2} = (3+1)/2 = 2 */
	int8_t r9[9];
	pool1(t, &e, ENPU_POOL_AVG, 2, 2, (int8_t[]){ 1, 2, 3, 5 }, 2, 1, 1, r9, 3, 3);
	const int8_t want[9] = { 1, 2, 2, 2, 3, 4, 3, 4, 5 };
	for (int i = 0; i < 9 && t->result == T_OK; i++)
		CHECK(t, r9[i] == want[i], "padded avg %d = %d, expected %d", i, r9[i], want[i]);
out:
	t_env_close(&e);
}

void test_kat_ref_add_mul(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *a = NULL, *b = NULL, *s = NULL, *m = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	/* scales 1: derived ADD multipliers are a,b: (2^30, 0) and out:
	 * 2/2^20 = (2^30, -18); 3 + 4: (3<<20)*0.5 + (4<<20)*0.5 = 3.5*2^20,
	 * x 2^-19 = 7. MUL with out scale 2: 3*4/2 = 6; -3*4/2 = -6. */
	enpu_quant_t q1 = t_q(1.0f, 0), q2 = t_q(2.0f, 0);
	a = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(2), &q1, (int8_t[]){ 3, -3 });
	b = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(2), &q1, (int8_t[]){ 4, 4 });
	s = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(2), &q1, NULL);
	m = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(2), &q2, NULL);
	CHECK(t, a && b && s && m, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = a, .b = b, .out = s }));
	CHECK_OK(t, enpu_cmd_mul(l, &(enpu_eltwise_params_t){ .a = a, .b = b, .out = m }));
	CHECK_OK(t, t_run(e.ref, l));
	int8_t *rs = t_data(s), *rm = t_data(m);
	CHECK(t, rs[0] == 7 && rs[1] == 1, "add: %d %d", rs[0], rs[1]);
	CHECK(t, rm[0] == 6 && rm[1] == -6, "mul: %d %d", rm[0], rm[1]);
	/* ADD of unequal scales (the derivation's 2 * max(sa, sb)): a 1.0, b 0.01,
	 * out 4.0: 127 + 0 = 127 / 4 = 31.75 -> 32; -128 + 1 = -127 -> -32 */
	enpu_command_list_release(l);
	l = NULL;
	enpu_tensor_release(b);
	enpu_tensor_release(s);
	b = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(2), &(enpu_quant_t){
		.kind = ENPU_QUANT_PER_TENSOR, .scale = 0.01f }, (int8_t[]){ 0, 100 });
	s = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(2), &(enpu_quant_t){
		.kind = ENPU_QUANT_PER_TENSOR, .scale = 4.0f }, NULL);
	CHECK(t, b && s, "tensor creation failed");
	((int8_t *)t_data(a))[0] = 127;
	((int8_t *)t_data(a))[1] = -128;
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = a, .b = b, .out = s }));
	CHECK_OK(t, t_run(e.ref, l));
	rs = t_data(s);
	CHECK(t, rs[0] == 32 && rs[1] == -32, "add of unequal scales: %d %d", rs[0], rs[1]);
out:
	enpu_command_list_release(l);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(s);
	enpu_tensor_release(m);
	t_env_close(&e);
}

void test_kat_ref_requant_cast(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *in = NULL, *rq = NULL, *h = NULL, *back = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	/* requant scale 1 -> 4 (x0.25), zp 1 -> -2: (9-1)*0.25 = 2 -> 0;
	 * (-128-1)*0.25 = -32.25 -> -32 -> -34; (127-1)*.25 = 31.5 -> 32 -> 30.
	 * dequant (scale 0.5, zp 1): 9 -> 4.0 = 0x4400, -128 -> -64.5 = 0xd408,
	 * 127 -> 63.0 = 0x53e0. quant back (same params): exact inverses. */
	enpu_quant_t qi = t_q(1.0f, 1), qo = t_q(4.0f, -2), qh = t_q(0.5f, 1);
	in = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(3), &qi, (int8_t[]){ 9, -128, 127 });
	rq = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(3), &qo, NULL);
	enpu_tensor_t *in_h = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(3), &qh,
				       (int8_t[]){ 9, -128, 127 });
	h = t_tensor(t, e.ref, ENPU_DTYPE_FP16, 1, U32(3), NULL, NULL);
	back = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(3), &qh, NULL);
	CHECK(t, in && rq && in_h && h && back, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = in, .output = rq }));
	CHECK_OK(t, enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = in_h, .output = h }));
	CHECK_OK(t, enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = h, .output = back }));
	CHECK_OK(t, t_run(e.ref, l));
	int8_t *r = t_data(rq), *bk = t_data(back);
	uint16_t *hh = t_data(h);
	CHECK(t, r[0] == 0 && r[1] == -34 && r[2] == 30, "requant: %d %d %d", r[0], r[1], r[2]);
	CHECK(t, hh[0] == 0x4400 && hh[1] == 0xd408 && hh[2] == 0x53e0,
	      "dequant: %04x %04x %04x", hh[0], hh[1], hh[2]);
	CHECK(t, bk[0] == 9 && bk[1] == -128 && bk[2] == 127, "quant: %d %d %d", bk[0], bk[1],
	      bk[2]);
out:
	enpu_tensor_release(in_h);
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(rq);
	enpu_tensor_release(h);
	enpu_tensor_release(back);
	t_env_close(&e);
}

void test_kat_ref_relu6(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *in = NULL, *out = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	/* output scale 0.1, zp -10: RELU6 = [-10, -10 + round(6/0.1) = 50].
	 * requantize x1 with in zp 0: values pass through, then clamp. */
	enpu_quant_t qi = t_q(0.1f, 0), qo = t_q(0.1f, -10);
	in = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(4), &qi, (int8_t[]){ -100, -10, 20, 90 });
	out = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(4), &qo, NULL);
	CHECK(t, in && out, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	enpu_requantize_params_t p = { .input = in, .output = out,
				       .requant = { (int32_t[]){ 1 << 30 }, (int32_t[]){ 1 }, 1 },
				       .act = { .kind = ENPU_ACT_RELU6 } };
	CHECK_OK(t, enpu_cmd_requantize(l, &p));
	CHECK_OK(t, t_run(e.ref, l));
	int8_t *r = t_data(out);
	/* -100 + (-10) = -110 -> -10; -10-10 = -20 -> -10; 20-10 = 10; 90-10 = 80 -> 50 */
	CHECK(t, r[0] == -10 && r[1] == -10 && r[2] == 10 && r[3] == 50, "relu6: %d %d %d %d",
	      r[0], r[1], r[2], r[3]);
	/* RELU: [zp, 127] */
	enpu_command_list_release(l);
	l = NULL;
	p.act = (enpu_act_t){ .kind = ENPU_ACT_RELU };
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_requantize(l, &p));
	CHECK_OK(t, t_run(e.ref, l));
	CHECK(t, r[0] == -10 && r[1] == -10 && r[2] == 10 && r[3] == 80, "relu: %d %d %d %d",
	      r[0], r[1], r[2], r[3]);
	/* RELU6 where 6 / scale is not whole: 6 / 0.07 = 85.7 rounds to 86 */
	enpu_command_list_release(l);
	l = NULL;
	enpu_tensor_release(out);
	out = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(4), &(enpu_quant_t){
		.kind = ENPU_QUANT_PER_TENSOR, .scale = 0.07f, .zero_point = -10 }, NULL);
	CHECK(t, out, "tensor creation failed");
	p.output = out;
	p.act = (enpu_act_t){ .kind = ENPU_ACT_RELU6 };
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_requantize(l, &p));
	CHECK_OK(t, t_run(e.ref, l));
	r = t_data(out);
	CHECK(t, r[3] == 76, "relu6 at scale 0.07: max %d, want -10 + 86", r[3]);
out:
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
	t_env_close(&e);
}
