// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * The command stream: structural validation at submit time (opcodes, sizes,
 * flags, padding, ranges, overflow, alignment) and the cost model the device
 * charges. Whether addresses land inside the job's BOs is the MMU's business at
 * execution time (a fault), as on hardware.
 */

#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>

#include "enpu_cs.h"

u32 enpu_cs_op_size(u16 opcode)
{
	switch (opcode) {
	case ENPU_CMD_OP_NOP:
	case ENPU_CMD_OP_FENCE:
		return sizeof(struct enpu_cmd_hdr);
	case ENPU_CMD_OP_DMA_COPY:
		return sizeof(struct enpu_cmd_dma_copy);
	case ENPU_CMD_OP_GEMM_I8:
	case ENPU_CMD_OP_GEMM_F16:
		return sizeof(struct enpu_cmd_gemm);
	case ENPU_CMD_OP_CONV2D_I8:
	case ENPU_CMD_OP_CONV2D_F16:
		return sizeof(struct enpu_cmd_conv2d);
	case ENPU_CMD_OP_POOL_I8:
		return sizeof(struct enpu_cmd_pool);
	case ENPU_CMD_OP_ELTWISE_I8:
		return sizeof(struct enpu_cmd_eltwise);
	case ENPU_CMD_OP_REQUANT:
		return sizeof(struct enpu_cmd_requant);
	default:
		return 0;
	}
}

static bool dim_ok(u32 v)
{
	return v >= 1 && v <= ENPU_MAX_DIM;
}

static bool i8_ok(s32 v)
{
	return v >= -128 && v <= 127;
}

static bool shift_ok(s32 v)
{
	return v >= -31 && v <= 30;
}

static bool clamp_ok(s32 lo, s32 hi)
{
	return i8_ok(lo) && i8_ok(hi) && lo <= hi;
}

static bool aligned(u64 addr, u64 align)
{
	return !(addr & (align - 1));
}

/* @a * @b * @c (* @d) bytes fit a tensor. */
static bool bytes_ok(u64 a, u64 b, u64 c, u64 d)
{
	u64 v;

	return !check_mul_overflow(a, b, &v) && !check_mul_overflow(v, c, &v) &&
	       !check_mul_overflow(v, d, &v) && v <= ENPU_MAX_TENSOR_BYTES;
}

static bool quant_ok(const struct enpu_cmd_quant *q, u32 channels)
{
	return !q->pad && i8_ok(q->out_zp) && clamp_ok(q->act_min, q->act_max) &&
	       aligned(q->mult, 4) && aligned(q->shift, 4) && bytes_ok(channels, 4, 1, 1);
}

static bool quant_zero(const struct enpu_cmd_quant *q)
{
	return !q->mult && !q->shift && !q->out_zp && !q->act_min && !q->act_max && !q->pad;
}

/* Extent in elements of @rows rows of @cols elements, @ld apart. */
static u64 extent(u32 rows, u32 cols, u32 ld)
{
	return (u64)(rows - 1) * ld + cols;
}

static int validate_gemm(const struct enpu_cmd_gemm *g, bool f16)
{
	u64 es = f16 ? 2 : 1;

	if (g->hdr.flags & ~ENPU_CMD_F_BIAS || g->pad)
		return -EINVAL;
	if (!dim_ok(g->m) || !dim_ok(g->n) || !dim_ok(g->k))
		return -EINVAL;
	if (g->lda < g->k || g->ldb < g->k || g->ldc < g->n)
		return -EINVAL;
	if (!bytes_ok(extent(g->m, g->k, g->lda), es, 1, 1) ||
	    !bytes_ok(extent(g->n, g->k, g->ldb), es, 1, 1) ||
	    !bytes_ok(extent(g->m, g->n, g->ldc), es, 1, 1))
		return -EINVAL;
	if (!aligned(g->a, es) || !aligned(g->b, es) || !aligned(g->c, es) ||
	    !aligned(g->bias, 4))
		return -EINVAL;
	if (!(g->hdr.flags & ENPU_CMD_F_BIAS) && g->bias)
		return -EINVAL;
	if (f16)
		return !g->a_zp && quant_zero(&g->q) ? 0 : -EINVAL;
	return i8_ok(g->a_zp) && quant_ok(&g->q, g->n) ? 0 : -EINVAL;
}

