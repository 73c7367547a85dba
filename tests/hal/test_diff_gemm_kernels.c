/* SPDX-License-Identifier: MIT */
/* int8 GEMM vs the reference, bit-exact, for every CPU kernel family, aimed
 * at the paths the random tests reach rarely: batch 1..3 (GEMV) with N and K
 * around the 16/64-column panels up to 4096, K around and across the
 * kernels' K blocks (512 for AVX-512 VNNI), and requantization whose left
 * shift changes the result without saturating it (kconv_left_requant) in
 * the fused output stages. The weights are constant and each case runs
 * three times: every other call goes through the packed panels backwards
 * (cpu_i8_packed_backwards; on hosts whose kernels do not prefetch B), so
 * both orders are checked, the third run backwards over cached weights
 * (with a warm pool: on the threads' chunks of panels). gemm_i8_a_in_place
 * reads A in place up to an inaccessible page. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../libhal/src/cpu/cpu_device.h"
#include "kconv.h"
#include "tests.h"

/* guard: A ends where an inaccessible page starts (t_tensor_guarded) */
static bool gemm_run(tctx *t, t_env *e, uint32_t m, uint32_t n, uint32_t k, bool left,
		     bool guard)
{
	int8_t *a_data = malloc((size_t)m * k), *b_data = malloc((size_t)n * k);
	int32_t *bias = malloc(n * sizeof(int32_t)), *mult = malloc(n * sizeof(int32_t));
	int32_t *shift = malloc(n * sizeof(int32_t));
	enpu_tensor_t *a = NULL, *b = NULL, *bt = NULL;
	bool ok = false;
	char what[200];
	CHECK(t, a_data && b_data && bias && mult && shift, "out of memory");
	t_fill_i8(t, a_data, (size_t)m * k);
	t_fill_i8(t, b_data, (size_t)n * k);
	for (uint32_t i = 0; i < n; i++)
		bias[i] = t_range(t, -(1 << 20), 1 << 20);
	int32_t a_zp = diff_random_zp(t), c_zp = diff_random_zp(t);
	enpu_quant_t qa = t_q(0.02f, a_zp), qb = t_q(0.01f, 0);
	a = (guard ? t_tensor_guarded : t_tensor)(t, e->ref, ENPU_DTYPE_INT8, 2,
						  (const uint32_t[]){ m, k }, &qa, a_data);
	b = t_tensor_flags(t, e->ref, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ n, k }, &qb, b_data,
			   ENPU_TENSOR_CONSTANT);
	bt = t_tensor_flags(t, e->ref, ENPU_DTYPE_INT32, 1, &n, NULL, bias, ENPU_TENSOR_CONSTANT);
	CHECK(t, a && b && bt, "tensors");
	enpu_requant_t rq = { 0 };
	if (left)
		kconv_left_requant(t, mult, shift, n);
	else
		diff_random_requant(t, mult, shift, n);
	rq = (enpu_requant_t){ mult, shift, n };
	enpu_gemm_params_t p = { .a = a, .b = b, .bias = bt, .requant = rq, .act = diff_random_act(t) };
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { m, n },
				 .quant = t_q(0.02f * 0.01f * sqrtf((float)k) * 40.0f, c_zp) };
	snprintf(what, sizeof(what), "gemm M=%u N=%u K=%u a_zp=%d c_zp=%d left=%d act=%d%s", m, n,
		 k, a_zp, c_zp, left, (int)p.act.kind, guard ? " (A guarded)" : "");
	ok = diff_run_n(t, e, diff_rec_gemm, &p, &p.c, &d, what, 3);
out:
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(bt);
	free(a_data);
	free(b_data);
	free(bias);
	free(mult);
	free(shift);
	return ok;
}

void test_gemv_i8_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t ns[] = { 1, 17, 64, 65, 255, 1024, 4096 };
	static const uint32_t ks[] = { 1, 3, 17, 255, 1024 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_GEMM, ENPU_DTYPE_INT8))
		return;
	for (uint32_t m = 1; m <= 3; m++)
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
			for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++)
				if ((uint64_t)ns[i] * ks[j] <= (1u << 20) &&
				    !gemm_run(t, &e, m, ns[i], ks[j], (i + j + m) % 2, false))
					goto out;
out:
	t_env_close(&e);
}

void test_gemm_i8_left_shift(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3), 1u << ENPU_OP_GEMM,
			    ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 30; i++) {
		/* drawn in order: the order of a call's arguments is unspecified */
		uint32_t m = (uint32_t)t_range(t, 1, 40), n = (uint32_t)t_range(t, 1, 200);
		if (!gemm_run(t, &e, m, n, (uint32_t)t_range(t, 1, 300), true, false))
			break;
	}
	t_env_close(&e);
}

