// SPDX-License-Identifier: GPL-2.0-only
/*
 * The numerics of the FP16 opcodes, against enpu_ref.h (see enpu_ops.h): REQUANT
 * I8_F16 and F16_I8 (every half), GEMM_F16 and CONV2D_F16 (shapes, random,
 * special values, fp32 accumulation order), bit for bit and within the fp64
 * reference's bound.
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

/* ---- REQUANT to and from FP16 ---- */

TEST_F(ops, requant_i8_to_f16)
{
	/* scale bits: 1, 0.1, 1/3, 1+2^-11 (fp16 ties), 2^-30 and 2^-26 (subnormal results,
	 * ties), 256 (65280: finite), 300 (overflow to inf), 1e38 (inf), the smallest
	 * binary32 denormal (fp32 products underflow), FLT_MAX, 2^-14 (min normal edge)
	 */
	static const uint32_t scales[] = { 0x3f800000, 0x3dcccccd, 0x3eaaaaab, 0x3f801000,
					   0x30800000, 0x32800000, 0x43800000, 0x43960000,
					   0x7e967699, 0x00000001, 0x7f7fffff, 0x38800000 };
	static const int32_t zps[] = { -128, 127, 0, 5 };
	const int ns = sizeof(scales) / sizeof(scales[0]);
	struct buf in = DALLOC(256), out[12 * 4];
	struct enpu_cmd_requant d[12 * 4];
	char what[96];
	int nd = 0;

	for (int j = 0; j < 256; j++)
		((int8_t *)in.p)[j] = (int8_t)j;
	for (int s = 0; s < ns; s++) {
		for (int z = 0; z < 4; z++, nd++) {
			struct enpu_cmd_requant *q = CS_ADD(ENPU_CMD_OP_REQUANT, struct enpu_cmd_requant);

			out[nd] = DALLOC(512);
			d[nd] = (struct enpu_cmd_requant){
				.hdr = q->hdr, .in = in.addr, .out = out[nd].addr, .count = 256,
				.mode = ENPU_CMD_REQUANT_I8_F16, .in_zp = zps[z],
				.scale_bits = scales[s],
			};
			*q = d[nd];
		}
	}
	EXPECT_EQ(0, RUN(next_core(self)));
	for (int i = 0; i < nd; i++) {
		uint16_t *x = exp_alloc(512);

		for (int j = 0; j < 256; j++)
			x[j] = ref_requant_i8_f16(&d[i], ((int8_t *)in.p)[j]);
		snprintf(what, sizeof(what), "REQUANT I8_F16 scale 0x%08x in_zp %d", d[i].scale_bits,
			 d[i].in_zp);
		EXPECT_EQ(0, check_f16(_metadata, what, &out[i], x));
		exp_free(x);
	}
	/* A few answers by hand: 1 * (1 + 2^-11) is a tie -> 1.0; 3 * it rounds up. */
	EXPECT_EQ(0x3c00, ((uint16_t *)out[3 * 4 + 2].p)[1]);
	EXPECT_EQ(0x4201, ((uint16_t *)out[3 * 4 + 2].p)[3]);
	EXPECT_EQ(0x7c00, ((uint16_t *)out[7 * 4 + 0].p)[127]);	/* (127 + 128) * 300 */
	EXPECT_EQ(0xfc00, ((uint16_t *)out[7 * 4 + 1].p)[128]);	/* (-128 - 127) * 300 */
	EXPECT_EQ(0x0000, ((uint16_t *)out[9 * 4 + 2].p)[1]);	/* underflow */
	EXPECT_EQ(0x8000, ((uint16_t *)out[9 * 4 + 2].p)[255]);	/* -1 * tiny = -0 */
}

