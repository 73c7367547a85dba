// SPDX-License-Identifier: GPL-2.0-only
/*
 * The helpers of the enpu_ops_*_test programs (declared in enpu_ops.h): random
 * numbers, the `ops` fixture's device, BOs and arena, sentinel checks, command
 * streams, and the GEMM_I8 cases and convolution geometries that several
 * programs use.
 */
#include "enpu_ops.h"

/* ---- deterministic random numbers ---- */

static uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint32_t rng_u32(struct rng *r)
{
	return (uint32_t)(rng_next(r) >> 32);
}

/* Uniform in [lo, hi]. */
int32_t rng_range(struct rng *r, int32_t lo, int32_t hi)
{
	return (int32_t)(lo + (int64_t)(rng_next(r) % (uint64_t)((int64_t)hi - lo + 1)));
}

void rng_fill(struct rng *r, void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)(rng_next(r) >> 56);
}

/* A random fp16: mostly normal with exponent in [emin, emax], some zeros/subnormals. */
uint16_t rng_f16(struct rng *r, int emin, int emax)
{
	uint32_t x = rng_u32(r);
	uint16_t sign = (uint16_t)((x & 1) << 15), man = (x >> 8) & 0x3ff;
	uint32_t kind = (x >> 1) % 64;
	int e;

	if (kind == 0)
		return sign;
	if (kind == 1)
		return sign | man | 1;
	e = emin + (int)((x >> 20) % (uint32_t)(emax - emin + 1));
	return sign | (uint16_t)((e + 15) << 10) | man;
}

static uint64_t isqrt64(uint64_t v)
{
	uint64_t r = 0, b = 1ULL << 62;

	while (b > v)
		b >>= 2;
	while (b) {
		if (v >= r + b) {
			v -= r + b;
			r = (r >> 1) + b;
		} else {
			r >>= 1;
		}
		b >>= 2;
	}
	return r;
}

/*
 * Realistic per-channel requantization: Q31 multipliers in [2^30, 2^31) and shifts
 * that map accumulators of magnitude about @range to about +-100 (some clamp).
 */
void gen_quant(struct rng *r, uint32_t n, int32_t *mult, int32_t *shift, uint64_t range)
{
	int base = 0;

	if (!range)
		range = 1;
	while (range > 192 && base > -29) {
		range >>= 1;
		base--;
	}
	while (range < 96 && base < 6) {
		range <<= 1;
		base++;
	}
	for (uint32_t i = 0; i < n; i++) {
		mult[i] = rng_range(r, 1 << 30, INT32_MAX);
		shift[i] = base + rng_range(r, -1, 1);
	}
}

/* Typical |accumulator| of K products (a - zp) * w with uniform int8 data. */
uint64_t acc_range(uint64_t k, int32_t zp, int32_t bias_abs)
{
	return 2 * isqrt64(k * 74 * 74 * (74 * 74 + (uint64_t)(zp * zp))) + (uint64_t)bias_abs;
}

/* ---- the fixture: a device, a command BO, and an arena BO for tensors ---- */

void ops_setup(struct __test_metadata *_metadata, ops_t *self)
{
	uint64_t n;

	self->fd = enpu_test_open(_metadata);
	n = enpu_param(self->fd, DRM_ENPU_PARAM_NUM_CORES, 0);
	ASSERT_NE(UINT64_MAX, n);
	ASSERT_LE(1, n);
	self->ncores = (uint32_t)n;
	ASSERT_EQ(0, enpu_bo_new(self->fd, CMD_SIZE, &self->cmd));
	ASSERT_EQ(0, enpu_bo_new(self->fd, ARENA_SIZE, &self->data));
	self->cs.bo = &self->cmd;
}

void ops_teardown(ops_t *self)
{
	enpu_bo_free(self->fd, &self->data);
	enpu_bo_free(self->fd, &self->cmd);
	close(self->fd);
}

/* The cores in turn: any, 0, 1 (where the device has a core 1). */
uint32_t next_core(ops_t *self)
{
	static const uint32_t order[3] = { CORE_ANY, 0, 1 };
	uint32_t c = order[self->rr++ % 3];

	return c == CORE_ANY || c < self->ncores ? c : 0;
}

const char *core_name(uint32_t core)
{
	return core == CORE_ANY ? "any" : core == 0 ? "0" : core == 1 ? "1" : "?";
}

