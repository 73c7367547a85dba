/* SPDX-License-Identifier: MIT */
/* Internal: requantization parameters of 16 int32 lanes, prepared once (with
 * the weights) for the AVX-512 kernels, in plain C. For shift <= 0 (e = -shift)
 * mbqm(x, m, shift) = rdbpot(srdhm(x, m), e) equals one rounding of the 64-bit
 * product p = x * m (docs/numerics.md gives srdhm as (p + 2^30) >> 31):
 *   (p + 2^30 + [e > 0] * (2^(30+e) - [x < 0] * 2^31)) >> (31 + e)
 * since floor(floor(a / 2^31) + c) / 2^e) = floor((a + c 2^31) / 2^(31+e)) for
 * integer c, and rdbpot(h, e) = floor((h + 2^(e-1) - [h < 0]) / 2^e) for
 * e > 0, where [h < 0] may be read as [x < 0] (m >= 0): h < 0 needs x < 0,
 * and x < 0 with h >= 0 means h = 0, whose result is 0 either way. The
 * sign of x is bit 31 of its 32-bit lane, so x & 2^31 in 64-bit lanes is
 * the term without a compare. Without the term a negative x still gives a
 * result <= 0: p <= 0, so the numerator is at most 2^30 + 2^(30+e) <
 * 2^(31+e) (requant_avx512.h's rq16_relu). For shift > 0, x is first shifted left
 * with saturation and e = 0. Lanes are split by parity, as vpmuldq multiplies
 * the even 32-bit lanes: index i of the 64-bit arrays is lane 2i for i < 8 and
 * lane 2(i-8)+1 for i >= 8. */
#ifndef ENPU_CPU_RQ16_H
#define ENPU_CPU_RQ16_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cpu_rq16 {
	int32_t mult[16];    /* lane order */
	int32_t mult_odd[16]; /* mult of lane 2i+1 at lane 2i */
	int64_t round[16];   /* 2^30 + [e > 0] 2^(30+e) (+ zp 2^(31+e) once folded), by parity */
	int64_t shift[16];   /* 31 + e, by parity */
	int64_t neg[16];     /* [e > 0] 2^31, subtracted when x < 0, by parity */
	int32_t left[16];    /* max(shift, 0), lane order */
	bool any_left;       /* some lane has shift > 0 */
} __attribute__((aligned(64))) cpu_rq16_t;

/* Lanes beyond n get mult 0 (their results are discarded). */
static inline void cpu_rq16_prepare(cpu_rq16_t *r, const int32_t *mult, const int32_t *shift,
				    unsigned n)
{
	*r = (cpu_rq16_t){ 0 };
	for (unsigned l = 0; l < 16; l++) {
		int32_t m = l < n ? mult[l] : 0, s = l < n ? shift[l] : 0;
		int e = s > 0 ? 0 : -s;
		unsigned i = l % 2 ? 8 + l / 2 : l / 2;
		r->mult[l] = m;
		if (l % 2)
			r->mult_odd[l - 1] = m;
		r->round[i] = (INT64_C(1) << 30) + (e > 0 ? INT64_C(1) << (30 + e) : 0);
		r->shift[i] = 31 + e;
		r->left[l] = s > 0 ? s : 0;
		r->neg[i] = e > 0 ? INT64_C(1) << 31 : 0;
		if (s > 0)
			r->any_left = true;
	}
}

/*
 * Whether the output zero point can be added to the rounding constants, so
 * that the lanes come out as mbqm + zp (an output stage then skips its add),
 * exactly: no lane shifts left (any_left is false), and for every lane, with
 * e its right shift (the shift field is 31 + e), mbqm + zp fits int32
 * (|mbqm| <= m / 2^e + 1, so m / 2^e <= 2^31 - 130) and the 64-bit numerator
 * cannot overflow (|p| < 2^62, |round + zp 2^(31+e)| <= 129 2^(31+e): e <=
 * 23). Adds it where that holds and apply is set.
 */
static inline bool cpu_rq16_fold_zp(cpu_rq16_t *r, int32_t zp, bool apply)
{
	if (r->any_left)
		return false;
	for (unsigned i = 0; i < 16; i++) {
		int64_t e = r->shift[i] - 31;
		int32_t m = i < 8 ? r->mult[2 * i] : r->mult[2 * (i - 8) + 1];

		if (e > 23 || (m >> e) > INT32_MAX - 129)
			return false;
	}
	for (unsigned i = 0; apply && i < 16; i++)
		r->round[i] += (int64_t)zp * ((int64_t)1 << r->shift[i]);
	return true;
}

#endif
