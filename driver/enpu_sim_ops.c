// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * The sim's op kernels: every memory access goes through the job's address
 * translation first (a miss is a fault, -EFAULT), then plain C with the numerics
 * of docs/numerics.md. FP16 work is delegated to enpu_sim_fp16.c inside
 * kernel_fpu_begin()/kernel_fpu_end() sections of about ENPU_FPU_MACS each
 * (they run with preemption, and on x86 softirqs, off). Long ops yield and
 * check for an abort every ~2^24 MACs or window elements.
 */

#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/fpu.h>
#ifdef CONFIG_ARM64
#include <asm/sysreg.h>
#endif

#include "enpu_cs.h"
#include "enpu_mmu.h"
#include "enpu_quant.h"
#include "enpu_sim.h"

#define ENPU_CAST_CHUNK	4096
#define ENPU_COPY_CHUNK	SZ_1M

static void *xlate(const struct enpu_sim_exec *x, u64 addr, u64 len, bool write)
{
	return enpu_mmu_translate(x->map, addr, len, write);
}

/* Yields between rows; true when a reset wants the core back. */
static bool yield_aborted(const struct enpu_sim_exec *x)
{
	cond_resched();
	return READ_ONCE(*x->abort);
}

/*
 * Output elements between two abort checks: about 2^24 MACs (or window
 * elements) of work; one element is at most ENPU_MAX_REDUCTION of them.
 */
static u32 elems_per_check(u64 work_per_elem)
{
	u64 n = (1ULL << 24) / (work_per_elem ? work_per_elem : 1);

	return n ? (u32)min_t(u64, n, U32_MAX) : 1;
}

/* Counts one output element in *done; every per of them, yields and checks. */
static bool elem_aborted(const struct enpu_sim_exec *x, u32 *done, u32 per)
{
	if (++*done < per)
		return false;
	*done = 0;
	return yield_aborted(x);
}

/* MACs in one FPU section. */
#define ENPU_FPU_MACS	BIT(20)

static void sim_fpu_begin(void)
{
	kernel_fpu_begin();
#ifdef CONFIG_ARM64
	/*
	 * The last user task's FPCR (rounding mode, flush-to-zero, default NaN)
	 * may still be loaded: use the defaults the numerics assume. The task's
	 * own value is restored from its saved state on its return.
	 */
	write_sysreg(0, fpcr);
#endif
}

/*
 * Counts @macs of FPU work in *used; past ENPU_FPU_MACS ends the section,
 * yields, checks for an abort (true: the section stays ended) and begins
 * another.
 */
static bool fpu_aborted(const struct enpu_sim_exec *x, u64 *used, u64 macs)
{
	*used += macs;
	if (*used < ENPU_FPU_MACS)
		return false;
	*used = 0;
	kernel_fpu_end();
	if (yield_aborted(x))
		return true;
	sim_fpu_begin();
	return false;
}

/*
 * Copies as one memmove() would, in ENPU_COPY_CHUNK pieces with a yield and an
 * abort check between them (a copy may be 1 GiB). Overlapping ranges: the
 * pieces go from the end when dst is above src, so none overwrites source
 * bytes a later piece still reads.
 */
int enpu_sim_dma_copy(const struct enpu_sim_exec *x, const struct enpu_cmd_dma_copy *d)
{
	const u8 *src = xlate(x, d->src, d->size, false);
	u8 *dst = xlate(x, d->dst, d->size, true);
	bool down = dst > src;
	u64 done, n;

	if (!src || !dst)
		return -EFAULT;
	for (done = 0; done < d->size; done += n) {
		u64 off;

		n = min_t(u64, d->size - done, ENPU_COPY_CHUNK);
		off = down ? d->size - done - n : done;
		if (done && yield_aborted(x))
			return -ETIMEDOUT;
		memmove(dst + off, src + off, n);
	}
	return 0;
}

static u64 extent(u32 rows, u32 cols, u32 ld)
{
	return (u64)(rows - 1) * ld + cols;
}

/*
 * The per-channel requantization arrays, copied to the core's buffer and
 * checked there (the job may write the originals while it runs).
 */
static int quant_arrays(const struct enpu_sim_exec *x, const struct enpu_cmd_quant *q,
			u32 channels, const s32 **mult, const s32 **shift)
{
	const s32 *m = xlate(x, q->mult, 4ULL * channels, false);
	const s32 *sh = xlate(x, q->shift, 4ULL * channels, false);
	s32 *cm = x->quant, *csh = x->quant + ENPU_MAX_DIM;
	u32 i;

	if (!m || !sh)
		return -EFAULT;
	memcpy(cm, m, 4ULL * channels);
	memcpy(csh, sh, 4ULL * channels);
	for (i = 0; i < channels; i++)
		if (!enpu_quant_params_ok(cm[i], csh[i]))
			return -EINVAL;
	*mult = cm;
	*shift = csh;
	return 0;
}

