/* SPDX-License-Identifier: MIT */
/* The vector requantizations vs q_mbqm, lane by lane: the AVX2 kernels'
 * 8 lanes (libhal/src/cpu/requant_avx2.h), the AVX-512 kernels' 16
 * (requant_avx512.h; rq16 and rq16_hi.h's form for bounded sums) and the
 * NEON kernels' 4 (requant_neon.h). Random and extreme inputs (INT32_MIN/MAX, ties, small
 * values), multipliers (0, 2^30, INT32_MAX, random) and every shift in
 * [-31, 30], left shifts that saturate next to right shifts in one vector.
 * Each also as under a ReLU-family clamp (rq8's and rqn's relu, RQ16_RELU;
 * shifts <= 0), where only max(y, 0) must agree. Each is
 * skipped on hosts (or builds) without its ISA. */
#include "../../libhal/src/quant_inline.h"
#include "tests.h"

#if defined(__x86_64__) || defined(__aarch64__)
static int32_t pick_x(tctx *t)
{
	switch (t_rand(t) % 6) {
	case 0: return INT32_MAX;
	case 1: return INT32_MIN;
	case 2: return (int32_t)t_rand(t);
	case 3: return (int32_t)(t_rand(t) % 2001) - 1000;
	case 4: return (int32_t)((t_rand(t) % 64) << 24) - (1 << 29); /* ties below 2^30 */
	default: {
		int32_t x = (int32_t)t_rand(t); /* drawn before the shift: in order */
		return x >> (t_rand(t) % 31);
	}
	}
}

static int32_t pick_mult(tctx *t)
{
	switch (t_rand(t) % 5) {
	case 0: return INT32_MAX;
	case 1: return 1 << 30;
	case 2: return 0;
	case 3: return (int32_t)(t_rand(t) % 65536);
	default: return (int32_t)(t_rand(t) % 2147483648u);
	}
}

/* n lanes of inputs, multipliers and shifts (each lane's drawn on its own;
 * relu: shifts <= 0) */
static void pick_lanes(tctx *t, int n, bool relu, int32_t *x, int32_t *mult, int32_t *shift)
{
	for (int l = 0; l < n; l++) {
		x[l] = pick_x(t);
		mult[l] = pick_mult(t);
		shift[l] = relu ? -(int32_t)(t_rand(t) % 32) : (int32_t)(t_rand(t) % 62) - 31;
	}
}

static int32_t relu0(int32_t v)
{
	return v > 0 ? v : 0;
}

/* y[l] == q_mbqm(x[l], mult[l], shift[l]) for n lanes of the kernel what
 * (relu: both through relu0) */
static bool lanes_equal(tctx *t, int n, bool relu, const int32_t *x, const int32_t *mult,
			const int32_t *shift, const int32_t *y, const char *what)
{
	for (int l = 0; l < n; l++) {
		int32_t want = q_mbqm(x[l], mult[l], shift[l]);
		bool same = relu ? relu0(y[l]) == relu0(want) : y[l] == want;
		CHECK(t, same, "lane %d: mbqm(%d, %d, %d) = %d, %s gave %d", l, x[l], mult[l],
		      shift[l], want, what, y[l]);
	}
	return true;
out:
	return false;
}

/* iters draws of n lanes, each through apply (y = its result); stops at
 * the first difference */
typedef void (*apply_fn)(const int32_t *x, const int32_t *mult, const int32_t *shift,
			 int32_t *y);
