/* SPDX-License-Identifier: MIT */
/* Depthwise CONV2D (groups == Cin, depth multiplier 1: the dedicated kernels)
 * vs the reference, bit-exact, for every CPU kernel family: channel counts
 * around the 16/64-lane blocks, sizes 1/3/17/255, padding, strides,
 * dilations, kernels of 1..7 rows (more than one group of 4 rows), extreme
 * zero points and multipliers, shift > 0 next to shift < 0. */
#include "kconv.h"
#include "tests.h"

static kconv_t dw(uint32_t h, uint32_t w, uint32_t c, uint32_t kh, uint32_t kw, uint32_t s,
		  uint32_t d)
{
	return (kconv_t){ .n = 1, .h = h, .w = w, .cin = c, .cout = c, .kh = kh, .kw = kw,
			  .sh = s, .sw = s, .dh = d, .dw = d, .groups = c };
}

void test_dwconv_i8_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t chans[] = { 2, 3, 16, 17, 63, 64, 65, 130, 255 };
	static const uint32_t sizes[] = { 1, 3, 17 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	/* 3x3 (the specialized path), stride 1 and 2 (and 3: no row sweep), every
	 * channel count and size */
	for (size_t ci = 0; ci < sizeof(chans) / sizeof(chans[0]); ci++)
		for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
			for (uint32_t s = 1; s <= 3; s++) {
				kconv_t k = dw(sizes[si], sizes[(si + ci) % 3], chans[ci], 3, 3, s, 1);
				kconv_randomize(t, &k, 2);
				if (!kconv_run(t, &e, &k))
					goto out;
			}
	/* 3x3 with stride 1 or 2 and dilation 1 along the row (the AVX2 row
	 * sweeps) under vertical stride or dilation 2, left and right padding
	 * 0-3 (up to wider than the kernel's reach), odd and even widths, 48
	 * channels plus a partial block */
	for (uint32_t v = 0; v < 8; v++) {
		kconv_t k = dw(7, 19 + v / 4, v % 4 < 2 ? 48 : 53, 3, 3, 1, 1);
		k.sw = 1 + v % 2;
		k.sh = 1 + v / 2 % 2;
		k.dh = 2 - v / 2 % 2;
		kconv_randomize(t, &k, 3);
		k.pl = v % 4;
		k.pr = 3 - v % 4;
		if (!kconv_run(t, &e, &k))
			goto out;
	}
	/* a partial last channel block (8 or 1 of 16) of an input that ends at
	 * an inaccessible page: the block's loads must not reach past the
	 * input's last byte (3x3 by the row sweep's pixel path, 5x5 by the
	 * pixel path alone) */
	for (uint32_t v = 0; v < 4; v++) {
		kconv_t k = dw(6, 9, v % 2 ? 24 : 17, 3 + 2 * (v / 2), 3 + 2 * (v / 2), 1, 1);
		kconv_randomize(t, &k, 2);
		k.guard_in = true;
		if (!kconv_run(t, &e, &k))
			goto out;
	}
	/* long rows, extreme zero points and each requantization mode */
	for (int rq = 0; rq < KCONV_RQ_COUNT; rq++) {
		kconv_t k = dw(3, 255, 17, 3, 3, 1, 1);
		kconv_randomize(t, &k, 1);
		k.in_zp = rq % 2 ? -128 : 127;
		k.out_zp = rq % 2 ? 127 : -128;
		k.rq = (kconv_rq_t)rq;
		if (!kconv_run(t, &e, &k))
			goto out;
	}
	/* other kernel shapes: 1x1, 1x7, 5x5 and 7x1 (two groups of rows), dilation;
	 * in 64-channel blocks and in pairs of pixels (<= 32 channels), on rows
	 * of whole groups of 8 pixels and a tail */
	static const uint32_t shapes[][4] = { { 1, 1, 1, 1 }, { 1, 7, 1, 1 }, { 5, 5, 1, 2 },
					      { 7, 1, 2, 1 }, { 3, 3, 2, 3 }, { 4, 2, 3, 2 } };
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		for (uint32_t c = 24; c <= 65; c += 41) {
			kconv_t k = dw(9, c == 24 ? 37 : 11, c, shapes[i][0], shapes[i][1], shapes[i][2],
				       shapes[i][3]);
			kconv_randomize(t, &k, 3);
			if (!kconv_run(t, &e, &k))
				goto out;
		}
	/* batch 2 */
	kconv_t k = dw(5, 6, 33, 3, 3, 1, 1);
	k.n = 2;
	kconv_randomize(t, &k, 1);
	kconv_run(t, &e, &k);
out:
	t_env_close(&e);
}

void test_dwconv_i8_dm1_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3), 1u << ENPU_OP_CONV2D,
			    ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 40; i++) {
		uint32_t c = (uint32_t)t_range(t, 2, 200);
		/* drawn in order: the order of a call's arguments is unspecified */
		uint32_t h = (uint32_t)t_range(t, 1, 20), w = (uint32_t)t_range(t, 1, 20);
		uint32_t kh = (uint32_t)t_range(t, 1, 6), kw = (uint32_t)t_range(t, 1, 6);
		uint32_t sh = (uint32_t)t_range(t, 1, 3);
		kconv_t k = dw(h, w, c, kh, kw, sh, (uint32_t)t_range(t, 1, 2));
		k.sw = (uint32_t)t_range(t, 1, 3);
		k.dw = (uint32_t)t_range(t, 1, 3);
		k.n = (uint32_t)t_range(t, 1, 2);
		kconv_randomize(t, &k, 3);
		if (!kconv_run(t, &e, &k))
			break;
	}
	t_env_close(&e);
}
