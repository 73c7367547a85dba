/* SPDX-License-Identifier: MIT */
/* Convolutions the implicit GEMM takes on AVX2, AVX-512 VNNI, NEON and
 * AMX (conv_implicit.c: groups 1, no dilation, output rows of >= 12 pixels
 * on AVX2, on VNNI of >= 8 but not 11 (tiles of 4 or 5 rows), on NEON of
 * >= 7, all kernel rows in one call; on AMX of >= 16 pixels, or narrower
 * with stride 1, from 2 (k_w - 1), its kernel calls wrapping across output
 * rows) vs the reference, bit-exact, for every CPU kernel family (the
 * others run them through im2col): output rows of one and of several kernel calls (> 96
 * pixels), strides 1..3 (unequal too), kernels 1x1 to 5x5, padding, a kernel
 * row's K segment longer than the K block (512 and VNNI's 4096), segments (KW * Cin)
 * that are not a multiple of the K group (padded with zero weights: the
 * 3-channel first layer, odd Cin, one past the K block), Cout around the
 * 16- and 64-column panels, batch 2, every requantization mode. */
#include "../../libhal/src/cpu/cpu_device.h"
#include "kblock.h"
#include "kconv.h"
#include "tests.h"

/* The kernel families with an implicit GEMM (generic on another
 * architecture: skipped) */
static const enpu_cpu_isa_t families[] = { ENPU_CPU_ISA_AVX2, ENPU_CPU_ISA_AVX512VNNI,
					   ENPU_CPU_ISA_AMX_INT8, ENPU_CPU_ISA_NEON_DOTPROD };

static kconv_t shape(const uint32_t s[8])
{
	return (kconv_t){ .n = 1, .h = s[0], .w = s[1], .cin = s[2], .cout = s[3], .kh = s[4],
			  .kw = s[5], .sh = s[6], .sw = s[7], .dh = 1, .dw = 1, .groups = 1 };
}

void test_conv_implicit_i8_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t shapes[][8] = { /* h w cin cout kh kw sh sw */
		{ 3, 26, 8, 17, 3, 3, 1, 1 },    { 4, 30, 64, 64, 3, 3, 1, 1 },
		{ 5, 61, 12, 65, 3, 3, 2, 2 },   { 3, 200, 8, 3, 1, 3, 1, 1 },
		{ 2, 26, 256, 130, 3, 3, 1, 1 }, { 6, 40, 20, 33, 5, 5, 1, 1 },
		{ 3, 75, 16, 40, 1, 1, 3, 3 },   { 7, 50, 6, 8, 3, 2, 3, 1 },
		{ 9, 60, 3, 32, 3, 3, 2, 2 },    { 4, 30, 5, 17, 3, 3, 1, 1 },
		{ 3, 40, 7, 9, 1, 1, 1, 1 },     { 2, 26, 171, 20, 3, 3, 1, 1 },
		/* AMX (rows of >= 64 pixels): segments of 3 x 64 exactly, padded
		 * to 64, longer than its 1024-element K block; a call's rows in
		 * tiles of 32, 16 and fewer */
		{ 3, 66, 64, 64, 3, 3, 1, 1 },   { 2, 70, 20, 65, 3, 3, 1, 1 },
		{ 2, 66, 400, 33, 3, 3, 1, 1 },  { 2, 130, 8, 17, 5, 5, 1, 1 },
		/* AMX, stride 1 wrapping across output rows: narrow images (calls
		 * of several output rows, starting inside the k_w - 1 rows that
		 * are not outputs), a K block per kernel row, 5 x 3 kernels, the
		 * narrowest width taken; stride 2 from 16 pixels */
		{ 7, 7, 64, 64, 3, 3, 1, 1 },    { 14, 14, 40, 70, 3, 3, 1, 1 },
		{ 5, 9, 400, 33, 3, 3, 1, 1 },   { 9, 12, 16, 20, 5, 3, 1, 1 },
		{ 4, 4, 8, 17, 3, 3, 1, 1 },     { 30, 11, 24, 130, 3, 3, 1, 1 },
		{ 5, 40, 64, 70, 3, 3, 2, 2 },   { 4, 18, 64, 64, 3, 3, 1, 1 },
		/* VNNI and NEON, output rows of 6-16 pixels (one or two calls
		 * of 7-8 and more): kernel rows of 192, 1200 and 600 bytes, 3
		 * and 5 of them in one call */
		{ 3, 8, 64, 64, 3, 3, 1, 1 },    { 2, 10, 400, 33, 3, 3, 1, 1 },
		{ 3, 25, 16, 64, 3, 3, 2, 2 },   { 7, 11, 40, 70, 5, 5, 1, 1 },
		/* unpadded (a pad of a kernel goes to im2col): 5 x 1 and 1 x 3
		 * kernels, one kernel row of 600, 516 and 4200 bytes (K blocks of
		 * 512 and VNNI's 4096, with their sums through the driver's
		 * buffer) */
		{ 6, 12, 4, 20, 5, 1, 1, 1 },    { 4, 14, 1, 17, 1, 3, 1, 1 },
		{ 2, 20, 200, 33, 1, 3, 1, 1 },  { 3, 30, 172, 20, 1, 3, 1, 1 },
		{ 2, 12, 1400, 20, 1, 3, 1, 1 },
	};
	const size_t n = sizeof(shapes) / sizeof(shapes[0]), unpadded = n - 5;
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	for (unsigned b = 0; b < t_kblocks(&e); b++) {
		t_kblock_use(&e, b);
		for (size_t i = 0; i < n; i++)
			for (int rq = 0; rq < KCONV_RQ_COUNT; rq++) {
				kconv_t k = shape(shapes[i]);
				k.n = 1 + (uint32_t)(rq + i) % 2;
				kconv_randomize(t, &k, i < unpadded ? 2 : 0);
				k.rq = (kconv_rq_t)rq;
				if (!kconv_run(t, &e, &k))
					goto out;
			}
	}