static void lanes_run(tctx *t, int n, bool relu, int iters, apply_fn apply, const char *what)
{
	for (int it = 0; it < iters; it++) {
		int32_t x[16], mult[16], shift[16], y[16];
		pick_lanes(t, n, relu, x, mult, shift);
		apply(x, mult, shift, y);
		if (!lanes_equal(t, n, relu, x, mult, shift, y, what))
			return;
	}
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif
#include "../../libhal/src/cpu/requant_avx2.h"

static inline void rq8_lanes(const int32_t *x, const int32_t *mult, const int32_t *shift,
			     int32_t *y, bool relu)
{
	cpu_rq8_t r;
	cpu_rq8_prepare(&r, mult, shift, 8);
	__m256i v = _mm256_loadu_si256((const __m256i *)x);
	_mm256_storeu_si256((__m256i *)y, rq8_apply(v, &r, r.any_left, relu));
}

__attribute__((noinline)) static void apply_avx2(const int32_t *x, const int32_t *mult,
						  const int32_t *shift, int32_t *y)
{
	rq8_lanes(x, mult, shift, y, false);
}

__attribute__((noinline)) static void apply_avx2_relu(const int32_t *x, const int32_t *mult,
						       const int32_t *shift, int32_t *y)
{
	rq8_lanes(x, mult, shift, y, true);
}

__attribute__((noinline)) static void lanes_avx2(tctx *t)
{
	lanes_run(t, 8, false, 200000, apply_avx2, "rq8");
	lanes_run(t, 8, true, 200000, apply_avx2_relu, "rq8 (relu)");
}
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

/* The entry points stay outside the target regions: a function built for
 * AVX-512 may use it before its first line (clang's ASan prologue stored
 * zmm registers), so the host check must come first, in plain code. */
void test_requant_lanes_avx2(tctx *t)
{
	if (!__builtin_cpu_supports("avx2")) {
		t_skip(t, "the host has no AVX2");
		return;
	}
	lanes_avx2(t);
}

#if defined(__clang__)
#pragma clang attribute push(                                                         \
	__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq"))), \
	apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")
#endif
#include "../../libhal/src/cpu/requant_avx512.h"

/* relu: RQ16_RELU (the lanes drawn for it have no left shift) */
static inline void rq16_lanes(const int32_t *x, const int32_t *mult, const int32_t *shift,
			      int32_t *y, bool relu)
{
	cpu_rq16_t r;
	cpu_rq16_prepare(&r, mult, shift, 16);
	rq16_mode_t mode = relu ? RQ16_RELU : r.any_left ? RQ16_LEFT : RQ16_RIGHT;
	_mm512_storeu_si512(y, rq16_apply(_mm512_loadu_si512(x), &r, mode));
}

__attribute__((noinline)) static void apply_avx512(const int32_t *x, const int32_t *mult,
						    const int32_t *shift, int32_t *y)
{
	rq16_lanes(x, mult, shift, y, false);
}

__attribute__((noinline)) static void apply_avx512_relu(const int32_t *x, const int32_t *mult,
							 const int32_t *shift, int32_t *y)
{
	rq16_lanes(x, mult, shift, y, true);
}

/* rq16_hi.h's form vs q_mbqm + zp: |x| < 2^30 (extremes, ties, small
 * values), shifts -1..-31, bounds the lanes qualify under (xmax drawn from
 * |x| up); relu: both through max(., zp). Draws whose 16 lanes do not all
 * qualify are skipped (at most 80% of them may be). */
static bool hi_lanes(tctx *t, bool relu)
{
	int qualified = 0;
	for (int it = 0; it < 100000; it++) {
		int32_t x[16], mult[16], shift[16], y[16];
		int64_t xmax[16];
		int32_t zp = (int32_t)(t_rand(t) % 256) - 128;
		for (int l = 0; l < 16; l++) {
			int32_t v = pick_x(t) / 2; /* |v| <= 2^30 */
			x[l] = t_rand(t) % 4 && v != -(1 << 30) ? v : v >= 0 ? (1 << 30) - 1 : -(1 << 30) + 1;
			mult[l] = pick_mult(t);
			uint32_t se = t_rand(t) % 8 ? 22 : 31; /* where c 2^e stays small */
			shift[l] = -1 - (int32_t)(t_rand(t) % se);
			int64_t ax = x[l] < 0 ? -(int64_t)x[l] : x[l];
			xmax[l] = ax + (int64_t)(t_rand(t) % ((1u << 30) - (uint32_t)ax));
		}
		cpu_rq16_hi_t r;
		if (!cpu_rq16_hi_prepare(&r, mult, shift, 16, zp, xmax))
			continue;
		qualified++;
		rq16_hi_regs_t k = rq16_hi_load(&r);
		_mm512_storeu_si512(y, rq16_hi_regs(_mm512_loadu_si512(x), &k, relu));
		for (int l = 0; l < 16; l++) {
			int32_t want = q_mbqm(x[l], mult[l], shift[l]) + zp;
			bool same = relu ? (y[l] > zp ? y[l] : zp) == (want > zp ? want : zp)
					 : y[l] == want;
			CHECK(t, same, "lane %d: mbqm(%d, %d, %d) + %d = %d, rq16_hi%s gave %d", l,
			      x[l], mult[l], shift[l], zp, want, relu ? " (relu)" : "", y[l]);
		}
	}
	CHECK(t, qualified >= 20000, "only %d of 100000 draws qualified", qualified);
	return true;
out:
	return false;
}

