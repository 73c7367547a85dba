// SPDX-License-Identifier: GPL-2.0-only
/*
 * The numerics of every opcode, end to end. Each test writes command streams,
 * runs them on the device (DRM_ENPU_CORE_ANY and explicit cores 0 and 1 in
 * turn) and compares the outputs with enpu_ref.h, a reference written from
 * docs/numerics.md: INT8 bit for bit; FP16 bit for bit against an fp32
 * reference accumulating in the contract's order, and within the documented
 * bound of an fp64 reference. Every output buffer is surrounded by sentinel
 * bytes that must survive, as must the gaps of strided outputs.
 *
 * Random data comes from a xorshift64* generator with a fixed seed (logged; set
 * ENPU_OPS_SEED to change the base seed). Run one test: enpu_ops_test NAME_PART.
 *
 * Known failures (a driver bug, not the test): out_zp_add_saturates_minimal,
 * eltwise_extreme_params_out_zp_add_overflow and
 * requant_i8_i8_extreme_params_out_zp_add_overflow. The sim's enpu_requant_out()
 * (driver/enpu_quant.h) adds out_zp to the mbqm result in 32 bits, so where that
 * sum leaves int32 it wraps and clamps to the wrong end; numerics.md section 2
 * requires the addition in 64 bits (saturate). E.g. REQUANT I8_I8 in 127, in_zp
 * -128, mult 2^31-1, shift 30, out_zp 127: mbqm 2147483646, want 127, got -128.
 */
#include <stddef.h>

#include "enpu_test.h"
#include "enpu_ref.h"

#define CMD_SIZE	65536
#define ARENA_SIZE	(8u << 20)
#define SLACK		64
#define SENT		0xa5
#define WAIT_MS		20000
#define CORE_ANY	DRM_ENPU_CORE_ANY
#define RW		(DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE)

/* ---- deterministic random numbers ---- */

struct rng {
	uint64_t s;
};

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
static int32_t rng_range(struct rng *r, int32_t lo, int32_t hi)
{
	return (int32_t)(lo + (int64_t)(rng_next(r) % (uint64_t)((int64_t)hi - lo + 1)));
}

static void rng_fill(struct rng *r, void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)(rng_next(r) >> 56);
}

/* A random fp16: mostly normal with exponent in [emin, emax], some zeros/subnormals. */
static uint16_t rng_f16(struct rng *r, int emin, int emax)
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

#define RNG_INIT(r, salt) do { \
	const char *__e = getenv("ENPU_OPS_SEED"); \
	uint64_t __b = __e ? strtoull(__e, NULL, 0) : 0x5eedf00dcafe1234ULL; \
	(r)->s = (__b ^ ((uint64_t)(salt) * 0x9e3779b97f4a7c15ULL)) | 1; \
	TH_LOG("xorshift64* seed 0x%016llx (ENPU_OPS_SEED=0x%llx, salt %d)", \
	       (unsigned long long)(r)->s, (unsigned long long)__b, (int)(salt)); \
} while (0)

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
static void gen_quant(struct rng *r, uint32_t n, int32_t *mult, int32_t *shift, uint64_t range)
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
static uint64_t acc_range(uint64_t k, int32_t zp, int32_t bias_abs)
{
	return 2 * isqrt64(k * 74 * 74 * (74 * 74 + (uint64_t)(zp * zp))) + (uint64_t)bias_abs;
}

/* ---- the fixture: a device, a command BO, and an arena BO for tensors ---- */

FIXTURE(ops) {
	int fd;
	uint32_t ncores;
	struct enpu_bo cmd;
	struct enpu_bo data;
	uint64_t used;
	struct enpu_cs cs;
	unsigned int rr;
};

typedef FIXTURE_DATA(ops) ops_t;

FIXTURE_SETUP(ops)
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

FIXTURE_TEARDOWN(ops)
{
	enpu_bo_free(self->fd, &self->data);
	enpu_bo_free(self->fd, &self->cmd);
	close(self->fd);
}

/* The cores in turn: any, 0, 1 (where the device has a core 1). */
static uint32_t next_core(ops_t *self)
{
	static const uint32_t order[3] = { CORE_ANY, 0, 1 };
	uint32_t c = order[self->rr++ % 3];

	return c == CORE_ANY || c < self->ncores ? c : 0;
}

static const char *core_name(uint32_t core)
{
	return core == CORE_ANY ? "any" : core == 0 ? "0" : core == 1 ? "1" : "?";
}

/** A tensor in the arena: CPU pointer, device address, size; SLACK sentinel bytes around. */
struct buf {
	void *p;
	uint64_t addr;
	size_t size;
};