out:
	t_env_close(&e);
}

void test_conv_implicit_i8_random(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3), 1u << ENPU_OP_CONV2D,
			    ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 30; i++) {
		uint32_t kw = (uint32_t)t_range(t, 1, 5);
		/* half of them with Cin * KW a multiple of 4, half any */
		uint32_t cin = (uint32_t)t_range(t, 1, 24) * (i % 2 ? 1 : kw % 2 ? 4 : kw % 4 ? 2 : 1);
		/* every third one narrow (AMX: wrapping across output rows) */
		int32_t w_lo = i % 3 ? 24 : 2, w_hi = i % 3 ? 110 : 24;
		/* drawn in order: an initializer list's order is unspecified */
		uint32_t s[8] = { 0, 0, cin, 0, 0, kw, 0, 0 };
		s[0] = (uint32_t)t_range(t, 1, 6 + 10 * (i % 3 == 0));
		s[1] = (uint32_t)t_range(t, w_lo, w_hi);
		s[3] = (uint32_t)t_range(t, 1, 140);
		s[4] = (uint32_t)t_range(t, 1, 5);
		s[6] = (uint32_t)t_range(t, 1, 2);
		s[7] = (uint32_t)t_range(t, 1, 2);
		kconv_t k = shape(s);
		k.n = (uint32_t)t_range(t, 1, 2);
		kconv_randomize(t, &k, 3);
		if (!kconv_run(t, &e, &k))
			break;
	}
	t_env_close(&e);
}

/* cpu_conv_implicit_rows: the even split of up to 96 rows where there are
 * tasks enough; else shorter calls in whole row tiles (or conv_min_rows),
 * down to conv_min_rows, giving at least the tasks wanted where they can. */
void test_conv_implicit_rows_split(tctx *t)
{
	unsigned checked = 0;
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		const cpu_i8_gemm_ops_t *o = cpu_i8_gemm_for(families[f]);
		if (o == &cpu_i8_gemm_generic)
			continue;
		const uint32_t min_rows = o->conv_min_rows;
		for (int i = 0; i < 4000; i++) {
			uint32_t span = (uint32_t)t_range(t, 1, i % 2 ? 400 : 5000);
			size_t lines = (size_t)t_range(t, 1, i % 3 ? 3 : 200);
			uint32_t panels = (uint32_t)t_range(t, 1, 8);
			uint32_t want = i % 5 ? 4u * (uint32_t)t_range(t, 2, 64) : 1u;
			uint32_t rows = cpu_conv_implicit_rows(o, span, lines, panels, want);
			uint32_t even = (span + (span + 95) / 96 - 1) / ((span + 95) / 96);
			size_t tasks = lines * ((span + rows - 1) / rows) * panels;
			size_t even_tasks = lines * ((span + 95) / 96) * panels;
			CHECK(t, rows >= 1 && rows <= even, "span %u: %u rows (even split %u)", span,
			      rows, even);
			if (even_tasks >= want || even <= min_rows) {
				CHECK(t, rows == even, "span %u, %zu tasks for %u: %u rows, not %u",
				      span, even_tasks, want, rows, even);
			} else {
				bool tiles = rows % o->mr == 0 || rows == min_rows;
				CHECK(t, rows == even || (tiles && rows >= min_rows),
				      "span %u: %u rows (tile %u, at least %u)", span, rows, o->mr,
				      min_rows);
				CHECK(t, tasks >= want || rows == min_rows,
				      "span %u x %zu lines x %u panels: %zu tasks for %u (%u rows)",
				      span, lines, panels, tasks, want, rows);
			}
		}
		checked++;
	}
	/* AMX 3x3 stride 1, one image wrapped, 16 threads: 56x56x64 (span
	 * 55 * 58 + 56, one panel) in 48-row calls, 14x14x256 (4 panels) in 16 */
	const cpu_i8_gemm_ops_t *amx = cpu_i8_gemm_for(ENPU_CPU_ISA_AMX_INT8);
	if (amx != &cpu_i8_gemm_generic) {
		CHECK(t, cpu_conv_implicit_rows(amx, 55 * 58 + 56, 1, 1, 64) == 48, "56x56x64");
		CHECK(t, cpu_conv_implicit_rows(amx, 13 * 16 + 14, 1, 4, 64) == 16, "14x14x256");
		CHECK(t, cpu_conv_implicit_rows(amx, 13 * 16 + 14, 1, 4, 1) == 74, "1 thread");
	}
	CHECK(t, checked > 0, "no implicit-GEMM family on this architecture");
