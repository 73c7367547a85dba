/* SPDX-License-Identifier: MIT */
/* CONV2D driver (int8 and fp16): depthwise int8 runs a direct kernel; 1x1
 * stride-1 unpadded convs feed the input rows straight to GEMM; int8 convs
 * the implicit GEMM takes run there (conv_implicit.c); everything else goes
 * through im2col (padding filled with the input zero point, which
 * contributes (zp - zp) * w = 0, or +0.0 for fp16) per group. */
#include <stdlib.h>
#include <string.h>
#include "../window.h"
#include "cpu_device.h"

typedef struct im2col_ctx {
	const enpu_conv_op_t *c;
	const uint8_t *in; /* bytes */
	size_t esize;
	uint32_t group;
} im2col_ctx_t;

static const void *im2col_row(const void *ctx, uint32_t row, void *scratch)
{
	const im2col_ctx_t *x = ctx;
	const enpu_conv_op_t *c = x->c;
	/* locals: the byte stores below may alias the op's fields */
	const uint32_t k_w = c->k_w, in_w = c->in_w, dil_w = c->dil_w;
	const size_t esize = x->esize, seg = (size_t)(c->in_c / c->groups) * esize;
	const size_t pixel = (size_t)c->in_c * esize, group_off = (size_t)x->group * seg;
	const int pad_byte = esize == 1 ? (int8_t)c->in_zp : 0;
	/* taps of one kernel row are adjacent in the input when they are whole
	 * pixels (one group) one pixel apart: copy them in one piece */
	const bool contiguous = c->groups == 1 && dil_w == 1;
	uint32_t ow = row % c->out_w, oh = row / c->out_w % c->out_h, n = row / c->out_w / c->out_h;
	int64_t iw0 = (int64_t)ow * c->stride_w - c->pad_l;
	/* the taps kw in [lo, hi) fall inside the input row */
	uint32_t lo = 0, hi = 0;
	for (uint32_t kw = 0; kw < k_w; kw++) {
		int64_t iw;
		if (enpu_tap(ow, kw, c->stride_w, c->pad_l, dil_w, in_w, &iw))
			hi = kw + 1;
		else if (hi == 0)
			lo = kw + 1;
	}
	uint8_t *dst = scratch;
	for (uint32_t kh = 0; kh < c->k_h; kh++, dst += k_w * seg) {
		int64_t ih;
		if (lo >= hi || !enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih)) {
			memset(dst, pad_byte, k_w * seg);
			continue;
		}
		const uint8_t *src = x->in + (((size_t)n * c->in_h + (size_t)ih) * in_w) * pixel +
				     group_off;
		memset(dst, pad_byte, lo * seg);
		if (contiguous) {
			memcpy(dst + lo * seg, src + (size_t)(iw0 + lo) * pixel, (hi - lo) * seg);
		} else {
			for (uint32_t kw = lo; kw < hi; kw++)
				memcpy(dst + kw * seg, src + (size_t)(iw0 + (int64_t)kw * dil_w) * pixel,
				       seg);
		}
		memset(dst + hi * seg, pad_byte, (k_w - hi) * seg);
	}
	return scratch;
}

typedef struct dw_job {
	const cpu_device_t *d;
	cpu_dwconv_args_t a;
	cpu_scratch_t scratch; /* 2 * Cout int32 per thread */
} dw_job_t;

static void dw_task(void *arg, size_t task, unsigned thread)
{
	dw_job_t *j = arg;
	const enpu_conv_op_t *c = j->a.c;
	j->d->vec->dwconv_row(&j->a, (uint32_t)(task / c->out_h), (uint32_t)(task % c->out_h),
			      cpu_scratch_at(&j->scratch, thread));
}

typedef struct kernel_job {
	const cpu_conv_kernel_t *k;
	const enpu_conv_op_t *c;
	const enpu_op_cache_t *packed;
	const int8_t *in;
	int8_t *out;
	uint32_t blocks, chunk, nchunks;
	uint32_t rpt, tasks_per_image; /* output rows per task */
	cpu_scratch_t scratch;
} kernel_job_t;

