// SPDX-License-Identifier: MIT
// POOL_I8, max or avg over the valid (non-padded) elements of each window;
// NHWC, dilation 1, no requantization.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

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

int pool(uint i)
{
	int e = int(i);
	int ch = e % C;
	e /= C;
	int ow = e % OUT_W;
	e /= OUT_W;
	int oh = e % OUT_H;
	int n = e / OUT_H;
	int sum = 0, count = 0, mx = -128;
	for (int kh = 0; kh < K_H; kh++) {
		int ih = oh * STRIDE_H - PAD_T + kh;
		if (ih < 0 || ih >= IN_H)
			continue;
		for (int kw = 0; kw < K_W; kw++) {
			int iw = ow * STRIDE_W - PAD_L + kw;
			if (iw < 0 || iw >= IN_W)
				continue;
			int v = load_i8(S_IN0, uint(((n * IN_H + ih) * IN_W + iw) * C + ch));
			sum += v;
			count++;
			mx = max(mx, v);
		}
	}
	int r = !AVG ? mx : sum > 0 ? cdiv(sum + count / 2, count) : cdiv(sum - count / 2, count);
	return clamp(r, QMIN, QMAX);
}

void main()
{
	STORE_WORD(pool)
}