/* Carves @size bytes from the arena, at @offset from an @align boundary (0: 64-aligned). */
struct buf arena_alloc(struct __test_metadata *_metadata, ops_t *self, size_t size,
		       size_t align, size_t offset)
{
	uint64_t start = self->used + SLACK;
	struct buf b;

	if (!align) {
		align = 64;
		offset = 0;
	}
	start = (start + align - 1) / align * align + offset;
	if (start - SLACK < self->used)
		start += align;
	ASSERT_LE(start + size + SLACK, ARENA_SIZE);
	memset((char *)self->data.map + start - SLACK, SENT, size + 2 * SLACK);
	self->used = start + size;
	b.p = (char *)self->data.map + start;
	b.addr = self->data.addr + start;
	b.size = size;
	return b;
}

/* An expected image of a buffer: @size bytes plus SLACK on both sides, all sentinel. */
void *exp_alloc(size_t size)
{
	char *p = malloc(size + 2 * SLACK);

	if (!p)
		abort();
	memset(p, SENT, size + 2 * SLACK);
	return p + SLACK;
}

void exp_free(void *p)
{
	free((char *)p - SLACK);
}

/* Compares @b, slack included, with the expected image @exp; logs the first misses. */
size_t check_bytes(struct __test_metadata *_metadata, const char *what,
		   const struct buf *b, const void *exp)
{
	const uint8_t *g = (const uint8_t *)b->p - SLACK, *e = (const uint8_t *)exp - SLACK;
	size_t n = b->size + 2 * SLACK, bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (g[i] == e[i])
			continue;
		if (bad < 8)
			TH_LOG("%s: byte %lld%s: got %d, want %d", what, (long long)i - SLACK,
			       i < SLACK || i >= SLACK + b->size ? " (outside the tensor)" : "",
			       (int8_t)g[i], (int8_t)e[i]);
		bad++;
	}
	if (bad)
		TH_LOG("%s: %zu of %zu bytes differ", what, bad, b->size);
	return bad;
}

/* Logs how varied an int8 result is ([rows][cols], @ld apart): distinct values, clamped. */
void log_spread(struct __test_metadata *_metadata, const char *what, const int8_t *p,
		uint32_t rows, uint32_t cols, uint32_t ld, int32_t lo, int32_t hi)
{
	uint8_t seen[256] = { 0 };
	uint64_t clamped = 0, n = (uint64_t)rows * cols;
	int distinct = 0;

	for (uint32_t i = 0; i < rows; i++)
		for (uint32_t j = 0; j < cols; j++) {
			int8_t v = p[(uint64_t)i * ld + j];

			distinct += !seen[(uint8_t)v];
			seen[(uint8_t)v] = 1;
			clamped += v == lo || v == hi;
		}
	TH_LOG("%s: %d distinct values, %llu of %llu at the clamp bounds", what, distinct,
	       (unsigned long long)clamped, (unsigned long long)n);
}

/* As check_bytes for fp16 tensors: a NaN matches any NaN. */
size_t check_f16(struct __test_metadata *_metadata, const char *what,
		 const struct buf *b, const void *exp)
{
	const uint8_t *g8 = (const uint8_t *)b->p, *e8 = (const uint8_t *)exp;
	const uint16_t *g = b->p, *e = exp;
	size_t bad = 0;

	for (size_t i = 0; i < SLACK; i++)
		bad += (g8[-1 - (ssize_t)i] != e8[-1 - (ssize_t)i]) +
		       (g8[b->size + i] != e8[b->size + i]);
	if (bad)
		TH_LOG("%s: %zu sentinel bytes around the tensor were written", what, bad);
	for (size_t i = 0; i < b->size / 2; i++) {
		if (g[i] == e[i] || (ref_h_isnan(g[i]) && ref_h_isnan(e[i])))
			continue;
		if (bad < 8)
			TH_LOG("%s: element %zu: got 0x%04x (%g), want 0x%04x (%g)", what, i, g[i],
			       (double)ref_h2f(g[i]), e[i], (double)ref_h2f(e[i]));
		bad++;
	}
	if (bad)
		TH_LOG("%s: %zu of %zu elements differ", what, bad, b->size / 2);
	return bad;
}

/*
 * Checks fp16 results @got ([rows][cols], rows @ld apart) against the fp64
 * reference @ref (dense) within @tol; logs the worst error relative to the bound.
 */