/* The translated operands of one GEMM. */
struct gemm_io {
	const void *a;
	const void *b;
	const void *bias;
	void *c;
};

static int gemm_translate(const struct enpu_sim_exec *x, const struct enpu_cmd_gemm *g, u64 es,
			  struct gemm_io *io)
{
	io->a = xlate(x, g->a, es * extent(g->m, g->k, g->lda), false);
	io->b = xlate(x, g->b, es * extent(g->n, g->k, g->ldb), false);
	io->c = xlate(x, g->c, es * extent(g->m, g->n, g->ldc), true);
	io->bias = NULL;
	if (!io->a || !io->b || !io->c)
		return -EFAULT;
	if (g->hdr.flags & ENPU_CMD_F_BIAS) {
		io->bias = xlate(x, g->bias, 4ULL * g->n, false);
		if (!io->bias)
			return -EFAULT;
	}
	return 0;
}

int enpu_sim_gemm_i8(const struct enpu_sim_exec *x, const struct enpu_cmd_gemm *g)
{
	const s32 *bias, *mult, *shift;
	u32 i, j, kk, per = elems_per_check(g->k), done = 0;
	struct gemm_io io;
	const s8 *a, *b;
	s8 *c;
	int ret;

	ret = gemm_translate(x, g, 1, &io);
	if (!ret)
		ret = quant_arrays(x, &g->q, g->n, &mult, &shift);
	if (ret)
		return ret;
	a = io.a;
	b = io.b;
	bias = io.bias;
	c = io.c;
	for (i = 0; i < g->m; i++) {
		const s8 *ar = a + (u64)i * g->lda;

		for (j = 0; j < g->n; j++) {
			const s8 *br = b + (u64)j * g->ldb;
			s32 acc = bias ? bias[j] : 0;

			if (elem_aborted(x, &done, per))
				return -ETIMEDOUT;
			for (kk = 0; kk < g->k; kk++)
				acc += (ar[kk] - g->a_zp) * br[kk];
			c[(u64)i * g->ldc + j] =
				enpu_requant_out(acc, mult[j], shift[j], g->q.out_zp,
						 g->q.act_min, g->q.act_max);
		}
		if (yield_aborted(x))
			return -ETIMEDOUT;
	}
	return 0;
}

/* The translated tensors of one convolution. */
struct conv_io {
	const void *in;
	const void *filter;
	const s32 *bias;
	void *out;
};

static int conv_translate(const struct enpu_sim_exec *x, const struct enpu_cmd_conv2d *c,
			  u32 es, struct conv_io *io)
{
	u64 in_b = (u64)c->n * c->h * c->w * c->cin * es;
	u64 f_b = (u64)c->cout * c->kh * c->kw * (c->cin / c->groups) * es;
	u64 out_b = (u64)c->n * c->out_h * c->out_w * c->cout * es;

	io->in = xlate(x, c->in, in_b, false);
	io->filter = xlate(x, c->filter, f_b, false);
	io->out = xlate(x, c->out, out_b, true);
	io->bias = NULL;
	if (!io->in || !io->filter || !io->out)
		return -EFAULT;
	if (c->hdr.flags & ENPU_CMD_F_BIAS) {
		io->bias = xlate(x, c->bias, 4ULL * c->cout, false);
		if (!io->bias)
			return -EFAULT;
	}
	return 0;
}

static s32 conv_i8_acc(const struct enpu_cmd_conv2d *c, const s8 *in, const s8 *filter,
		       u32 b, u32 oy, u32 ox, u32 oc)
{
	u32 cpg = c->cin / c->groups, opg = c->cout / c->groups;
	u32 ic0 = (oc / opg) * cpg, ky, kx, ic;
	s32 acc = 0;

	for (ky = 0; ky < c->kh; ky++) {
		s64 iy = (s64)oy * c->stride_h - c->pad_top + (s64)ky * c->dil_h;

		if (iy < 0 || iy >= c->h)
			continue;
		for (kx = 0; kx < c->kw; kx++) {
			s64 ix = (s64)ox * c->stride_w - c->pad_left + (s64)kx * c->dil_w;
			const s8 *ip, *fp;

			if (ix < 0 || ix >= c->w)
				continue;
			ip = in + (((u64)b * c->h + iy) * c->w + ix) * c->cin + ic0;
			fp = filter + (((u64)oc * c->kh + ky) * c->kw + kx) * cpg;
			for (ic = 0; ic < cpg; ic++)
				acc += (ip[ic] - c->in_zp) * fp[ic];
		}
	}
	return acc;
}

