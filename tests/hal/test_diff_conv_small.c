/* SPDX-License-Identifier: MIT */
/* Convolutions with few input channels (Cin <= 4, the first-layer kernels)
 * vs the reference, bit-exact, for every CPU kernel family: Cin 1..4, kernel
 * widths up to the Cin * KW <= 16 limit and past it, output channel counts
 * around the 16/64-lane blocks, sizes 1/3/17/255, stride 2 and 3, kernel
 * rows whose last bytes share a dword, vertical
 * dilation (horizontal dilation takes the GEMM path), padding (a left one
 * past every window too), extreme zero points and multipliers, and results
 * at the int32 limits on both sides of where the AVX-512 kernel folds the
 * output zero point into its rounding (cpu_rq16_fold_zp). */
#include "kconv.h"
#include "tests.h"

static kconv_t small(uint32_t h, uint32_t w, uint32_t cin, uint32_t cout, uint32_t kh,
		     uint32_t kw, uint32_t s)
{
	return (kconv_t){ .n = 1, .h = h, .w = w, .cin = cin, .cout = cout, .kh = kh, .kw = kw,
			  .sh = s, .sw = s, .dh = 1, .dw = 1, .groups = 1 };
}

void test_conv_small_i8_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t couts[] = { 1, 3, 16, 17, 32, 63, 64, 65, 130 };
	static const uint32_t sizes[] = { 1, 3, 17, 255 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	/* the MobileNet first layer, small: 3x3 stride 2, Cin 3, every Cout */
	for (size_t i = 0; i < sizeof(couts) / sizeof(couts[0]); i++) {
		kconv_t k = small(9, 17, 3, couts[i], 3, 3, 2);
		kconv_randomize(t, &k, 1);
		if (!kconv_run(t, &e, &k))
			goto out;
	}
	/* sizes, Cin 1..4, strides 1..3 */
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (uint32_t cin = 1; cin <= 4; cin++) {
			uint32_t h = sizes[si] == 255 ? 2 : sizes[si];
			kconv_t k = small(h, sizes[(si + cin) % 4], cin, 17 + 16 * cin, 3, 3,
					  1 + (si + cin) % 3);
			kconv_randomize(t, &k, 2);
			if (!kconv_run(t, &e, &k))
				goto out;
		}
	/* kernel widths up to and past Cin * KW = 16, tall kernels, dilation */
	static const uint32_t shapes[][4] = { /* cin kh kw dh */
		{ 4, 1, 4, 1 }, { 2, 2, 8, 1 }, { 1, 7, 7, 1 }, { 3, 5, 5, 2 },
		{ 4, 3, 5, 1 }, { 1, 1, 16, 1 }, { 1, 3, 17, 1 }, { 3, 7, 7, 3 }
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		kconv_t k = small(12, 23, shapes[i][0], 40, shapes[i][1], shapes[i][2], 1);
		k.dh = shapes[i][3];
		kconv_randomize(t, &k, 3);
		if (!kconv_run(t, &e, &k))
			goto out;
	}
	/* kernel rows whose last Cin * KW % 4 bytes share one dword (the AVX-512
	 * kernel's tails: even steps up to 8, pixels past 16 and not a multiple
	 * of it), the odd byte of a word among them, no whole dword per row */
	static const uint32_t tails[][4] = { /* cin kh kw stride */
		{ 3, 3, 3, 2 }, { 3, 4, 3, 2 }, { 3, 2, 3, 2 }, { 2, 2, 3, 2 },
		{ 2, 2, 1, 1 }, { 1, 2, 2, 2 }, { 2, 2, 3, 4 }, { 4, 3, 3, 2 }
	};
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		kconv_t k = small(7, 41, tails[i][0], 33, tails[i][1], tails[i][2], tails[i][3]);
		k.pl = 1, k.pt = 1;
		kconv_randomize(t, &k, 3);
		if (!kconv_run(t, &e, &k))
			goto out;
	}
	/* a left padding wider than the padded columns that the windows read:
	 * every output from padding (found by tests/fuzz: the row copy pointed
	 * before the input row) */
	{
		kconv_t k = small(13, 1, 1, 1, 1, 1, 1);
		k.sw = 3, k.pl = 2;
		if (!kconv_run(t, &e, &k))
			goto out;
		k = small(3, 1, 3, 17, 3, 1, 2);
		k.pl = 3, k.pt = k.pb = 1;
		if (!kconv_run(t, &e, &k))
			goto out;
	}
	/* extreme zero points with each requantization mode; batch 2 */
	for (int rq = 0; rq < KCONV_RQ_COUNT; rq++) {
		kconv_t k = small(6, 30, 3, 32, 3, 3, 2);
		k.n = 2;
		kconv_randomize(t, &k, 1);
		k.in_zp = rq % 2 ? 127 : -128;
		k.out_zp = rq % 2 ? -128 : 127;
		k.rq = (kconv_rq_t)rq;
		if (!kconv_run(t, &e, &k))
			goto out;
	}