/* cpu_rq16_hi_prepare at its limits: one lane (mult, shift, xmax, zp) in
 * lane 5 of otherwise small lanes, and whether it must qualify */
static bool hi_limits(tctx *t)
{
	static const struct {
		int32_t mult, shift;
		int64_t xmax;
		int32_t zp;
		bool ok;
	} cases[] = {
		{ 1 << 30, -1, (1 << 30) - 1, 0, true },  { 1 << 30, -1, 1 << 30, 0, false },
		{ INT32_MAX, -23, (1 << 30) - 1, 127, true },
		{ INT32_MAX, -24, 1 << 29, 127, false }, { INT32_MAX, -24, 1 << 29, 126, false },
		{ INT32_MAX, -24, 1 << 20, 127, true },  { INT32_MAX, -31, 1 << 20, 1, false },
		{ INT32_MAX, -31, 1 << 20, -1, true },   { INT32_MAX, -31, 1 << 20, 0, true },
		{ 1 << 30, 0, 1000, 0, false },          { 1 << 30, 5, 1000, 0, false },
		{ 0, 0, INT64_MAX, 0, true },            { 0, 7, INT64_MAX, 127, true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t mult[16], shift[16];
		int64_t xmax[16];
		for (int l = 0; l < 16; l++)
			mult[l] = 1 << 30, shift[l] = -8, xmax[l] = 1000;
		mult[5] = cases[i].mult, shift[5] = cases[i].shift, xmax[5] = cases[i].xmax;
		cpu_rq16_hi_t r;
		CHECK(t, cpu_rq16_hi_prepare(&r, mult, shift, 16, cases[i].zp, xmax) == cases[i].ok,
		      "case %zu: mult %d shift %d xmax %lld zp %d should %squalify", i, cases[i].mult,
		      cases[i].shift, (long long)cases[i].xmax, cases[i].zp, cases[i].ok ? "" : "not ");
	}
	return true;
out:
	return false;
}

__attribute__((noinline)) static void lanes_avx512(tctx *t)
{
	lanes_run(t, 16, false, 100000, apply_avx512, "rq16");
	lanes_run(t, 16, true, 100000, apply_avx512_relu, "rq16 (RQ16_RELU)");
	if (hi_limits(t) && hi_lanes(t, false))
		hi_lanes(t, true);
}
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

void test_requant_lanes_avx512(tctx *t)
{
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
	    !__builtin_cpu_supports("avx512dq") || !__builtin_cpu_supports("avx512vl")) {
		t_skip(t, "the host has no AVX-512 F/BW/DQ/VL");
		return;
	}
	lanes_avx512(t);
}
#else
void test_requant_lanes_avx2(tctx *t)
{
	t_skip(t, "AVX2 kernels exist only in x86-64 builds");
}

void test_requant_lanes_avx512(tctx *t)
{
	t_skip(t, "AVX-512 kernels exist only in x86-64 builds");
}
#endif

#if defined(__aarch64__)
#include "../../libhal/src/cpu/requant_neon.h"

/* 16 lanes, as the kernels prepare them; the four quads in turn */
static inline void rqn_lanes(const int32_t *x, const int32_t *mult, const int32_t *shift,
			     int32_t *y, bool relu)
{
	cpu_rqn_t r;
	bool any_left = cpu_rqn_prepare(&r, mult, shift, 16);
	for (unsigned q = 0; q < 4; q++)
		vst1q_s32(y + 4 * q, rqn_apply(vld1q_s32(x + 4 * q), &r, q, any_left, relu));
}

__attribute__((noinline)) static void apply_neon(const int32_t *x, const int32_t *mult,
						 const int32_t *shift, int32_t *y)
{
	rqn_lanes(x, mult, shift, y, false);
}

__attribute__((noinline)) static void apply_neon_relu(const int32_t *x, const int32_t *mult,
						       const int32_t *shift, int32_t *y)
{
	rqn_lanes(x, mult, shift, y, true);
}

void test_requant_lanes_neon(tctx *t)
{
	lanes_run(t, 16, false, 50000, apply_neon, "rqn");
	lanes_run(t, 16, true, 50000, apply_neon_relu, "rqn (relu)");
}
#else
void test_requant_lanes_neon(tctx *t)
{
	t_skip(t, "NEON kernels exist only in aarch64 builds");
}
#endif