size_t check_tol(struct __test_metadata *_metadata, const char *what,
		 const uint16_t *got, uint32_t rows, uint32_t cols, uint32_t ld,
		 const uint16_t *ref, const double *tol)
{
	double worst = 0;
	size_t bad = 0;

	for (uint32_t i = 0; i < rows; i++) {
		for (uint32_t j = 0; j < cols; j++) {
			uint16_t y = got[(uint64_t)i * ld + j], yr = ref[(uint64_t)i * cols + j];
			double t = tol[(uint64_t)i * cols + j], err;

			if (!ref_h_isfinite(yr)) {
				if (y == yr || (ref_h_isnan(y) && ref_h_isnan(yr)))
					continue;
				err = __builtin_inf();
			} else {
				err = ref_fabs((double)ref_h2f(y) - (double)ref_h2f(yr));
			}
			if (err / t > worst)
				worst = err / t;
			if (err <= t)
				continue;
			if (bad < 8)
				TH_LOG("%s: [%u][%u]: got %g, fp64 reference %g, |err| %g > bound %g",
				       what, i, j, (double)ref_h2f(y), (double)ref_h2f(yr), err, t);
			bad++;
		}
	}
	TH_LOG("%s: fp64 reference: worst |err| / bound = %.3f over %u outputs", what, worst,
	       rows * cols);
	return bad;
}

/* Appends a descriptor, asserting that the stream still fits. */
void *cs_add(struct __test_metadata *_metadata, ops_t *self, uint16_t op, uint32_t size)
{
	ASSERT_LE(self->cs.used + size, CMD_SIZE);
	return enpu_cs_add(&self->cs, op, size);
}

/* Submits the stream (then resets it) with @bos on @core, waits; the job's status. */
int32_t run_bos(struct __test_metadata *_metadata, ops_t *self,
		const struct drm_enpu_submit_bo *bos, uint32_t n, uint32_t core)
{
	int32_t status = INT32_MIN;
	int64_t id;

	ASSERT_LT(0, self->cs.used);
	id = enpu_submit_cs(self->fd, &self->cs, bos, n, core);
	self->cs.used = 0;
	if (id < 0)
		TH_LOG("submit on core %s failed: %s", core_name(core), strerror((int)-id));
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, WAIT_MS, &status));
	return status;
}

int32_t run_core(struct __test_metadata *_metadata, ops_t *self, uint32_t core)
{
	struct drm_enpu_submit_bo bo = { .handle = self->data.handle, .flags = RW };

	return run_bos(_metadata, self, &bo, 1, core);
}

/* Submits the stream (then resets it); 0 or -errno of the SUBMIT ioctl itself. */
int submit_only(ops_t *self, uint32_t core)
{
	struct drm_enpu_submit_bo bo = { .handle = self->data.handle, .flags = RW };
	int64_t id = enpu_submit_cs(self->fd, &self->cs, &bo, 1, core);

	self->cs.used = 0;
	return id < 0 ? (int)id : 0;
}

void fill_i32(int32_t *p, uint32_t n, int32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = v;
}

/* ---- GEMM_I8 ---- */

struct enpu_cmd_gemm gemm_tmpl(uint32_t m, uint32_t n, uint32_t k, uint32_t lda,
			       uint32_t ldb, uint32_t ldc, int32_t a_zp, bool bias)
{
	struct enpu_cmd_gemm t = {
		.hdr.flags = bias ? ENPU_CMD_F_BIAS : 0,
		.m = m, .n = n, .k = k, .lda = lda, .ldb = ldb, .ldc = ldc, .a_zp = a_zp,
		.q = { .act_min = -128, .act_max = 127 },
	};

	return t;
}

/*
 * Runs one GEMM_I8 described by @t (dims, strides, a_zp, flags, q's zp/clamp) on
 * random data; @mult/@shift/@bias override the random per-channel arrays.
 */
