/* SPDX-License-Identifier: MIT */
/* Ops whose output shares memory with their inputs, on every device: the
 * result must be the one of the inputs as they were (docs/hal.md, "Ops"). */
#include <stdlib.h>
#include <string.h>
#include "enpu/fp16.h"
#include "tests.h"

/* One op written over its inputs: the inputs at fixed offsets of one 64 KiB
 * buffer (filled from pristine before each run), the output at out_off in
 * it; rec records the op with the given output. The CPU's result must be
 * the reference's from the inputs as they were. */
typedef enpu_status_t (*over_rec_fn)(enpu_command_list_t *l, enpu_tensor_t *const *in,
				     enpu_tensor_t *out);

static bool over_case(tctx *t, t_env *e, enpu_buffer_t *buf, const uint8_t *pristine,
		      enpu_tensor_t *const *in, const enpu_tensor_desc_t *dout, size_t out_off,
		      over_rec_fn rec, const char *what)
{
	enpu_tensor_t *out = NULL, *ref_out = NULL;
	enpu_command_list_t *l = NULL, *rl = NULL;
	uint8_t *host = NULL;
	bool ok = false;
	CHECK_OK(t, enpu_buffer_map(buf, 0, 65536, (void **)&host));
	memcpy(host, pristine, 65536);
	ref_out = t_tensor(t, e->ref, dout->dtype, dout->rank, dout->dims, &dout->quant, NULL);
	CHECK(t, ref_out, "%s: reference output", what);
	CHECK_OK(t, enpu_command_list_create(&rl));
	CHECK_OK(t, rec(rl, in, ref_out));
	CHECK_OK(t, t_run(e->ref, rl));
	CHECK_OK(t, enpu_tensor_create(buf, out_off, dout, &out));
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, rec(l, in, out));
	CHECK_OK(t, t_run(e->cpu, l));
	CHECK(t, memcmp(t_data(out), t_data(ref_out), enpu_tensor_byte_size(out)) == 0,
	      "%s: the output at byte %zu (over an input) differs from the reference", what,
	      out_off);
	ok = true;
out:
	enpu_command_list_release(l);
	enpu_command_list_release(rl);
	enpu_tensor_release(out);
	enpu_tensor_release(ref_out);
	return ok;
}

static enpu_status_t rec_gemm(enpu_command_list_t *l, enpu_tensor_t *const *in,
			      enpu_tensor_t *out)
{
	return enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = in[0], .b = in[1], .bias = in[2],
						       .c = out });
}

static enpu_status_t rec_conv(enpu_command_list_t *l, enpu_tensor_t *const *in,
			      enpu_tensor_t *out)
{
	/* a filter of one input channel: depthwise */
	uint32_t groups = enpu_tensor_desc(in[1])->dims[3] == 1 ? enpu_tensor_desc(in[0])->dims[3] : 1;
	return enpu_cmd_conv2d(l, &(enpu_conv2d_params_t){
					  .input = in[0], .filter = in[1], .output = out,
					  .stride_h = 1, .stride_w = 1, .dilation_h = 1,
					  .dilation_w = 1, .groups = groups });
}

static enpu_status_t rec_add(enpu_command_list_t *l, enpu_tensor_t *const *in,
			     enpu_tensor_t *out)
{
	return enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = in[0], .b = in[1], .out = out });
}

static enpu_status_t rec_cast(enpu_command_list_t *l, enpu_tensor_t *const *in,
			      enpu_tensor_t *out)
{
	return enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = in[0], .output = out });
}

/* ADD with the inputs swapped: the output on the second one */
static enpu_status_t rec_add_b(enpu_command_list_t *l, enpu_tensor_t *const *in,
			       enpu_tensor_t *out)
{
	return enpu_cmd_add(l, &(enpu_eltwise_params_t){ .a = in[1], .b = in[0], .out = out });
}

static enpu_status_t rec_mul(enpu_command_list_t *l, enpu_tensor_t *const *in,
			     enpu_tensor_t *out)
{
	return enpu_cmd_mul(l, &(enpu_eltwise_params_t){ .a = in[0], .b = in[1], .out = out });
}

