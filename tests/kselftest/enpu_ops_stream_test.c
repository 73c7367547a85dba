// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command streams as a whole, against enpu_ref.h (see enpu_ops.h): NOP, FENCE
 * and DMA_COPY (the longest stream, copy sizes across pages, read-only to
 * write-only BOs); chains of descriptors in one job (INT8, mixed precision);
 * and the jobs that stop at a bad op: invalid quantization data in memory
 * (-EINVAL) and every opcode touching memory outside the job's BOs (-EFAULT).
 */
#include "enpu_ops.h"

FIXTURE_SETUP(ops)
{
	ops_setup(_metadata, self);
}

FIXTURE_TEARDOWN(ops)
{
	ops_teardown(self);
}

/* ---- NOP, FENCE, DMA_COPY ---- */

TEST_F(ops, nop_fence_streams)
{
	const uint32_t cores[3] = { CORE_ANY, 0, 1 };
	struct buf x, y, z, w;
	struct rng r;

	/* The longest stream there is: 8192 headers, NOP and FENCE alternating. */
	for (int c = 0; c < 3; c++) {
		if (cores[c] != CORE_ANY && cores[c] >= self->ncores)
			continue;
		for (int i = 0; i < CMD_SIZE / 8; i++)
			CS_ADD(i & 1 ? ENPU_CMD_OP_FENCE : ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
		EXPECT_EQ(0, RUN(cores[c]));
	}
	CS_ADD(ENPU_CMD_OP_FENCE, struct enpu_cmd_hdr);
	EXPECT_EQ(0, RUN(next_core(self)));
	CS_ADD(ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	EXPECT_EQ(0, RUN(next_core(self)));

	/* Copies that depend on each other, separated by FENCE and NOP. */
	RNG_INIT(&r, 1);
	x = DALLOC(1000);
	y = DALLOC(1000);
	z = DALLOC(1000);
	w = DALLOC(1000);
	rng_fill(&r, x.p, x.size);
	{
		struct enpu_cmd_dma_copy *d;

		d = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
		d->src = x.addr, d->dst = y.addr, d->size = 1000;
		CS_ADD(ENPU_CMD_OP_FENCE, struct enpu_cmd_hdr);
		d = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
		d->src = y.addr, d->dst = z.addr, d->size = 1000;
		CS_ADD(ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
		CS_ADD(ENPU_CMD_OP_FENCE, struct enpu_cmd_hdr);
		d = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
		d->src = z.addr, d->dst = w.addr, d->size = 1000;
		CS_ADD(ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	}
	EXPECT_EQ(0, RUN(next_core(self)));
	{
		void *e = exp_alloc(1000);

		memcpy(e, x.p, 1000);
		EXPECT_EQ(0, check_bytes(_metadata, "y", &y, e));
		EXPECT_EQ(0, check_bytes(_metadata, "z", &z, e));
		EXPECT_EQ(0, check_bytes(_metadata, "w", &w, e));
		exp_free(e);
	}
}

TEST_F(ops, dma_copy_sizes_and_page_crossing)
{
	static const uint32_t sizes[] = { 1, 2, 3, 7, 8, 17, 63, 255, 256, 4095, 4096,
					  4097, 8191, 8193, 12289, 65537 };
	const int n = sizeof(sizes) / sizeof(sizes[0]);
	struct buf src[sizeof(sizes) / sizeof(sizes[0])], dst[sizeof(sizes) / sizeof(sizes[0])];
	struct enpu_bo ro, wo;
	struct rng r;
	char what[64];

	RNG_INIT(&r, 2);
	for (int i = 0; i < n; i++) {
		uint32_t s = sizes[i];
		/* Straddle a page boundary: half the bytes on each side (1 byte: last of a page). */
		size_t so = s >= 2 ? 4096 - (s + 1) / 2 % 4096 : 4095;
		size_t dof = s >= 3 ? 4096 - (s + 2) / 3 % 4096 : 4094;

		src[i] = DALLOC_AT(s, 4096, so % 4096);
		dst[i] = DALLOC_AT(s, 4096, dof % 4096);
		rng_fill(&r, src[i].p, s);
	}
	/* Three jobs, one per core choice, a third of the copies each. */
	for (int j = 0; j < 3; j++) {
		for (int i = j; i < n; i += 3) {
			struct enpu_cmd_dma_copy *d = CS_ADD(ENPU_CMD_OP_DMA_COPY,
							     struct enpu_cmd_dma_copy);

			d->src = src[i].addr;
			d->dst = dst[i].addr;
			d->size = sizes[i];
		}
		EXPECT_EQ(0, RUN(next_core(self)));
	}
	for (int i = 0; i < n; i++) {
		void *e = exp_alloc(sizes[i]);

		memcpy(e, src[i].p, sizes[i]);
		snprintf(what, sizeof(what), "copy of %u bytes", sizes[i]);
		EXPECT_EQ(0, check_bytes(_metadata, what, &dst[i], e));
		exp_free(e);
	}

	/* From a BO the job may only read to one it may only write, odd offsets. */
	ASSERT_EQ(0, enpu_bo_new(self->fd, 3 * 4096, &ro));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 3 * 4096, &wo));
	rng_fill(&r, ro.map, ro.size);
	memset(wo.map, SENT, wo.size);
	{
		struct drm_enpu_submit_bo bos[2] = {
			{ .handle = ro.handle, .flags = DRM_ENPU_BO_READ },
			{ .handle = wo.handle, .flags = DRM_ENPU_BO_WRITE },
		};
		struct enpu_cmd_dma_copy *d = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
		uint8_t *exp = malloc(wo.size);

		d->src = ro.addr + 101;
		d->dst = wo.addr + 3001;
		d->size = 5003;
		d = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
		d->src = ro.addr + ro.size - 1;	/* the last byte to the first */
		d->dst = wo.addr;
		d->size = 1;
		EXPECT_EQ(0, run_bos(_metadata, self, bos, 2, next_core(self)));
		ASSERT_NE(NULL, exp);
		memset(exp, SENT, wo.size);
		memcpy(exp + 3001, (char *)ro.map + 101, 5003);
		exp[0] = ((uint8_t *)ro.map)[ro.size - 1];
		EXPECT_EQ(0, memcmp(exp, wo.map, wo.size));
		free(exp);
	}
	enpu_bo_free(self->fd, &ro);
	enpu_bo_free(self->fd, &wo);
}

/*
 * Overlapping copies of 3 MiB, up and down: the sim copies in 1 MiB pieces,
 * and the result is still memmove()'s (docs/hw-model.md).
 */
TEST_F(ops, dma_copy_overlapping_as_memmove)
{
	static const struct { uint32_t src, dst; } c[] = {
		{ 0, (1 << 20) + 3 }, { (1 << 20) + 5, 7 },
	};
	const uint32_t size = 3 << 20;
	struct enpu_bo bo;
	uint8_t *exp;
	struct rng r;

	RNG_INIT(&r, 3);
	ASSERT_EQ(0, enpu_bo_new(self->fd, 5 << 20, &bo));
	exp = malloc(bo.size);
	ASSERT_NE(NULL, exp);
	for (int i = 0; i < 2; i++) {
		struct drm_enpu_submit_bo sbo = {
			.handle = bo.handle, .flags = DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE,
		};
		struct enpu_cmd_dma_copy *d = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);

		rng_fill(&r, bo.map, bo.size);
		memcpy(exp, bo.map, bo.size);
		memmove(exp + c[i].dst, exp + c[i].src, size);
		d->src = bo.addr + c[i].src;
		d->dst = bo.addr + c[i].dst;
		d->size = size;
		EXPECT_EQ(0, run_bos(_metadata, self, &sbo, 1, next_core(self)));
		EXPECT_EQ(0, memcmp(exp, bo.map, bo.size));
	}
	free(exp);
	enpu_bo_free(self->fd, &bo);
}

/* ---- several descriptors in one job ---- */

/* CONV2D_I8 -> FENCE -> REQUANT -> POOL (avg) -> ELTWISE add (residual) -> NOP. */
TEST_F(ops, chain_conv_requant_pool_add)
{
	const struct conv_geo geo = { "chain", 1, 9, 9, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2 };
	struct enpu_cmd_conv2d cv = conv_tmpl(&geo);
	const uint32_t n1 = 9 * 9 * 8, n3 = 5 * 5 * 8;
	struct buf in = DALLOC(9 * 9 * 6), f = DALLOC(8 * 3 * 3 * 3), bi = DALLOC(32);
	struct buf mu = DALLOC(32), sh = DALLOC(32), y1 = DALLOC(n1), y2 = DALLOC(n1);
	struct buf y3 = DALLOC(n3), res = DALLOC(n3), y4 = DALLOC(n3);
	struct enpu_cmd_requant rq = {
		.in = y1.addr, .out = y2.addr, .count = n1, .mode = ENPU_CMD_REQUANT_I8_I8,
		.in_zp = -3, .out_zp = 10, .mult = 1717986918, .shift = 1,
		.act_min = -128, .act_max = 127,
	};
	struct enpu_cmd_pool pl = {
		.in = y2.addr, .out = y3.addr, .n = 1, .h = 9, .w = 9, .c = 8, .kh = 3, .kw = 3,
		.stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1, .pad_bottom = 1,
		.pad_right = 1, .out_h = 5, .out_w = 5, .mode = ENPU_CMD_POOL_AVG,
		.act_min = -128, .act_max = 127,
	};
	struct enpu_cmd_eltwise el = {
		.a = y3.addr, .b = res.addr, .out = y4.addr, .count = n3,
		.op = ENPU_CMD_ELTWISE_ADD, .a_zp = 10, .b_zp = -20, .out_zp = 4,
		.a_mult = 1073741824, .a_shift = 0, .b_mult = 1431655765, .b_shift = -1,
		.out_mult = 1288490189, .out_shift = -19, .act_min = -128, .act_max = 127,
	};
	int8_t *e1 = exp_alloc(n1), *e2 = exp_alloc(n1), *e3 = exp_alloc(n3), *e4 = exp_alloc(n3);
	struct rng r;

	RNG_INIT(&r, 19);
	rng_fill(&r, in.p, in.size);
	rng_fill(&r, f.p, f.size);
	rng_fill(&r, res.p, res.size);
	for (int i = 0; i < 8; i++)
		((int32_t *)bi.p)[i] = rng_range(&r, -5000, 5000);
	gen_quant(&r, 8, mu.p, sh.p, acc_range(27, -3, 5000));
	cv.in = in.addr, cv.filter = f.addr, cv.bias = bi.addr, cv.out = y1.addr;
	cv.in_zp = 7;
	cv.q.mult = mu.addr, cv.q.shift = sh.addr, cv.q.out_zp = -3;
	cv.hdr = CS_ADD(ENPU_CMD_OP_CONV2D_I8, struct enpu_cmd_conv2d)->hdr;
	cv.hdr.flags = ENPU_CMD_F_BIAS;
	memcpy((char *)self->cmd.map + self->cs.used - sizeof(cv), &cv, sizeof(cv));
	CS_ADD(ENPU_CMD_OP_FENCE, struct enpu_cmd_hdr);
	rq.hdr = CS_ADD(ENPU_CMD_OP_REQUANT, struct enpu_cmd_requant)->hdr;
	memcpy((char *)self->cmd.map + self->cs.used - sizeof(rq), &rq, sizeof(rq));
	pl.hdr = CS_ADD(ENPU_CMD_OP_POOL_I8, struct enpu_cmd_pool)->hdr;
	memcpy((char *)self->cmd.map + self->cs.used - sizeof(pl), &pl, sizeof(pl));
	el.hdr = CS_ADD(ENPU_CMD_OP_ELTWISE_I8, struct enpu_cmd_eltwise)->hdr;
	memcpy((char *)self->cmd.map + self->cs.used - sizeof(el), &el, sizeof(el));
	CS_ADD(ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	EXPECT_EQ(0, RUN(1 < self->ncores ? 1 : 0));

	ref_conv_i8(&cv, in.p, f.p, bi.p, mu.p, sh.p, e1);
	for (uint32_t i = 0; i < n1; i++)
		e2[i] = ref_requant_i8(&rq, e1[i]);
	ref_pool(&pl, e2, e3);
	for (uint32_t i = 0; i < n3; i++)
		e4[i] = ref_eltwise(&el, e3[i], ((int8_t *)res.p)[i]);
	EXPECT_EQ(0, check_bytes(_metadata, "chain: conv", &y1, e1));
	EXPECT_EQ(0, check_bytes(_metadata, "chain: requant", &y2, e2));
	EXPECT_EQ(0, check_bytes(_metadata, "chain: pool", &y3, e3));
	EXPECT_EQ(0, check_bytes(_metadata, "chain: add", &y4, e4));
}

/* REQUANT I8_F16 -> GEMM_F16 -> FENCE -> REQUANT F16_I8 -> DMA_COPY. */
TEST_F(ops, chain_mixed_precision)
{
	const uint32_t m = 5, n = 7, k = 19;
	struct buf xq = DALLOC(m * k), xh = DALLOC(2 * m * k), w = DALLOC(2 * n * k);
	struct buf bi = DALLOC(4 * n), yh = DALLOC(2 * m * n), yq = DALLOC(m * n);
	struct buf z = DALLOC(m * n);
	struct enpu_cmd_requant r1 = {
		.in = xq.addr, .out = xh.addr, .count = m * k, .mode = ENPU_CMD_REQUANT_I8_F16,
		.in_zp = -11, .scale_bits = 0x3c23d70a,	/* 0.01 */
	};
	struct enpu_cmd_gemm g = {
		.hdr.flags = ENPU_CMD_F_BIAS, .a = xh.addr, .b = w.addr, .bias = bi.addr,
		.c = yh.addr, .m = m, .n = n, .k = k, .lda = k, .ldb = k, .ldc = n,
	};
	struct enpu_cmd_requant r2 = {
		.in = yh.addr, .out = yq.addr, .count = m * n, .mode = ENPU_CMD_REQUANT_F16_I8,
		.out_zp = 2, .act_min = -128, .act_max = 127, .scale_bits = 0x3d000000, /* 1/32 */
	};
	uint16_t *e1 = exp_alloc(2 * m * k), *e2 = exp_alloc(2 * m * n);
	uint16_t *e2_64 = calloc(m * n, 2);
	double *tol = calloc(m * n, sizeof(double));
	int8_t *e3 = exp_alloc(m * n);
	struct enpu_cmd_dma_copy *dc;
	float *af, *bf;
	struct rng r;

	ASSERT_NE(NULL, e2_64);
	ASSERT_NE(NULL, tol);
	RNG_INIT(&r, 20);
	rng_fill(&r, xq.p, xq.size);
	for (uint32_t i = 0; i < n * k; i++)
		((uint16_t *)w.p)[i] = rng_f16(&r, -4, 1);
	for (uint32_t i = 0; i < n; i++)
		((float *)bi.p)[i] = (float)rng_range(&r, -300, 300) / 100.0f;
	r1.hdr = CS_ADD(ENPU_CMD_OP_REQUANT, struct enpu_cmd_requant)->hdr;
	memcpy((char *)self->cmd.map + self->cs.used - sizeof(r1), &r1, sizeof(r1));
	g.hdr.opcode = ENPU_CMD_OP_GEMM_F16;
	g.hdr.size = sizeof(g);
	CS_ADD(ENPU_CMD_OP_GEMM_F16, struct enpu_cmd_gemm);
	memcpy((char *)self->cmd.map + self->cs.used - sizeof(g), &g, sizeof(g));
	CS_ADD(ENPU_CMD_OP_FENCE, struct enpu_cmd_hdr);
	r2.hdr = CS_ADD(ENPU_CMD_OP_REQUANT, struct enpu_cmd_requant)->hdr;
	memcpy((char *)self->cmd.map + self->cs.used - sizeof(r2), &r2, sizeof(r2));
	dc = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
	dc->src = yq.addr, dc->dst = z.addr, dc->size = m * n;
	EXPECT_EQ(0, RUN(0));

	for (uint32_t i = 0; i < m * k; i++)
		e1[i] = ref_requant_i8_f16(&r1, ((int8_t *)xq.p)[i]);
	af = f16_to_floats(e1, m * k);
	bf = f16_to_floats(w.p, n * k);
	ref_gemm_f16(&g, af, bf, bi.p, e2, e2_64, tol);
	for (uint32_t i = 0; i < m * n; i++)
		e3[i] = ref_requant_f16_i8(&r2, e2[i]);
	EXPECT_EQ(0, check_f16(_metadata, "chain: i8 -> f16", &xh, e1));
	EXPECT_EQ(0, check_f16(_metadata, "chain: gemm f16", &yh, e2));
	EXPECT_EQ(0, check_tol(_metadata, "chain: gemm f16", yh.p, m, n, n, e2_64, tol));
	EXPECT_EQ(0, check_bytes(_metadata, "chain: f16 -> i8", &yq, e3));
	EXPECT_EQ(0, check_bytes(_metadata, "chain: copy", &z, e3));
	free(af);
	free(bf);
}

/* ---- invalid quantization data in memory ---- */

/*
 * A job of [copy X -> Y, op with bad per-channel data, copy X -> Z] ends with
 * -EINVAL; the copy before it ran, the op wrote nothing, the copy after never ran.
 */
TEST_F(ops, invalid_quant_in_memory_einval)
{
	static const struct { int32_t mult, shift; } bad[] = {
		{ -1, 0 }, { INT32_MIN, -5 }, { 1 << 30, 31 }, { 1 << 30, -32 },
		{ 1 << 30, INT32_MAX }, { 1 << 30, INT32_MIN },
	};
	struct buf x = DALLOC(64), a = DALLOC(4 * 8), b = DALLOC(6 * 8);
	struct rng r;
	char what[96];

	RNG_INIT(&r, 21);
	rng_fill(&r, x.p, 64);
	rng_fill(&r, a.p, a.size);
	rng_fill(&r, b.p, b.size);
	for (unsigned int i = 0; i < 2 * sizeof(bad) / sizeof(bad[0]); i++) {
		bool conv = i & 1;
		const uint32_t ch = 6;
		/* GEMM 4x6 and CONV 2x2x6: 24 output bytes either way */
		struct buf y = DALLOC(64), z = DALLOC(64), out = DALLOC(4 * ch);
		struct buf mu = DALLOC(4 * ch), sh = DALLOC(4 * ch);
		struct enpu_cmd_dma_copy *dc;
		uint32_t core = next_core(self);
		void *e;

		fill_i32(mu.p, ch, 1 << 30);
		fill_i32(sh.p, ch, -3);
		/* the bad value in the last channel, or the first */
		((int32_t *)mu.p)[i % 4 < 2 ? ch - 1 : 0] = bad[i / 2].mult;
		((int32_t *)sh.p)[i % 4 < 2 ? ch - 1 : 0] = bad[i / 2].shift;
		dc = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
		dc->src = x.addr, dc->dst = y.addr, dc->size = 64;
		if (conv) {
			struct enpu_cmd_conv2d *c = CS_ADD(ENPU_CMD_OP_CONV2D_I8, struct enpu_cmd_conv2d);

			/* 1x1 conv over a 2x2x8 input: 2x2x6 out; in = a, filter = b */
			c->in = a.addr, c->filter = b.addr, c->out = out.addr;
			c->n = 1, c->h = 2, c->w = 2, c->cin = 8, c->cout = ch, c->kh = 1;
			c->kw = 1, c->stride_h = 1, c->stride_w = 1, c->dil_h = 1, c->dil_w = 1;
			c->groups = 1, c->out_h = 2, c->out_w = 2;
			c->q.mult = mu.addr, c->q.shift = sh.addr;
			c->q.act_min = -128, c->q.act_max = 127;
		} else {
			struct enpu_cmd_gemm *g = CS_ADD(ENPU_CMD_OP_GEMM_I8, struct enpu_cmd_gemm);

			g->a = a.addr, g->b = b.addr, g->c = out.addr;
			g->m = 4, g->n = ch, g->k = 8, g->lda = 8, g->ldb = 8, g->ldc = ch;
			g->q.mult = mu.addr, g->q.shift = sh.addr;
			g->q.act_min = -128, g->q.act_max = 127;
		}
		dc = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
		dc->src = x.addr, dc->dst = z.addr, dc->size = 64;
		snprintf(what, sizeof(what), "%s mult %d shift %d core %s", conv ? "CONV2D_I8" : "GEMM_I8",
			 bad[i / 2].mult, bad[i / 2].shift, core_name(core));
		EXPECT_EQ(-EINVAL, RUN(core));
		e = exp_alloc(64);
		memcpy(e, x.p, 64);
		EXPECT_EQ(0, check_bytes(_metadata, what, &y, e));
		memset(e, SENT, 64);
		EXPECT_EQ(0, check_bytes(_metadata, what, &z, e));
		exp_free(e);
		e = exp_alloc(4 * ch);
		EXPECT_EQ(0, check_bytes(_metadata, what, &out, e));
		exp_free(e);
	}
	/* The cores still work afterwards. */
	{
		struct enpu_cmd_gemm t = gemm_tmpl(3, 5, 7, 7, 7, 5, 1, true);

		for (int c = 0; c < 3; c++)
			gemm_i8_case(_metadata, self, &r, &t, NULL, NULL, NULL, 100, next_core(self));
	}
}

/* ---- memory faults ---- */

enum fault_where { OUT_UNLISTED, OUT_READONLY, OUT_OVERRUN, IN_UNLISTED, IN_WRITEONLY };

static const char *const fault_names[] = {
	"output in a BO not in the job", "output in a read-only BO",
	"output overruns its BO by one element", "input in a BO not in the job",
	"input in a write-only BO",
};

enum { F_DMA, F_GEMM_I8, F_CONV_I8, F_POOL, F_ELTWISE, F_RQ_I8, F_RQ_I8_F16, F_GEMM_F16,
       F_CONV_F16, F_RQ_F16_I8, F_KINDS };

static const char *const fault_ops[F_KINDS] = {
	"DMA_COPY", "GEMM_I8", "CONV2D_I8", "POOL_I8", "ELTWISE_I8", "REQUANT I8_I8",
	"REQUANT I8_F16", "GEMM_F16", "CONV2D_F16", "REQUANT F16_I8",
};

/* Output bytes and element size of each kind's small op below. */
static const uint32_t fault_out_bytes[F_KINDS] = { 100, 16, 36, 18, 33, 21, 42, 32, 72, 21 };
static const uint32_t fault_out_es[F_KINDS] = { 1, 1, 1, 1, 1, 1, 2, 2, 2, 1 };

/* Emits a small valid op of @kind reading @in (and quant arrays at @q), writing @out. */
static void emit_fault_op(struct __test_metadata *_metadata, ops_t *self, int kind,
			  uint64_t in, uint64_t out, uint64_t q)
{
	switch (kind) {
	case F_DMA: {
		struct enpu_cmd_dma_copy *d = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);

		d->src = in, d->dst = out, d->size = 100;
		break;
	}
	case F_GEMM_I8: case F_GEMM_F16: {
		struct enpu_cmd_gemm *g = CS_ADD(kind == F_GEMM_I8 ? ENPU_CMD_OP_GEMM_I8 :
						 ENPU_CMD_OP_GEMM_F16, struct enpu_cmd_gemm);

		g->a = in, g->b = in, g->c = out;
		g->m = 4, g->n = 4, g->k = 8, g->lda = 8, g->ldb = 8, g->ldc = 4;
		if (kind == F_GEMM_I8) {
			g->q.mult = q, g->q.shift = q + 128;
			g->q.act_min = -128, g->q.act_max = 127;
		}
		break;
	}
	case F_CONV_I8: case F_CONV_F16: {
		struct enpu_cmd_conv2d *c = CS_ADD(kind == F_CONV_I8 ? ENPU_CMD_OP_CONV2D_I8 :
						   ENPU_CMD_OP_CONV2D_F16, struct enpu_cmd_conv2d);

		c->in = in, c->filter = in, c->out = out;
		c->n = 1, c->h = 3, c->w = 3, c->cin = 2, c->cout = 4, c->kh = 3, c->kw = 3;
		c->stride_h = 1, c->stride_w = 1, c->dil_h = 1, c->dil_w = 1, c->groups = 1;
		c->pad_top = 1, c->pad_left = 1, c->pad_bottom = 1, c->pad_right = 1;
		c->out_h = 3, c->out_w = 3;
		if (kind == F_CONV_I8) {
			c->q.mult = q, c->q.shift = q + 128;
			c->q.act_min = -128, c->q.act_max = 127;
		}
		break;
	}
	case F_POOL: {
		struct enpu_cmd_pool *p = CS_ADD(ENPU_CMD_OP_POOL_I8, struct enpu_cmd_pool);

		p->in = in, p->out = out;
		p->n = 1, p->h = 6, p->w = 6, p->c = 2, p->kh = 2, p->kw = 2;
		p->stride_h = 2, p->stride_w = 2, p->out_h = 3, p->out_w = 3;
		p->mode = ENPU_CMD_POOL_MAX, p->act_min = -128, p->act_max = 127;
		break;
	}
	case F_ELTWISE: {
		struct enpu_cmd_eltwise *e = CS_ADD(ENPU_CMD_OP_ELTWISE_I8, struct enpu_cmd_eltwise);

		e->a = in, e->b = in, e->out = out, e->count = 33, e->op = ENPU_CMD_ELTWISE_MUL;
		e->out_mult = 1 << 30, e->out_shift = -6, e->act_min = -128, e->act_max = 127;
		break;
	}
	default: {
		struct enpu_cmd_requant *r = CS_ADD(ENPU_CMD_OP_REQUANT, struct enpu_cmd_requant);
		uint32_t mode = kind == F_RQ_I8 ? ENPU_CMD_REQUANT_I8_I8 :
				kind == F_RQ_I8_F16 ? ENPU_CMD_REQUANT_I8_F16 : ENPU_CMD_REQUANT_F16_I8;

		r->in = in, r->out = out, r->count = 21, r->mode = mode;
		if (mode == ENPU_CMD_REQUANT_I8_I8)
			r->mult = 1 << 30, r->shift = -1;
		else
			r->scale_bits = 0x3f800000;
		if (mode != ENPU_CMD_REQUANT_I8_F16)
			r->act_min = -128, r->act_max = 127;
		break;
	}
	}
}

/*
 * Every opcode, with its output (or an input) where the job may not access it:
 * the job ends with -EFAULT, the faulting op writes nothing anywhere, the copy
 * before it completed and the copy after it never ran.
 */
TEST_F(ops, fault_outside_job_bos)
{
	struct enpu_bo victim, ro, tail, wo;
	struct buf src = DALLOC(4096), qa = DALLOC(256), x = DALLOC(64);
	uint8_t *sent = malloc(8192);
	struct rng r;
	char what[128];

	ASSERT_NE(NULL, sent);
	memset(sent, SENT, 8192);
	RNG_INIT(&r, 22);
	rng_fill(&r, src.p, src.size);
	fill_i32(qa.p, 32, 1 << 30);			/* mult */
	fill_i32((int32_t *)qa.p + 32, 32, -4);		/* shift, at +128 */
	rng_fill(&r, x.p, x.size);
	ASSERT_EQ(0, enpu_bo_new(self->fd, 8192, &victim));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 8192, &ro));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 8192, &tail));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 8192, &wo));
	for (int where = OUT_UNLISTED; where <= IN_WRITEONLY; where++) {
		for (int kind = 0; kind < F_KINDS; kind++) {
			const struct drm_enpu_submit_bo bos[4] = {
				{ .handle = self->data.handle, .flags = RW },
				{ .handle = ro.handle, .flags = DRM_ENPU_BO_READ },
				{ .handle = tail.handle, .flags = RW },
				{ .handle = wo.handle, .flags = DRM_ENPU_BO_WRITE },
			};
			struct buf y = DALLOC(64), z = DALLOC(64), o = DALLOC(256);
			uint64_t in = src.addr, out = o.addr;
			uint32_t core = next_core(self);
			struct enpu_cmd_dma_copy *dc;
			void *e;

			memset(victim.map, SENT, 8192);
			memset(ro.map, SENT, 8192);
			memset(tail.map, SENT, 8192);
			memset(wo.map, SENT, 8192);
			switch (where) {
			case OUT_UNLISTED:
				out = victim.addr + 128;
				break;
			case OUT_READONLY:
				out = ro.addr + 128;
				break;
			case OUT_OVERRUN:	/* all but the last element fit */
				out = tail.addr + tail.size - fault_out_bytes[kind] + fault_out_es[kind];
				break;
			case IN_UNLISTED:
				in = victim.addr;
				break;
			case IN_WRITEONLY:
				in = wo.addr;
				break;
			}
			dc = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
			dc->src = x.addr, dc->dst = y.addr, dc->size = 64;
			emit_fault_op(_metadata, self, kind, in, out, qa.addr);
			dc = CS_ADD(ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
			dc->src = x.addr, dc->dst = z.addr, dc->size = 64;
			snprintf(what, sizeof(what), "%s, %s, core %s", fault_ops[kind],
				 fault_names[where], core_name(core));
			EXPECT_EQ(-EFAULT, run_bos(_metadata, self, bos, 4, core));
			e = exp_alloc(64);
			memcpy(e, x.p, 64);
			EXPECT_EQ(0, check_bytes(_metadata, what, &y, e));	/* ran */
			memset(e, SENT, 64);
			EXPECT_EQ(0, check_bytes(_metadata, what, &z, e));	/* never ran */
			exp_free(e);
			e = exp_alloc(256);
			EXPECT_EQ(0, check_bytes(_metadata, what, &o, e));	/* untouched */
			exp_free(e);
			if (memcmp(sent, victim.map, 8192) || memcmp(sent, ro.map, 8192) ||
			    memcmp(sent, tail.map, 8192) || memcmp(sent, wo.map, 8192)) {
				TH_LOG("%s: the faulting op wrote to a BO", what);
				EXPECT_TRUE(0);
			}
		}
	}
	/* The same ops with the output back in the arena all succeed. */
	for (int kind = 0; kind < F_KINDS; kind++) {
		struct buf o = DALLOC(256);

		emit_fault_op(_metadata, self, kind, src.addr, o.addr, qa.addr);
	}
	EXPECT_EQ(0, RUN(next_core(self)));
	free(sent);
	enpu_bo_free(self->fd, &victim);
	enpu_bo_free(self->fd, &ro);
	enpu_bo_free(self->fd, &tail);
	enpu_bo_free(self->fd, &wo);
}