int enpu_sim_conv_i8(const struct enpu_sim_exec *x, const struct enpu_cmd_conv2d *c)
{
	const s32 *mult, *shift;
	struct conv_io io;
	u32 b, oy, ox, oc, per, done = 0;
	int ret;

	ret = conv_translate(x, c, 1, &io);
	if (!ret)
		ret = quant_arrays(x, &c->q, c->cout, &mult, &shift);
	if (ret)
		return ret;
	per = elems_per_check((u64)c->kh * c->kw * (c->cin / c->groups));

	for (b = 0; b < c->n; b++) {
		for (oy = 0; oy < c->out_h; oy++) {
			for (ox = 0; ox < c->out_w; ox++) {
				s8 *op = (s8 *)io.out +
					 (((u64)b * c->out_h + oy) * c->out_w + ox) * c->cout;

				for (oc = 0; oc < c->cout; oc++) {
					s32 acc;

					if (elem_aborted(x, &done, per))
						return -ETIMEDOUT;
					acc = conv_i8_acc(c, io.in, io.filter, b, oy, ox, oc);

					if (io.bias)
						acc += io.bias[oc];
					op[oc] = enpu_requant_out(acc, mult[oc], shift[oc],
								  c->q.out_zp, c->q.act_min,
								  c->q.act_max);
				}
			}
			if (yield_aborted(x))
				return -ETIMEDOUT;
		}
	}
	return 0;
}

static s8 pool_window(const struct enpu_cmd_pool *p, const s8 *in, u32 b, u32 oy, u32 ox,
		      u32 ch)
{
	s32 acc = p->mode == ENPU_CMD_POOL_MAX ? S8_MIN : 0, count = 0;
	u32 ky, kx;

	for (ky = 0; ky < p->kh; ky++) {
		s64 iy = (s64)oy * p->stride_h - p->pad_top + ky;

		if (iy < 0 || iy >= p->h)
			continue;
		for (kx = 0; kx < p->kw; kx++) {
			s64 ix = (s64)ox * p->stride_w - p->pad_left + kx;
			s8 v;

			if (ix < 0 || ix >= p->w)
				continue;
			v = in[(((u64)b * p->h + iy) * p->w + ix) * p->c + ch];
			acc = p->mode == ENPU_CMD_POOL_MAX ? max_t(s32, acc, v) : acc + v;
			count++;
		}
	}
	/* Validation guarantees count >= 1. */
	if (p->mode == ENPU_CMD_POOL_AVG)
		acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
	return (s8)clamp(acc, p->act_min, p->act_max);
}

int enpu_sim_pool_i8(const struct enpu_sim_exec *x, const struct enpu_cmd_pool *p)
{
	const s8 *in = xlate(x, p->in, (u64)p->n * p->h * p->w * p->c, false);
	s8 *out = xlate(x, p->out, (u64)p->n * p->out_h * p->out_w * p->c, true);
	u32 b, oy, ox, ch, per = elems_per_check((u64)p->kh * p->kw), done = 0;

	if (!in || !out)
		return -EFAULT;
	for (b = 0; b < p->n; b++) {
		for (oy = 0; oy < p->out_h; oy++) {
			for (ox = 0; ox < p->out_w; ox++) {
				s8 *op = out + (((u64)b * p->out_h + oy) * p->out_w + ox) * p->c;

				for (ch = 0; ch < p->c; ch++) {
					if (elem_aborted(x, &done, per))
						return -ETIMEDOUT;
					op[ch] = pool_window(p, in, b, oy, ox, ch);
				}
			}
			if (yield_aborted(x))
				return -ETIMEDOUT;
		}
	}
	return 0;
}

int enpu_sim_eltwise_i8(const struct enpu_sim_exec *x, const struct enpu_cmd_eltwise *e)
{
	const s8 *a = xlate(x, e->a, e->count, false);
	const s8 *b = xlate(x, e->b, e->count, false);
	s8 *out = xlate(x, e->out, e->count, true);
	u32 i;

	if (!a || !b || !out)
		return -EFAULT;
	for (i = 0; i < e->count; i++) {
		s32 raw;

		if (e->op == ENPU_CMD_ELTWISE_ADD) {
			s32 sa = enpu_mbqm((a[i] - e->a_zp) * (1 << 20), e->a_mult, e->a_shift);
			s32 sb = enpu_mbqm((b[i] - e->b_zp) * (1 << 20), e->b_mult, e->b_shift);

			raw = (s32)((u32)sa + (u32)sb);
		} else {
			raw = (a[i] - e->a_zp) * (b[i] - e->b_zp);
		}
		out[i] = enpu_requant_out(raw, e->out_mult, e->out_shift, e->out_zp,
					  e->act_min, e->act_max);
		if (!(i % ENPU_CAST_CHUNK) && yield_aborted(x))
			return -ETIMEDOUT;
	}
	return 0;
}

