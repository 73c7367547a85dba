/* SPDX-License-Identifier: MIT */
/* Internal: a cheaper form of rq16.h's requantization for kernels that bound
 * their int32 sums, prepared once (with the weights) in plain C. Where
 * |x| < 2^30, the 64-bit product 2x * m + 2^31 has srdhm(x, m) = h (rq16.h,
 * docs/numerics.md) in its high 32 bits (|2xm| < 2^62, m >= 0), so adding
 * c 2^32 there gives h + c in one dword without a 64-bit shift, and the
 * even and odd lanes' high dwords merge with one shuffle. The second
 * rounding then runs on 16 lanes at once:
 *   rdbpot(h, e) + zp = (h + c - [x < 0]) >> e,  c = 2^(e-1) + zp 2^e
 * for e >= 1 (rq16.h: [h < 0] may be read as [x < 0] when m >= 0, and h = 0
 * gives 0 either way), exact while every h + c - [x < 0] fits int32. Ten
 * AVX-512 instructions per 16 lanes instead of rq16's twelve (with the zero
 * point's add), and five vectors of parameters instead of eight. */
#ifndef ENPU_CPU_RQ16_HI_H
#define ENPU_CPU_RQ16_HI_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cpu_rq16_hi {
	int32_t mult[16];     /* lane order (vpmuldq reads the even lanes) */
	int32_t mult_odd[16]; /* mult of lane 2i+1 at lane 2i */
	int64_t round[16];    /* 2^31 + c 2^32, by parity as in rq16.h */
	int32_t e[16];        /* -shift, lane order */
} __attribute__((aligned(64))) cpu_rq16_hi_t;

/*
 * Prepares n lanes (the rest get mult 0; their results are discarded) whose
 * sums satisfy |x| <= xmax[l]. False where some lane does not qualify: a
 * shift above -1, xmax >= 2^30, or h + c - [x < 0] possibly outside int32
 * (|h| <= (xmax m + 2^30) / 2^31 + 1). A lane with mult 0 always qualifies:
 * its mbqm is 0 for every x, which e = 1 gives (h = 0 whatever 2x holds).
 */
static inline bool cpu_rq16_hi_prepare(cpu_rq16_hi_t *r, const int32_t *mult, const int32_t *shift,
				       unsigned n, int32_t zp, const int64_t *xmax)
{
	*r = (cpu_rq16_hi_t){ 0 };
	for (unsigned l = 0; l < 16; l++) {
		int32_t m = l < n ? mult[l] : 0;
		int e = l < n && m ? -shift[l] : 1;
		int64_t x = l < n && m ? xmax[l] : 0;
		if (m < 0 || e < 1 || e > 31 || x < 0 || x >= INT64_C(1) << 30)
			return false;
		int64_t c = (INT64_C(1) << (e - 1)) + (int64_t)zp * (INT64_C(1) << e);
		int64_t h = ((x * m + (INT64_C(1) << 30)) >> 31) + 1;
		if (h + (c < 0 ? -c : c) + 1 > INT32_MAX)
			return false;
		unsigned i = l % 2 ? 8 + l / 2 : l / 2;
		r->mult[l] = m;
		if (l % 2)
			r->mult_odd[l - 1] = m;
		r->round[i] = (INT64_C(1) << 31) + c * (INT64_C(1) << 32);
		r->e[l] = e;
	}
	return true;
}

#endif
