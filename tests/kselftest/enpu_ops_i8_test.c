// SPDX-License-Identifier: GPL-2.0-only
/*
 * The numerics of the INT8 tensor opcodes, GEMM_I8, CONV2D_I8 and POOL_I8,
 * against enpu_ref.h (see enpu_ops.h): odd shapes and strides, random shapes,
 * per-channel multipliers and every shift, wrapping accumulators, every core;
 * convolution geometries (padding, stride, dilation, groups, depthwise), pooling
 * with padding and exact ties; and the geometries the submit must reject.
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

/* ---- GEMM_I8 ---- */

TEST_F(ops, gemm_i8_odd_shapes_and_strides)
{
	static const uint32_t shapes[][3] = {
		{ 1, 1, 1 }, { 255, 17, 3 }, { 1, 255, 255 }, { 3, 1, 17 }, { 17, 3, 255 },
		{ 255, 1, 1 }, { 1, 1, 255 }, { 16, 16, 16 },
	};
	static const int32_t zps[] = { -128, 127, 0, 37 };
	struct rng r;
	int idx = 0;

	RNG_INIT(&r, 3);
	for (unsigned int s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		for (int padded = 0; padded < 2; padded++, idx++) {
			uint32_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
			struct enpu_cmd_gemm t = gemm_tmpl(m, n, k, k + padded * 5, k + padded * 3,
							   n + padded * 7, zps[idx % 4], idx % 3);

			t.q.out_zp = rng_range(&r, -128, 127);
			if (idx % 5 == 4) {	/* a narrow clamp now and then */
				t.q.act_min = -20;
				t.q.act_max = 33;
				t.q.out_zp = 5;
			}
			gemm_i8_case(_metadata, self, &r, &t, NULL, NULL, NULL, 1 << 16,
				     next_core(self));
		}
	}
}

TEST_F(ops, gemm_i8_random)
{
	struct rng r;

	RNG_INIT(&r, 4);
	for (int i = 0; i < 12; i++) {
		uint32_t m = rng_range(&r, 1, 70), n = rng_range(&r, 1, 70), k = rng_range(&r, 1, 90);
		/* drawn in order (argument evaluation order is unspecified) */
		uint32_t lda = k + rng_range(&r, 0, 9), ldb = k + rng_range(&r, 0, 9);
		uint32_t ldc = n + rng_range(&r, 0, 9);
		int32_t a_zp = rng_range(&r, -128, 127), per_ch = rng_range(&r, 0, 1);
		struct enpu_cmd_gemm t = gemm_tmpl(m, n, k, lda, ldb, ldc, a_zp, per_ch);
		int32_t lo = rng_range(&r, -128, 127), hi = rng_range(&r, -128, 127);

		t.q.out_zp = rng_range(&r, -128, 127);
		if (i % 3 == 2) {
			t.q.act_min = lo < hi ? lo : hi;
			t.q.act_max = lo < hi ? hi : lo;
		}
		gemm_i8_case(_metadata, self, &r, &t, NULL, NULL, NULL, rng_range(&r, 0, 1 << 20),
			     next_core(self));
	}
}

/* Every shift -31..30 and the extreme multipliers, one per output channel. */
TEST_F(ops, gemm_i8_per_channel_shift_sweep)
{
	static const int32_t mults[] = { 0, 1, 1 << 30, INT32_MAX, 1518500250 };
	int32_t mult[62], shift[62];
	struct rng r;

	RNG_INIT(&r, 5);
	for (int mi = 0; mi < 5; mi++) {
		/* K = 255 with zp -128: |acc| up to 2^23, so large shifts saturate. */
		struct enpu_cmd_gemm t = gemm_tmpl(5, 62, 255, 255, 255, 62, mi & 1 ? -128 : 127,
						   true);

		for (int c = 0; c < 62; c++) {
			shift[c] = c - 31;
			mult[c] = mults[(mi + c) % 5];
		}
		/* Zero point 0: whatever mbqm gives, adding it cannot wrap (see below). */
		t.q.out_zp = 0;
		gemm_i8_case(_metadata, self, &r, &t, mult, shift, NULL, 1 << 24, next_core(self));
	}
}

/*
 * The GEMM's output is its own shift array: once row 0 is written the array
 * holds outputs (0x04040404: no valid shift), yet every row uses the arrays
 * as they were when the descriptor began (the sim copies, then checks them).
 */
