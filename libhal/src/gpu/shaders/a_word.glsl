// SPDX-License-Identifier: MIT
// A_WORD(m, gk), word gk of A's row m, for gemm_tiled.glsl and
// gemm_f16_tiled.glsl. A plain GEMM reads A. With CONV, a convolution of one
// group (Cin % 4 == 0) runs as the GEMM: A is its im2col matrix, never
// stored: row m is output pixel (n, oh, ow), word gk the input channels of
// one tap (kh, kw) that the word holds (the filter's K order), read from the
// input, or PAD_WORD (the includer's: int8 the zero point in all 4 bytes, so
// (zp - zp) * w = 0 as in the CPU's im2col; fp16 two +0.0) where the tap
// falls in the padding. B is the filter, [out_c][k_h][k_w][in_c]; N = out_c,
// K = k_h * k_w * in_c. Parameters after the GEMM's (p[8..14]).
#ifndef CONV
#define A_WORD(m, gk) W(S_IN0, (m) * kwords + (gk))
#else
#define IN_H uint(pc.p[15])
#define IN_W uint(pc.p[16])
#define IN_CW uint(pc.p[17])	// words per input pixel
#define OUT_H uint(pc.p[18])
#define OUT_W uint(pc.p[19])
#define KER_W uint(pc.p[20])
#define STRIDE_H pc.p[21]
#define STRIDE_W pc.p[22]
#define DIL_H pc.p[23]
#define DIL_W pc.p[24]
#define PAD_T pc.p[25]
#define PAD_L pc.p[26]

uint conv_a_word(uint m, uint gk)
{
	uint cw = gk % IN_CW, tap = gk / IN_CW;
	uint ow = m % OUT_W, pix = m / OUT_W;
	int ih = int(pix % OUT_H) * STRIDE_H - PAD_T + int(tap / KER_W) * DIL_H;
	int iw = int(ow) * STRIDE_W - PAD_L + int(tap % KER_W) * DIL_W;
	if (ih < 0 || iw < 0 || uint(ih) >= IN_H || uint(iw) >= IN_W)
		return PAD_WORD;
	return W(S_IN0, ((pix / OUT_H * IN_H + uint(ih)) * IN_W + uint(iw)) * IN_CW + cw);
}

#define A_WORD(m, gk) conv_a_word(m, gk)
#endif