/**
 * enpu_conv_out_dim - output size of a convolution or pooling window along one axis
 * @in: input size
 * @pad_a: padding before
 * @pad_b: padding after
 * @k: kernel size
 * @dil: dilation
 * @stride: stride
 * @out: the output size
 *
 * Return: false if the padded input is smaller than the (dilated) kernel.
 */
bool enpu_conv_out_dim(u32 in, u32 pad_a, u32 pad_b, u32 k, u32 dil, u32 stride, u32 *out)
{
	u64 padded = (u64)in + pad_a + pad_b;
	u64 eff = (u64)(k - 1) * dil + 1;

	if (padded < eff)
		return false;
	*out = div_u64(padded - eff, stride) + 1;
	return true;
}

static bool pads_ok(u32 t, u32 l, u32 b, u32 r)
{
	return t < ENPU_MAX_DIM && l < ENPU_MAX_DIM && b < ENPU_MAX_DIM && r < ENPU_MAX_DIM;
}

static int validate_conv(const struct enpu_cmd_conv2d *c, bool f16)
{
	u64 es = f16 ? 2 : 1;
	u32 oh, ow;

	if (c->hdr.flags & ~ENPU_CMD_F_BIAS || c->pad)
		return -EINVAL;
	if (!dim_ok(c->n) || !dim_ok(c->h) || !dim_ok(c->w) || !dim_ok(c->cin) ||
	    !dim_ok(c->cout) || !dim_ok(c->kh) || !dim_ok(c->kw) ||
	    !dim_ok(c->stride_h) || !dim_ok(c->stride_w) || !dim_ok(c->dil_h) ||
	    !dim_ok(c->dil_w) || !dim_ok(c->groups) ||
	    !pads_ok(c->pad_top, c->pad_left, c->pad_bottom, c->pad_right))
		return -EINVAL;
	if (c->cin % c->groups || c->cout % c->groups)
		return -EINVAL;
	if (!enpu_conv_out_dim(c->h, c->pad_top, c->pad_bottom, c->kh, c->dil_h,
			       c->stride_h, &oh) ||
	    !enpu_conv_out_dim(c->w, c->pad_left, c->pad_right, c->kw, c->dil_w,
			       c->stride_w, &ow) ||
	    oh != c->out_h || ow != c->out_w || !dim_ok(oh) || !dim_ok(ow))
		return -EINVAL;
	if ((u64)c->kh * c->kw * (c->cin / c->groups) > ENPU_MAX_REDUCTION)
		return -EINVAL;
	if (!bytes_ok((u64)c->n * c->h, c->w, c->cin, es) ||
	    !bytes_ok((u64)c->cout * c->kh, c->kw, c->cin / c->groups, es) ||
	    !bytes_ok((u64)c->n * oh, ow, c->cout, es))
		return -EINVAL;
	if (!aligned(c->in, es) || !aligned(c->filter, es) || !aligned(c->out, es) ||
	    !aligned(c->bias, 4))
		return -EINVAL;
	if (!(c->hdr.flags & ENPU_CMD_F_BIAS) && c->bias)
		return -EINVAL;
	if (f16)
		return !c->in_zp && quant_zero(&c->q) ? 0 : -EINVAL;
	return i8_ok(c->in_zp) && quant_ok(&c->q, c->cout) ? 0 : -EINVAL;
}

static int validate_pool(const struct enpu_cmd_pool *p)
{
	u32 oh, ow;

	if (p->hdr.flags || p->pad || p->mode > ENPU_CMD_POOL_AVG)
		return -EINVAL;
	if (!dim_ok(p->n) || !dim_ok(p->h) || !dim_ok(p->w) || !dim_ok(p->c) ||
	    !dim_ok(p->kh) || !dim_ok(p->kw) || !dim_ok(p->stride_h) || !dim_ok(p->stride_w) ||
	    (u64)p->kh * p->kw > ENPU_MAX_REDUCTION)
		return -EINVAL;
	/* Every window must hold at least one real element (an average needs one). */
	if (p->pad_top >= p->kh || p->pad_bottom >= p->kh ||
	    p->pad_left >= p->kw || p->pad_right >= p->kw)
		return -EINVAL;
	if (!enpu_conv_out_dim(p->h, p->pad_top, p->pad_bottom, p->kh, 1, p->stride_h, &oh) ||
	    !enpu_conv_out_dim(p->w, p->pad_left, p->pad_right, p->kw, 1, p->stride_w, &ow) ||
	    oh != p->out_h || ow != p->out_w || !dim_ok(oh) || !dim_ok(ow))
		return -EINVAL;
	if (!bytes_ok((u64)p->n * p->h, p->w, p->c, 1) || !bytes_ok((u64)p->n * oh, ow, p->c, 1))
		return -EINVAL;
	return clamp_ok(p->act_min, p->act_max) ? 0 : -EINVAL;
}