TEST_F(ops, gemm_i8_quant_arrays_read_once)
{
	const uint32_t m = 4, n = 8, k = 4;
	struct buf a = DALLOC(m * k), b = DALLOC(n * k), mu = DALLOC(4 * n), sh = DALLOC(4 * n);
	int32_t mult[8], shift[8];
	struct enpu_cmd_gemm *g;
	struct buf c = sh;	/* m x n = 4 x n bytes: C is the shift array */
	void *e;

	memset(a.p, 1, a.size);
	memset(b.p, 1, b.size);
	fill_i32(mu.p, n, 1 << 30);
	fill_i32(sh.p, n, 1);		/* 4 << 1, then x 1/2: 4 */
	memcpy(mult, mu.p, sizeof(mult));
	memcpy(shift, sh.p, sizeof(shift));
	g = CS_ADD(ENPU_CMD_OP_GEMM_I8, struct enpu_cmd_gemm);
	g->a = a.addr, g->b = b.addr, g->c = sh.addr;
	g->m = m, g->n = n, g->k = k, g->lda = k, g->ldb = k, g->ldc = n;
	g->q.mult = mu.addr, g->q.shift = sh.addr;
	g->q.act_min = -128, g->q.act_max = 127;
	{
		struct enpu_cmd_gemm d = *g;

		EXPECT_EQ(0, RUN(next_core(self)));
		e = exp_alloc(4 * n);
		memset(e, 0, 4 * n);
		ref_gemm_i8(&d, a.p, b.p, NULL, mult, shift, e);
	}
	EXPECT_EQ(4, ((int8_t *)e)[(m - 1) * n]);
	EXPECT_EQ(0, check_bytes(_metadata, "GEMM_I8 writing its own shift array", &c, e));
	exp_free(e);
}

/* Accumulation is modulo 2^32: a bias near the int32 limits wraps, and that is defined. */
TEST_F(ops, gemm_i8_accumulator_wraps)
{
	const uint32_t m = 3, n = 4, k = 255;
	struct buf a = DALLOC(m * k), b = DALLOC(n * k), c = DALLOC(m * n);
	struct buf bi = DALLOC(4 * n), mu = DALLOC(4 * n), sh = DALLOC(4 * n);
	int32_t *bias = bi.p;
	struct enpu_cmd_gemm *g;
	void *e;

	/* (A - a_zp) * B = (-128 - 127) * -128 = 32640 per term; 255 terms = 8323200. */
	memset(a.p, 0x80, a.size);
	memset(b.p, 0x80, b.size);
	((int8_t *)a.p)[k + 7] = 127;	/* row 1 has one zero term */
	((int8_t *)b.p)[2 * k + 3] = 127;	/* column 2 one negative term */
	bias[0] = INT32_MAX;
	bias[1] = INT32_MAX - 8323200 + 1;	/* just wraps */
	bias[2] = INT32_MIN;
	bias[3] = INT32_MAX - 8323200;	/* just does not */
	fill_i32(mu.p, n, 1 << 30);
	fill_i32(sh.p, n, -24);		/* /2^25: wrapped values land around -64 */
	g = CS_ADD(ENPU_CMD_OP_GEMM_I8, struct enpu_cmd_gemm);
	g->hdr.flags = ENPU_CMD_F_BIAS;
	g->a = a.addr, g->b = b.addr, g->c = c.addr, g->bias = bi.addr;
	g->m = m, g->n = n, g->k = k, g->lda = k, g->ldb = k, g->ldc = n;
	g->a_zp = 127;
	g->q.mult = mu.addr, g->q.shift = sh.addr;
	g->q.out_zp = 3, g->q.act_min = -128, g->q.act_max = 127;
	{
		struct enpu_cmd_gemm d = *g;

		EXPECT_EQ(0, RUN(next_core(self)));
		e = exp_alloc(c.size);
		ref_gemm_i8(&d, a.p, b.p, bias, mu.p, sh.p, e);
	}
	/* The wrapped bias + sum is negative: a sign error would show as ~+64. */
	EXPECT_GT(0, ((int8_t *)e)[0]);
	EXPECT_LT(0, ((int8_t *)e)[3]);
	EXPECT_EQ(0, check_bytes(_metadata, "GEMM_I8 wrapping accumulators", &c, e));
	exp_free(e);
}