/* Carves @size bytes from the arena, at @offset from an @align boundary (0: 64-aligned). */
static struct buf arena_alloc(struct __test_metadata *_metadata, ops_t *self, size_t size,
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

#define DALLOC(sz) arena_alloc(_metadata, self, (sz), 0, 0)
#define DALLOC_AT(sz, al, off) arena_alloc(_metadata, self, (sz), (al), (off))

/* An expected image of a buffer: @size bytes plus SLACK on both sides, all sentinel. */
static void *exp_alloc(size_t size)
{
	char *p = malloc(size + 2 * SLACK);

	if (!p)
		abort();
	memset(p, SENT, size + 2 * SLACK);
	return p + SLACK;
}

static void exp_free(void *p)
{
	free((char *)p - SLACK);
}

/* Compares @b, slack included, with the expected image @exp; logs the first misses. */
static size_t check_bytes(struct __test_metadata *_metadata, const char *what,
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
static void log_spread(struct __test_metadata *_metadata, const char *what, const int8_t *p,
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
static size_t check_f16(struct __test_metadata *_metadata, const char *what,
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
static size_t check_tol(struct __test_metadata *_metadata, const char *what,
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
static void *cs_add(struct __test_metadata *_metadata, ops_t *self, uint16_t op, uint32_t size)
{
	ASSERT_LE(self->cs.used + size, CMD_SIZE);
	return enpu_cs_add(&self->cs, op, size);
}

#define CS_ADD(op, type) ((type *)cs_add(_metadata, self, (op), sizeof(type)))

/* Submits the stream (then resets it) with @bos on @core, waits; the job's status. */
static int32_t run_bos(struct __test_metadata *_metadata, ops_t *self,
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

static int32_t run_core(struct __test_metadata *_metadata, ops_t *self, uint32_t core)
{
	struct drm_enpu_submit_bo bo = { .handle = self->data.handle, .flags = RW };

	return run_bos(_metadata, self, &bo, 1, core);
}

#define RUN(core) run_core(_metadata, self, (core))

/* Submits the stream (then resets it); 0 or -errno of the SUBMIT ioctl itself. */
static int submit_only(ops_t *self, uint32_t core)
{
	struct drm_enpu_submit_bo bo = { .handle = self->data.handle, .flags = RW };
	int64_t id = enpu_submit_cs(self->fd, &self->cs, &bo, 1, core);

	self->cs.used = 0;
	return id < 0 ? (int)id : 0;
}

static void fill_i32(int32_t *p, uint32_t n, int32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = v;
}

/* ---- the reference itself (no device) ---- */

TEST(reference_known_answers)
{
	struct enpu_cmd_requant r = { .mode = ENPU_CMD_REQUANT_F16_I8, .act_min = -128,
				      .act_max = 127, .scale_bits = 0x3f800000 };

	/* numerics.md section 1's worked examples */
	EXPECT_EQ(-1, ref_srdhm(-3, 1 << 30));
	EXPECT_EQ(3, ref_mbqm(9, 1 << 30, -1));
	EXPECT_EQ(INT32_MAX, ref_srdhm(INT32_MIN, INT32_MIN));
	EXPECT_EQ(-3, ref_rdbpot(-5, 1));
	EXPECT_EQ(3, ref_rdbpot(5, 1));
	EXPECT_EQ(0, ref_rdbpot(-1, 31));
	EXPECT_EQ(-1, ref_rdbpot(INT32_MIN, 31));
	EXPECT_EQ(-1, ref_rdbpot(-(1 << 30), 31));		/* -0.5: away from zero */
	EXPECT_EQ(1, ref_rdbpot(1 << 30, 31));			/* 0.5 */
	EXPECT_EQ(0, ref_rdbpot((1 << 30) - 1, 31));
	EXPECT_EQ(INT32_MAX - 1, ref_mbqm(255, INT32_MAX, 30));	/* saturating left shift */
	EXPECT_EQ(127, ref_out(INT32_MAX - 1, 127, -128, 127));
	EXPECT_EQ(-128, ref_out(INT32_MIN + 1, -128, -128, 127));
	/* fp16 conversions: ties to even, overflow, subnormals, one rounding from fp64 */
	EXPECT_EQ(0x7c00, ref_f2h(65520.0f));
	EXPECT_EQ(0x7bff, ref_f2h(65519.0f));
	EXPECT_EQ(0x3c00, ref_f2h(1.0f + 0x1p-11f));
	EXPECT_EQ(0x3c02, ref_f2h(1.0f + 0x3p-11f));
	EXPECT_EQ(0x0000, ref_f2h(0x1p-25f));
	EXPECT_EQ(0x0001, ref_f2h(0x1.8p-25f));
	EXPECT_EQ(0x0002, ref_f2h(0x3p-25f));
	EXPECT_EQ(0x3c01, ref_d2h(1.0 + 0x1p-11 + 0x1p-40));
	EXPECT_TRUE(ref_h2f(0x0001) == 0x1p-24f);
	EXPECT_TRUE(ref_h_isnan(ref_f2h(ref_bits2f(0x7fc00000))));
	/* roundf semantics: half away from zero, NaN -> 0, inf saturates */
	EXPECT_EQ(3, ref_requant_f16_i8(&r, 0x4100));		/* 2.5 */
	EXPECT_EQ(-3, ref_requant_f16_i8(&r, 0xc100));		/* -2.5 */
	EXPECT_EQ(1, ref_requant_f16_i8(&r, 0x3800));		/* 0.5 */
	EXPECT_EQ(0, ref_requant_f16_i8(&r, 0x37ff));		/* 0.49976 */
	EXPECT_EQ(0, ref_requant_f16_i8(&r, 0x7e00));		/* NaN */
	EXPECT_EQ(127, ref_requant_f16_i8(&r, 0x7c00));
	EXPECT_EQ(-128, ref_requant_f16_i8(&r, 0xfc00));
	EXPECT_EQ(2, ref_roundf_away(1.5f));
	EXPECT_EQ(0, ref_roundf_away(0.49999997f));
	EXPECT_EQ(-1, ref_roundf_away(-0.5f));
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

/* ---- GEMM_I8 ---- */

/*
 * Runs one GEMM_I8 described by @t (dims, strides, a_zp, flags, q's zp/clamp) on
 * random data; @mult/@shift/@bias override the random per-channel arrays.
 */
static void gemm_i8_case(struct __test_metadata *_metadata, ops_t *self, struct rng *r,
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

static struct enpu_cmd_gemm gemm_tmpl(uint32_t m, uint32_t n, uint32_t k, uint32_t lda,
				      uint32_t ldb, uint32_t ldc, int32_t a_zp, bool bias)
{
	struct enpu_cmd_gemm t = {
		.hdr.flags = bias ? ENPU_CMD_F_BIAS : 0,
		.m = m, .n = n, .k = k, .lda = lda, .ldb = ldb, .ldc = ldc, .a_zp = a_zp,
		.q = { .act_min = -128, .act_max = 127 },
	};

	return t;
}

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
		struct enpu_cmd_gemm t = gemm_tmpl(m, n, k, k + rng_range(&r, 0, 9),
						   k + rng_range(&r, 0, 9), n + rng_range(&r, 0, 9),
						   rng_range(&r, -128, 127), rng_range(&r, 0, 1));
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

struct conv_geo {
	const char *name;
	uint32_t n, h, w, cin, cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};

static const struct conv_geo conv_geos[] = {
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

static struct enpu_cmd_conv2d conv_tmpl(const struct conv_geo *g)
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
	for (unsigned int i = 0; i < sizeof(conv_geos) / sizeof(conv_geos[0]); i++) {
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
			.count = 65536, .op = op,
			.a_zp = rng_range(r, -128, 127), .b_zp = rng_range(r, -128, 127),
			.out_zp = rng_range(r, -128, 127), .act_min = -128, .act_max = 127,
		};
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
			.op = i & 1, .a_zp = rng_range(&r, -128, 127), .b_zp = rng_range(&r, -128, 127),
			.out_zp = rng_range(&r, -128, 127), .act_min = -128, .act_max = 127,
			.out_mult = rng_range(&r, 1 << 30, INT32_MAX),
			.out_shift = i & 1 ? -7 : -20,
		};
		int8_t *x;

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

/* ---- REQUANT ---- */

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
			.mode = ENPU_CMD_REQUANT_I8_I8, .in_zp = rng_range(&r, -128, 127),
			.out_zp = rng_range(&r, -128, 127), .mult = rng_range(&r, 1 << 30, INT32_MAX),
			.shift = rng_range(&r, -8, 1), .act_min = -128, .act_max = 127,
		};
		int8_t *x;

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

static float *f16_to_floats(const uint16_t *h, size_t n)
{
	float *f = malloc(n * sizeof(*f) + 1);

	if (!f)
		abort();
	for (size_t i = 0; i < n; i++)
		f[i] = ref_h2f(h[i]);
	return f;
}

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
		struct enpu_cmd_gemm t = {
			.hdr.flags = rng_range(&r, 0, 1) ? ENPU_CMD_F_BIAS : 0,
			.m = m, .n = n, .k = k, .lda = k + rng_range(&r, 0, 5),
			.ldb = k + rng_range(&r, 0, 5), .ldc = n + rng_range(&r, 0, 5),
		};

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
	for (unsigned int i = 0; i < sizeof(conv_geos) / sizeof(conv_geos[0]); i++) {
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
