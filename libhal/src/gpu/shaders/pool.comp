// SPDX-License-Identifier: MIT
// POOL_I8, max or avg over the valid (non-padded) elements of each window;
// NHWC, dilation 1, no requantization. One invocation computes one output
// word (4 elements) in one walk over the windows (window.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "window.glsl"

#define AVG (pc.p[8] != 0)
#define IN_H pc.p[9]
#define IN_W pc.p[10]
#define C pc.p[11]
#define OUT_H pc.p[12]
#define OUT_W pc.p[13]
#define K_H pc.p[14]
#define K_W pc.p[15]
#define STRIDE_H pc.p[16]
#define STRIDE_W pc.p[17]
#define PAD_T pc.p[18]
#define PAD_L pc.p[19]
#define QMIN pc.p[20]
#define QMAX pc.p[21]

// C division (truncating) of n by a positive d.
int cdiv(int n, int d)
{
	return n >= 0 ? n / d : -((-n) / d);
}

#define STEP(t)                                                                  \
	{                                                                        \
		ivec4 v = inside(ih0 + t.dh, IN_H) * inside(iw0 + t.dw, IN_W);    \
		ivec4 x = load4_i8(S_IN0, (xb + t.off) * v);                     \
		sum += x * v;                                                    \
		count += v;                                                      \
		mx = max(mx, mix(ivec4(-128), x, bvec4(v)));                     \
	}

void main()
{
	WORD_LANES4
	ivec4 ch = e % C;
	e /= C;
	ivec4 ow = e % OUT_W;
	e /= OUT_W;
	ivec4 oh = e % OUT_H;
	ivec4 n = e / OUT_H;
	ivec4 ih0 = oh * STRIDE_H - PAD_T, iw0 = ow * STRIDE_W - PAD_L;
	ivec4 xb = ((n * IN_H + ih0) * IN_W + iw0) * C + ch;
	ivec4 sum = ivec4(0), count = ivec4(0), mx = ivec4(-128);
	window_t w = window_t(1, K_W, 1, 1, C, IN_W * C);
	WALK(K_H * K_W, w, STEP)
	ivec4 q;
	for (uint j = 0u; j < 4u; j++) {
		int s = sum[j], c = count[j];
		int r = !AVG ? mx[j] : s > 0 ? cdiv(s + c / 2, c) : cdiv(s - c / 2, c);
		q[j] = clamp(r, QMIN, QMAX);
	}
	W(S_OUT, wi) = pack_i8(q, valid);
}
