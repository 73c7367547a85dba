// SPDX-License-Identifier: MIT
// CAST: int8 -> fp16 (mode 0): fp16(float(x - zp) * scale);
// fp16 -> int8 (mode 1): clamp(clamp(roundf(x / scale), +-512) + zp), where
// the fp32 quotient is formed exactly in integers and rounded to nearest
// even (GLSL division is not correctly rounded), then rounded half away.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

#define TO_I8 (pc.p[8] != 0)
#define SCALE_BITS uint(pc.p[9])
#define SCALE intBitsToFloat(pc.p[9])
#define ZP pc.p[10]

uint to_f16(uint i)
{
	return f32_to_f16(float(load_i8(S_IN0, i) - ZP) * SCALE);
}

// roundf(fl(mv * 2^ev / scale)) for mv > 0, clamped to 512.
int div_round(uint mv, int ev)
{
	uint se = (SCALE_BITS >> 23) & 0xffu, ms = SCALE_BITS & 0x7fffffu;
	int es = se == 0u ? -149 : int(se) - 150;
	if (se != 0u)
		ms |= 0x800000u;
	int msh = 23 - findMSB(ms), vsh = 39 - findMSB(mv);
	ms <<= msh;
	es -= msh;
	ev -= vsh;
	uint64_t n = (uint64_t(mv) << (vsh + 23));	// in [2^62, 2^63)
	uint64_t q = n / uint64_t(ms), rem = n % uint64_t(ms);	// q in (2^38, 2^40)
	int k = q >= (1ul << 39) ? 16 : 15;		// keep 24 bits
	uint64_t m = q >> k, low = q & ((1ul << k) - 1ul), tie = 1ul << (k - 1);
	if (low > tie || (low == tie && (rem != 0ul || (m & 1ul) != 0ul)))
		m++;
	int f = ev - 23 - es + k;			// fl(quotient) = m * 2^f
	uint64_t r;
	if (f > 10)
		r = 512ul;
	else if (f >= 0)
		r = m << f;
	else if (f < -40)
		r = 0ul;
	else
		r = (m + (1ul << (-f - 1))) >> (-f);
	return int(min(r, 512ul));
}

int to_i8(uint i)
{
	uint h = (W(S_IN0, (i >> 1)) >> ((i & 1u) * 16u)) & 0xffffu;
	uint e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
	int r;
	if (e == 31u)
		r = m != 0u ? 0 : 512;		// NaN -> 0, infinity saturates
	else if (e == 0u && m == 0u)
		r = 0;
	else
		r = e == 0u ? div_round(m, -24) : div_round(m | 0x400u, int(e) - 25);
	if ((h & 0x8000u) != 0u)
		r = -r;
	return clamp(r + ZP, -128, 127);
}

void main()
{
	if (TO_I8) {
		STORE_WORD(to_i8)
	} else {
		STORE_HALVES(to_f16)
	}
}
