// SPDX-License-Identifier: MIT
// CONV2D_I8, or with F16 defined CONV2D_F16 (fp16 data, fp32 bias and
// accumulation): NHWC input, OHWI filter (per group), groups/depthwise,
// stride, dilation, padding; output NHWC. One invocation computes one output
// word (4 int8 or 2 fp16 elements) in one walk over the windows (window.glsl).
#include "common.glsl"
#include "window.glsl"

// p[8]: the batch (the grid covers it)
#define IN_H pc.p[9]
#define IN_W pc.p[10]
#define IN_C pc.p[11]
#define OUT_H pc.p[12]
#define OUT_W pc.p[13]
#define OUT_C pc.p[14]
#define K_H pc.p[15]
#define K_W pc.p[16]
#define STRIDE_H pc.p[17]
#define STRIDE_W pc.p[18]
#define DIL_H pc.p[19]
#define DIL_W pc.p[20]
#define PAD_T pc.p[21]
#define PAD_L pc.p[22]
#define GROUPS pc.p[23]

#ifdef F16
#define FMIN intBitsToFloat(pc.p[24])
#define FMAX intBitsToFloat(pc.p[25])
#define LANES WORD_LANES2
#define IVEC ivec2
#define ACC vec2
// a padded tap's input is +0.0 (times an infinite or NaN weight: NaN)
#define STEP(t)                                                                  \
	{                                                                        \
		IVEC v = inside(ih0 + t.dh, IN_H) * inside(iw0 + t.dw, IN_W);     \
		vec2 x = mix(vec2(0.0), load2_f16(S_IN0, (xb + t.off) * v), bvec2(v)); \
		acc += x * load2_f16(S_IN1, fb + t.r);                           \
	}
#else
#define IN_ZP pc.p[24]
#define OUT_ZP pc.p[25]
#define QMIN pc.p[26]
#define QMAX pc.p[27]
#define LANES WORD_LANES4
#define IVEC ivec4
#define ACC ivec4
#define STEP(t)                                                                  \
	{                                                                        \
		IVEC v = inside(ih0 + t.dh, IN_H) * inside(iw0 + t.dw, IN_W);     \
		ivec4 x = load4_i8(S_IN0, (xb + t.off) * v);                     \
		acc += (x - IN_ZP) * load4_i8(S_IN1, fb + t.r) * v;              \
	}
#endif

void main()
{
	LANES
	IVEC oc = e % OUT_C;
	e /= OUT_C;
	IVEC ow = e % OUT_W;
	e /= OUT_W;
	IVEC oh = e % OUT_H;
	IVEC n = e / OUT_H;
	int cin_g = IN_C / GROUPS, taps = K_H * K_W * cin_g;
	IVEC ih0 = oh * STRIDE_H - PAD_T, iw0 = ow * STRIDE_W - PAD_L;
	// the windows' first input elements (off the input where padded) and
	// the filters' first
	IVEC xb = ((n * IN_H + ih0) * IN_W + iw0) * IN_C + oc / (OUT_C / GROUPS) * cin_g;
	IVEC fb = oc * taps;
	ACC acc = ACC(0);
	if (HAS_BIAS)
		for (uint j = 0u; j < valid; j++)
#ifdef F16
			acc[j] = uintBitsToFloat(W(S_BIAS, oc[j]));
#else
			acc[j] = load_i32(S_BIAS, oc[j]);
#endif
	window_t w = window_t(cin_g, K_W, DIL_H, DIL_W, IN_C, IN_W * IN_C);
	WALK(taps, w, STEP)
#ifdef F16
	uvec2 h = uvec2(out_f16(acc.x, FMIN, FMAX), out_f16(acc.y, FMIN, FMAX));
	W(S_OUT, wi) = pack_f16(h, valid);
#else
	ivec4 q;
	for (uint j = 0u; j < 4u; j++)
		q[j] = out_i8(mbqm(acc[j], load_i32(S_MULT, oc[j]), load_i32(S_SHIFT, oc[j])),
			      OUT_ZP, QMIN, QMAX);
	W(S_OUT, wi) = pack_i8(q, valid);
#endif
}
