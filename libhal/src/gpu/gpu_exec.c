/* SPDX-License-Identifier: MIT */
/* GPU backend: one op, one dispatch. The op's tensors and per-channel
 * requantization arrays are its sections: tensors that the device imports
 * stay where they are (gpu_import.c), the rest are copied into 16-byte
 * aligned sections of the scratch buffer; the op's shader runs (one
 * invocation per 32-bit word of output, or per tile), and an output that
 * went through the scratch buffer is copied back. Queue thread only. */
#include <string.h>

#include "gpu.h"
#include "op.h"
#include "tensor_impl.h"

/* The data of a section (none when bytes is 0); t: its tensor, if any. */
typedef struct section {
	const void *src;
	size_t bytes;
	const enpu_tensor_t *t;
} section_t;

static size_t words(size_t bytes)
{
	return (bytes + 3) / 4;
}

static size_t tensor_bytes(const enpu_op_t *op, int role)
{
	return op->tensors[role] ? enpu_tensor_byte_size(op->tensors[role]) : 0;
}

/* Whether the output shares bytes with an input tensor (then it is written
 * to the scratch buffer, so that no invocation reads what another wrote). */
static bool out_overlaps(const enpu_op_t *op, const section_t sec[GPU_P_OUT], size_t out_bytes)
{
	const char *o = enpu_op_host_ptr(op, ENPU_OP_OUT);

	for (int i = 0; i < GPU_P_OUT; i++) {
		const char *s = sec[i].t ? sec[i].src : NULL;

		if (s && s < o + out_bytes && o < s + sec[i].bytes)
			return true;
	}
	return false;
}

/* The imported tensors stay where they are (on staged devices the GPU copies
 * them into the work buffer: every section has its place there); the other
 * sections are laid out in p[GPU_P_IN0..GPU_P_OUT] order in the scratch
 * buffer, each on 16 bytes (the cooperative-matrix loads need it). Returns
 * the words laid out; run_tiled copies the inputs there. */
static size_t place_sections(gpu_device_t *d, const enpu_op_t *op,
			     const section_t sec[GPU_P_OUT], int32_t *p, gpu_launch_t *l)
{
	size_t off = 0, out_bytes = l->bind[GPU_P_OUT].bytes;

	for (int i = 0; i < GPU_SECTIONS; i++) {
		const enpu_tensor_t *t = i == GPU_P_OUT ? op->tensors[ENPU_OP_OUT] : sec[i].t;
		gpu_binding_t *b = &l->bind[i];

		if (!b->bytes)
			continue;
		if (i == GPU_P_OUT && out_overlaps(op, sec, out_bytes))
			t = NULL;	/* copied */
		if (t)
			gpu_import_tensor(d, t, i == GPU_P_OUT, b);
		if (b->buf && !d->staged)
			continue;
		p[i] = (int32_t)off;
		off = (off + words(b->bytes) + 3) & ~(size_t)3;
	}
	return off;
}

/* Places the sections (place_sections) and dispatches (tiles_x x tiles_y
 * workgroups for a tiled shader, tiles_x 0: one invocation per output
 * word); then copies a scratch output back. */
static enpu_status_t run_tiled(gpu_device_t *d, const enpu_op_t *op, int pipe,
			       const section_t sec[GPU_P_OUT], int32_t *p, uint32_t tiles_x,
			       uint32_t tiles_y)
{
	gpu_launch_t l = { .pipe = pipe, .p = p, .groups_x = tiles_x, .groups_y = tiles_y };
	size_t out_bytes = tensor_bytes(op, ENPU_OP_OUT), off;
	enpu_status_t st;

	for (int i = 0; i < GPU_SECTIONS; i++) {
		l.bind[i].bytes = i == GPU_P_OUT ? out_bytes : sec[i].bytes;
		if (l.bind[i].bytes > INT32_MAX - 15)	/* the shaders index bytes in 32 bits */
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
						"gpu: op too large (a tensor of %zu bytes)",
						l.bind[i].bytes);
	}
	off = place_sections(d, op, sec, p, &l);
	if (off > INT32_MAX / 4)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"gpu: op too large (%zu bytes to copy)", off * 4);
	/* a scratch buffer even with nothing to copy: the descriptors of the
	 * op's absent sections point there */
	st = gpu_scratch_reserve(d, off ? off : 4);
	if (st != ENPU_OK)
		return st;
	for (int i = 0; i < GPU_SECTIONS; i++) {
		const gpu_binding_t *b = &l.bind[i];

		/* tensors (not the requantization arrays) in the counters */
		if (b->buf)
			d->imported_bytes += b->bytes;
		else if (i == GPU_P_OUT || sec[i].t)
			d->copied_bytes += b->bytes;
		if (i != GPU_P_OUT && b->bytes && !b->buf)
			memcpy(d->scratch_map + p[i], sec[i].src, b->bytes);
	}
	p[GPU_P_COUNT] = (int32_t)enpu_tensor_element_count(op->tensors[ENPU_OP_OUT]);
	if (!tiles_x && !gpu_groups_1d(d, words(out_bytes), &l.groups_x, &l.groups_y))
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"gpu: %zu output words are more than the device's "
					"workgroups reach",
					words(out_bytes));
	size_t out_word = (size_t)p[GPU_P_OUT];

	st = gpu_launch(d, &l);
	if (st == ENPU_OK && !l.bind[GPU_P_OUT].buf)
		memcpy(enpu_op_host_ptr(op, ENPU_OP_OUT), d->scratch_map + out_word, out_bytes);
	return st;
}