/* The same GEMM on every core choice gives the same (correct) bits. */
TEST_F(ops, gemm_i8_every_core)
{
	const uint32_t cores[3] = { CORE_ANY, 0, 1 };
	struct enpu_cmd_gemm t = gemm_tmpl(31, 29, 67, 70, 67, 33, -7, true);
	struct rng r;

	for (int i = 0; i < 3; i++) {
		if (cores[i] != CORE_ANY && cores[i] >= self->ncores)
			continue;
		RNG_INIT(&r, 6);	/* same data each time */
		t.q.out_zp = -9;
		gemm_i8_case(_metadata, self, &r, &t, NULL, NULL, NULL, 4000, cores[i]);
	}
}

/* ---- CONV2D_I8 ---- */

static void conv_i8_case(struct __test_metadata *_metadata, ops_t *self, struct rng *r,
			 const char *name, const struct enpu_cmd_conv2d *t, uint32_t core)
{
	uint64_t in_n = (uint64_t)t->n * t->h * t->w * t->cin;
	uint64_t f_n = (uint64_t)t->cout * t->kh * t->kw * (t->cin / t->groups);
	uint64_t out_n = (uint64_t)t->n * t->out_h * t->out_w * t->cout;
	struct buf in = DALLOC(in_n), f = DALLOC(f_n), out = DALLOC(out_n);
	struct buf bi = DALLOC(4ULL * t->cout), mu = DALLOC(4ULL * t->cout);
	struct buf sh = DALLOC(4ULL * t->cout);
	bool has_bias = t->hdr.flags & ENPU_CMD_F_BIAS;
	struct enpu_cmd_conv2d *c, d;
	char what[160];
	void *e;

	ASSERT_LT(0, t->out_h);
	ASSERT_LT(0, t->out_w);
	rng_fill(r, in.p, in.size);
	rng_fill(r, f.p, f.size);
	for (uint32_t j = 0; j < t->cout && has_bias; j++)
		((int32_t *)bi.p)[j] = rng_range(r, -30000, 30000);
	gen_quant(r, t->cout, mu.p, sh.p,
		  acc_range((uint64_t)t->kh * t->kw * (t->cin / t->groups), t->in_zp, 30000));
	c = CS_ADD(ENPU_CMD_OP_CONV2D_I8, struct enpu_cmd_conv2d);
	d = *t;
	d.hdr = c->hdr;
	d.hdr.flags = t->hdr.flags;
	d.in = in.addr;
	d.filter = f.addr;
	d.out = out.addr;
	d.bias = has_bias ? bi.addr : 0;
	d.q.mult = mu.addr;
	d.q.shift = sh.addr;
	*c = d;
	snprintf(what, sizeof(what),
		 "CONV2D_I8 %s: %ux%ux%ux%u -> %ux%ux%ux%u k %ux%u s %u,%u d %u,%u pad %u,%u,%u,%u g %u zp %d core %s",
		 name, d.n, d.h, d.w, d.cin, d.n, d.out_h, d.out_w, d.cout, d.kh, d.kw,
		 d.stride_h, d.stride_w, d.dil_h, d.dil_w, d.pad_top, d.pad_left, d.pad_bottom,
		 d.pad_right, d.groups, d.in_zp, core_name(core));
	EXPECT_EQ(0, RUN(core));
	e = exp_alloc(out.size);
	ref_conv_i8(&d, in.p, f.p, has_bias ? bi.p : NULL, mu.p, sh.p, e);
	log_spread(_metadata, what, e, 1, out_n, out_n, d.q.act_min, d.q.act_max);
	EXPECT_EQ(0, check_bytes(_metadata, what, &out, e));
	exp_free(e);
}

TEST_F(ops, conv2d_i8_geometries)
{
	static const int32_t zps[] = { -128, 127, 0, -5 };
	struct rng r;

	RNG_INIT(&r, 7);
	for (unsigned int i = 0; i < conv_geos_n; i++) {
		struct enpu_cmd_conv2d t = conv_tmpl(&conv_geos[i]);

		t.hdr.flags = i % 4 == 3 ? 0 : ENPU_CMD_F_BIAS;
		t.in_zp = zps[i % 4];
		t.q.out_zp = rng_range(&r, -128, 127);
		if (i % 5 == 2) {	/* relu-like: [out_zp, 100] */
			t.q.out_zp = rng_range(&r, -100, 0);
			t.q.act_min = t.q.out_zp;
			t.q.act_max = 100;
		}
		conv_i8_case(_metadata, self, &r, conv_geos[i].name, &t, next_core(self));
	}
}