out:
	t_env_close(&e);
}

/*
 * Around the limits of cpu_rq16_fold_zp (the AVX-512 first layer folds the
 * output zero point into its rounding where that is exact): sums within 64 +
 * 27 of INT32_MIN or INT32_MAX, or exactly at them (flat: every input the
 * zero point), requantized to about +-2^31 (shift 0), +-256 (-23), +-64
 * (-25) with zero points -128 and 127. Folded past its limits, mbqm + zp
 * leaves int32 (shift 0, multiplier INT32_MAX - 126 at INT32_MIN) or the
 * 64-bit numerator overflows (-25 and below). Then exact negative ties of
 * mbqm (-1.5 -> -2) on both paths: shift -3, folded; -25, not folded, so
 * the full sign term must still apply there.
 */
void test_conv_small_i8_fold_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const int32_t rq[][3] = { /* mult, shift, flat */
		{ INT32_MAX - 129, 0, 0 }, { INT32_MAX, 0, 0 }, { INT32_MAX, -23, 0 },
		{ INT32_MAX, -24, 0 }, { INT32_MAX, -25, 0 }, { INT32_MAX, -31, 0 },
		{ 1 << 30, -1, 0 }, { INT32_MAX - 129, 0, 1 }, { INT32_MAX - 126, 0, 1 },
	};
	/* shift, bias */
	static const int32_t ties[][2] = { { -3, -3 * (1 << 3) }, { -25, -3 * (1 << 25) } };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 1, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	for (size_t i = 0; i < sizeof(rq) / sizeof(rq[0]); i++)
		for (int side = 0; side < 2; side++)
			for (int z = 0; z < 2; z++) {
				kconv_t k = small(9, 17, 3, 32, 3, 3, 2);
				k.pt = k.pl = 1;
				k.edge = true, k.edge_flat = rq[i][2];
				k.edge_mult = rq[i][0], k.edge_shift = rq[i][1];
				k.edge_bias = side ? INT32_MAX - 64 * !k.edge_flat
						   : INT32_MIN + 64 * !k.edge_flat;
				k.in_zp = (int32_t)t_range(t, -100, 100);
				k.out_zp = z ? 127 : -128;
				if (!kconv_run(t, &e, &k))
					goto out;
			}
	for (size_t i = 0; i < sizeof(ties) / sizeof(ties[0]); i++)
		for (int z = 0; z < 2; z++) {
			kconv_t k = small(5, 9, 3, 16, 3, 3, 2);
			k.edge = k.edge_flat = true;
			k.edge_mult = 1 << 30, k.edge_shift = ties[i][0], k.edge_bias = ties[i][1];
			k.in_zp = (int32_t)t_range(t, -100, 100);
			k.out_zp = z ? -5 : 0;
			if (!kconv_run(t, &e, &k))
				goto out;
		}
out:
	t_env_close(&e);
}