TEST_F_TIMEOUT(ops, requant_f16_to_i8_every_half, 60)
{
	/* scale, out_zp, clamp: 1 (exact .5 ties), 0.5, 1/3, 2 (ties), 2^-10 (most
	 * saturate), the smallest binary32 denormal (everything overflows to +-inf), 3e38
	 * (everything -> +-0), 0.1
	 */
	static const struct { uint32_t scale; int32_t zp, lo, hi; } cfg[] = {
		{ 0x3f800000, 0, -128, 127 }, { 0x3f000000, 127, -128, 127 },
		{ 0x3eaaaaab, -128, -128, 127 }, { 0x40000000, 3, -100, 50 },
		{ 0x3a800000, -7, -128, 127 }, { 0x00000001, 0, -128, 127 },
		{ 0x7f61b1e6, 9, -128, 127 }, { 0x3dcccccd, -1, -20, 20 },
	};
	const int nc = sizeof(cfg) / sizeof(cfg[0]);
	struct buf in = DALLOC(2 * 65536), out[8];
	struct enpu_cmd_requant d[8];
	char what[96];

	for (int j = 0; j < 65536; j++)
		((uint16_t *)in.p)[j] = (uint16_t)j;
	for (int i = 0; i < nc; i++) {
		struct enpu_cmd_requant *q = CS_ADD(ENPU_CMD_OP_REQUANT, struct enpu_cmd_requant);

		out[i] = DALLOC(65536);
		d[i] = (struct enpu_cmd_requant){
			.hdr = q->hdr, .in = in.addr, .out = out[i].addr, .count = 65536,
			.mode = ENPU_CMD_REQUANT_F16_I8, .out_zp = cfg[i].zp,
			.act_min = cfg[i].lo, .act_max = cfg[i].hi, .scale_bits = cfg[i].scale,
		};
		*q = d[i];
	}
	EXPECT_EQ(0, RUN(next_core(self)));
	for (int i = 0; i < nc; i++) {
		int8_t *x = exp_alloc(65536);

		for (int j = 0; j < 65536; j++)
			x[j] = ref_requant_f16_i8(&d[i], (uint16_t)j);
		snprintf(what, sizeof(what), "REQUANT F16_I8 scale 0x%08x zp %d clamp [%d,%d]",
			 d[i].scale_bits, d[i].out_zp, d[i].act_min, d[i].act_max);
		EXPECT_EQ(0, check_bytes(_metadata, what, &out[i], x));
		exp_free(x);
	}
	/* By hand (scale 1, zp 0): ties away from zero, NaN -> zp, inf saturates. */
	{
		const int8_t *o = out[0].p;

		EXPECT_EQ(1, o[0x3800]);	/* 0.5 */
		EXPECT_EQ(-1, o[0xb800]);	/* -0.5 */
		EXPECT_EQ(2, o[0x3e00]);	/* 1.5 */
		EXPECT_EQ(3, o[0x4100]);	/* 2.5 */
		EXPECT_EQ(-3, o[0xc100]);	/* -2.5 */
		EXPECT_EQ(0, o[0x37ff]);	/* 0.49976 */
		EXPECT_EQ(0, o[0x0001]);	/* subnormal */
		EXPECT_EQ(0, o[0x8000]);	/* -0 */
		EXPECT_EQ(127, o[0x7c00]);	/* inf */
		EXPECT_EQ(-128, o[0xfc00]);	/* -inf */
		EXPECT_EQ(0, o[0x7e00]);	/* NaN */
		EXPECT_EQ(0, o[0xfe01]);	/* -NaN */
		EXPECT_EQ(127, ((int8_t *)out[1].p)[0x7e00]);	/* NaN -> zp 127 */
		EXPECT_EQ(127, ((int8_t *)out[5].p)[0x0001]);	/* 2^-24 / 2^-149 = 2^125 */
		EXPECT_EQ(127, ((int8_t *)out[5].p)[0x7bff]);	/* 65504 / 2^-149 = inf */
		EXPECT_EQ(0, ((int8_t *)out[5].p)[0x0000]);	/* 0 / 2^-149 = 0 */
	}
}

/* ---- FP16 GEMM / CONV ---- */