int enpu_sim_requant(const struct enpu_sim_exec *x, const struct enpu_cmd_requant *r)
{
	u64 in_es = r->mode == ENPU_CMD_REQUANT_F16_I8 ? 2 : 1;
	u64 out_es = r->mode == ENPU_CMD_REQUANT_I8_F16 ? 2 : 1;
	const void *in = xlate(x, r->in, r->count * in_es, false);
	void *out = xlate(x, r->out, r->count * out_es, true);
	u32 i, n;

	if (!in || !out)
		return -EFAULT;
	for (i = 0; i < r->count; i += n) {
		n = min_t(u32, r->count - i, ENPU_CAST_CHUNK);
		if (r->mode == ENPU_CMD_REQUANT_I8_I8) {
			const s8 *src = (const s8 *)in + i;
			s8 *dst = (s8 *)out + i;
			u32 j;

			for (j = 0; j < n; j++)
				dst[j] = enpu_requant_out(src[j] - r->in_zp, r->mult, r->shift,
							  r->out_zp, r->act_min, r->act_max);
		} else {
			sim_fpu_begin();
			if (r->mode == ENPU_CMD_REQUANT_I8_F16)
				enpu_fp16_cast_from_i8((const s8 *)in + i, (u16 *)out + i, n,
						       r->in_zp, r->scale_bits);
			else
				enpu_fp16_cast_to_i8((const u16 *)in + i, (s8 *)out + i, n,
						     r->out_zp, r->scale_bits, r->act_min,
						     r->act_max);
			kernel_fpu_end();
		}
		if (yield_aborted(x))
			return -ETIMEDOUT;
	}
	return 0;
}

int enpu_sim_gemm_f16(const struct enpu_sim_exec *x, const struct enpu_cmd_gemm *g)
{
	/* columns per section: a row of n x k MACs may be up to 2^32 */
	u32 cols = max_t(u32, ENPU_FPU_MACS / g->k, 1);
	const u32 *bias;
	struct gemm_io io;
	u64 used = 0;
	u32 i, j, nc;
	int ret;

	ret = gemm_translate(x, g, 2, &io);
	if (ret)
		return ret;
	bias = io.bias;
	sim_fpu_begin();
	for (i = 0; i < g->m; i++) {
		for (j = 0; j < g->n; j += nc) {
			nc = min(cols, g->n - j);
			enpu_fp16_gemm_row((const u16 *)io.a + (u64)i * g->lda,
					   (const u16 *)io.b + (u64)j * g->ldb, g->ldb,
					   bias ? bias + j : NULL,
					   (u16 *)io.c + (u64)i * g->ldc + j, nc, g->k);
			if (fpu_aborted(x, &used, (u64)nc * g->k))
				return -ETIMEDOUT;
		}
	}
	kernel_fpu_end();
	return 0;
}

int enpu_sim_conv_f16(const struct enpu_sim_exec *x, const struct enpu_cmd_conv2d *c)
{
	u64 k_len = (u64)c->kh * c->kw * (c->cin / c->groups);
	u32 chans = max_t(u32, ENPU_FPU_MACS / k_len, 1);
	struct conv_io io;
	u32 b, oy, ox, oc, nc;
	u64 used = 0;
	int ret;

	ret = conv_translate(x, c, 2, &io);
	if (ret)
		return ret;
	sim_fpu_begin();
	for (b = 0; b < c->n; b++) {
		for (oy = 0; oy < c->out_h; oy++) {
			for (ox = 0; ox < c->out_w; ox++) {
				for (oc = 0; oc < c->cout; oc += nc) {
					nc = min(chans, c->cout - oc);
					enpu_fp16_conv_pixel(c, io.in, io.filter,
							     (const u32 *)io.bias, io.out, b,
							     oy, ox, oc, oc + nc);
					if (fpu_aborted(x, &used, nc * k_len))
						return -ETIMEDOUT;
				}
			}
		}
	}
	kernel_fpu_end();
	return 0;
}
