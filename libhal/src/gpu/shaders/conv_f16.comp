// SPDX-License-Identifier: MIT
// CONV2D_F16: the CONV2D_I8 geometry on fp16, fp32 bias and accumulation.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

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
#define FMIN intBitsToFloat(pc.p[24])
#define FMAX intBitsToFloat(pc.p[25])

uint conv(uint i)
{
	int e = int(i);
	int oc = e % OUT_C;
	e /= OUT_C;
	int ow = e % OUT_W;
	e /= OUT_W;
	int oh = e % OUT_H;
	int n = e / OUT_H;
	int cin_g = IN_C / GROUPS, cout_g = OUT_C / GROUPS;
	int g = oc / cout_g;
	float acc = HAS_BIAS ? uintBitsToFloat(W(S_BIAS, oc)) : 0.0;
	for (int kh = 0; kh < K_H; kh++) {
		int ih = oh * STRIDE_H - PAD_T + kh * DIL_H;
		if (ih < 0 || ih >= IN_H)
			continue;
		for (int kw = 0; kw < K_W; kw++) {
			int iw = ow * STRIDE_W - PAD_L + kw * DIL_W;
			if (iw < 0 || iw >= IN_W)
				continue;
			uint x = uint(((n * IN_H + ih) * IN_W + iw) * IN_C + g * cin_g);
			uint f = uint(((oc * K_H + kh) * K_W + kw) * cin_g);
			for (int ic = 0; ic < cin_g; ic++)
				acc += load_f16(S_IN0, x + uint(ic)) * load_f16(S_IN1, f + uint(ic));
		}
	}
	return out_f16(acc, FMIN, FMAX);
}

void main()
{
	STORE_HALVES(conv)
}
