/* SPDX-License-Identifier: MIT */
/* API tests: op recording rejects bad arguments with clear messages. */
#include <math.h>
#include "tests.h"

#define U32(...) ((const uint32_t[]){ __VA_ARGS__ })

static void rel(enpu_tensor_t **ts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		enpu_tensor_release(ts[i]);
}

void test_api_gemm_errors(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *ts[13] = { 0 };
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	enpu_quant_t q = t_q(0.5f, 0), qw = t_q(0.25f, 3);
	enpu_tensor_t *a = ts[0] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(4, 8), &q, NULL);
	enpu_tensor_t *b = ts[1] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(5, 8), &q, NULL);
	enpu_tensor_t *c = ts[2] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(4, 5), &q, NULL);
	enpu_tensor_t *bad_c = ts[3] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(4, 6), &q, NULL);
	enpu_tensor_t *u8 = ts[4] = t_tensor(t, e.cpu, ENPU_DTYPE_UINT8, 2, U32(4, 8), NULL, NULL);
	enpu_tensor_t *bw = ts[5] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(5, 8), &qw, NULL);
	enpu_tensor_t *bias = ts[6] = t_tensor(t, e.cpu, ENPU_DTYPE_INT32, 1, U32(4), NULL, NULL);
	enpu_tensor_t *noq = ts[7] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(5, 8), NULL, NULL);
	enpu_tensor_t *bk = ts[8] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(5, 7), &q, NULL);
	float s8[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	enpu_quant_t q_axis1 = { .kind = ENPU_QUANT_PER_CHANNEL, .axis = 1, .count = 8, .scales = s8 };
	enpu_tensor_t *b_axis1 = ts[9] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(5, 8), &q_axis1,
						  NULL);
	CHECK(t, a && b && c && bad_c && u8 && bw && bias && noq && bk && b_axis1,
	      "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_ERR(t, enpu_cmd_gemm(l, NULL), ENPU_STATUS_INVALID_ARGUMENT, "params is NULL");
	CHECK_ERR(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .b = b, .c = c }),
		  ENPU_STATUS_INVALID_ARGUMENT, "A is NULL");
	CHECK_ERR(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = b, .c = bad_c }),
		  ENPU_STATUS_INVALID_ARGUMENT, "shape mismatch");
	CHECK_ERR(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = bk, .c = c }),
		  ENPU_STATUS_INVALID_ARGUMENT, "B [5][7]");
	CHECK_ERR(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = u8, .b = b, .c = c }),
		  ENPU_STATUS_UNSUPPORTED, "unsupported dtype uint8");
	CHECK_ERR(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = bw, .c = c }),
		  ENPU_STATUS_INVALID_ARGUMENT, "symmetric");
	CHECK_ERR(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = b, .bias = bias, .c = c }),
		  ENPU_STATUS_INVALID_ARGUMENT, "bias has 4 elements, expected 5");
	CHECK_ERR(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = noq, .c = c }),
		  ENPU_STATUS_INVALID_ARGUMENT, "no quantization scale");
	enpu_gemm_params_t p = { .a = a, .b = b, .c = c,
				 .requant = { (int32_t[]){ 1 << 30 }, (int32_t[]){ 31 }, 1 } };
	CHECK_ERR(t, enpu_cmd_gemm(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "shift 31 invalid");
	p.requant = (enpu_requant_t){ (int32_t[]){ -5 }, (int32_t[]){ 0 }, 1 };
	CHECK_ERR(t, enpu_cmd_gemm(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "multiplier -5");
	p.requant = (enpu_requant_t){ (int32_t[]){ 1, 2 }, (int32_t[]){ 0, 0 }, 2 };
	CHECK_ERR(t, enpu_cmd_gemm(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "count 1 or 5");
	p.requant = (enpu_requant_t){ (int32_t[]){ 1 << 30 }, NULL, 1 };
	CHECK_ERR(t, enpu_cmd_gemm(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "shift NULL");
	p.requant = (enpu_requant_t){ 0 };
	p.act = (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .qmin = 10, .qmax = 5 };
	CHECK_ERR(t, enpu_cmd_gemm(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "clamp [10, 5]");
	p.act = (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .qmin = -129, .qmax = 5 };
	CHECK_ERR(t, enpu_cmd_gemm(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "clamp");
	p.act = (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .qmin = -5, .qmax = 128 };
	CHECK_ERR(t, enpu_cmd_gemm(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "clamp [-5, 128]");
	p.act = (enpu_act_t){ 0 };
	p.b = b_axis1;
	CHECK_ERR(t, enpu_cmd_gemm(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "axis 0, got 1");
	p.b = b;
	CHECK(t, enpu_command_list_size(l) == 0, "failed records must not append");
	p.act = (enpu_act_t){ .kind = ENPU_ACT_RELU };
	CHECK_OK(t, enpu_cmd_gemm(l, &p));
	CHECK(t, enpu_command_list_size(l) == 1, "size after a good record");
	/* clamps: empty or NaN bounds are rejected, a single value [x, x] is not */
	p.act = (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .qmin = 5, .qmax = 5 };
	CHECK_OK(t, enpu_cmd_gemm(l, &p));
	enpu_tensor_t *a16 = ts[10] = t_tensor(t, e.cpu, ENPU_DTYPE_FP16, 2, U32(4, 8), NULL, NULL);
	enpu_tensor_t *b16 = ts[11] = t_tensor(t, e.cpu, ENPU_DTYPE_FP16, 2, U32(5, 8), NULL, NULL);
	enpu_tensor_t *c16 = ts[12] = t_tensor(t, e.cpu, ENPU_DTYPE_FP16, 2, U32(4, 5), NULL, NULL);
	CHECK(t, a16 && b16 && c16, "fp16 tensor creation failed");
	enpu_gemm_params_t ph = { .a = a16, .b = b16, .c = c16 };
	ph.act = (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .fmin = 2.0f, .fmax = 1.0f };
	CHECK_ERR(t, enpu_cmd_gemm(l, &ph), ENPU_STATUS_INVALID_ARGUMENT, "clamp [2, 1] is invalid");
	ph.act = (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .fmin = NAN, .fmax = 1.0f };
	CHECK_ERR(t, enpu_cmd_gemm(l, &ph), ENPU_STATUS_INVALID_ARGUMENT, "is invalid");
	ph.act = (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .fmin = 1.5f, .fmax = 1.5f };
	CHECK_OK(t, enpu_cmd_gemm(l, &ph));
	CHECK(t, enpu_command_list_size(l) == 3, "size after the clamps");
out:
	enpu_command_list_release(l);
	rel(ts, 13);
	t_env_close(&e);
}

void test_api_conv_pool_errors(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *ts[8] = { 0 };
	enpu_tensor_t *big_a = NULL, *big_b = NULL, *big_c = NULL, *big_in = NULL, *big_out = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	enpu_quant_t q = t_q(0.5f, 0), q2 = t_q(0.25f, 0);
	enpu_tensor_t *in = ts[0] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(1, 5, 5, 4), &q, NULL);
	enpu_tensor_t *f = ts[1] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(6, 3, 3, 2), &q, NULL);
	enpu_tensor_t *out = ts[2] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(1, 3, 3, 6), &q, NULL);
	enpu_tensor_t *pout = ts[3] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(1, 2, 2, 4), &q2, NULL);
	enpu_tensor_t *pout_ok = ts[4] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(1, 4, 4, 4), &q, NULL);
	enpu_tensor_t *f5 = ts[5] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(5, 3, 3, 2), &q, NULL);
	enpu_tensor_t *out5 = ts[6] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(1, 3, 3, 5), &q, NULL);
	CHECK(t, in && f && out && pout && pout_ok && f5 && out5, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	enpu_conv2d_params_t c = { .input = in, .filter = f, .output = out, .stride_h = 1,
				   .stride_w = 1, .dilation_h = 1, .dilation_w = 1, .groups = 2 };
	CHECK_OK(t, enpu_cmd_conv2d(l, &c));
	c.stride_w = 0;
	CHECK_ERR(t, enpu_cmd_conv2d(l, &c), ENPU_STATUS_INVALID_ARGUMENT, "must all be >= 1");
	c.stride_w = 1;
	c.groups = 3;
	CHECK_ERR(t, enpu_cmd_conv2d(l, &c), ENPU_STATUS_INVALID_ARGUMENT, "groups 3 must divide");
	c.groups = 2;
	c.filter = f5; /* Cin 4 / 2 = 2 per group, but Cout 5 */
	c.output = out5;
	CHECK_ERR(t, enpu_cmd_conv2d(l, &c), ENPU_STATUS_INVALID_ARGUMENT, "Cout 5");
	c.filter = f;
	c.output = out;
	c.pad_top = 1;
	CHECK_ERR(t, enpu_cmd_conv2d(l, &c), ENPU_STATUS_INVALID_ARGUMENT,
		  "output shape [1][3][3][6] != expected [1][4][3][6]");
	c.pad_top = 0;
	c.dilation_h = 3;
	CHECK_ERR(t, enpu_cmd_conv2d(l, &c), ENPU_STATUS_INVALID_ARGUMENT, "larger than padded input");
	c.dilation_h = 1;
	/* an output height of 2^32 + 3, not the 3 it would wrap to */
	c.pad_top = c.pad_bottom = 1u << 31;
	CHECK_ERR(t, enpu_cmd_conv2d(l, &c), ENPU_STATUS_OUT_OF_RANGE,
		  "output 4294967299x3 exceeds");
	c.pad_top = c.pad_bottom = 0;
	enpu_pool_params_t p = { .input = in, .output = pout, .kind = ENPU_POOL_MAX, .kernel_h = 2,
				 .kernel_w = 2, .stride_h = 2, .stride_w = 2 };
	CHECK_ERR(t, enpu_cmd_pool(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "share quantization");
	p.output = pout_ok;
	p.stride_h = p.stride_w = 1;
	p.pad_top = 2;
	p.pad_bottom = 1;
	p.kernel_h = 2;
	CHECK_ERR(t, enpu_cmd_pool(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "no input element");
	/* the first window only padding on the left; the last one only padding
	 * at the bottom or right (it starts right past the input) */
	static const uint32_t pads[][4] = { { 0, 2, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 0, 2 } };
	for (size_t i = 0; i < 3; i++) {
		p.pad_top = pads[i][0];
		p.pad_left = pads[i][1];
		p.pad_bottom = pads[i][2];
		p.pad_right = pads[i][3];
		p.kernel_w = 2;
		CHECK_ERR(t, enpu_cmd_pool(l, &p), ENPU_STATUS_INVALID_ARGUMENT,
			  "no input element");
	}
	p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 0;
	p.kind = (enpu_pool_kind_t)7;
	CHECK_ERR(t, enpu_cmd_pool(l, &p), ENPU_STATUS_INVALID_ARGUMENT, "unknown kind 7");
	p.kind = ENPU_POOL_AVG;
	CHECK_OK(t, enpu_cmd_pool(l, &p));
	/* an output height of 2^32 + 4, not the 4 it would wrap to */
	p.pad_top = 1;
	p.pad_bottom = UINT32_MAX;
	CHECK_ERR(t, enpu_cmd_pool(l, &p), ENPU_STATUS_OUT_OF_RANGE, "output 4294967300x4 exceeds");
	p.pad_top = p.pad_bottom = 0;
	/* reduction length beyond the int32-exact limit */
	big_a = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(1, 65537), &q, NULL);
	big_b = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(1, 65537), &q, NULL);
	big_c = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(1, 1), &q, NULL);
	CHECK(t, big_a && big_b && big_c, "tensor creation failed");
	CHECK_ERR(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = big_a, .b = big_b, .c = big_c }),
		  ENPU_STATUS_UNSUPPORTED, "reduction length 65537 exceeds 65536");
	/* a pool window beyond it (long_reductions runs one of exactly 65536) */
	big_in = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(1, 1, 65537, 1), &q, NULL);
	big_out = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 4, U32(1, 1, 1, 1), &q, NULL);
	CHECK(t, big_in && big_out, "tensor creation failed");
	p = (enpu_pool_params_t){ .input = big_in, .output = big_out, .kind = ENPU_POOL_MAX,
				  .kernel_h = 1, .kernel_w = 65537, .stride_h = 1, .stride_w = 1 };
	CHECK_ERR(t, enpu_cmd_pool(l, &p), ENPU_STATUS_UNSUPPORTED,
		  "window 1x65537 exceeds 65536 elements");