/* Runs one GEMM_F16; @a/@b (fp16 bits, ld layout) and @bias are given or random. */
static struct buf gemm_f16_case(struct __test_metadata *_metadata, ops_t *self, struct rng *r,
			  const struct enpu_cmd_gemm *t, const uint16_t *av, const uint16_t *bv,
			  const float *biasv, bool check_fp64, uint32_t core)
{
	uint64_t an = ref_extent(t->m, t->k, t->lda), bn = ref_extent(t->n, t->k, t->ldb);
	uint64_t cn = ref_extent(t->m, t->n, t->ldc);
	struct buf a = DALLOC(2 * an), b = DALLOC(2 * bn), c = DALLOC(2 * cn);
	struct buf bi = DALLOC(4ULL * t->n);
	bool has_bias = t->hdr.flags & ENPU_CMD_F_BIAS;
	uint16_t *x = exp_alloc(c.size), *x64 = calloc((uint64_t)t->m * t->n, 2);
	double *tol = calloc((uint64_t)t->m * t->n, sizeof(double));
	struct enpu_cmd_gemm *g, d;
	float *af, *bf;
	char what[128];

	ASSERT_NE(NULL, x64);
	ASSERT_NE(NULL, tol);
	for (uint64_t i = 0; i < an; i++)
		((uint16_t *)a.p)[i] = av ? av[i] : rng_f16(r, -6, 2);
	for (uint64_t i = 0; i < bn; i++)
		((uint16_t *)b.p)[i] = bv ? bv[i] : rng_f16(r, -6, 2);
	for (uint32_t j = 0; j < t->n && has_bias; j++)
		((float *)bi.p)[j] = biasv ? biasv[j] : (float)rng_range(r, -4000, 4000) / 128.0f;
	g = CS_ADD(ENPU_CMD_OP_GEMM_F16, struct enpu_cmd_gemm);
	d = *t;
	d.hdr = g->hdr;
	d.hdr.flags = t->hdr.flags;
	d.a = a.addr;
	d.b = b.addr;
	d.c = c.addr;
	d.bias = has_bias ? bi.addr : 0;
	*g = d;
	snprintf(what, sizeof(what), "GEMM_F16 %ux%ux%u ld %u/%u/%u%s core %s", d.m, d.n, d.k,
		 d.lda, d.ldb, d.ldc, has_bias ? " bias" : "", core_name(core));
	EXPECT_EQ(0, RUN(core));
	af = f16_to_floats(a.p, an);
	bf = f16_to_floats(b.p, bn);
	ref_gemm_f16(&d, af, bf, has_bias ? bi.p : NULL, x, x64, tol);
	EXPECT_EQ(0, check_f16(_metadata, what, &c, x));
	if (check_fp64)
		EXPECT_EQ(0, check_tol(_metadata, what, c.p, d.m, d.n, d.ldc, x64, tol));
	free(af);
	free(bf);
	free(tol);
	free(x64);
	exp_free(x);
	return c;
}

TEST_F(ops, gemm_f16_shapes)
{
	static const uint32_t shapes[][6] = {	/* m, n, k, lda, ldb, ldc */
		{ 1, 1, 1, 1, 1, 1 }, { 255, 17, 3, 3, 3, 17 }, { 1, 255, 255, 255, 255, 255 },
		{ 3, 1, 17, 20, 17, 5 }, { 7, 9, 33, 40, 35, 13 }, { 16, 16, 64, 64, 64, 16 },
		{ 17, 3, 255, 256, 260, 3 },
	};
	struct rng r;

	RNG_INIT(&r, 15);
	for (unsigned int i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct enpu_cmd_gemm t = {
			.hdr.flags = i % 3 == 1 ? 0 : ENPU_CMD_F_BIAS,
			.m = shapes[i][0], .n = shapes[i][1], .k = shapes[i][2],
			.lda = shapes[i][3], .ldb = shapes[i][4], .ldc = shapes[i][5],
		};

		gemm_f16_case(_metadata, self, &r, &t, NULL, NULL, NULL, true, next_core(self));
	}
}

TEST_F(ops, gemm_f16_random)
{
	struct rng r;

	RNG_INIT(&r, 16);
	for (int i = 0; i < 8; i++) {
		uint32_t m = rng_range(&r, 1, 40), n = rng_range(&r, 1, 40), k = rng_range(&r, 1, 80);
		struct enpu_cmd_gemm t = { .m = m, .n = n, .k = k };

		/* drawn in order: an initializer list's order is unspecified */
		t.hdr.flags = rng_range(&r, 0, 1) ? ENPU_CMD_F_BIAS : 0;
		t.lda = k + rng_range(&r, 0, 5);
		t.ldb = k + rng_range(&r, 0, 5);
		t.ldc = n + rng_range(&r, 0, 5);

		gemm_f16_case(_metadata, self, &r, &t, NULL, NULL, NULL, true, next_core(self));
	}
}