TEST_F(ops, conv2d_i8_random)
{
	struct rng r;

	RNG_INIT(&r, 8);
	for (int i = 0; i < 10; i++) {
		struct conv_geo g = { .name = "random" };
		struct enpu_cmd_conv2d t;
		uint32_t gpc;

		g.n = rng_range(&r, 1, 2);
		g.groups = rng_range(&r, 1, 4);
		gpc = rng_range(&r, 1, 5);
		g.cin = g.groups * gpc;
		g.cout = g.groups * rng_range(&r, 1, 4);
		if (i % 4 == 3) {	/* depthwise with a depth multiplier */
			g.groups = g.cin;
			g.cout = g.cin * rng_range(&r, 1, 3);
		}
		g.kh = rng_range(&r, 1, 4);
		g.kw = rng_range(&r, 1, 4);
		g.sh = rng_range(&r, 1, 3);
		g.sw = rng_range(&r, 1, 3);
		g.dh = rng_range(&r, 1, 3);
		g.dw = rng_range(&r, 1, 3);
		g.pt = rng_range(&r, 0, 3);
		g.pl = rng_range(&r, 0, 3);
		g.pb = rng_range(&r, 0, 3);
		g.pr = rng_range(&r, 0, 3);
		g.h = rng_range(&r, 1, 12);
		g.w = rng_range(&r, 1, 12);
		/* Grow the input until the dilated kernel fits. */
		while (!ref_out_dim(g.h, g.pt, g.pb, g.kh, g.dh, g.sh))
			g.h++;
		while (!ref_out_dim(g.w, g.pl, g.pr, g.kw, g.dw, g.sw))
			g.w++;
		t = conv_tmpl(&g);
		t.hdr.flags = rng_range(&r, 0, 1) ? ENPU_CMD_F_BIAS : 0;
		t.in_zp = rng_range(&r, -128, 127);
		t.q.out_zp = rng_range(&r, -128, 127);
		conv_i8_case(_metadata, self, &r, "random", &t, next_core(self));
	}
}

/* out_h/out_w must be exactly the geometry's: anything else fails the submit. */
TEST_F(ops, conv2d_i8_output_size_mismatch_rejected)
{
	const struct conv_geo *g = &conv_geos[2];	/* 3x3 s2, asymmetric padding */
	struct buf in = DALLOC(4096), f = DALLOC(4096), out = DALLOC(4096), q = DALLOC(64);
	static const int dh[] = { 1, -1, 0, 0 }, dw[] = { 0, 0, 1, -1 };

	for (int i = 0; i < 5; i++) {
		struct enpu_cmd_conv2d t = conv_tmpl(g), *c;

		t.in = in.addr, t.filter = f.addr, t.out = out.addr;
		t.q.mult = q.addr, t.q.shift = q.addr + 32;
		if (i < 4) {
			t.out_h += dh[i];
			t.out_w += dw[i];
		} else {
			t.h = 1, t.pad_top = 0, t.pad_bottom = 1;	/* 2 rows < 3: no fit */
			t.out_h = 1;
		}
		c = CS_ADD(ENPU_CMD_OP_CONV2D_I8, struct enpu_cmd_conv2d);
		t.hdr = c->hdr;
		*c = t;
		EXPECT_EQ(-EINVAL, submit_only(self, next_core(self)));
	}
	/* ...and the unmodified geometry is accepted (zero weights, valid quant). */
	{
		struct enpu_cmd_conv2d t = conv_tmpl(g), *c;

		memset(q.p, 0, 64);
		t.in = in.addr, t.filter = f.addr, t.out = out.addr;
		t.q.mult = q.addr, t.q.shift = q.addr + 32;
		c = CS_ADD(ENPU_CMD_OP_CONV2D_I8, struct enpu_cmd_conv2d);
		t.hdr = c->hdr;
		*c = t;
		EXPECT_EQ(0, RUN(next_core(self)));
	}
}

/* ---- POOL_I8 ---- */