static void kernel_task(void *arg, size_t task, unsigned thread)
{
	const kernel_job_t *j = arg;
	uint32_t row = (uint32_t)(task / j->nchunks), b0 = (uint32_t)(task % j->nchunks) * j->chunk;
	uint32_t nb = j->blocks - b0 < j->chunk ? j->blocks - b0 : j->chunk;
	j->k->row(j->c, j->packed, j->in, j->out, row / j->tasks_per_image,
		  row % j->tasks_per_image * j->rpt, b0, nb, cpu_scratch_at(&j->scratch, thread));
}

typedef struct kernel_pack_ctx {
	const cpu_conv_kernel_t *k;
	const enpu_op_t *op;
} kernel_pack_ctx_t;

static enpu_op_cache_t *kernel_pack(void *ctx)
{
	const kernel_pack_ctx_t *x = ctx;
	return x->k->pack(&x->op->u.conv, enpu_op_host_ptr(x->op, ENPU_OP_IN1),
			   enpu_op_host_ptr(x->op, ENPU_OP_IN2));
}

#define SCRATCH_TARGET 65536u

/* A dedicated kernel k, with the packed weights cached with the op when
 * constant. Threads: k->macs_per_thread; tasks: output rows x chunks of
 * channel blocks whose scratch stays near 64 KiB, split further until every
 * thread has a few. */
static enpu_status_t run_kernel(const cpu_device_t *d, const cpu_conv_kernel_t *k,
				const enpu_op_t *op, void *out)
{
	const enpu_conv_op_t *c = &op->u.conv;
	uint64_t macs = (uint64_t)c->batch * c->out_h * c->out_w * c->out_c * c->k_h * c->k_w *
			(c->in_c / c->groups);
	unsigned use = cpu_threads_for(d, macs, k->macs_per_thread, k->macs_per_thread - 5);
	kernel_job_t j = { .k = k, .c = c, .in = enpu_op_host_ptr(op, ENPU_OP_IN0), .out = out };
	j.blocks = cpu_div_up(c->out_c, k->cblock);
	j.chunk = j.blocks;
	j.rpt = k->rows_per_task(c);
	j.tasks_per_image = cpu_div_up(c->out_h, j.rpt);
	size_t rows = (size_t)c->batch * j.tasks_per_image;
	while (j.chunk > 1 && (k->scratch_bytes(c, j.chunk) > SCRATCH_TARGET ||
			       rows * cpu_div_up(j.blocks, j.chunk) < 4u * use))
		j.chunk = (j.chunk + 1) / 2;
	j.nchunks = cpu_div_up(j.blocks, j.chunk);
	bool owned;
	kernel_pack_ctx_t pc = { .k = k, .op = op };
	j.packed = cpu_cache_get(cpu_cache_slot(op), k, kernel_pack, &pc, &owned);
	_Alignas(64) uint8_t local[CPU_SCRATCH_LOCAL];
	if (j.packed)
		j.scratch = cpu_scratch_alloc(use, k->scratch_bytes(c, j.chunk), local);
	enpu_status_t st = ENPU_OK;
	if (!j.scratch.base)
		st = enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cpu conv: out of memory");
	else
		cpu_run_tasks(d, use, rows * j.nchunks, kernel_task, &j);
	cpu_scratch_free(&j.scratch);
	if (owned)
		j.packed->destroy((enpu_op_cache_t *)j.packed);
	return st;
}

static enpu_status_t depthwise(const cpu_device_t *d, const enpu_op_t *op, void *out)
{
	const enpu_conv_op_t *c = &op->u.conv;
	const int8_t *f = enpu_op_host_ptr(op, ENPU_OP_IN1);
	const int32_t *bias = enpu_op_host_ptr(op, ENPU_OP_IN2);
	size_t taps = (size_t)c->k_h * c->k_w;
	int16_t *w = malloc(taps * c->out_c * sizeof(int16_t));
	int32_t *b = calloc(c->out_c, sizeof(int32_t));
	_Alignas(64) uint8_t local[CPU_SCRATCH_LOCAL];
	cpu_scratch_t scratch = cpu_scratch_alloc(cpu_threadpool_size(d->pool),
						  2 * c->out_c * sizeof(int32_t), local);
	enpu_status_t st = ENPU_OK;
	if (!w || !b || !scratch.base) {
		st = enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cpu depthwise: out of memory");
	} else {
		for (uint32_t oc = 0; oc < c->out_c; oc++)
			for (size_t t = 0; t < taps; t++)
				w[t * c->out_c + oc] = f[(size_t)oc * taps + t];
		if (bias)
			memcpy(b, bias, c->out_c * sizeof(int32_t));
		dw_job_t j = { .d = d, .scratch = scratch,
			       .a = { .c = c, .in = enpu_op_host_ptr(op, ENPU_OP_IN0), .w = w, .bias = b,
				      .out = out } };
		cpu_threadpool_run(d->pool, (size_t)c->batch * c->out_h, dw_task, &j);
	}
	free(w);
	free(b);
	cpu_scratch_free(&scratch);
	return st;
}