static enpu_status_t run(gpu_device_t *d, const enpu_op_t *op, int pipe,
			 const section_t sec[GPU_P_OUT], int32_t *p)
{
	return run_tiled(d, op, pipe, sec, p, 0, 0);
}

static uint32_t tiles(uint32_t n)
{
	return (n + GPU_TILE - 1) / GPU_TILE;
}

static int32_t float_bits(float f)
{
	int32_t i;

	memcpy(&i, &f, sizeof(i));
	return i;
}

static section_t tensor_section(const enpu_op_t *op, int role)
{
	return (section_t){ enpu_op_host_ptr(op, role), tensor_bytes(op, role), op->tensors[role] };
}

static enpu_status_t exec_gemm(gpu_device_t *d, const enpu_op_t *op)
{
	const enpu_gemm_op_t *g = &op->u.gemm;
	int32_t p[GPU_P_WORDS] = { 0 };
	section_t sec[GPU_P_OUT] = {
		tensor_section(op, ENPU_OP_IN0), tensor_section(op, ENPU_OP_IN1),
		tensor_section(op, ENPU_OP_IN2),
		{ g->mult, g->n * sizeof(int32_t), NULL }, { g->shift, g->n * sizeof(int32_t), NULL },
	};
	bool f16 = op->dtype == ENPU_DTYPE_FP16;
	int32_t args[] = { (int32_t)g->m, (int32_t)g->n, (int32_t)g->k,
			   f16 ? float_bits(g->clamp.fmin) : g->a_zp,
			   f16 ? float_bits(g->clamp.fmax) : g->c_zp, g->clamp.qmin, g->clamp.qmax };

	if (f16)
		sec[GPU_P_MULT].bytes = sec[GPU_P_SHIFT].bytes = 0;
	p[GPU_P_HAS_BIAS] = op->tensors[ENPU_OP_IN2] != NULL;
	memcpy(p + GPU_P_ARGS, args, sizeof(args));
	uint32_t coop = f16 ? GPU_COOP_TILE_F16 : GPU_COOP_TILE_I8;

	if (d->coop && g->m % coop == 0 && g->n % coop == 0 && g->k % 32 == 0 &&
	    gpu_groups_fit(d, g->n / coop, g->m / coop))
		return run_tiled(d, op, f16 ? GPU_PIPE_GEMM_F16_COOP : GPU_PIPE_GEMM_COOP, sec, p,
				 g->n / coop, g->m / coop);
	/* the tiled shaders load whole words of rows and store whole words */
	if (g->k % 4 == 0 && g->n % 4 == 0 && gpu_groups_fit(d, tiles(g->n), tiles(g->m)))
		return run_tiled(d, op,
				 f16 ? GPU_PIPE_GEMM_F16_TILED
				 : d->int_dot ? GPU_PIPE_GEMM_TILED_DOT : GPU_PIPE_GEMM_TILED,
				 sec, p, tiles(g->n), tiles(g->m));
	return run(d, op, f16 ? GPU_PIPE_GEMM_F16 : GPU_PIPE_GEMM, sec, p);
}

/* The shaders' window arithmetic is 32-bit signed: every window's input rows
 * and columns, from -pad to (out - 1) * stride + (k - 1) * dil - pad, must
 * be int32 values. */
