/* SPDX-License-Identifier: MIT */
/* Differential fuzzing of the HAL (libFuzzer): each input describes one int8
 * op or cast (kind, shapes, strides, padding, dilation, groups, pool window,
 * quantization, requantization, activation; the data from a seed in the
 * input), records it through the public API, runs it on the reference
 * device and on a CPU device of one of the kernel families this host runs
 * (2 threads), and aborts when the outputs differ by one bit. Parameters are
 * drawn mostly valid and sometimes not (padding past the window, groups
 * that do not divide, wrong output shapes, out-of-range requantization):
 * recording must then fail with a status, and nothing may crash, leak or
 * trip ASan/UBSan. An input of zeros is a valid op; the invalid choices
 * take the highest values. One GEMM or CONV2D in four is fp16 instead,
 * checked against the contract's error bound (check_f16). `make -C
 * tests/fuzz check` runs a fixed number of inputs from a fixed seed;
 * FUZZ_OPS_TRACE=1 prints each op before it runs. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enpu/enpu.h"
#include "fuzz_f16.h"
#include "fuzz_input.h"

/* What the input recorded, for the report of a difference. */
char desc[512];

#define MAX_DUTS 6
enpu_device_t *ref;
static enpu_device_t *duts[MAX_DUTS];
static size_t n_duts;
static uint64_t rng;

uint8_t next_byte(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint8_t)((rng * 0x2545f4914f6cdd1dull) >> 56);
}

void die(const char *what, enpu_status_t st)
{
	fprintf(stderr, "fuzz_ops: %s: %s\n", what, enpu_status_message(st));
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	enpu_context_t *ctx;
	size_t ref_i, cpu_i;
	enpu_status_t st = enpu_context_create(&ctx);
	if (!st)
		st = enpu_context_find_device(ctx, ENPU_DEVICE_REFERENCE, &ref_i);
	if (!st)
		st = enpu_context_find_device(ctx, ENPU_DEVICE_CPU, &cpu_i);
	if (!st)
		st = enpu_device_open(ctx, ref_i, NULL, &ref);
	if (st)
		die("open", st);
	for (int isa = ENPU_CPU_ISA_GENERIC; isa <= ENPU_CPU_ISA_AMX_INT8; isa++) {
		enpu_device_options_t o = { .num_threads = 2, .cpu_isa = (enpu_cpu_isa_t)isa };
		st = enpu_device_open(ctx, cpu_i, &o, &duts[n_duts]);
		if (!st)
			n_duts++;
		else if (enpu_status_code(st) == ENPU_STATUS_UNSUPPORTED)
			enpu_status_free(st);
		else
			die("open cpu", st);
	}
	enpu_context_release(ctx); /* the devices keep it */
	return 0;
}

static enpu_quant_t quant(reader_t *r)
{
	static const float scales[] = { 1e-4f, 0.003f, 0.02f, 0.1f, 0.5f, 1.0f, 3.0f, 40.0f };
	static const int32_t zps[] = { -128, -1, 0, 1, 127 };
	int32_t zp = take(r, 0, 1) ? pick(r, zps, 5) : (int32_t)take(r, 0, 255) - 128;
	return (enpu_quant_t){ .kind = ENPU_QUANT_PER_TENSOR,
			       .scale = scales[take(r, 0, 7)] * (1.0f + 0.01f * take(r, 0, 99)),
			       .zero_point = zp };
}

/* A tensor on the reference device, filled from the data stream (extremes
 * more often than their share); flags may mark it constant. */
enpu_tensor_t *tensor(tensors_t *ts, reader_t *r, enpu_dtype_t dt, uint32_t rank,
		      const uint32_t *dims, const enpu_quant_t *q, uint32_t flags)
{
	enpu_tensor_desc_t d = { .dtype = dt, .rank = rank, .flags = flags };
	size_t bytes = enpu_dtype_size(dt);
	for (uint32_t i = 0; i < rank; i++)
		bytes *= d.dims[i] = dims[i];
	if (q)
		d.quant = *q;
	enpu_buffer_t *buf;
	enpu_tensor_t *t = NULL;
	enpu_status_t st = enpu_buffer_allocate(ref, bytes, &buf);
	if (st)
		die("buffer", st);
	st = enpu_tensor_create(buf, 0, &d, &t);
	enpu_buffer_release(buf);
	if (st)
		die("tensor", st);
	uint8_t *p;
	if (enpu_buffer_map(enpu_tensor_buffer(t), 0, bytes, (void **)&p))
		abort();
	uint32_t mode = take(r, 0, 3);
	for (size_t i = 0; i < bytes; i++) {
		uint8_t b = next_byte();
		p[i] = mode == 0 ? (b & 1 ? 0x80 : 0x7f) : mode == 1 && b < 64 ? 0x80 : b;
	}
	enpu_buffer_unmap(enpu_tensor_buffer(t));
	ts->t[ts->n++] = t;
	return t;
}

