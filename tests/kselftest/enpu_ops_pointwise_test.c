// SPDX-License-Identifier: GPL-2.0-only
/*
 * The numerics of the pointwise INT8 opcodes, ELTWISE_I8 (add, mul) and REQUANT
 * I8_I8, against enpu_ref.h (see enpu_ops.h): every input pair, odd counts,
 * sweeps of extreme multipliers, shifts and zero points, realistic parameters;
 * and the output stage's zero point, added in 64 bits so that it saturates
 * (REQUANT, ELTWISE, GEMM_I8 and CONV2D_I8, minimal cases).
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

/* ---- ELTWISE_I8 ---- */

/* All 65536 (a, b) pairs: a = i & 255, b = i >> 8. */
static void all_pairs(struct buf *a, struct buf *b)
{
	for (int i = 0; i < 65536; i++) {
		((int8_t *)a->p)[i] = (int8_t)(i & 255);
		((int8_t *)b->p)[i] = (int8_t)(i >> 8);
	}
}

static void eltwise_all_pairs(struct __test_metadata *_metadata, ops_t *self, struct rng *r,
			      uint32_t op)
{
	struct buf a = DALLOC(65536), b = DALLOC(65536), out[6];
	struct enpu_cmd_eltwise d[6];
	char what[200];

	all_pairs(&a, &b);
	for (int i = 0; i < 6; i++) {
		struct enpu_cmd_eltwise *e = CS_ADD(ENPU_CMD_OP_ELTWISE_I8, struct enpu_cmd_eltwise);
		int32_t lo = rng_range(r, -128, 127), hi = rng_range(r, -128, 127);

		out[i] = DALLOC(65536);
		d[i] = (struct enpu_cmd_eltwise){
			.hdr = e->hdr, .a = a.addr, .b = b.addr, .out = out[i].addr,
			.count = 65536, .op = op, .act_min = -128, .act_max = 127,
		};
		/* drawn in order: an initializer list's order is unspecified */
		d[i].a_zp = rng_range(r, -128, 127);
		d[i].b_zp = rng_range(r, -128, 127);
		d[i].out_zp = rng_range(r, -128, 127);
		if (i == 0)
			d[i].a_zp = -128, d[i].b_zp = 127, d[i].out_zp = -128;
		if (i == 1)
			d[i].a_zp = 127, d[i].b_zp = -128, d[i].out_zp = 127;
		if (i % 3 == 2) {
			d[i].act_min = lo < hi ? lo : hi;
			d[i].act_max = lo < hi ? hi : lo;
		}
		d[i].out_mult = rng_range(r, 1 << 30, INT32_MAX);
		if (op == ENPU_CMD_ELTWISE_ADD) {
			d[i].a_mult = rng_range(r, 1 << 30, INT32_MAX);
			d[i].b_mult = rng_range(r, 1 << 30, INT32_MAX);
			d[i].a_shift = rng_range(r, -3, 0);
			d[i].b_shift = rng_range(r, -3, 0);
			d[i].out_shift = rng_range(r, -21, -18);
		} else {
			d[i].out_shift = rng_range(r, -9, -6);
		}
		*e = d[i];
	}
	EXPECT_EQ(0, RUN(next_core(self)));
	for (int i = 0; i < 6; i++) {
		int8_t *e = exp_alloc(65536);

		for (int j = 0; j < 65536; j++)
			e[j] = ref_eltwise(&d[i], ((int8_t *)a.p)[j], ((int8_t *)b.p)[j]);
		snprintf(what, sizeof(what),
			 "ELTWISE %s zp %d/%d/%d a %d,%d b %d,%d out %d,%d clamp [%d,%d]",
			 op == ENPU_CMD_ELTWISE_ADD ? "add" : "mul", d[i].a_zp, d[i].b_zp,
			 d[i].out_zp, d[i].a_mult, d[i].a_shift, d[i].b_mult, d[i].b_shift,
			 d[i].out_mult, d[i].out_shift, d[i].act_min, d[i].act_max);
		EXPECT_EQ(0, check_bytes(_metadata, what, &out[i], e));
		exp_free(e);
	}
}