static bool windows_fit(uint32_t out, uint32_t stride, uint32_t k, uint32_t dil, uint32_t pad)
{
	return pad <= INT32_MAX &&
	       (uint64_t)(out - 1) * stride + (uint64_t)(k - 1) * dil <= INT32_MAX;
}

static enpu_status_t windows_check(const char *op, uint32_t out_h, uint32_t out_w,
				   uint32_t stride_h, uint32_t stride_w, uint32_t k_h, uint32_t k_w,
				   uint32_t dil_h, uint32_t dil_w, uint32_t pad_t, uint32_t pad_l)
{
	if (windows_fit(out_h, stride_h, k_h, dil_h, pad_t) &&
	    windows_fit(out_w, stride_w, k_w, dil_w, pad_l))
		return ENPU_OK;
	return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
				"gpu: %s windows reach input rows or columns beyond 2^31 (output "
				"%ux%u, strides %u,%u, kernel %ux%u, dilations %u,%u, pads %u,%u)",
				op, out_h, out_w, stride_h, stride_w, k_h, k_w, dil_h, dil_w, pad_t,
				pad_l);
}

static enpu_status_t exec_conv(gpu_device_t *d, const enpu_op_t *op)
{
	const enpu_conv_op_t *c = &op->u.conv;
	enpu_status_t st = windows_check("conv2d", c->out_h, c->out_w, c->stride_h, c->stride_w,
					 c->k_h, c->k_w, c->dil_h, c->dil_w, c->pad_t, c->pad_l);
	if (st)
		return st;
	int32_t p[GPU_P_WORDS] = { 0 };
	section_t sec[GPU_P_OUT] = {
		tensor_section(op, ENPU_OP_IN0), tensor_section(op, ENPU_OP_IN1),
		tensor_section(op, ENPU_OP_IN2),
		{ c->mult, c->out_c * sizeof(int32_t), NULL },
		{ c->shift, c->out_c * sizeof(int32_t), NULL },
	};
	int32_t args[] = {
		(int32_t)c->batch, (int32_t)c->in_h, (int32_t)c->in_w, (int32_t)c->in_c,
		(int32_t)c->out_h, (int32_t)c->out_w, (int32_t)c->out_c, (int32_t)c->k_h,
		(int32_t)c->k_w, (int32_t)c->stride_h, (int32_t)c->stride_w, (int32_t)c->dil_h,
		(int32_t)c->dil_w, (int32_t)c->pad_t, (int32_t)c->pad_l, (int32_t)c->groups,
		c->in_zp, c->out_zp, c->clamp.qmin, c->clamp.qmax,
	};
	bool f16 = op->dtype == ENPU_DTYPE_FP16;

	if (f16) {	/* conv_f16.comp: the clamp in place of the zero points */
		sec[GPU_P_MULT].bytes = sec[GPU_P_SHIFT].bytes = 0;
		args[16] = float_bits(c->clamp.fmin);
		args[17] = float_bits(c->clamp.fmax);
	}
	p[GPU_P_HAS_BIAS] = op->tensors[ENPU_OP_IN2] != NULL;
	uint64_t pixels = (uint64_t)c->batch * c->out_h * c->out_w;
	uint32_t m = pixels <= INT32_MAX ? (uint32_t)pixels : 0;
	/* the tiled implicit GEMM reads whole words of input pixels and filter
	 * rows and stores whole words of output pixels (the tiled GEMMs' K and
	 * N multiples of 4); args[16..17], the zero points or the fp16 clamp,
	 * are the GEMMs' parameters 3..4 */
	if (m && c->groups == 1 && c->in_c % 4 == 0 && c->out_c % 4 == 0 &&
	    gpu_groups_fit(d, tiles(c->out_c), tiles(m))) {
		int32_t tiled[] = {
			(int32_t)m, (int32_t)c->out_c, (int32_t)(c->k_h * c->k_w * c->in_c),
			args[16], args[17], c->clamp.qmin, c->clamp.qmax,
			(int32_t)c->in_h, (int32_t)c->in_w, (int32_t)(c->in_c / (f16 ? 2 : 4)),
			(int32_t)c->out_h, (int32_t)c->out_w, (int32_t)c->k_w,
			(int32_t)c->stride_h, (int32_t)c->stride_w, (int32_t)c->dil_h,
			(int32_t)c->dil_w, (int32_t)c->pad_t, (int32_t)c->pad_l,
		};
		memcpy(p + GPU_P_ARGS, tiled, sizeof(tiled));
		return run_tiled(d, op,
				 f16 ? GPU_PIPE_CONV_F16_TILED
				 : d->int_dot ? GPU_PIPE_CONV_TILED_DOT : GPU_PIPE_CONV_TILED,
				 sec, p, tiles(c->out_c), tiles(m));
	}
	memcpy(p + GPU_P_ARGS, args, sizeof(args));
	return run(d, op, f16 ? GPU_PIPE_CONV_F16 : GPU_PIPE_CONV, sec, p);
}