void gemm_i8_case(struct __test_metadata *_metadata, ops_t *self, struct rng *r,
		  const struct enpu_cmd_gemm *t, const int32_t *mult, const int32_t *shift,
		  const int32_t *bias, int32_t bias_abs, uint32_t core)
{
	struct buf a = DALLOC(ref_extent(t->m, t->k, t->lda));
	struct buf b = DALLOC(ref_extent(t->n, t->k, t->ldb));
	struct buf c = DALLOC(ref_extent(t->m, t->n, t->ldc));
	struct buf bi = DALLOC(4ULL * t->n), mu = DALLOC(4ULL * t->n), sh = DALLOC(4ULL * t->n);
	bool has_bias = t->hdr.flags & ENPU_CMD_F_BIAS;
	struct enpu_cmd_gemm *g, d;
	char what[128];
	void *e;

	rng_fill(r, a.p, a.size);
	rng_fill(r, b.p, b.size);
	for (uint32_t j = 0; j < t->n && has_bias; j++)
		((int32_t *)bi.p)[j] = bias ? bias[j] : rng_range(r, -bias_abs, bias_abs);
	if (mult) {
		memcpy(mu.p, mult, 4ULL * t->n);
		memcpy(sh.p, shift, 4ULL * t->n);
	} else {
		gen_quant(r, t->n, mu.p, sh.p, acc_range(t->k, t->a_zp, bias_abs));
	}
	g = CS_ADD(ENPU_CMD_OP_GEMM_I8, struct enpu_cmd_gemm);
	d = *t;
	d.hdr = g->hdr;
	d.hdr.flags = t->hdr.flags;
	d.a = a.addr;
	d.b = b.addr;
	d.c = c.addr;
	d.bias = has_bias ? bi.addr : 0;
	d.q.mult = mu.addr;
	d.q.shift = sh.addr;
	*g = d;
	snprintf(what, sizeof(what), "GEMM_I8 %ux%ux%u ld %u/%u/%u a_zp %d%s core %s", d.m, d.n,
		 d.k, d.lda, d.ldb, d.ldc, d.a_zp, has_bias ? " bias" : "", core_name(core));
	EXPECT_EQ(0, RUN(core));
	e = exp_alloc(c.size);
	ref_gemm_i8(&d, a.p, b.p, has_bias ? bi.p : NULL, mu.p, sh.p, e);
	log_spread(_metadata, what, e, d.m, d.n, d.ldc, d.q.act_min, d.q.act_max);
	EXPECT_EQ(0, check_bytes(_metadata, what, &c, e));
	exp_free(e);
}

/* ---- convolution geometries (CONV2D_I8, CONV2D_F16) ---- */

const struct conv_geo conv_geos[] = {
	{ "1x1",		2, 3, 5, 17, 3,   1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1 },
	{ "1x1_cin255",		1, 2, 3, 255, 5,  1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1 },
	{ "3x3_s2_asym_pad",	1, 7, 6, 3, 5,    3, 3, 2, 2, 1, 1, 1, 0, 2, 1, 1 },
	{ "dilation2",		1, 9, 8, 4, 3,    3, 2, 1, 1, 2, 3, 2, 1, 0, 3, 1 },
	{ "dil2_stride2",	2, 11, 10, 3, 4,  3, 3, 2, 2, 2, 2, 1, 2, 2, 1, 1 },
	{ "depthwise_dm2",	1, 6, 7, 4, 8,    3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4 },
	{ "depthwise_dm1_s2",	1, 9, 9, 17, 17,  3, 3, 2, 2, 1, 1, 0, 1, 1, 0, 17 },
	{ "grouped2",		1, 5, 6, 6, 4,    3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 2 },
	{ "grouped3_dil",	1, 8, 7, 9, 6,    2, 3, 2, 1, 2, 1, 0, 0, 1, 1, 3 },
	{ "all_padding_windows", 1, 2, 2, 3, 2,   3, 3, 1, 1, 1, 1, 4, 3, 4, 3, 1 },
	{ "kernel_is_input",	2, 4, 5, 3, 6,    4, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1 },
	{ "stride_gt_kernel",	1, 10, 10, 2, 3,  1, 1, 3, 4, 1, 1, 0, 0, 0, 0, 1 },
	{ "w255_kw17",		1, 1, 255, 1, 2,  1, 17, 1, 1, 1, 1, 0, 8, 0, 8, 1 },
	{ "batch3_grouped",	3, 5, 5, 8, 8,    3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2 },
};

const unsigned int conv_geos_n = sizeof(conv_geos) / sizeof(conv_geos[0]);

struct enpu_cmd_conv2d conv_tmpl(const struct conv_geo *g)
{
	struct enpu_cmd_conv2d c = {
		.n = g->n, .h = g->h, .w = g->w, .cin = g->cin, .cout = g->cout,
		.kh = g->kh, .kw = g->kw, .stride_h = g->sh, .stride_w = g->sw,
		.dil_h = g->dh, .dil_w = g->dw, .pad_top = g->pt, .pad_left = g->pl,
		.pad_bottom = g->pb, .pad_right = g->pr, .groups = g->groups,
		.out_h = ref_out_dim(g->h, g->pt, g->pb, g->kh, g->dh, g->sh),
		.out_w = ref_out_dim(g->w, g->pl, g->pr, g->kw, g->dw, g->sw),
		.q = { .act_min = -128, .act_max = 127 },
	};

	return c;
}

/* ---- FP16 ---- */

float *f16_to_floats(const uint16_t *h, size_t n)
{
	float *f = malloc(n * sizeof(*f) + 1);

	if (!f)
		abort();
	for (size_t i = 0; i < n; i++)
		f[i] = ref_h2f(h[i]);
	return f;
}