void test_gemm_i8_kblocks(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t ms[] = { 5, 7, 13, 100 }, ns[] = { 65, 130 };
	static const uint32_t ks[] = { 511, 512, 513, 1100, 2049, 4100 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_GEMM, ENPU_DTYPE_INT8))
		return;
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		for (size_t j = 0; j < sizeof(ns) / sizeof(ns[0]); j++)
			for (size_t k = 0; k < sizeof(ks) / sizeof(ks[0]); k++)
				if (!gemm_run(t, &e, ms[i], ns[j], ks[k], (i + j + k) % 2, false))
					goto out;
out:
	t_env_close(&e);
}

/* A read in place (dense rows, K a multiple of the K group: 4, AMX 64) ends
 * at an inaccessible page: no kernel may read past a row's K bytes, for row
 * counts of every tile shape (100: two row blocks), GEMV included, K with
 * the kernels' 4-byte tails (4, 20, 68) and across their K blocks (4096:
 * AMX's 2048 too), and a 1x1 convolution, whose input rows are A's. */
void test_gemm_i8_a_in_place(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t ms[] = { 1, 2, 3, 5, 17, 33, 100 };
	static const uint32_t ks[] = { 4, 20, 64, 68, 128, 576, 1024, 4096 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, (1u << ENPU_OP_GEMM) | (1u << ENPU_OP_CONV2D),
			    ENPU_DTYPE_INT8))
		return;
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++)
			if (!gemm_run(t, &e, ms[i], 70 + (uint32_t)i, ks[j], false, true))
				goto out;
	kconv_t pw = { .n = 2, .h = 3, .w = 7, .cin = 64, .cout = 70, .kh = 1, .kw = 1,
		       .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1, .in_zp = -3,
		       .out_zp = 5, .rq = KCONV_RQ_RANDOM, .guard_in = true };
	kconv_run(t, &e, &pw);
out:
	t_env_close(&e);
}

/* The direction of a GEMM call over packed weights alternates, starting
 * backwards (the packing wrote each thread's last panels last) */
void test_gemm_i8_panel_order(tctx *t)
{
	cpu_i8_packed_t pb = { 0 };
	for (int call = 0; call < 5; call++) {
		bool back = cpu_i8_packed_backwards(&pb);
		CHECK(t, back == !(call % 2), "call %d went %s", call, back ? "backwards" : "forwards");
	}
out:;
}


/* One op written over its inputs: the inputs at fixed offsets of one 16 KiB
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
	CHECK_OK(t, enpu_buffer_map(buf, 0, 16384, (void **)&host));
	memcpy(host, pristine, 16384);
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

#define DESC(dt, q, ...)                                                              \
	((enpu_tensor_desc_t){ .dtype = (dt), .quant = (q),                           \
			       .rank = sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t), \
			       .dims = { __VA_ARGS__ } })

/* Outputs written over inputs, at 2 threads (cpu_exec then computes into a
 * buffer of its own): GEMM C on A's first bytes, on A's middle, on B, on the
 * bias; a 1x1 convolution's output on its input (Cout = 2 Cin: output row r
 * on input rows 2r and 2r + 1, which later row tiles read); a depthwise
 * one's; an ADD on its first input, exactly (done in place) and one element
 * on; an int8 -> fp16 cast on its input (each output element on the next
 * input elements). */
void test_output_over_input(tctx *t, enpu_cpu_isa_t isa)
{
	enpu_buffer_t *buf = NULL;
	enpu_tensor_t *in[6] = { 0 };
	uint8_t *pristine = malloc(16384);
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
	CHECK_OK(t, enpu_buffer_allocate(e.ref, 16384, &buf));
	t_fill_i8(t, (int8_t *)pristine, 16384);
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
	/* ADD of 3000 elements at 0 and 4096: in place, then one element on */
	enpu_tensor_release(in[4]);
	in[4] = NULL;
	enpu_tensor_release(in[3]);
	in[3] = NULL;
	CHECK_OK(t, enpu_tensor_create(buf, 0, &DESC(ENPU_DTYPE_INT8, qa, 3000), &in[3]));
	CHECK_OK(t, enpu_tensor_create(buf, 4096, &DESC(ENPU_DTYPE_INT8, qb, 3000), &in[4]));
	if (!over_case(t, &e, buf, pristine, &in[3], &DESC(ENPU_DTYPE_INT8, qc, 3000), 0, rec_add,
		       "add in place") ||
	    !over_case(t, &e, buf, pristine, &in[3], &DESC(ENPU_DTYPE_INT8, qc, 3000), 1, rec_add,
		       "add one element on"))
		goto out;
	/* int8 -> fp16 cast of 3000 elements, output at the input's start */
	if (!over_case(t, &e, buf, pristine, &in[3],
		       &DESC(ENPU_DTYPE_FP16, (enpu_quant_t){ 0 }, 3000), 0, rec_cast, "cast"))
		goto out;
out:
	for (int i = 0; i < 6; i++)
		enpu_tensor_release(in[i]);
	enpu_buffer_release(buf);
	free(pristine);
	t_env_close(&e);
}