static enpu_status_t exec_pool(gpu_device_t *d, const enpu_op_t *op)
{
	const enpu_pool_op_t *q = &op->u.pool;
	enpu_status_t st = windows_check("pool", q->out_h, q->out_w, q->stride_h, q->stride_w,
					 q->k_h, q->k_w, 1, 1, q->pad_t, q->pad_l);
	if (st)
		return st;
	int32_t p[GPU_P_WORDS] = { 0 };
	section_t sec[GPU_P_OUT] = { tensor_section(op, ENPU_OP_IN0) };
	int32_t args[] = {
		q->kind == ENPU_POOL_AVG, (int32_t)q->in_h, (int32_t)q->in_w, (int32_t)q->c,
		(int32_t)q->out_h, (int32_t)q->out_w, (int32_t)q->k_h, (int32_t)q->k_w,
		(int32_t)q->stride_h, (int32_t)q->stride_w, (int32_t)q->pad_t, (int32_t)q->pad_l,
		q->clamp.qmin, q->clamp.qmax,
	};

	memcpy(p + GPU_P_ARGS, args, sizeof(args));
	return run(d, op, GPU_PIPE_POOL, sec, p);
}

/* int8 -> fp16 or fp16 -> int8 (op->dtype is the input's). */
static enpu_status_t exec_cast(gpu_device_t *d, const enpu_op_t *op)
{
	int32_t p[GPU_P_WORDS] = { 0 };
	section_t sec[GPU_P_OUT] = { tensor_section(op, ENPU_OP_IN0) };
	int32_t args[] = { op->dtype == ENPU_DTYPE_FP16, float_bits(op->u.cast.scale),
			   op->u.cast.zp };

	memcpy(p + GPU_P_ARGS, args, sizeof(args));
	return run(d, op, GPU_PIPE_CAST, sec, p);
}

/* ADD (mode 0), MUL (1), REQUANTIZE (2). */
static enpu_status_t exec_eltwise(gpu_device_t *d, const enpu_op_t *op, int32_t mode)
{
	int32_t p[GPU_P_WORDS] = { 0 };
	section_t sec[GPU_P_OUT] = {
		tensor_section(op, ENPU_OP_IN0), tensor_section(op, ENPU_OP_IN1),
	};

	if (mode == 2) {
		const enpu_requant_op_t *r = &op->u.requant;
		int32_t args[] = { mode, r->in_zp, 0, r->out_zp, 0, 0, 0, 0,
				   r->mult, r->shift, r->clamp.qmin, r->clamp.qmax };
		memcpy(p + GPU_P_ARGS, args, sizeof(args));
	} else {
		const enpu_eltwise_op_t *e = &op->u.eltwise;
		int32_t args[] = { mode, e->a_zp, e->b_zp, e->out_zp, e->rq.a_mult, e->rq.a_shift,
				   e->rq.b_mult, e->rq.b_shift, e->rq.out_mult, e->rq.out_shift,
				   e->clamp.qmin, e->clamp.qmax };
		memcpy(p + GPU_P_ARGS, args, sizeof(args));
	}
	return run(d, op, GPU_PIPE_ELTWISE, sec, p);
}

enpu_status_t gpu_exec(void *ctx, const enpu_op_t *op)
{
	gpu_device_t *d = ctx;

	switch (op->kind) {
	case ENPU_OP_GEMM: return exec_gemm(d, op);
	case ENPU_OP_CONV2D: return exec_conv(d, op);
	case ENPU_OP_POOL: return exec_pool(d, op);
	case ENPU_OP_ADD: return exec_eltwise(d, op, 0);
	case ENPU_OP_MUL: return exec_eltwise(d, op, 1);
	case ENPU_OP_REQUANTIZE: return exec_eltwise(d, op, 2);
	case ENPU_OP_CAST: return exec_cast(d, op);
	default:
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED, "gpu: op %s is not implemented",
					enpu_op_kind_name(op->kind));
	}
}