/* Every pad smaller than the (dilated) kernel: no window of padding alone.
 * Larger pads skip the dedicated kernels and the implicit GEMM, whose padded
 * copies would be mostly padding (and, with huge pads and strides, past 32
 * bits), for the depthwise loop or im2col. */
static bool pads_inside(const enpu_conv_op_t *c)
{
	uint64_t eh = (uint64_t)(c->k_h - 1) * c->dil_h + 1, ew = (uint64_t)(c->k_w - 1) * c->dil_w + 1;
	return c->pad_t < eh && c->pad_b < eh && c->pad_l < ew && c->pad_r < ew;
}

enpu_status_t cpu_conv(const cpu_device_t *d, const enpu_op_t *op, void *dst)
{
	const enpu_conv_op_t *c = &op->u.conv;
	bool i8 = op->dtype == ENPU_DTYPE_INT8;
	uint64_t pixels = (uint64_t)c->batch * c->out_h * c->out_w;
	if (pixels > UINT32_MAX)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"cpu conv: %llu output pixels; at most 2^32 - 1 per op",
					(unsigned long long)pixels);
	const bool padded = i8 && pads_inside(c); /* a padded copy is worth it */
	for (const cpu_conv_kernel_t *const *k = d->conv; padded && *k; k++)
		if ((*k)->accepts(c))
			return run_kernel(d, *k, op, dst);
	if (i8 && c->groups == c->in_c && c->groups > 1)
		return depthwise(d, op, dst);
	size_t esize = i8 ? 1 : 2;
	uint32_t cin_g = c->in_c / c->groups, cout_g = c->out_c / c->groups;
	uint32_t k = c->k_h * c->k_w * cin_g;
	bool direct = c->k_h == 1 && c->k_w == 1 && c->stride_h == 1 && c->stride_w == 1 &&
		      !c->pad_t && !c->pad_l && !c->pad_b && !c->pad_r && c->groups == 1;
	if (padded && !direct && cpu_conv_implicit_accepts(d, c))
		return cpu_conv_implicit(d, op, dst);
	const uint8_t *f = enpu_op_host_ptr(op, ENPU_OP_IN1);
	const uint8_t *bias = enpu_op_host_ptr(op, ENPU_OP_IN2);
	uint8_t *out = dst;
	for (uint32_t g = 0; g < c->groups; g++) {
		im2col_ctx_t x = { .c = c, .in = enpu_op_host_ptr(op, ENPU_OP_IN0), .esize = esize,
				   .group = g };
		cpu_dense_rows_t rows = { .base = x.in, .row_bytes = c->in_c * esize };
		size_t oc0 = (size_t)g * cout_g;
		cpu_gemm_problem_t p = {
			.m = (uint32_t)pixels, .n = cout_g, .k = k,
			.a_row = direct ? cpu_dense_row : im2col_row,
			.a_ctx = direct ? (const void *)&rows : (const void *)&x,
			.b = f + oc0 * k * esize,
			.bias = bias ? bias + oc0 * 4 : NULL,
			.mult = i8 ? c->mult + oc0 : NULL, .shift = i8 ? c->shift + oc0 : NULL,
			.a_zp = c->in_zp, .c_zp = c->out_zp, .clamp = c->clamp,
			.c = out + oc0 * esize, .ldc = c->out_c,
			.cache = c->groups == 1 ? cpu_cache_slot(op) : NULL,
		};
		enpu_status_t st = i8 ? cpu_gemm_i8(d, &p) : cpu_gemm_f16(d, &p);
		if (st)
			return st;
	}
	return ENPU_OK;
}