TEST_F(ops, eltwise_add_all_pairs)
{
	struct rng r;

	RNG_INIT(&r, 11);
	eltwise_all_pairs(_metadata, self, &r, ENPU_CMD_ELTWISE_ADD);
}

TEST_F(ops, eltwise_mul_all_pairs)
{
	struct rng r;

	RNG_INIT(&r, 12);
	eltwise_all_pairs(_metadata, self, &r, ENPU_CMD_ELTWISE_MUL);
}

TEST_F(ops, eltwise_odd_counts)
{
	static const uint32_t counts[] = { 1, 3, 17, 255, 4097 };
	struct rng r;

	RNG_INIT(&r, 13);
	for (unsigned int i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint32_t n = counts[i];
		struct buf a = DALLOC(n), b = DALLOC(n), o = DALLOC(n);
		struct enpu_cmd_eltwise *e = CS_ADD(ENPU_CMD_OP_ELTWISE_I8, struct enpu_cmd_eltwise);
		struct enpu_cmd_eltwise d = {
			.hdr = e->hdr, .a = a.addr, .b = b.addr, .out = o.addr, .count = n,
			.op = i & 1, .act_min = -128, .act_max = 127,
			.out_shift = i & 1 ? -7 : -20,
		};
		int8_t *x;

		/* drawn in order: an initializer list's order is unspecified */
		d.a_zp = rng_range(&r, -128, 127);
		d.b_zp = rng_range(&r, -128, 127);
		d.out_zp = rng_range(&r, -128, 127);
		d.out_mult = rng_range(&r, 1 << 30, INT32_MAX);

		if (!(i & 1)) {
			d.a_mult = rng_range(&r, 1 << 30, INT32_MAX), d.a_shift = -1;
			d.b_mult = rng_range(&r, 1 << 30, INT32_MAX), d.b_shift = -2;
		}
		*e = d;
		rng_fill(&r, a.p, n);
		rng_fill(&r, b.p, n);
		EXPECT_EQ(0, RUN(next_core(self)));
		x = exp_alloc(n);
		for (uint32_t j = 0; j < n; j++)
			x[j] = ref_eltwise(&d, ((int8_t *)a.p)[j], ((int8_t *)b.p)[j]);
		EXPECT_EQ(0, check_bytes(_metadata, i & 1 ? "ELTWISE mul" : "ELTWISE add", &o, x));
		exp_free(x);
	}
}

/*
 * The extreme-parameter sweeps (ELTWISE and REQUANT) run every combination of
 * multiplier {0, 1, 2^30, 2^31-1, ~sqrt(1/2)}, shift -31..30 and zero points at
 * -128 / 127. Their outputs split in two: elements where mbqm(...) + out_zp fits in
 * int32 (checked by the *_extreme_params tests) and elements where only the 64-bit
 * addition numerics.md prescribes gives the right answer (checked by the
 * *_out_zp_add_overflow tests). Every element is checked by one of the two.
 */
enum sweep_part { SWEEP_NO_WRAP, SWEEP_WRAP };

static const int32_t sweep_mults[5] = { 0, 1, 1 << 30, INT32_MAX, 1518500250 };
static const int32_t sweep_zps[3] = { -128, 127, 0 };

#define ELT_N		512
#define ELT_DESCS	(3 * 62 * 4)	/* 65472 bytes of descriptors */