static int validate_eltwise(const struct enpu_cmd_eltwise *e)
{
	if (e->hdr.flags || e->pad || e->op > ENPU_CMD_ELTWISE_MUL)
		return -EINVAL;
	if (!e->count || e->count > ENPU_MAX_TENSOR_BYTES)
		return -EINVAL;
	if (!i8_ok(e->a_zp) || !i8_ok(e->b_zp) || !i8_ok(e->out_zp) ||
	    !clamp_ok(e->act_min, e->act_max))
		return -EINVAL;
	if (e->out_mult < 0 || !shift_ok(e->out_shift))
		return -EINVAL;
	if (e->op == ENPU_CMD_ELTWISE_MUL)
		return !e->a_mult && !e->a_shift && !e->b_mult && !e->b_shift ? 0 : -EINVAL;
	return e->a_mult >= 0 && e->b_mult >= 0 && shift_ok(e->a_shift) &&
	       shift_ok(e->b_shift) ? 0 : -EINVAL;
}

/* A finite binary32 value > 0. */
static bool scale_ok(u32 bits)
{
	return !(bits >> 31) && (bits & 0x7fffffff) && ((bits >> 23) & 0xff) != 0xff;
}

static int validate_requant(const struct enpu_cmd_requant *r)
{
	if (r->hdr.flags || r->pad || !r->count || r->count > ENPU_MAX_TENSOR_BYTES / 2)
		return -EINVAL;
	switch (r->mode) {
	case ENPU_CMD_REQUANT_I8_I8:
		return i8_ok(r->in_zp) && i8_ok(r->out_zp) && r->mult >= 0 &&
		       shift_ok(r->shift) && clamp_ok(r->act_min, r->act_max) &&
		       !r->scale_bits ? 0 : -EINVAL;
	case ENPU_CMD_REQUANT_I8_F16:
		return i8_ok(r->in_zp) && !r->out_zp && !r->mult && !r->shift &&
		       !r->act_min && !r->act_max && scale_ok(r->scale_bits) &&
		       aligned(r->out, 2) ? 0 : -EINVAL;
	case ENPU_CMD_REQUANT_F16_I8:
		return !r->in_zp && i8_ok(r->out_zp) && !r->mult && !r->shift &&
		       clamp_ok(r->act_min, r->act_max) && scale_ok(r->scale_bits) &&
		       aligned(r->in, 2) ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

static int validate_one(const struct enpu_cmd_hdr *hdr)
{
	switch (hdr->opcode) {
	case ENPU_CMD_OP_NOP:
	case ENPU_CMD_OP_FENCE:
		return hdr->flags ? -EINVAL : 0;
	case ENPU_CMD_OP_DMA_COPY: {
		const struct enpu_cmd_dma_copy *d = (const void *)hdr;

		return !hdr->flags && d->size && d->size <= ENPU_MAX_TENSOR_BYTES ? 0 : -EINVAL;
	}
	case ENPU_CMD_OP_GEMM_I8:
		return validate_gemm((const void *)hdr, false);
	case ENPU_CMD_OP_GEMM_F16:
		return validate_gemm((const void *)hdr, true);
	case ENPU_CMD_OP_CONV2D_I8:
		return validate_conv((const void *)hdr, false);
	case ENPU_CMD_OP_CONV2D_F16:
		return validate_conv((const void *)hdr, true);
	case ENPU_CMD_OP_POOL_I8:
		return validate_pool((const void *)hdr);
	case ENPU_CMD_OP_ELTWISE_I8:
		return validate_eltwise((const void *)hdr);
	case ENPU_CMD_OP_REQUANT:
		return validate_requant((const void *)hdr);
	default:
		return -EINVAL;
	}
}

/**
 * enpu_cs_validate - check a whole command stream before it may run
 * @cs: the stream, a kernel copy that userspace can no longer change
 * @size: its size in bytes, a multiple of 8
 *
 * Return: 0, or -EINVAL for an unknown opcode, a wrong descriptor size, a
 * truncated descriptor, unknown flags, non-zero padding, or any field out of range.
 */
int enpu_cs_validate(const void *cs, u32 size)
{
	u32 off = 0;

	while (off < size) {
		const struct enpu_cmd_hdr *hdr = cs + off;
		u32 want;
		int ret;

		if (size - off < sizeof(*hdr))
			return -EINVAL;
		want = enpu_cs_op_size(hdr->opcode);
		if (!want || hdr->size != want || hdr->size > size - off)
			return -EINVAL;
		ret = validate_one(hdr);
		if (ret)
			return ret;
		off += hdr->size;
	}
	return 0;
}

static u64 cycles_for(u64 ops, u64 per_cycle, u64 bytes)
{
	return max(DIV_ROUND_UP_ULL(ops, per_cycle),
		   DIV_ROUND_UP_ULL(bytes, ENPU_DMA_BYTES_PER_CYCLE)) + ENPU_DESC_OVERHEAD_CYCLES;
}

/**
 * enpu_cs_cost - what a validated descriptor costs
 * @hdr: the descriptor
 * @cost: its cycles and traffic, by the device model (docs/hw-model.md)
 */
void enpu_cs_cost(const struct enpu_cmd_hdr *hdr, struct enpu_cs_cost *cost)
{
	u64 ops = 0, per = ENPU_VEC_OPS_PER_CYCLE, rd = 0, wr = 0;

	switch (hdr->opcode) {
	case ENPU_CMD_OP_DMA_COPY: {
		const struct enpu_cmd_dma_copy *d = (const void *)hdr;

		rd = d->size;
		wr = d->size;
		break;
	}
	case ENPU_CMD_OP_GEMM_I8:
	case ENPU_CMD_OP_GEMM_F16: {
		const struct enpu_cmd_gemm *g = (const void *)hdr;
		u64 es = hdr->opcode == ENPU_CMD_OP_GEMM_F16 ? 2 : 1;

		ops = (u64)g->m * g->n * g->k;
		per = es == 2 ? ENPU_MACS_PER_CYCLE_F16 : ENPU_MACS_PER_CYCLE_I8;
		rd = ((u64)g->m * g->k + (u64)g->n * g->k) * es;
		if (hdr->flags & ENPU_CMD_F_BIAS)
			rd += 4ULL * g->n;
		if (es == 1)
			rd += 8ULL * g->n;
		wr = (u64)g->m * g->n * es;
		break;
	}
	case ENPU_CMD_OP_CONV2D_I8:
	case ENPU_CMD_OP_CONV2D_F16: {
		const struct enpu_cmd_conv2d *c = (const void *)hdr;
		u64 es = hdr->opcode == ENPU_CMD_OP_CONV2D_F16 ? 2 : 1;
		u64 outs = (u64)c->n * c->out_h * c->out_w * c->cout;
		u64 taps = (u64)c->kh * c->kw * (c->cin / c->groups);

		ops = outs * taps;
		per = es == 2 ? ENPU_MACS_PER_CYCLE_F16 : ENPU_MACS_PER_CYCLE_I8;
		rd = ((u64)c->n * c->h * c->w * c->cin + c->cout * taps) * es;
		if (hdr->flags & ENPU_CMD_F_BIAS)
			rd += 4ULL * c->cout;
		if (es == 1)
			rd += 8ULL * c->cout;
		wr = outs * es;
		break;
	}
	case ENPU_CMD_OP_POOL_I8: {
		const struct enpu_cmd_pool *p = (const void *)hdr;

		wr = (u64)p->n * p->out_h * p->out_w * p->c;
		ops = wr * p->kh * p->kw;
		rd = (u64)p->n * p->h * p->w * p->c;
		break;
	}
	case ENPU_CMD_OP_ELTWISE_I8: {
		const struct enpu_cmd_eltwise *e = (const void *)hdr;

		ops = e->count;
		rd = 2ULL * e->count;
		wr = e->count;
		break;
	}
	case ENPU_CMD_OP_REQUANT: {
		const struct enpu_cmd_requant *r = (const void *)hdr;

		ops = r->count;
		rd = (u64)r->count * (r->mode == ENPU_CMD_REQUANT_F16_I8 ? 2 : 1);
		wr = (u64)r->count * (r->mode == ENPU_CMD_REQUANT_I8_F16 ? 2 : 1);
		break;
	}
	default:
		break;
	}
	cost->cycles = cycles_for(ops, per, rd + wr);
	cost->bytes_read = rd;
	cost->bytes_written = wr;
}
