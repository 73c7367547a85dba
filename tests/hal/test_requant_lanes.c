/* SPDX-License-Identifier: MIT */
/* The vector requantizations vs q_mbqm, lane by lane: the AVX2 kernels'
 * 8 lanes (libhal/src/cpu/requant_avx2.h), the AVX-512 kernels' 16
 * (requant_avx512.h) and the NEON kernels' 4 (requant_neon.h). Random and extreme inputs (INT32_MIN/MAX, ties, small
 * values), multipliers (0, 2^30, INT32_MAX, random) and every shift in
 * [-31, 30], left shifts that saturate next to right shifts in one vector.
 * Each is skipped on hosts (or builds) without its ISA. */
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

/* n lanes of inputs, multipliers and shifts (each lane's drawn on its own) */
static void pick_lanes(tctx *t, int n, int32_t *x, int32_t *mult, int32_t *shift)
{
	for (int l = 0; l < n; l++) {
		x[l] = pick_x(t);
		mult[l] = pick_mult(t);
		shift[l] = (int32_t)(t_rand(t) % 62) - 31;
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

__attribute__((noinline)) static bool check_avx2(tctx *t, const int32_t *x, const int32_t *mult,
						   const int32_t *shift)
{
	cpu_rq8_t r;
	int32_t y[8];
	cpu_rq8_prepare(&r, mult, shift, 8);
	_mm256_storeu_si256((__m256i *)y,
			    rq8_apply(_mm256_loadu_si256((const __m256i *)x), &r, r.any_left));
	for (int l = 0; l < 8; l++) {
		int32_t want = q_mbqm(x[l], mult[l], shift[l]);
		CHECK(t, y[l] == want, "lane %d: mbqm(%d, %d, %d) = %d, rq8 gave %d", l, x[l],
		      mult[l], shift[l], want, y[l]);
	}
	return true;
out:
	return false;
}

void test_requant_lanes_avx2(tctx *t)
{
	if (!__builtin_cpu_supports("avx2")) {
		t_skip(t, "the host has no AVX2");
		return;
	}
	for (int it = 0; it < 200000; it++) {
		int32_t x[8], mult[8], shift[8];
		pick_lanes(t, 8, x, mult, shift);
		if (!check_avx2(t, x, mult, shift))
			return;
	}
}
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")
#endif
#include "../../libhal/src/cpu/requant_avx512.h"

__attribute__((noinline)) static bool check_avx512(tctx *t, const int32_t *x, const int32_t *mult,
						     const int32_t *shift)
{
	cpu_rq16_t r;
	int32_t y[16];
	cpu_rq16_prepare(&r, mult, shift, 16);
	_mm512_storeu_si512(y, rq16_apply(_mm512_loadu_si512(x), &r, r.any_left));
	for (int l = 0; l < 16; l++) {
		int32_t want = q_mbqm(x[l], mult[l], shift[l]);
		CHECK(t, y[l] == want, "lane %d: mbqm(%d, %d, %d) = %d, rq16 gave %d", l, x[l],
		      mult[l], shift[l], want, y[l]);
	}
	return true;
out:
	return false;
}

void test_requant_lanes_avx512(tctx *t)
{
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
	    !__builtin_cpu_supports("avx512dq") || !__builtin_cpu_supports("avx512vl")) {
		t_skip(t, "the host has no AVX-512 F/BW/DQ/VL");
		return;
	}
	for (int it = 0; it < 100000; it++) {
		int32_t x[16], mult[16], shift[16];
		pick_lanes(t, 16, x, mult, shift);
		if (!check_avx512(t, x, mult, shift))
			return;
	}
}
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
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
__attribute__((noinline)) static bool check_neon(tctx *t, const int32_t *x, const int32_t *mult,
						 const int32_t *shift)
{
	cpu_rqn_t r;
	bool any_left = cpu_rqn_prepare(&r, mult, shift, 16);
	for (unsigned q = 0; q < 4; q++) {
		int32_t y[4];
		vst1q_s32(y, rqn_apply(vld1q_s32(x + 4 * q), &r, q, any_left));
		for (unsigned l = 0; l < 4; l++) {
			unsigned i = 4 * q + l;
			int32_t want = q_mbqm(x[i], mult[i], shift[i]);
			CHECK(t, y[l] == want, "lane %u: mbqm(%d, %d, %d) = %d, rqn gave %d", i,
			      x[i], mult[i], shift[i], want, y[l]);
		}
	}
	return true;
out:
	return false;
}

void test_requant_lanes_neon(tctx *t)
{
	for (int it = 0; it < 50000; it++) {
		int32_t x[16], mult[16], shift[16];
		pick_lanes(t, 16, x, mult, shift);
		if (!check_neon(t, x, mult, shift))
			return;
	}
}
#else
void test_requant_lanes_neon(tctx *t)
{
	t_skip(t, "NEON kernels exist only in aarch64 builds");
}
#endif