static void eltwise_sweep(struct __test_metadata *_metadata, ops_t *self, enum sweep_part part)
{
	struct buf a = DALLOC(ELT_N), b = DALLOC(ELT_N), out = DALLOC(ELT_DESCS * ELT_N);
	struct enpu_cmd_eltwise *d = calloc(ELT_DESCS, sizeof(*d));
	size_t bad = 0, checked = 0, wraps = 0, gaps_bad, sum_wraps = 0;
	int8_t *x = exp_alloc(out.size);
	int nd = 0;

	ASSERT_NE(NULL, d);
	for (int i = 0; i < ELT_N; i++) {	/* every a; b two permutations of every value */
		((int8_t *)a.p)[i] = (int8_t)i;
		((int8_t *)b.p)[i] = (int8_t)(i < 256 ? i * 167 + 89 : i * 71 + 3);
	}
	/* variants: 0 ADD, a and b rescaled differently; 1 MUL; 2 ADD with b's parameters
	 * equal to a's, so that saturated sa + sb wraps (the defined int32 wrap)
	 */
	for (int var = 0; var < 3; var++) {
		uint32_t op = var == 1 ? ENPU_CMD_ELTWISE_MUL : ENPU_CMD_ELTWISE_ADD;

		for (int s = -31; s <= 30; s++) {
			for (int mi = 0; mi < 4; mi++, nd++) {
				struct enpu_cmd_eltwise *e = CS_ADD(ENPU_CMD_OP_ELTWISE_I8,
								    struct enpu_cmd_eltwise);
				int k = s + 31 + mi;

				d[nd] = (struct enpu_cmd_eltwise){
					.hdr = e->hdr, .a = a.addr, .b = b.addr,
					.out = out.addr + (uint64_t)nd * ELT_N, .count = ELT_N,
					.op = op, .a_zp = k & 1 ? -128 : 127,
					.b_zp = k & 2 ? 127 : -128, .out_zp = sweep_zps[k % 3],
					.act_min = -128, .act_max = 127,
				};
				if (k % 5 == 4)
					d[nd].act_min = -3, d[nd].act_max = 7;
				if (var == 0) {
					d[nd].a_mult = sweep_mults[mi];
					d[nd].a_shift = s;
					d[nd].b_mult = sweep_mults[(mi + 1 + (k & 1)) % 5];
					d[nd].b_shift = -1 - s;
					d[nd].out_mult = sweep_mults[(mi + 2) % 5];
					d[nd].out_shift = (s + 31) * 7 % 62 - 31;
				} else if (var == 2) {
					d[nd].a_mult = d[nd].b_mult = sweep_mults[(mi + 1) % 5];
					d[nd].a_shift = d[nd].b_shift = s;
					d[nd].b_zp = d[nd].a_zp;
					d[nd].out_mult = sweep_mults[(mi + 3) % 5];
					d[nd].out_shift = (s + 31) * 5 % 62 - 31;
				} else {
					d[nd].out_mult = sweep_mults[(mi + (k & 1)) % 5];
					d[nd].out_shift = s;
				}
				*e = d[nd];
			}
		}
	}
	EXPECT_EQ(0, RUN(next_core(self)));
	for (int i = 0; i < nd; i++) {
		for (int j = 0; j < ELT_N && d[i].op == ENPU_CMD_ELTWISE_ADD; j++) {
			int8_t av = ((int8_t *)a.p)[j], bv = ((int8_t *)b.p)[j];
			int64_t sum = (int64_t)ref_mbqm((av - d[i].a_zp) * (1 << 20), d[i].a_mult,
							d[i].a_shift) +
				      ref_mbqm((bv - d[i].b_zp) * (1 << 20), d[i].b_mult, d[i].b_shift);

			sum_wraps += sum > INT32_MAX || sum < INT32_MIN;
		}
	}
	TH_LOG("%zu ADD elements have an sa + sb that wraps", sum_wraps);
	for (int i = 0; i < nd; i++) {
		for (int j = 0; j < ELT_N; j++) {
			int8_t av = ((int8_t *)a.p)[j], bv = ((int8_t *)b.p)[j];
			int32_t v = ref_mbqm(ref_eltwise_raw(&d[i], av, bv), d[i].out_mult,
					     d[i].out_shift);
			int8_t want = ref_out(v, d[i].out_zp, d[i].act_min, d[i].act_max);
			int8_t got = ((int8_t *)out.p)[i * ELT_N + j];
			bool w = ref_out_wraps32(v, d[i].out_zp);

			x[i * ELT_N + j] = got;	/* check_bytes below: the sentinels only */
			wraps += w;
			if (w != (part == SWEEP_WRAP))
				continue;
			checked++;
			if (got == want)
				continue;
			if (bad < 8)
				TH_LOG("%sELTWISE %s a=%d b=%d zp %d/%d/%d a %d,%d b %d,%d out %d,%d clamp [%d,%d]: mbqm %d, got %d, want %d",
				       part == SWEEP_WRAP ? "DRIVER BUG: " : "",
				       d[i].op ? "mul" : "add", av, bv, d[i].a_zp, d[i].b_zp,
				       d[i].out_zp, d[i].a_mult, d[i].a_shift, d[i].b_mult,
				       d[i].b_shift, d[i].out_mult, d[i].out_shift, d[i].act_min,
				       d[i].act_max, v, got, want);
			bad++;
		}
	}
	TH_LOG("%d descriptors, %zu elements checked, %zu mismatches (%zu elements have mbqm + out_zp outside int32)",
	       nd, checked, bad, wraps);
	gaps_bad = check_bytes(_metadata, "ELTWISE sweep output (sentinels)", &out, x);
	EXPECT_EQ(0, gaps_bad);
	EXPECT_LT(0, checked);
	EXPECT_EQ(0, bad);
	exp_free(x);
	free(d);
}

