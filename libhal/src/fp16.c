/* SPDX-License-Identifier: MIT */
/* Portable IEEE binary16 conversions with round-to-nearest-even. */
#include <math.h>
#include <string.h>
#include "enpu/fp16.h"

float enpu_f16_to_f32(enpu_f16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> 10) & 0x1fu;
	uint32_t man = h & 0x3ffu;
	uint32_t bits;
	if (exp == 0) {
		float v = (float)man * 0x1p-24f; /* zero or subnormal: exact */
		return sign ? -v : v;
	}
	if (exp == 31)
		bits = sign | 0x7f800000u | (man << 13);
	else
		bits = sign | ((exp + 112u) << 23) | (man << 13);
	float f;
	memcpy(&f, &bits, sizeof(f));
	return f;
}

enpu_f16_t enpu_f32_to_f16(float f)
{
	uint32_t x;
	memcpy(&x, &f, sizeof(x));
	uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
	uint32_t a = x & 0x7fffffffu;
	if (a >= 0x7f800000u) /* inf, or NaN made quiet */
		return (enpu_f16_t)(sign | (a > 0x7f800000u ? 0x7e00u | ((a >> 13) & 0x3ffu) : 0x7c00u));
	if (a >= 0x477ff000u) /* >= 65520 rounds to infinity */
		return (enpu_f16_t)(sign | 0x7c00u);
	if (a < 0x38800000u) { /* below 2^-14: f16 subnormal or zero */
		if (a <= 0x33000000u) /* <= 2^-25: rounds to zero (tie to even) */
			return sign;
		uint32_t e = a >> 23;
		uint32_t m = (a & 0x7fffffu) | 0x800000u;
		uint32_t s = 126u - e; /* value = m * 2^-s in units of 2^-24 */
		uint32_t q = m >> s, rem = m & ((1u << s) - 1u), half = 1u << (s - 1u);
		q += rem > half || (rem == half && (q & 1u));
		return (enpu_f16_t)(sign | q);
	}
	uint32_t q = (a - 0x38000000u) >> 13; /* rebias exponent 127 -> 15 */
	uint32_t rem = a & 0x1fffu;
	q += rem > 0x1000u || (rem == 0x1000u && (q & 1u));
	return (enpu_f16_t)(sign | q);
}

enpu_f16_t enpu_f64_to_f16(double d)
{
	if (isnan(d))
		return (enpu_f16_t)(signbit(d) ? 0xfe00u : 0x7e00u);
	double a = fabs(d);
	float r;
	if (a >= 65520.0) {
		r = INFINITY;
	} else if (a < 0x1p-14) {
		r = (float)(rint(a * 0x1p24) * 0x1p-24); /* multiple of 2^-24: exact */
	} else {
		int e;
		frexp(a, &e); /* a in [2^(e-1), 2^e): 11 significant bits */
		r = (float)ldexp(rint(ldexp(a, 11 - e)), e - 11);
	}
	return enpu_f32_to_f16(signbit(d) ? -r : r);
}
