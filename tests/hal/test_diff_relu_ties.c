/* SPDX-License-Identifier: MIT */
/* Convolutions whose sums are small, of both signs and often exact ties of
 * the requantization's rounding (kconv_t's ties), clamped from just below,
 * at and just above the output zero point, vs the reference, bit-exact, for
 * every CPU kernel family: the kernels that stop telling results <= 0 apart
 * when the clamp allows it (the AVX-512 first layer and depthwise kernels'
 * RQ16_RELU; the AVX2 and NEON first layer, depthwise and GEMM output
 * stages' relu)
 * must start exactly at qmin >= zp. First layers, depthwise 3x3 (both
 * AVX-512 layouts: 32 and 64+ channels, stride 1 and 2) and 5x5, and the
 * GEMM paths (3x3 and 1x1). And a GEMV's (a 1x1 convolution of one pixel)
 * with one shift for every channel (per-tensor: the AVX-512 VNNI GEMV's
 * parameters loaded once), clamped as above or not at all (negative
 * ties, rounded away from zero). */
#include "kconv.h"
#include "tests.h"

void test_conv_i8_relu_ties(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t shapes[][7] = { /* h w cin cout k stride groups */
		{ 9, 17, 3, 32, 3, 2, 1 },   { 5, 9, 3, 65, 3, 2, 1 },
		{ 6, 11, 4, 17, 3, 1, 1 },   { 7, 19, 32, 32, 3, 1, 32 },
		{ 7, 9, 64, 64, 3, 1, 64 },  { 8, 9, 130, 130, 3, 2, 130 },
		{ 9, 8, 48, 48, 5, 1, 48 },  { 6, 7, 16, 16, 3, 1, 1 },
		{ 5, 6, 40, 24, 1, 1, 1 },
	};
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		for (int32_t off = -1; off <= 1; off++) {
			const uint32_t *s = shapes[i];
			kconv_t k = { .n = 1, .h = s[0], .w = s[1], .cin = s[2], .cout = s[3],
				      .kh = s[4], .kw = s[4], .sh = s[5], .sw = s[5], .dh = 1,
				      .dw = 1, .groups = s[6], .ties = true, .qmin_off = off };
			kconv_randomize(t, &k, s[4] / 2);
			if (!kconv_run(t, &e, &k))
				goto out;
		}
	static const uint32_t gemv[][2] = { { 40, 24 }, { 64, 130 }, { 256, 64 } }; /* cin cout */
	static const int32_t offs[] = { -256, -1, 0, 1 };
	for (size_t i = 0; i < sizeof(gemv) / sizeof(gemv[0]); i++)
		for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
			kconv_t k = { .n = 1, .h = 1, .w = 1, .cin = gemv[i][0], .cout = gemv[i][1],
				      .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
				      .groups = 1, .ties = true, .qmin_off = offs[o],
				      .ties_one_shift = true };
			kconv_randomize(t, &k, 0);
			if (!kconv_run(t, &e, &k))
				goto out;
		}
out:
	t_env_close(&e);
}