struct pool_geo {
	uint32_t n, h, w, c, kh, kw, sh, sw, pt, pl, pb, pr, mode;
	int32_t lo, hi;
	int fill;	/* 0 random, 1 all -128, 2 all 127, 3 small values (exact ties) */
};

static const struct pool_geo pool_geos[] = {
	{ 1, 8, 8, 17, 2, 2, 2, 2, 0, 0, 0, 0, ENPU_CMD_POOL_MAX, -128, 127, 0 },
	{ 1, 8, 8, 17, 2, 2, 2, 2, 0, 0, 0, 0, ENPU_CMD_POOL_AVG, -128, 127, 0 },
	{ 2, 5, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, ENPU_CMD_POOL_MAX, -128, 127, 0 },
	{ 2, 5, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, ENPU_CMD_POOL_AVG, -128, 127, 0 },
	{ 1, 7, 6, 5, 3, 2, 2, 1, 2, 1, 0, 1, ENPU_CMD_POOL_AVG, -128, 127, 0 },
	{ 1, 7, 6, 5, 3, 2, 2, 1, 2, 1, 0, 1, ENPU_CMD_POOL_MAX, -128, 127, 0 },
	{ 1, 7, 7, 255, 7, 7, 1, 1, 0, 0, 0, 0, ENPU_CMD_POOL_AVG, -128, 127, 0 },
	{ 1, 6, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1, ENPU_CMD_POOL_MAX, -5, 9, 0 },
	{ 1, 6, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1, ENPU_CMD_POOL_AVG, -5, 9, 0 },
	{ 1, 3, 5, 3, 1, 1, 1, 1, 0, 0, 0, 0, ENPU_CMD_POOL_AVG, -100, 100, 0 },
	{ 1, 5, 5, 2, 5, 5, 1, 1, 4, 4, 4, 4, ENPU_CMD_POOL_AVG, -128, 127, 3 },
	{ 1, 5, 5, 2, 5, 5, 1, 1, 4, 4, 4, 4, ENPU_CMD_POOL_AVG, -128, 127, 0 },
	{ 1, 4, 4, 3, 3, 3, 1, 1, 2, 2, 2, 2, ENPU_CMD_POOL_MAX, -128, 127, 1 },
	{ 1, 4, 4, 3, 3, 3, 1, 1, 2, 2, 2, 2, ENPU_CMD_POOL_AVG, -128, 127, 1 },
	{ 1, 4, 4, 3, 3, 3, 1, 1, 2, 2, 2, 2, ENPU_CMD_POOL_AVG, -128, 127, 2 },
	{ 3, 9, 4, 1, 2, 3, 3, 1, 1, 2, 0, 2, ENPU_CMD_POOL_AVG, -128, 127, 3 },
	{ 1, 1, 17, 3, 1, 4, 1, 3, 0, 3, 0, 2, ENPU_CMD_POOL_MAX, -128, 127, 0 },
};

static void pool_case(struct __test_metadata *_metadata, ops_t *self, struct rng *r,
		      const struct pool_geo *g, uint32_t core)
{
	struct enpu_cmd_pool *p, d = {
		.n = g->n, .h = g->h, .w = g->w, .c = g->c, .kh = g->kh, .kw = g->kw,
		.stride_h = g->sh, .stride_w = g->sw, .pad_top = g->pt, .pad_left = g->pl,
		.pad_bottom = g->pb, .pad_right = g->pr, .mode = g->mode,
		.act_min = g->lo, .act_max = g->hi,
		.out_h = ref_out_dim(g->h, g->pt, g->pb, g->kh, 1, g->sh),
		.out_w = ref_out_dim(g->w, g->pl, g->pr, g->kw, 1, g->sw),
	};
	struct buf in = DALLOC((uint64_t)d.n * d.h * d.w * d.c);
	struct buf out = DALLOC((uint64_t)d.n * d.out_h * d.out_w * d.c);
	char what[160];
	void *e;

	ASSERT_LT(0, d.out_h);
	ASSERT_LT(0, d.out_w);
	if (g->fill == 0)
		rng_fill(r, in.p, in.size);
	else if (g->fill == 1)
		memset(in.p, 0x80, in.size);
	else if (g->fill == 2)
		memset(in.p, 0x7f, in.size);
	else
		for (size_t i = 0; i < in.size; i++)	/* -3..3: lots of exact .5 averages */
			((int8_t *)in.p)[i] = (int8_t)rng_range(r, -3, 3);
	p = CS_ADD(ENPU_CMD_OP_POOL_I8, struct enpu_cmd_pool);
	d.hdr = p->hdr;
	d.in = in.addr;
	d.out = out.addr;
	*p = d;
	snprintf(what, sizeof(what),
		 "POOL_I8 %s %ux%ux%ux%u k %ux%u s %u,%u pad %u,%u,%u,%u clamp [%d,%d] fill %d core %s",
		 d.mode == ENPU_CMD_POOL_MAX ? "max" : "avg", d.n, d.h, d.w, d.c, d.kh, d.kw,
		 d.stride_h, d.stride_w, d.pad_top, d.pad_left, d.pad_bottom, d.pad_right,
		 d.act_min, d.act_max, g->fill, core_name(core));
	EXPECT_EQ(0, RUN(core));
	e = exp_alloc(out.size);
	ref_pool(&d, in.p, e);
	EXPECT_EQ(0, check_bytes(_metadata, what, &out, e));
	exp_free(e);
}