/* A GEMM whose first row fits but whose ldc carries the last row past its BO. */
TEST_F(ops, fault_gemm_ldc_overruns_bo)
{
	struct enpu_bo tail;
	struct buf a = DALLOC(64), q = DALLOC(32);
	struct enpu_cmd_gemm *g;
	struct drm_enpu_submit_bo bos[2];
	uint8_t s[8192];

	ASSERT_EQ(0, enpu_bo_new(self->fd, 8192, &tail));
	memset(tail.map, SENT, 8192);
	fill_i32(q.p, 4, 1 << 30);
	fill_i32((int32_t *)q.p + 4, 4, -2);
	bos[0] = (struct drm_enpu_submit_bo){ .handle = self->data.handle, .flags = RW };
	bos[1] = (struct drm_enpu_submit_bo){ .handle = tail.handle, .flags = RW };
	g = CS_ADD(ENPU_CMD_OP_GEMM_I8, struct enpu_cmd_gemm);
	g->a = a.addr, g->b = a.addr, g->c = tail.addr + 4096;
	/* rows at +0, +2047, +4094: the last row's final 2 bytes are past the BO */
	g->m = 3, g->n = 4, g->k = 4, g->lda = 4, g->ldb = 4, g->ldc = 2047;
	g->q.mult = q.addr, g->q.shift = q.addr + 16, g->q.act_min = -128, g->q.act_max = 127;
	EXPECT_EQ(-EFAULT, run_bos(_metadata, self, bos, 2, next_core(self)));
	memset(s, SENT, sizeof(s));
	EXPECT_EQ(0, memcmp(s, tail.map, sizeof(s)));
	enpu_bo_free(self->fd, &tail);
}

TEST_HARNESS_MAIN