static enpu_status_t rec_requant(enpu_command_list_t *l, enpu_tensor_t *const *in,
				 enpu_tensor_t *out)
{
	return enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = in[0], .output = out });
}

/* 3x3 max pool, stride 1, no padding */
static enpu_status_t rec_pool(enpu_command_list_t *l, enpu_tensor_t *const *in,
			      enpu_tensor_t *out)
{
	return enpu_cmd_pool(l, &(enpu_pool_params_t){ .input = in[0], .output = out,
							.kind = ENPU_POOL_MAX, .kernel_h = 3,
							.kernel_w = 3, .stride_h = 1, .stride_w = 1 });
}

static bool fp16_gemm_over_a(tctx *t, t_env *e, enpu_buffer_t *buf, const uint8_t *pristine);
static bool gemm_over_wrapped_a(tctx *t, t_env *e, const uint8_t *pristine);

#define DESC(dt, q, ...)                                                              \
	((enpu_tensor_desc_t){ .dtype = (dt), .quant = (q),                           \
			       .rank = sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t), \
			       .dims = { __VA_ARGS__ } })

/* Outputs written over inputs, at 2 threads (cpu_exec then computes into a
 * buffer of its own): GEMM C on A's first bytes, on A's middle, on B, on the
 * bias; a 1x1 convolution's output on its input (Cout = 2 Cin: output row r
 * on input rows 2r and 2r + 1, which later row tiles read); a depthwise
 * one's; an ADD on its first input, exactly (done in place, 20000 elements:
 * on several tasks) and one element on, and exactly on its second; a MUL
 * and a REQUANTIZE one element on; a max pool on its input; an int8 ->
 * fp16 cast on its input (each output element on the next input
 * elements); an fp16 GEMM on its A; and a GEMM with bias whose four
 * tensors are in four buffers, C's wrapping A's host memory (the NPU job's
 * most buffers: its own output BO besides). */