TEST_F(ops, eltwise_extreme_params)
{
	eltwise_sweep(_metadata, self, SWEEP_NO_WRAP);
}

TEST_F(ops, eltwise_extreme_params_out_zp_add_overflow)
{
	eltwise_sweep(_metadata, self, SWEEP_WRAP);
}

/* ---- REQUANT I8_I8 ---- */

#define RQ_DESCS	(62 * 5)

static void requant_sweep(struct __test_metadata *_metadata, ops_t *self, enum sweep_part part)
{
	struct buf in = DALLOC(256), out = DALLOC(RQ_DESCS * 256);
	struct enpu_cmd_requant *d = calloc(RQ_DESCS, sizeof(*d));
	size_t bad = 0, checked = 0, wraps = 0;
	int8_t *x = exp_alloc(out.size);
	int nd = 0;

	ASSERT_NE(NULL, d);
	for (int i = 0; i < 256; i++)
		((int8_t *)in.p)[i] = (int8_t)i;
	for (int s = -31; s <= 30; s++) {
		for (int mi = 0; mi < 5; mi++, nd++) {
			struct enpu_cmd_requant *r = CS_ADD(ENPU_CMD_OP_REQUANT, struct enpu_cmd_requant);
			int k = s + 31 + mi;

			d[nd] = (struct enpu_cmd_requant){
				.hdr = r->hdr, .in = in.addr, .out = out.addr + (uint64_t)nd * 256,
				.count = 256, .mode = ENPU_CMD_REQUANT_I8_I8,
				.in_zp = sweep_zps[k % 3], .out_zp = sweep_zps[(k / 3) % 3],
				.mult = sweep_mults[mi], .shift = s,
				.act_min = -128, .act_max = 127,
			};
			if (k % 7 == 6)
				d[nd].act_min = -50, d[nd].act_max = 60;
			*r = d[nd];
		}
	}
	EXPECT_EQ(0, RUN(next_core(self)));
	for (int i = 0; i < nd; i++) {
		for (int j = 0; j < 256; j++) {
			int8_t iv = ((int8_t *)in.p)[j];
			int32_t v = ref_mbqm(iv - d[i].in_zp, d[i].mult, d[i].shift);
			int8_t want = ref_out(v, d[i].out_zp, d[i].act_min, d[i].act_max);
			int8_t got = ((int8_t *)out.p)[i * 256 + j];
			bool w = ref_out_wraps32(v, d[i].out_zp);

			x[i * 256 + j] = got;	/* check_bytes below: the sentinels only */
			wraps += w;
			if (w != (part == SWEEP_WRAP))
				continue;
			checked++;
			if (got == want)
				continue;
			if (bad < 8)
				TH_LOG("%sREQUANT I8_I8 in=%d in_zp %d mult %d shift %d out_zp %d clamp [%d,%d]: mbqm %d, got %d, want %d",
				       part == SWEEP_WRAP ? "DRIVER BUG: " : "", iv, d[i].in_zp,
				       d[i].mult, d[i].shift, d[i].out_zp, d[i].act_min,
				       d[i].act_max, v, got, want);
			bad++;
		}
	}
	TH_LOG("%d descriptors, %zu elements checked, %zu mismatches (%zu elements have mbqm + out_zp outside int32)",
	       nd, checked, bad, wraps);
	EXPECT_EQ(0, check_bytes(_metadata, "REQUANT sweep output (sentinels)", &out, x));
	EXPECT_LT(0, checked);
	EXPECT_EQ(0, bad);
	exp_free(x);
	free(d);
}