out:
	enpu_tensor_release(big_a);
	enpu_tensor_release(big_b);
	enpu_tensor_release(big_c);
	enpu_tensor_release(big_in);
	enpu_tensor_release(big_out);
	enpu_command_list_release(l);
	rel(ts, 8);
	t_env_close(&e);
}

void test_api_pointwise_errors(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *ts[7] = { 0 };
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	enpu_quant_t q = t_q(0.5f, 0);
	float sc[2] = { 1, 1 };
	enpu_quant_t pc = { .kind = ENPU_QUANT_PER_CHANNEL, .axis = 0, .count = 2, .scales = sc };
	enpu_tensor_t *a = ts[0] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(2, 3), &q, NULL);
	enpu_tensor_t *b = ts[1] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(3, 2), &q, NULL);
	enpu_tensor_t *nq = ts[2] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(2, 3), NULL, NULL);
	enpu_tensor_t *h = ts[3] = t_tensor(t, e.cpu, ENPU_DTYPE_FP16, 2, U32(2, 3), NULL, NULL);
	enpu_tensor_t *f32 = ts[4] = t_tensor(t, e.cpu, ENPU_DTYPE_FP32, 2, U32(2, 3), NULL, NULL);
	enpu_tensor_t *pca = ts[5] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 2, U32(2, 3), &pc, NULL);
	enpu_tensor_t *r1 = ts[6] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(2), &q, NULL);
	CHECK(t, a && b && nq && h && f32 && pca && r1, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_ERR(t, enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = a, .b = b, .out = a }),
		  ENPU_STATUS_INVALID_ARGUMENT, "shape mismatch");
	CHECK_ERR(t, enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = a, .b = a, .out = b }),
		  ENPU_STATUS_INVALID_ARGUMENT, "shape mismatch");
	CHECK_ERR(t, enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = h, .output = b }),
		  ENPU_STATUS_INVALID_ARGUMENT, "shape mismatch");
	CHECK_ERR(t, enpu_cmd_mul(l, &(enpu_eltwise_params_t){ .a = a, .b = nq, .out = a }),
		  ENPU_STATUS_INVALID_ARGUMENT, "needs quantization scales");
	CHECK_ERR(t, enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = a, .b = h, .out = a }),
		  ENPU_STATUS_INVALID_ARGUMENT, "b must be int8, got fp16");
	CHECK_ERR(t, enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = pca, .b = a, .out = a }),
		  ENPU_STATUS_INVALID_ARGUMENT, "per tensor");
	enpu_eltwise_requant_t rq = { .a_mult = 1 << 30, .a_shift = -32, .b_mult = 1 << 30,
				      .out_mult = 1 << 30 };
	CHECK_ERR(t, enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = a, .b = a, .out = a, .rq = &rq }),
		  ENPU_STATUS_INVALID_ARGUMENT, "a multiplier");
	CHECK_ERR(t, enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = f32, .output = a }),
		  ENPU_STATUS_UNSUPPORTED, "fp32 -> int8 unsupported");
	CHECK_ERR(t, enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = h, .output = nq }),
		  ENPU_STATUS_INVALID_ARGUMENT, "needs a per-tensor quantization scale");
	CHECK_ERR(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = a, .output = h }),
		  ENPU_STATUS_INVALID_ARGUMENT, "output must be int8");
	enpu_requantize_params_t r = { .input = a, .output = a,
				       .requant = { (int32_t[]){ 1, 1 }, (int32_t[]){ 0, 0 }, 2 } };
	CHECK_ERR(t, enpu_cmd_requantize(l, &r), ENPU_STATUS_INVALID_ARGUMENT, "per tensor");
	r.requant = (enpu_requant_t){ (int32_t[]){ 1 << 30 }, NULL, 1 };
	CHECK_ERR(t, enpu_cmd_requantize(l, &r), ENPU_STATUS_INVALID_ARGUMENT, "shift given");
	/* derived multiplier: both scales needed (not a division by a missing one) */
	CHECK_ERR(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = a, .output = nq }),
		  ENPU_STATUS_INVALID_ARGUMENT, "needs quantization scales on all operands");
	/* identical shapes: same rank too ([2] is not [2][3], though a prefix of it) */
	CHECK_ERR(t, enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = r1, .b = a, .out = r1 }),
		  ENPU_STATUS_INVALID_ARGUMENT, "shape mismatch");
	CHECK(t, enpu_command_list_size(l) == 0, "nothing recorded");
out:
	enpu_command_list_release(l);
	rel(ts, 7);
	t_env_close(&e);
}