/* Inf, NaN, subnormals, overflow, ties on the final rounding, signed zeros. */
TEST_F(ops, gemm_f16_special_values)
{
	enum { K = 4, M = 12 };
	/* Each row of A against B = { 1, 1, 1, 1 } (row 0) and { 1, 0, -1, 2 } (row 1). */
	static const uint16_t av[M * K] = {
		0x7c00, 0x3c00, 0x3c00, 0x3c00,	/* inf */
		0x7e00, 0x0000, 0x0000, 0x0000,	/* NaN */
		0x7c00, 0xfc00, 0x0000, 0x0000,	/* inf - inf */
		0x7bff, 0x7bff, 0x0000, 0x0000,	/* 65504 * 2: overflow; row 1: 0 + ... */
		0x0001, 0x0001, 0x0000, 0x0000,	/* 2 * 2^-24 subnormal */
		0x3c00, 0x1000, 0x0000, 0x0000,	/* 1 + 2^-11: a tie -> 1.0 */
		0x3c00, 0x1000, 0x1400, 0x0000,	/* 1 + 3 * 2^-11 -> 1 + 2^-9 */
		0x8000, 0x8000, 0x8000, 0x8000,	/* -0 products */
		0x7bff, 0xfbff, 0x1400, 0x0000,	/* cancellation to 2^-10 */
		0x0200, 0x0100, 0x03ff, 0x8001,	/* subnormals only */
		/* 2048 + 2^-13 + 2^-13 - 2048: 0 in k-ordered fp32; 2^-12 in fp64 or reversed */
		0x6800, 0x0800, 0x0800, 0xe800,
		0x0800, 0x0800, 0x6800, 0xe800,	/* 2^-12 either way */
	};
	static const uint16_t bv[2 * K] = { 0x3c00, 0x3c00, 0x3c00, 0x3c00,
					    0x3c00, 0x0000, 0xbc00, 0x4000 };
	static const float biases[3][2] = { { 0.0f, 0.0f }, { -0.0f, -0.0f },
					    { 65519.0f, -1e6f } };
	struct enpu_cmd_gemm t = { .m = M, .n = 2, .k = K, .lda = K, .ldb = K, .ldc = 2 };
	struct rng r;

	RNG_INIT(&r, 17);
	{	/* the order-sensitive rows, by hand */
		struct buf cb = gemm_f16_case(_metadata, self, &r, &t, av, bv, NULL, false,
					      next_core(self));
		const uint16_t *c = cb.p;

		EXPECT_EQ(0x0000, c[10 * 2]);
		EXPECT_EQ(0x0c00, c[11 * 2]);	/* 2^-12 */
	}
	t.hdr.flags = ENPU_CMD_F_BIAS;
	for (int i = 0; i < 3; i++)
		gemm_f16_case(_metadata, self, &r, &t, av, bv, biases[i], false, next_core(self));
}

static void conv_f16_case(struct __test_metadata *_metadata, ops_t *self, struct rng *r,
			  const char *name, const struct enpu_cmd_conv2d *t, uint32_t core)
{
	uint64_t in_n = (uint64_t)t->n * t->h * t->w * t->cin;
	uint64_t f_n = (uint64_t)t->cout * t->kh * t->kw * (t->cin / t->groups);
	uint64_t out_n = (uint64_t)t->n * t->out_h * t->out_w * t->cout;
	struct buf in = DALLOC(2 * in_n), f = DALLOC(2 * f_n), out = DALLOC(2 * out_n);
	struct buf bi = DALLOC(4ULL * t->cout);
	bool has_bias = t->hdr.flags & ENPU_CMD_F_BIAS;
	uint16_t *x = exp_alloc(out.size), *x64 = calloc(out_n, 2);
	double *tol = calloc(out_n, sizeof(double));
	struct enpu_cmd_conv2d *c, d;
	float *inf, *ff;
	char what[160];

	ASSERT_NE(NULL, x64);
	ASSERT_NE(NULL, tol);
	for (uint64_t i = 0; i < in_n; i++)
		((uint16_t *)in.p)[i] = rng_f16(r, -5, 1);
	for (uint64_t i = 0; i < f_n; i++)
		((uint16_t *)f.p)[i] = rng_f16(r, -5, 1);
	for (uint32_t j = 0; j < t->cout && has_bias; j++)
		((float *)bi.p)[j] = (float)rng_range(r, -1000, 1000) / 64.0f;
	c = CS_ADD(ENPU_CMD_OP_CONV2D_F16, struct enpu_cmd_conv2d);
	d = *t;
	d.hdr = c->hdr;
	d.hdr.flags = t->hdr.flags;
	d.in = in.addr;
	d.filter = f.addr;
	d.out = out.addr;
	d.bias = has_bias ? bi.addr : 0;
	*c = d;
	snprintf(what, sizeof(what), "CONV2D_F16 %s%s core %s", name, has_bias ? " bias" : "",
		 core_name(core));
	EXPECT_EQ(0, RUN(core));
	inf = f16_to_floats(in.p, in_n);
	ff = f16_to_floats(f.p, f_n);
	ref_conv_f16(&d, inf, ff, has_bias ? bi.p : NULL, x, x64, tol);
	EXPECT_EQ(0, check_f16(_metadata, what, &out, x));
	EXPECT_EQ(0, check_tol(_metadata, what, out.p, 1, out_n, out_n, x64, tol));
	free(inf);
	free(ff);
	free(tol);
	free(x64);
	exp_free(x);
}