TEST_F(ops, requant_i8_i8_extreme_params)
{
	requant_sweep(_metadata, self, SWEEP_NO_WRAP);
}

TEST_F(ops, requant_i8_i8_extreme_params_out_zp_add_overflow)
{
	requant_sweep(_metadata, self, SWEEP_WRAP);
}

TEST_F(ops, requant_i8_i8_realistic)
{
	static const uint32_t counts[] = { 1, 3, 17, 255, 256, 256, 256, 256, 8193 };
	struct rng r;

	RNG_INIT(&r, 14);
	for (unsigned int i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint32_t n = counts[i];
		struct buf in = DALLOC(n), o = DALLOC(n);
		struct enpu_cmd_requant *q = CS_ADD(ENPU_CMD_OP_REQUANT, struct enpu_cmd_requant);
		int32_t lo = rng_range(&r, -128, 127), hi = rng_range(&r, -128, 127);
		struct enpu_cmd_requant d = {
			.hdr = q->hdr, .in = in.addr, .out = o.addr, .count = n,
			.mode = ENPU_CMD_REQUANT_I8_I8, .act_min = -128, .act_max = 127,
		};
		int8_t *x;

		/* drawn in order: an initializer list's order is unspecified */
		d.in_zp = rng_range(&r, -128, 127);
		d.out_zp = rng_range(&r, -128, 127);
		d.mult = rng_range(&r, 1 << 30, INT32_MAX);
		d.shift = rng_range(&r, -8, 1);

		if (i % 3 == 1) {
			d.act_min = lo < hi ? lo : hi;
			d.act_max = lo < hi ? hi : lo;
		}
		*q = d;
		if (n == 256)
			for (int j = 0; j < 256; j++)
				((int8_t *)in.p)[j] = (int8_t)j;
		else
			rng_fill(&r, in.p, n);
		EXPECT_EQ(0, RUN(next_core(self)));
		x = exp_alloc(n);
		for (uint32_t j = 0; j < n; j++)
			x[j] = ref_requant_i8(&d, ((int8_t *)in.p)[j]);
		EXPECT_EQ(0, check_bytes(_metadata, "REQUANT I8_I8", &o, x));
		exp_free(x);
	}
}

/* ---- the output stage's zero point: the documented 64-bit addition ---- */

/*
 * numerics.md section 2: out = clamp((int64)v + out_zp, act_min, act_max), "so an
 * extreme multiplier saturates instead of overflowing". Minimal cases for each
 * INT8 op whose mbqm result v is within out_zp of the int32 limits.
 */