static enpu_act_t act(reader_t *r)
{
	enpu_act_t a = { .kind = (enpu_activation_t)take(r, 0, 3) };
	a.qmin = (int32_t)take(r, 0, 255) - 128;
	a.qmax = take(r, 0, 7) ? 127 - (int32_t)take(r, 0, 40) : (int32_t)take(r, 0, 255) - 128;
	return a;
}

/* Explicit requantization (count arrays) or none (derived from the scales). */
static enpu_requant_t requant(reader_t *r, int32_t *mult, int32_t *shift, uint32_t count)
{
	if (take(r, 0, 2))
		return (enpu_requant_t){ 0 };
	bool wild = take(r, 0, 7) == 7;
	for (uint32_t i = 0; i < count; i++) {
		mult[i] = take(r, 0, 1) ? INT32_MAX - (int32_t)take(r, 0, 3)
					: (int32_t)take(r, 1u << 30, 0x7fffffff);
		shift[i] = (int32_t)take(r, 0, 61) - 31;
		if (wild)	/* out of range: recording must refuse it */
			shift[i] += 40;
	}
	DESC("requant mult[0] %d shift[0] %d count %u%s; ", mult[0], shift[0], count,
	     wild ? " (shifts out of range)" : "");
	return (enpu_requant_t){ .mult = mult, .shift = shift,
				 .count = take(r, 0, 7) == 7 ? count + 1 : count };
}

/* The output's dims: as the op wants them, or (rarely) one off. */
static void out_dims(reader_t *r, uint32_t rank, uint32_t *dims)
{
	if (take(r, 0, 15) == 15)
		dims[take(r, 0, rank - 1)] += 1;
}

/* Records the input's op into two lists (outputs out[0] and out[1]); false
 * when recording refused it. */