/*
 * rq16_hi.h's form in the AVX-512 first layer (its limits lane by lane:
 * requant_lanes_avx512). Sums at +-(2^30 + 100), where 2x leaves int32, and
 * within the bound the kernel derives from the weights (bias +-(2^30 -
 * 7000): 255 * 27 = 6885 from the weights of a 3x3x3 kernel) or just past
 * it, requantized to about +-64 + zp (shift -24); h + c past int32 (shift
 * -24 with zero point 127 at sums of 2^29, whose results saturate to 127
 * only off the form, and -128 at -2^29); shift -31 with zero points 0 and
 * -1 (c fits) and 1 (it does not); shift -1. Then small sums of both signs
 * with exact ties (kconv's ties) under ReLU (qmin = zp) and clamps above
 * and below zp, for 16 to 97 output channels (passes of 32 and 16 in each
 * block of 64) and output widths 1 to 35 (groups of 8 and 4 pixels, pairs
 * of them, leftovers).
 */
void test_conv_small_i8_hi_limits(tctx *t, enpu_cpu_isa_t isa)
{
	static const int32_t cases[][5] = { /* mult, shift, bias, out_zp, flat */
		{ INT32_MAX, -24, (1 << 30) + 100, 50, 1 },
		{ INT32_MAX, -24, -(1 << 30) - 100, -50, 1 },
		{ INT32_MAX, -24, (1 << 30) - 7000, -100, 0 },
		{ INT32_MAX, -24, -(1 << 30) + 7000, 100, 0 },
		{ INT32_MAX, -24, (1 << 30) - 6000, 0, 0 },
		{ INT32_MAX, -24, -(1 << 30) + 6000, 0, 0 },
		{ INT32_MAX, -24, 1 << 29, 127, 1 },
		{ INT32_MAX, -24, -(1 << 29), -128, 1 },
		{ INT32_MAX, -31, 1 << 29, 0, 0 },
		{ INT32_MAX, -31, -(1 << 29), -1, 0 },
		{ INT32_MAX, -31, 1 << 29, 1, 0 },
		{ 1 << 30, -1, 100, -128, 0 },
		{ INT32_MAX, -1, -(1 << 20), 127, 0 },
	};
	static const uint32_t couts[] = { 16, 32, 48, 64, 80, 97 };
	static const uint32_t widths[] = { 1, 3, 4, 8, 12, 17, 35 };
	static const int32_t qmin_offs[] = { 0, 4, -3 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 1, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kconv_t k = small(7, 21, 3, 32, 3, 3, 2);
		k.pt = k.pl = 1;
		k.edge = true, k.edge_flat = cases[i][4];
		k.edge_mult = cases[i][0], k.edge_shift = cases[i][1], k.edge_bias = cases[i][2];
		k.in_zp = (int32_t)t_range(t, -100, 100);
		k.out_zp = cases[i][3];
		if (!kconv_run(t, &e, &k))
			goto out;
	}
	for (size_t ci = 0; ci < sizeof(couts) / sizeof(couts[0]); ci++)
		for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
			kconv_t k = small(3, widths[wi], 3, couts[ci], 3, 3, 1);
			k.pt = k.pl = k.pb = k.pr = 1;
			k.ties = true;
			k.qmin_off = qmin_offs[(ci + wi) % 3];
			k.in_zp = (int32_t)t_range(t, -100, 100);
			k.out_zp = (int32_t)t_range(t, -20, 20);
			if (!kconv_run(t, &e, &k))
				goto out;
		}
out:
	t_env_close(&e);
}

void test_conv_small_i8_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3), 1u << ENPU_OP_CONV2D,
			    ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 40; i++) {
		uint32_t cin = (uint32_t)t_range(t, 1, 4);
		/* drawn in order: the order of a call's arguments is unspecified */
		uint32_t h = (uint32_t)t_range(t, 1, 24), w = (uint32_t)t_range(t, 1, 40);
		uint32_t cout = (uint32_t)t_range(t, 1, 140), kh = (uint32_t)t_range(t, 1, 7);
		uint32_t kw = (uint32_t)t_range(t, 1, 16 / (int32_t)cin + 1);
		kconv_t k = small(h, w, cin, cout, kh, kw, (uint32_t)t_range(t, 1, 3));
		k.sw = (uint32_t)t_range(t, 1, 3);
		k.dh = (uint32_t)t_range(t, 1, 2);
		k.n = (uint32_t)t_range(t, 1, 2);
		kconv_randomize(t, &k, 3);
		if (!kconv_run(t, &e, &k))
			break;
	}
	t_env_close(&e);
}