TEST_F(ops, out_zp_add_saturates_minimal)
{
	struct buf in = DALLOC(2), o = DALLOC(6), q = DALLOC(16), bi = DALLOC(4), w = DALLOC(1);
	struct enpu_cmd_requant r0, r1;
	struct enpu_cmd_eltwise e2, e3;
	struct enpu_cmd_gemm g4;
	struct enpu_cmd_conv2d c5;
	int8_t *x = exp_alloc(6), *iv = in.p;
	int32_t *qa = q.p, acc45 = INT32_MAX - 1;
	static const char *const names[6] = {
		"REQUANT I8_I8 in 127 in_zp -128 mult 2^31-1 shift 30 out_zp 127",
		"REQUANT I8_I8 in -128 in_zp 127 mult 2^31-1 shift 30 out_zp -128",
		"ELTWISE MUL a=b=127 a_zp=b_zp=-128 out mult 2^31-1 shift 30 out_zp 2",
		"ELTWISE ADD a=b=127 a_zp=b_zp=-128 every mult 2^31-1 shift 30 out_zp -100",
		"GEMM_I8 1x1x1 bias 2^31-2, A-a_zp 0, mult 2^31-1 shift 0 out_zp 5",
		"CONV2D_I8 1x1 bias 2^31-2, in-in_zp 0, mult 2^31-1 shift 0 out_zp 5",
	};
	int32_t v[6];

	iv[0] = 127;
	iv[1] = -128;
	((int8_t *)w.p)[0] = 1;
	qa[0] = INT32_MAX;	/* mult */
	qa[1] = 0;		/* shift */
	*(int32_t *)bi.p = acc45;

	/* 255 << 30 saturates: mbqm = 2^31 - 2; + 127 */
	r0 = (struct enpu_cmd_requant){
		.in = in.addr, .out = o.addr, .count = 1, .mode = ENPU_CMD_REQUANT_I8_I8,
		.in_zp = -128, .out_zp = 127, .mult = INT32_MAX, .shift = 30,
		.act_min = -128, .act_max = 127,
	};
	/* -255 << 30 saturates: mbqm = -2^31 + 1; - 128 */
	r1 = (struct enpu_cmd_requant){
		.in = in.addr + 1, .out = o.addr + 1, .count = 1, .mode = ENPU_CMD_REQUANT_I8_I8,
		.in_zp = 127, .out_zp = -128, .mult = INT32_MAX, .shift = 30,
		.act_min = -128, .act_max = 127,
	};
	/* 255 * 255 << 30 saturates: mbqm = 2^31 - 2; + 2 */
	e2 = (struct enpu_cmd_eltwise){
		.a = in.addr, .b = in.addr, .out = o.addr + 2, .count = 1,
		.op = ENPU_CMD_ELTWISE_MUL, .a_zp = -128, .b_zp = -128, .out_zp = 2,
		.out_mult = INT32_MAX, .out_shift = 30, .act_min = -128, .act_max = 127,
	};
	/* sa = sb = 2^31 - 2; sa + sb wraps (defined) to -4; -4 << 30 saturates: -2^31 + 1 */
	e3 = (struct enpu_cmd_eltwise){
		.a = in.addr, .b = in.addr, .out = o.addr + 3, .count = 1,
		.op = ENPU_CMD_ELTWISE_ADD, .a_zp = -128, .b_zp = -128, .out_zp = -100,
		.a_mult = INT32_MAX, .a_shift = 30, .b_mult = INT32_MAX, .b_shift = 30,
		.out_mult = INT32_MAX, .out_shift = 30, .act_min = -128, .act_max = 127,
	};
	/* acc = 2^31 - 2: mbqm with 2^31 - 1, 0 = 2^31 - 3; + 5 */
	g4 = (struct enpu_cmd_gemm){
		.hdr.flags = ENPU_CMD_F_BIAS, .a = in.addr, .b = w.addr, .bias = bi.addr,
		.c = o.addr + 4, .m = 1, .n = 1, .k = 1, .lda = 1, .ldb = 1, .ldc = 1,
		.a_zp = 127, .q = { .mult = q.addr, .shift = q.addr + 4, .out_zp = 5,
				    .act_min = -128, .act_max = 127 },
	};
	c5 = (struct enpu_cmd_conv2d){
		.hdr.flags = ENPU_CMD_F_BIAS, .in = in.addr, .filter = w.addr, .bias = bi.addr,
		.out = o.addr + 5, .n = 1, .h = 1, .w = 1, .cin = 1, .cout = 1, .kh = 1, .kw = 1,
		.stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1,
		.out_h = 1, .out_w = 1, .in_zp = 127,
		.q = { .mult = q.addr, .shift = q.addr + 4, .out_zp = 5,
		       .act_min = -128, .act_max = 127 },
	};
#define PUT(op, desc) do { \
	__typeof__(desc) *__d = CS_ADD(op, __typeof__(desc)); \
	uint16_t __f = (desc).hdr.flags; \
	(desc).hdr = __d->hdr; \
	(desc).hdr.flags = __f; \
	*__d = (desc); \
} while (0)
	PUT(ENPU_CMD_OP_REQUANT, r0);
	PUT(ENPU_CMD_OP_REQUANT, r1);
	PUT(ENPU_CMD_OP_ELTWISE_I8, e2);
	PUT(ENPU_CMD_OP_ELTWISE_I8, e3);
	PUT(ENPU_CMD_OP_GEMM_I8, g4);
	PUT(ENPU_CMD_OP_CONV2D_I8, c5);