void test_output_over_input(tctx *t, enpu_cpu_isa_t isa)
{
	enpu_buffer_t *buf = NULL;
	enpu_tensor_t *in[6] = { 0 };
	uint8_t *pristine = malloc(65536);
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2,
			    (1u << ENPU_OP_GEMM) | (1u << ENPU_OP_CONV2D) | (1u << ENPU_OP_ADD) |
				    (1u << ENPU_OP_CAST),
			    ENPU_DTYPE_INT8)) {
		free(pristine);
		return;
	}
	enpu_quant_t qa = t_q(0.02f, 3), qb = t_q(0.01f, 0), qc = t_q(0.5f, -2);
	CHECK(t, pristine, "out of memory");
	CHECK_OK(t, enpu_buffer_allocate(e.ref, 65536, &buf));
	t_fill_i8(t, (int8_t *)pristine, 65536);
	for (size_t i = 0; i < 48; i++) /* small biases */
		((int32_t *)(pristine + 12288))[i] = t_range(t, -5000, 5000);
	/* GEMM 64 x 48 x 64: A at 0, B at 8192, bias at 12288 */
	CHECK_OK(t, enpu_tensor_create(buf, 0, &DESC(ENPU_DTYPE_INT8, qa, 64, 64), &in[0]));
	CHECK_OK(t, enpu_tensor_create(buf, 8192, &DESC(ENPU_DTYPE_INT8, qb, 48, 64), &in[1]));
	CHECK_OK(t, enpu_tensor_create(buf, 12288, &DESC(ENPU_DTYPE_INT32, (enpu_quant_t){ 0 }, 48),
					&in[2]));
	static const size_t c_off[] = { 0, 1000, 8192, 12288 };
	for (size_t i = 0; i < sizeof(c_off) / sizeof(c_off[0]); i++)
		if (!over_case(t, &e, buf, pristine, in, &DESC(ENPU_DTYPE_INT8, qc, 64, 48),
			       c_off[i], rec_gemm, "gemm"))
			goto out;
	/* 1x1 convolution 2 x 4 x 8 x 64 -> 128 (filter at 8192), output at 0 */
	CHECK_OK(t, enpu_tensor_create(buf, 0, &DESC(ENPU_DTYPE_INT8, qa, 2, 4, 8, 64), &in[3]));
	CHECK_OK(t, enpu_tensor_create(buf, 8192, &DESC(ENPU_DTYPE_INT8, qb, 128, 1, 1, 64),
					&in[4]));
	if (!over_case(t, &e, buf, pristine, &in[3], &DESC(ENPU_DTYPE_INT8, qc, 2, 4, 8, 128), 0,
		       rec_conv, "1x1 convolution"))
		goto out;
	enpu_tensor_release(in[4]);
	in[4] = NULL;
	/* depthwise 3x3, 1 x 10 x 10 x 32 -> 8 x 8 (filter at 8192), output 640 on */
	enpu_tensor_release(in[3]);
	in[3] = NULL;
	CHECK_OK(t, enpu_tensor_create(buf, 0, &DESC(ENPU_DTYPE_INT8, qa, 1, 10, 10, 32), &in[3]));
	CHECK_OK(t, enpu_tensor_create(buf, 8192, &DESC(ENPU_DTYPE_INT8, qb, 32, 3, 3, 1), &in[4]));
	if (!over_case(t, &e, buf, pristine, &in[3], &DESC(ENPU_DTYPE_INT8, qc, 1, 8, 8, 32), 640,
		       rec_conv, "depthwise convolution"))
		goto out;
	/* pool: 1 x 10 x 10 x 32 -> 8 x 8, output 640 on */
	if (!over_case(t, &e, buf, pristine, &in[3], &DESC(ENPU_DTYPE_INT8, qa, 1, 8, 8, 32), 640,
		       rec_pool, "max pool"))
		goto out;
	/* element-wise, 20000 elements at 0 and 32768 */
	enpu_tensor_release(in[4]);
	in[4] = NULL;
	enpu_tensor_release(in[3]);
	in[3] = NULL;
	const enpu_tensor_desc_t e_out = DESC(ENPU_DTYPE_INT8, qc, 20000);
	CHECK_OK(t, enpu_tensor_create(buf, 0, &DESC(ENPU_DTYPE_INT8, qa, 20000), &in[3]));
	CHECK_OK(t, enpu_tensor_create(buf, 32768, &DESC(ENPU_DTYPE_INT8, qb, 20000), &in[4]));
	if (!over_case(t, &e, buf, pristine, &in[3], &e_out, 0, rec_add, "add in place") ||
	    !over_case(t, &e, buf, pristine, &in[3], &e_out, 1, rec_add, "add one element on") ||
	    !over_case(t, &e, buf, pristine, &in[3], &e_out, 32768, rec_add_b,
		       "add on its second input") ||
	    !over_case(t, &e, buf, pristine, &in[3], &e_out, 1, rec_mul, "mul one element on") ||
	    !over_case(t, &e, buf, pristine, &in[3], &e_out, 1, rec_requant,
		       "requantize one element on"))
		goto out;
	/* int8 -> fp16 cast of 20000 elements, output at the input's start */
	enpu_tensor_release(in[3]);
	in[3] = NULL;
	CHECK_OK(t, enpu_tensor_create(buf, 0, &DESC(ENPU_DTYPE_INT8, qa, 20000), &in[3]));
	if (!over_case(t, &e, buf, pristine, &in[3],
		       &DESC(ENPU_DTYPE_FP16, (enpu_quant_t){ 0 }, 20000), 0, rec_cast, "cast"))
		goto out;
	if (!fp16_gemm_over_a(t, &e, buf, pristine) || !gemm_over_wrapped_a(t, &e, pristine))
		goto out;
out:
	for (int i = 0; i < 6; i++)
		enpu_tensor_release(in[i]);
	enpu_buffer_release(buf);
	free(pristine);
	t_env_close(&e);
}

/* fp16 GEMM 32 x 24 x 32, its values finite: the bytes as halves in
 * [-2, 2]; C on A */