TEST_F(ops, conv2d_f16_geometries)
{
	struct rng r;

	RNG_INIT(&r, 18);
	for (unsigned int i = 0; i < conv_geos_n; i++) {
		struct enpu_cmd_conv2d t = conv_tmpl(&conv_geos[i]);

		t.q.act_min = 0;
		t.q.act_max = 0;
		t.hdr.flags = i % 3 == 1 ? 0 : ENPU_CMD_F_BIAS;
		conv_f16_case(_metadata, self, &r, conv_geos[i].name, &t, next_core(self));
	}
}

/*
 * CONV2D_F16 accumulates in fp32 in (ky, kx, ic) order from the bias: inputs where
 * another order, or a wider accumulator, gives a different fp16 result.
 */
TEST_F(ops, conv2d_f16_accumulation_order)
{
	enum { BIG = 0x6800, NBIG = 0xe800, TINY = 0x0800, ONE = 0x3c00 };	/* 2048, 2^-13 */
	static const struct {
		const char *name;
		uint32_t h, w, cin, kh, kw;
		uint16_t in[4];
		float bias;
		uint16_t want;
	} cases[] = {
		/* ic order: 2048, 2^-13, 2^-13, -2048 -> 0 (reversed or fp64: 2^-12) */
		{ "ic order", 1, 1, 4, 1, 1, { BIG, TINY, TINY, NBIG }, 0.0f, 0x0000 },
		/* ky-major: 2048, 2^-13 | -2048, 2^-13 -> 2^-13 (kx-major: 2^-12) */
		{ "ky before kx", 2, 2, 1, 2, 2, { BIG, TINY, NBIG, TINY }, 0.0f, 0x0800 },
		/* the bias comes first: 2048 + 2^-13 + 2^-13 - 2048 -> 0 (bias last: 2^-12) */
		{ "bias first", 1, 1, 3, 1, 1, { TINY, TINY, NBIG, 0 }, 2048.0f, 0x0000 },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t n = cases[i].h * cases[i].w * cases[i].cin;
		struct buf in = DALLOC(2 * n), f = DALLOC(2 * n), out = DALLOC(2), bi = DALLOC(4);
		struct enpu_cmd_conv2d *c = CS_ADD(ENPU_CMD_OP_CONV2D_F16, struct enpu_cmd_conv2d), d;
		uint16_t x16, x64;
		float *inf, *ff;
		double tol;

		for (uint32_t j = 0; j < n; j++) {
			((uint16_t *)in.p)[j] = cases[i].in[j];
			((uint16_t *)f.p)[j] = ONE;
		}
		*(float *)bi.p = cases[i].bias;
		d = (struct enpu_cmd_conv2d){
			.hdr = c->hdr, .in = in.addr, .filter = f.addr, .out = out.addr,
			.n = 1, .h = cases[i].h, .w = cases[i].w, .cin = cases[i].cin, .cout = 1,
			.kh = cases[i].kh, .kw = cases[i].kw, .stride_h = 1, .stride_w = 1,
			.dil_h = 1, .dil_w = 1, .groups = 1, .out_h = 1, .out_w = 1,
		};
		if (cases[i].bias != 0.0f) {
			d.hdr.flags = ENPU_CMD_F_BIAS;
			d.bias = bi.addr;
		}
		*c = d;
		EXPECT_EQ(0, RUN(next_core(self)));
		inf = f16_to_floats(in.p, n);
		ff = f16_to_floats(f.p, n);
		ref_conv_f16(&d, inf, ff, d.bias ? bi.p : NULL, &x16, &x64, &tol);
		EXPECT_EQ(cases[i].want, x16);	/* the reference agrees with the hand result */
		if (*(uint16_t *)out.p != cases[i].want)
			TH_LOG("%s: got 0x%04x, want 0x%04x (fp64: 0x%04x)", cases[i].name,
			       *(uint16_t *)out.p, cases[i].want, x64);
		EXPECT_EQ(cases[i].want, *(uint16_t *)out.p);
		EXPECT_GE(tol, ref_fabs((double)ref_h2f(*(uint16_t *)out.p) - ref_h2f(x64)));
		free(inf);
		free(ff);
	}
}

TEST_HARNESS_MAIN