out:;
}

/* cpu_conv_implicit_accepts by output width, 3x3, 3 rows of 64 channels:
 * AVX2 from 12 pixels, NEON from 7, VNNI from 8 but not 11 (its 56x56,
 * 28x28 and 14x14 (stride 1 and 2) layers in; 7x7 out), AMX from 16, with
 * stride 1 from 4 (wrapping); never grouped or dilated. */
void test_conv_implicit_widths(tctx *t)
{
	unsigned checked = 0;
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		const cpu_i8_gemm_ops_t *o = cpu_i8_gemm_for(families[f]);
		if (o == &cpu_i8_gemm_generic)
			continue;
		const cpu_device_t d = { .i8 = o };
		for (uint32_t s = 1; s <= 2; s++)
			for (uint32_t w = 1; w <= 120; w++) {
				enpu_conv_op_t c = {
					.batch = 1, .in_h = 3 * s, .in_w = w * s, .in_c = 64,
					.out_h = 3, .out_w = w, .out_c = 64, .k_h = 3, .k_w = 3,
					.stride_h = s, .stride_w = s, .dil_h = 1, .dil_w = 1,
					.pad_t = 1, .pad_l = 1, .pad_b = 2 - s, .pad_r = 2 - s,
					.groups = 1,
				};
				bool want = false;
				switch (families[f]) {
				case ENPU_CPU_ISA_AVX2: want = w >= 12; break;
				case ENPU_CPU_ISA_NEON_DOTPROD: want = w >= 7; break;
				case ENPU_CPU_ISA_AVX512VNNI: want = w >= 8 && w != 11; break;
				default: want = w >= 16 || (s == 1 && w >= 4); break;
				}
				CHECK(t, cpu_conv_implicit_accepts(&d, &c) == want,
				      "isa %d, width %u stride %u: %s", families[f], w, s,
				      want ? "not taken" : "taken");
				c.groups = 2;
				c.out_c = 32;
				CHECK(t, !cpu_conv_implicit_accepts(&d, &c), "isa %d: groups",
				      families[f]);
				c.groups = 1;
				c.dil_w = 2;
				CHECK(t, !cpu_conv_implicit_accepts(&d, &c), "isa %d: dilation",
				      families[f]);
			}
		checked++;
	}
	CHECK(t, checked > 0, "no implicit-GEMM family on this architecture");
out:;
}

/* The implicit GEMM split across threads in calls shorter than the even
 * split (cpu_conv_implicit_rows): 2 output rows of 100 pixels (1 panel;
 * AMX: a 7 x 7 image, wrapped) on 3 threads, with 2^(thread_shift + 1/2)
 * MACs, which split whether the pool's workers spin or sleep, vs the
 * reference. */
void test_conv_implicit_i8_threads(tctx *t, enpu_cpu_isa_t isa)
{
	const cpu_i8_gemm_ops_t *o = cpu_i8_gemm_for(isa);
	if (o == &cpu_i8_gemm_generic) {
		t_skip(t, "no implicit-GEMM convolution in this kernel family");
		return;
	}
#if defined(ENPU_AMX_EMULATE)
	if (isa == ENPU_CPU_ISA_AMX_INT8) {
		t_skip(t, "tiles emulated: 2^28 MACs (the family's thread threshold) take too "
			  "long; conv_implicit_rows_split checks the split");
		return;
	}
#endif
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 3, 1u << ENPU_OP_CONV2D, ENPU_DTYPE_INT8))
		return;
	const bool amx = isa == ENPU_CPU_ISA_AMX_INT8;
	const uint32_t h = amx ? 7 : 2, w = amx ? 7 : 100, cout = amx ? 128 : o->nr;
	/* MACs = h * w * cout * 9 * cin */
	double macs = 1.4142 * (double)(1ull << o->thread_shift);
	uint32_t cin = (uint32_t)(macs / ((double)h * w * cout * 9)) + 1;
	for (int rq = 0; rq < KCONV_RQ_COUNT; rq++) {
		kconv_t k = { .n = 1, .h = h, .w = w, .cin = cin, .cout = cout, .kh = 3, .kw = 3,
			      .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1 };
		kconv_randomize(t, &k, 0);
		k.pt = k.pl = k.pb = k.pr = 1;
		k.rq = (kconv_rq_t)rq;
		if (!kconv_run(t, &e, &k))
			break;
	}
	t_env_close(&e);
}