static bool fp16_gemm_over_a(tctx *t, t_env *e, enpu_buffer_t *buf, const uint8_t *pristine)
{
	enpu_tensor_t *in[3] = { 0 };
	enpu_device_info_t info;
	enpu_device_query(e->cpu, &info);
	if (!(info.dtype_mask & 1u << ENPU_DTYPE_FP16))
		return true; /* no fp16 on this device (the int8 cases ran) */
	uint8_t *p = malloc(65536);
	bool ok = false;
	CHECK(t, p, "out of memory");
	memcpy(p, pristine, 65536);
	for (size_t i = 0; i < 4096; i++)
		((uint16_t *)p)[i] = enpu_f32_to_f16((float)(int8_t)pristine[i] / 64.0f);
	CHECK_OK(t, enpu_tensor_create(buf, 0, &DESC(ENPU_DTYPE_FP16, (enpu_quant_t){ 0 }, 32, 32),
				       &in[0]));
	CHECK_OK(t, enpu_tensor_create(buf, 4096, &DESC(ENPU_DTYPE_FP16, (enpu_quant_t){ 0 }, 24, 32),
				       &in[1]));
	ok = over_case(t, e, buf, p, in, &DESC(ENPU_DTYPE_FP16, (enpu_quant_t){ 0 }, 32, 24), 0,
		       rec_gemm, "fp16 gemm");
out:
	enpu_tensor_release(in[0]);
	enpu_tensor_release(in[1]);
	free(p);
	return ok;
}

/* A, B, bias and C in four buffers: A and C wrap the same host memory (C
 * 64 bytes into A), B and the bias are the device's own allocations. */
static bool gemm_over_wrapped_a(tctx *t, t_env *e, const uint8_t *pristine)
{
	enum { M = 64, N = 48, K = 64 };
	uint8_t *host = aligned_alloc(4096, 8192);
	enpu_buffer_t *bufs[4] = { 0 };
	enpu_tensor_t *a = NULL, *b = NULL, *bias = NULL, *c = NULL, *ref_c = NULL;
	enpu_command_list_t *l = NULL, *rl = NULL;
	enpu_quant_t qa = t_q(0.02f, 3), qb = t_q(0.01f, 0), qc = t_q(0.5f, -2);
	bool ok = false;
	CHECK(t, host, "out of memory");
	memcpy(host, pristine, 8192);
	CHECK_OK(t, enpu_buffer_wrap(e->cpu, host, 8192, NULL, NULL, &bufs[0]));
	CHECK_OK(t, enpu_buffer_wrap(e->cpu, host + 64, 8128, NULL, NULL, &bufs[1]));
	CHECK_OK(t, enpu_buffer_allocate(e->cpu, N * K, &bufs[2]));
	CHECK_OK(t, enpu_buffer_allocate(e->cpu, N * 4, &bufs[3]));
	CHECK_OK(t, enpu_tensor_create(bufs[0], 0, &DESC(ENPU_DTYPE_INT8, qa, M, K), &a));
	CHECK_OK(t, enpu_tensor_create(bufs[2], 0, &DESC(ENPU_DTYPE_INT8, qb, N, K), &b));
	CHECK_OK(t, enpu_tensor_create(bufs[3], 0, &DESC(ENPU_DTYPE_INT32, (enpu_quant_t){ 0 }, N),
				       &bias));
	CHECK_OK(t, enpu_tensor_create(bufs[1], 0, &DESC(ENPU_DTYPE_INT8, qc, M, N), &c));
	memcpy(t_data(b), pristine + 8192, N * K);
	for (size_t i = 0; i < N; i++)
		((int32_t *)t_data(bias))[i] = (int32_t)(int8_t)pristine[16384 + i] * 40;
	ref_c = t_tensor(t, e->ref, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ M, N }, &qc, NULL);
	CHECK(t, ref_c, "reference output");
	CHECK_OK(t, enpu_command_list_create(&rl));
	CHECK_OK(t, enpu_cmd_gemm(rl, &(enpu_gemm_params_t){ .a = a, .b = b, .bias = bias,
							  .c = ref_c }));
	CHECK_OK(t, t_run(e->ref, rl));
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = a, .b = b, .bias = bias, .c = c }));
	CHECK_OK(t, t_run(e->cpu, l));
	CHECK(t, memcmp(t_data(c), t_data(ref_c), M * N) == 0,
	      "gemm over wrapped A: the output differs from the reference");
	ok = true;
out:
	enpu_command_list_release(l);
	enpu_command_list_release(rl);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(bias);
	enpu_tensor_release(c);
	enpu_tensor_release(ref_c);
	for (int i = 0; i < 4; i++)
		enpu_buffer_release(bufs[i]);
	free(host);
	return ok;
}