TEST_F(ops, pool_i8_max_avg_padding)
{
	struct rng r;

	RNG_INIT(&r, 9);
	for (unsigned int i = 0; i < sizeof(pool_geos) / sizeof(pool_geos[0]); i++)
		pool_case(_metadata, self, &r, &pool_geos[i], next_core(self));
}

TEST_F(ops, pool_i8_random)
{
	struct rng r;

	RNG_INIT(&r, 10);
	for (int i = 0; i < 12; i++) {
		struct pool_geo g = { 0 };
		int32_t lo = rng_range(&r, -128, 127), hi = rng_range(&r, -128, 127);

		g.n = rng_range(&r, 1, 2);
		g.c = rng_range(&r, 1, 9);
		g.kh = rng_range(&r, 1, 5);
		g.kw = rng_range(&r, 1, 5);
		g.sh = rng_range(&r, 1, 3);
		g.sw = rng_range(&r, 1, 3);
		g.pt = rng_range(&r, 0, g.kh - 1);
		g.pl = rng_range(&r, 0, g.kw - 1);
		g.pb = rng_range(&r, 0, g.kh - 1);
		g.pr = rng_range(&r, 0, g.kw - 1);
		g.h = rng_range(&r, 1, 12);
		g.w = rng_range(&r, 1, 12);
		while (!ref_out_dim(g.h, g.pt, g.pb, g.kh, 1, g.sh))
			g.h++;
		while (!ref_out_dim(g.w, g.pl, g.pr, g.kw, 1, g.sw))
			g.w++;
		g.mode = i & 1 ? ENPU_CMD_POOL_AVG : ENPU_CMD_POOL_MAX;
		g.lo = i % 3 ? -128 : (lo < hi ? lo : hi);
		g.hi = i % 3 ? 127 : (lo < hi ? hi : lo);
		g.fill = i % 4 == 1 ? 3 : 0;
		pool_case(_metadata, self, &r, &g, next_core(self));
	}
}

TEST_F(ops, pool_i8_padding_not_below_kernel_rejected)
{
	struct buf in = DALLOC(256), out = DALLOC(256);

	for (int side = 0; side < 4; side++) {
		struct enpu_cmd_pool *p = CS_ADD(ENPU_CMD_OP_POOL_I8, struct enpu_cmd_pool);
		uint32_t pad[4] = { 0, 0, 0, 0 };

		pad[side] = 3;	/* == the kernel size on that axis */
		p->in = in.addr, p->out = out.addr;
		p->n = 1, p->h = 4, p->w = 4, p->c = 1, p->kh = 3, p->kw = 3;
		p->stride_h = 1, p->stride_w = 1;
		p->pad_top = pad[0], p->pad_left = pad[1], p->pad_bottom = pad[2];
		p->pad_right = pad[3];
		p->out_h = ref_out_dim(4, pad[0], pad[2], 3, 1, 1);
		p->out_w = ref_out_dim(4, pad[1], pad[3], 3, 1, 1);
		p->mode = ENPU_CMD_POOL_AVG, p->act_min = -128, p->act_max = 127;
		EXPECT_EQ(-EINVAL, submit_only(self, next_core(self)));
	}
}

TEST_HARNESS_MAIN
