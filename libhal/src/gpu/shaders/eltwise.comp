// SPDX-License-Identifier: MIT
// ADD_I8, MUL_I8 and REQUANTIZE_I8, elementwise (mode 0, 1, 2).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

#define MODE pc.p[8]
#define A_ZP pc.p[9]
#define B_ZP pc.p[10]
#define OUT_ZP pc.p[11]
#define A_MULT pc.p[12]
#define A_SHIFT pc.p[13]
#define B_MULT pc.p[14]
#define B_SHIFT pc.p[15]
#define OUT_MULT pc.p[16]
#define OUT_SHIFT pc.p[17]
#define QMIN pc.p[18]
#define QMAX pc.p[19]

int eltwise(uint i)
{
	int a = load_i8(S_IN0, i) - A_ZP;
	int v;
	if (MODE == 0) {
		int sa = mbqm(a * (1 << 20), A_MULT, A_SHIFT);
		int sb = mbqm((load_i8(S_IN1, i) - B_ZP) * (1 << 20), B_MULT, B_SHIFT);
		v = sa + sb;
	} else if (MODE == 1) {
		v = a * (load_i8(S_IN1, i) - B_ZP);
	} else {
		v = a;
	}
	return out_i8(mbqm(v, OUT_MULT, OUT_SHIFT), OUT_ZP, QMIN, QMAX);
}

void main()
{
	STORE_WORD(eltwise)
}
