/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the enpu_ops_*_test programs, the numerics of every opcode end to
 * end. Each test writes command streams, runs them on the device
 * (DRM_ENPU_CORE_ANY and explicit cores 0 and 1 in turn) and compares the
 * outputs with enpu_ref.h, a reference written from docs/numerics.md: INT8 bit
 * for bit; FP16 bit for bit against an fp32 reference accumulating in the
 * contract's order, and within the documented bound of an fp64 reference. Every
 * output buffer is surrounded by sentinel bytes that must survive, as must the
 * gaps of strided outputs.
 *
 * Random data comes from a xorshift64* generator with a fixed seed (logged; set
 * ENPU_OPS_SEED to change the base seed). Run one test: enpu_ops_*_test NAME_PART.
 *
 * The fixture `ops` (a device, a command BO, an arena BO for tensors) and the
 * helpers below are defined in enpu_ops_common.c, linked into each program;
 * each program sets the fixture up with ops_setup() and ops_teardown().
 */
#ifndef ENPU_OPS_H
#define ENPU_OPS_H

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

int32_t rng_range(struct rng *r, int32_t lo, int32_t hi);
void rng_fill(struct rng *r, void *p, size_t n);
uint16_t rng_f16(struct rng *r, int emin, int emax);

#define RNG_INIT(r, salt) do { \
	const char *__e = getenv("ENPU_OPS_SEED"); \
	uint64_t __b = __e ? strtoull(__e, NULL, 0) : 0x5eedf00dcafe1234ULL; \
	(r)->s = (__b ^ ((uint64_t)(salt) * 0x9e3779b97f4a7c15ULL)) | 1; \
	TH_LOG("xorshift64* seed 0x%016llx (ENPU_OPS_SEED=0x%llx, salt %d)", \
	       (unsigned long long)(r)->s, (unsigned long long)__b, (int)(salt)); \
} while (0)

void gen_quant(struct rng *r, uint32_t n, int32_t *mult, int32_t *shift, uint64_t range);
uint64_t acc_range(uint64_t k, int32_t zp, int32_t bias_abs);

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

void ops_setup(struct __test_metadata *_metadata, ops_t *self);
void ops_teardown(ops_t *self);
uint32_t next_core(ops_t *self);
const char *core_name(uint32_t core);

/** A tensor in the arena: CPU pointer, device address, size; SLACK sentinel bytes around. */
struct buf {
	void *p;
	uint64_t addr;
	size_t size;
};

struct buf arena_alloc(struct __test_metadata *_metadata, ops_t *self, size_t size,
		       size_t align, size_t offset);

#define DALLOC(sz) arena_alloc(_metadata, self, (sz), 0, 0)
#define DALLOC_AT(sz, al, off) arena_alloc(_metadata, self, (sz), (al), (off))

void *exp_alloc(size_t size);
void exp_free(void *p);

/* ---- checks: 0 when the buffer (sentinels included) is as expected ---- */

size_t check_bytes(struct __test_metadata *_metadata, const char *what,
		   const struct buf *b, const void *exp);
void log_spread(struct __test_metadata *_metadata, const char *what, const int8_t *p,
		uint32_t rows, uint32_t cols, uint32_t ld, int32_t lo, int32_t hi);
size_t check_f16(struct __test_metadata *_metadata, const char *what,
		 const struct buf *b, const void *exp);
size_t check_tol(struct __test_metadata *_metadata, const char *what,
		 const uint16_t *got, uint32_t rows, uint32_t cols, uint32_t ld,
		 const uint16_t *ref, const double *tol);

/* ---- building and running a command stream ---- */

void *cs_add(struct __test_metadata *_metadata, ops_t *self, uint16_t op, uint32_t size);

#define CS_ADD(op, type) ((type *)cs_add(_metadata, self, (op), sizeof(type)))

int32_t run_bos(struct __test_metadata *_metadata, ops_t *self,
		const struct drm_enpu_submit_bo *bos, uint32_t n, uint32_t core);
int32_t run_core(struct __test_metadata *_metadata, ops_t *self, uint32_t core);

#define RUN(core) run_core(_metadata, self, (core))

int submit_only(ops_t *self, uint32_t core);
void fill_i32(int32_t *p, uint32_t n, int32_t v);

/* ---- what several programs build: GEMM_I8 cases, convolution geometries ---- */

struct enpu_cmd_gemm gemm_tmpl(uint32_t m, uint32_t n, uint32_t k, uint32_t lda,
			       uint32_t ldb, uint32_t ldc, int32_t a_zp, bool bias);
void gemm_i8_case(struct __test_metadata *_metadata, ops_t *self, struct rng *r,
		  const struct enpu_cmd_gemm *t, const int32_t *mult, const int32_t *shift,
		  const int32_t *bias, int32_t bias_abs, uint32_t core);

struct conv_geo {
	const char *name;
	uint32_t n, h, w, cin, cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};

extern const struct conv_geo conv_geos[];
extern const unsigned int conv_geos_n;

struct enpu_cmd_conv2d conv_tmpl(const struct conv_geo *g);
float *f16_to_floats(const uint16_t *h, size_t n);

#endif /* ENPU_OPS_H */