#undef PUT
	EXPECT_EQ(0, RUN(next_core(self)));

	x[0] = ref_requant_i8(&r0, iv[0]);
	v[0] = ref_mbqm(iv[0] - r0.in_zp, r0.mult, r0.shift);
	x[1] = ref_requant_i8(&r1, iv[1]);
	v[1] = ref_mbqm(iv[1] - r1.in_zp, r1.mult, r1.shift);
	x[2] = ref_eltwise(&e2, iv[0], iv[0]);
	v[2] = ref_mbqm(ref_eltwise_raw(&e2, iv[0], iv[0]), e2.out_mult, e2.out_shift);
	x[3] = ref_eltwise(&e3, iv[0], iv[0]);
	v[3] = ref_mbqm(ref_eltwise_raw(&e3, iv[0], iv[0]), e3.out_mult, e3.out_shift);
	ref_gemm_i8(&g4, iv, w.p, bi.p, qa, qa + 1, &x[4]);
	v[4] = ref_mbqm(acc45, INT32_MAX, 0);
	ref_conv_i8(&c5, iv, w.p, bi.p, qa, qa + 1, &x[5]);
	v[5] = v[4];
	EXPECT_EQ(127, x[0]);
	EXPECT_EQ(-128, x[1]);
	EXPECT_EQ(127, x[2]);
	EXPECT_EQ(-128, x[3]);
	EXPECT_EQ(127, x[4]);
	EXPECT_EQ(127, x[5]);
	for (int i = 0; i < 6; i++) {
		int8_t got = ((int8_t *)o.p)[i];
		int32_t zp = i < 2 ? (i ? r1.out_zp : r0.out_zp) : i < 4 ?
			     (i == 2 ? e2.out_zp : e3.out_zp) : 5;

		/* every case is one where a 32-bit mbqm + out_zp would wrap */
		EXPECT_TRUE(ref_out_wraps32(v[i], zp));
		if (got != x[i])
			TH_LOG("DRIVER BUG: %s: mbqm %d + out_zp %d = %lld: got %d, want %d",
			       names[i], v[i], zp, (long long)v[i] + zp, got, x[i]);
		EXPECT_EQ(x[i], got);
	}
	EXPECT_EQ(0, check_bytes(_metadata, "sentinels", &o, x));
	exp_free(x);
}

TEST_HARNESS_MAIN