static bool record(reader_t *r, tensors_t *ts, enpu_command_list_t *l[2], enpu_tensor_t *out[2],
		   f16_check_t *chk)
{
	static int32_t mult[64], shift[64];
	uint32_t kind = take(r, 0, 6), rank = 4, dims[4];
	/* one in four GEMMs and convolutions in fp16 (a choice read only for
	 * them, right after the kind) */
	if (kind <= ENPU_OP_CONV2D && take(r, 0, 3) == 3) {
		record_f16(r, ts, kind, l, out, chk);
		return true;
	}
	enpu_quant_t qi = quant(r), qw = quant(r), qo = quant(r);
	enpu_act_t a = act(r);
	DESC("%s in q(%g,%d) w q(%g,%d) out q(%g,%d) act %d [%d,%d]; ",
	     enpu_op_kind_name((enpu_op_kind_t)kind), (double)qi.scale, qi.zero_point,
	     (double)qw.scale, qw.zero_point, (double)qo.scale, qo.zero_point, (int)a.kind, a.qmin,
	     a.qmax);
	uint32_t cflag = take(r, 0, 1) ? ENPU_TENSOR_CONSTANT : 0;
	enpu_status_t st[2] = { 0 };
	if (kind == ENPU_OP_GEMM) {
		uint32_t m = take(r, 1, 40), n = take(r, 1, 64), k = take(r, 1, 40);
		k = take(r, 0, 3) ? k : take(r, 1, 1200);	/* across K blocks */
		enpu_tensor_t *A = tensor(ts, r, ENPU_DTYPE_INT8, 2, (uint32_t[]){ m, k }, &qi, 0);
		enpu_tensor_t *B = tensor(ts, r, ENPU_DTYPE_INT8, 2, (uint32_t[]){ n, k }, &qw,
					  cflag);
		enpu_tensor_t *bias = take(r, 0, 1) ? tensor(ts, r, ENPU_DTYPE_INT32, 1, &n, NULL,
							      cflag)
						    : NULL;
		DESC("M %u N %u K %u bias %d const %u; ", m, n, k, bias != NULL, cflag);
		rank = 2, dims[0] = m, dims[1] = n;
		out_dims(r, rank, dims);
		enpu_gemm_params_t p = { .a = A, .b = B, .bias = bias,
					 .requant = requant(r, mult, shift, n < 64 ? n : 64),
					 .act = a };
		for (int i = 0; i < 2; i++) {
			p.c = out[i] = tensor(ts, r, ENPU_DTYPE_INT8, rank, dims, &qo, 0);
			st[i] = enpu_cmd_gemm(l[i], &p);
		}
	} else if (kind == ENPU_OP_CONV2D || kind == ENPU_OP_POOL) {
		uint32_t h = take(r, 1, 24), w = take(r, 1, 24), c = take(r, 1, 40);
		uint32_t kh = take(r, 1, 5), kw = take(r, 1, 5), sh = take(r, 1, 3), sw = take(r, 1, 3);
		uint32_t dh = take(r, 0, 3) ? 1 : take(r, 1, 3), dw = take(r, 0, 3) ? 1 : take(r, 1, 3);
		uint32_t pt = take(r, 0, 3), pl = take(r, 0, 3), pb = take(r, 0, 3), pr = take(r, 0, 3);
		uint32_t g = take(r, 0, 2) ? 1 : take(r, 0, 1) ? c : take(r, 1, 4);
		uint32_t cout = g == c && take(r, 0, 1) ? c : g * take(r, 1, 40 / g + 1);
		if (kind == ENPU_OP_POOL)
			dh = dw = 1, cout = c;
		DESC("in %ux%ux%u k %ux%u s %u,%u d %u,%u pad %u,%u,%u,%u g %u cout %u const %u; ",
		     h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, g, cout, cflag);
		enpu_tensor_t *in = tensor(ts, r, ENPU_DTYPE_INT8, 4, (uint32_t[]){ 1, h, w, c },
					   &qi, 0);
		int64_t fit_h = (int64_t)h + pt + pb - ((kh - 1) * dh + 1);
		int64_t fit_w = (int64_t)w + pl + pr - ((kw - 1) * dw + 1);
		/* a window that does not fit: any output, recording refuses it */
		dims[0] = 1, dims[1] = fit_h < 0 ? 1 : (uint32_t)fit_h / sh + 1;
		dims[2] = fit_w < 0 ? 1 : (uint32_t)fit_w / sw + 1, dims[3] = cout;
		out_dims(r, rank, dims);
		for (int i = 0; i < 2; i++)
			out[i] = tensor(ts, r, ENPU_DTYPE_INT8, rank, dims,
					kind == ENPU_OP_POOL ? &qi : &qo, 0);
		if (kind == ENPU_OP_POOL) {
			enpu_pool_params_t p = { .input = in, .kind = (enpu_pool_kind_t)take(r, 0, 1),
						 .kernel_h = kh, .kernel_w = kw, .stride_h = sh,
						 .stride_w = sw, .pad_top = pt, .pad_left = pl,
						 .pad_bottom = pb, .pad_right = pr, .act = a };
			for (int i = 0; i < 2; i++) {
				p.output = out[i];
				st[i] = enpu_cmd_pool(l[i], &p);
			}
		} else {
			uint32_t cin_g = g && c % g == 0 ? c / g : 1;
			enpu_tensor_t *f = tensor(ts, r, ENPU_DTYPE_INT8, 4,
						  (uint32_t[]){ cout, kh, kw, cin_g }, &qw, cflag);
			enpu_tensor_t *bias = take(r, 0, 1) ? tensor(ts, r, ENPU_DTYPE_INT32, 1,
								      &cout, NULL, cflag)
							    : NULL;
			enpu_conv2d_params_t p = {
				.input = in, .filter = f, .bias = bias, .stride_h = sh,
				.stride_w = sw, .dilation_h = dh, .dilation_w = dw, .pad_top = pt,
				.pad_left = pl, .pad_bottom = pb, .pad_right = pr, .groups = g,
				.requant = requant(r, mult, shift, cout < 64 ? cout : 64), .act = a,
			};
			for (int i = 0; i < 2; i++) {
				p.output = out[i];
				st[i] = enpu_cmd_conv2d(l[i], &p);
			}
		}
	} else {
		uint32_t n = take(r, 0, 3) ? take(r, 1, 300) : take(r, 1, 5000);
		rank = 1, dims[0] = n;
		DESC("n %u; ", n);
		bool cast = kind == ENPU_OP_CAST, to_f16 = cast && take(r, 0, 1);
		enpu_tensor_t *x = tensor(ts, r, cast && !to_f16 ? ENPU_DTYPE_FP16 : ENPU_DTYPE_INT8,
					  1, &n, cast && !to_f16 ? NULL : &qi, 0);
		enpu_tensor_t *y = tensor(ts, r, ENPU_DTYPE_INT8, 1, &n, &qw, 0);
		out_dims(r, rank, dims);
		enpu_eltwise_requant_t erq = {
			(int32_t)take(r, 0, 0x7fffffff), (int32_t)take(r, 0, 61) - 31,
			(int32_t)take(r, 0, 0x7fffffff), (int32_t)take(r, 0, 61) - 31,
			(int32_t)take(r, 0, 0x7fffffff), (int32_t)take(r, 0, 61) - 31,
		};
		bool own_rq = take(r, 0, 3) == 0;
		enpu_requant_t rq = kind == ENPU_OP_REQUANTIZE ? requant(r, mult, shift, 1)
							       : (enpu_requant_t){ 0 };
		for (int i = 0; i < 2; i++) {
			out[i] = tensor(ts, r, to_f16 ? ENPU_DTYPE_FP16 : ENPU_DTYPE_INT8, 1, dims,
					to_f16 ? NULL : &qo, 0);
			enpu_eltwise_params_t e = { .a = x, .b = y, .out = out[i],
						    .rq = own_rq ? &erq : NULL, .act = a };
			if (kind == ENPU_OP_ADD)
				st[i] = enpu_cmd_add(l[i], &e);
			else if (kind == ENPU_OP_MUL)
				st[i] = enpu_cmd_mul(l[i], &e);
			else if (cast)
				st[i] = enpu_cmd_cast(l[i], &(enpu_cast_params_t){ x, out[i] });
			else
				st[i] = enpu_cmd_requantize(
					l[i], &(enpu_requantize_params_t){
						      .input = x, .output = out[i], .requant = rq,
						      .act = a });
		}
	}
	/* the same op recorded twice: refused both times or neither */
	if ((st[0] == ENPU_OK) != (st[1] == ENPU_OK))
		abort();
	enpu_status_free(st[0]);
	enpu_status_free(st[1]);
	return st[0] == ENPU_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reader_t r = { data, size, 0 };
	tensors_t ts = { 0 };
	enpu_command_list_t *l[2] = { 0 };
	enpu_tensor_t *out[2];
	enpu_device_t *dut = duts[take(&r, 0, (uint32_t)n_duts - 1)];
	desc[0] = 0;
	rng = (uint64_t)take(&r, 0, 0xffffff) << 8 | 1;
	f16_check_t chk = { 0 };
	if (enpu_command_list_create(&l[0]) || enpu_command_list_create(&l[1]))
		abort();
	bool recorded = record(&r, &ts, l, out, &chk);
	if (getenv("FUZZ_OPS_TRACE"))	/* before a crash in the kernels */
		fprintf(stderr, "fuzz_ops: %s: %s\n", recorded ? "running" : "refused", desc);
	if (recorded) {
		enpu_status_t s0 = enpu_device_execute(ref, l[0]);
		enpu_status_t s1 = enpu_device_execute(dut, l[1]);
		if (s0 || s1) {
			fprintf(stderr, "fuzz_ops: execute: %s / %s\n", enpu_status_message(s0),
				enpu_status_message(s1));
			abort();
		}
		if (chk.on) {
			check_f16(&chk, out, dut);
			goto done;
		}
		const uint8_t *a, *b;
		size_t bytes = enpu_tensor_byte_size(out[0]);
		if (enpu_buffer_map(enpu_tensor_buffer(out[0]), 0, bytes, (void **)&a) ||
		    enpu_buffer_map(enpu_tensor_buffer(out[1]), 0, bytes, (void **)&b))
			abort();
		for (size_t i = 0; i < bytes; i++)
			if (a[i] != b[i]) {
				enpu_device_info_t info;
				enpu_device_query(dut, &info);
				fprintf(stderr, "fuzz_ops: %s differs from the reference at byte %zu "
						"of %zu: %d, reference %d\nfuzz_ops: the op: %s\n",
					info.description, i, bytes, (int8_t)b[i], (int8_t)a[i], desc);
				abort();
			}
		enpu_buffer_unmap(enpu_tensor_buffer(out[0]));
		enpu_buffer_unmap(enpu_tensor_buffer(out[1]));
	}
done:
	enpu_command_list_release(l[0]);
	enpu_command_list_release(l[1]);
	for (int i = 0; i < ts.n; i++)
		enpu_tensor_release(ts.t[i]);
	return 0;
}
