/* SPDX-License-Identifier: MIT */
/* The fp16 kernels of one row tile (f16_kernel_half, and the AVX-512
 * table's f16_kernel_half_narrow, which a device uses only on AMD family
 * 19h: cpu_f16_narrow()) called directly, so that each runs on any host that
 * has its ISA: mr rows (1..f16_mr) over np panels (1..f16_np: groups of
 * panels and the panels after them) and K from 1 up, against a double
 * reference within fp32 summation's bound (docs/numerics.md), with nothing
 * written past acc[np][mr][f16_nr]. Then the rule that sends skinny GEMMs
 * to fp32 panels instead (cpu_f16_fp32_max) and the cache sizes it reads. */
#include <math.h>
#include <stdlib.h>
#include "enpu/fp16.h"
#include "../../libhal/src/cpu/cpu_device.h"
#include "../../libhal/src/cpu/cpu_features.h"
#include "../../libhal/src/cpu/vec_kernels.h"
#include "tests.h"

typedef void (*half_fn)(const float *a, size_t lda, const uint16_t *b, uint32_t k, uint32_t mr,
			uint32_t np, float *acc);

typedef struct kernel {
	const char *name;
	const cpu_vec_ops_t *ops;
	enpu_cpu_isa_t isa;
	bool narrow;
} kernel_t;

static const kernel_t kernels[] = {
#if defined(__x86_64__)
	{ "avx2", &cpu_vec_avx2, ENPU_CPU_ISA_AVX2, false },
	{ "avx512", &cpu_vec_avx512, ENPU_CPU_ISA_AVX512VNNI, false },
	{ "avx512 narrow", &cpu_vec_avx512, ENPU_CPU_ISA_AVX512VNNI, true },
#elif defined(__aarch64__)
	{ "neon", &cpu_vec_neon, ENPU_CPU_ISA_NEON_DOTPROD, false },
#endif
};

#define GUARD 64 /* floats past acc that must stay untouched */

/* One case: acc checked against the reference; false on a mismatch */
static bool one_case(tctx *t, const kernel_t *kn, half_fn fn, uint32_t mr, uint32_t np, uint32_t k)
{
	const uint32_t nr = kn->ops->f16_nr;
	const size_t nb = (size_t)np * k * nr, nacc = (size_t)np * mr * nr;
	float *a = malloc((size_t)mr * k * sizeof(float));
	uint16_t *b = malloc(nb * sizeof(uint16_t));
	float *acc = malloc((nacc + GUARD) * sizeof(float));
	bool ok = false;
	CHECK(t, a && b && acc, "oom");
	for (size_t i = 0; i < (size_t)mr * k; i++)
		a[i] = (float)t_range(t, -2048, 2048) / 1024.0f;
	for (size_t i = 0; i < nb; i++)
		b[i] = enpu_f32_to_f16((float)t_range(t, -2048, 2048) / 1024.0f);
	for (size_t i = 0; i < nacc + GUARD; i++)
		acc[i] = -12345.0f;
	fn(a, k, b, k, mr, np, acc);
	for (uint32_t p = 0; p < np; p++)
		for (uint32_t i = 0; i < mr; i++)
			for (uint32_t c = 0; c < nr; c++) {
				double ref = 0, s = 0;
				for (uint32_t kk = 0; kk < k; kk++) {
					double x = (double)a[(size_t)i * k + kk] *
						   enpu_f16_to_f32(b[((size_t)p * k + kk) * nr + c]);
					ref += x;
					s += fabs(x);
				}
				float got = acc[((size_t)p * mr + i) * nr + c];
				CHECK(t, fabs(got - ref) <= 2.0 * k * 0x1p-24 * s,
				      "%s: mr %u np %u k %u: panel %u row %u column %u: %.9g, want %.9g",
				      kn->name, mr, np, k, p, i, c, got, ref);
			}
	for (size_t i = nacc; i < nacc + GUARD; i++)
		CHECK(t, acc[i] == -12345.0f, "%s: mr %u np %u k %u: wrote acc[%zu] of %zu",
		      kn->name, mr, np, k, i, nacc);
	ok = true;
out:
	free(a);
	free(b);
	free(acc);
	return ok;
}

void test_f16_half_kernels(tctx *t)
{
	int ran = 0;
	for (size_t f = 0; f < sizeof(kernels) / sizeof(kernels[0]); f++) {
		const kernel_t *kn = &kernels[f];
		half_fn fn = kn->narrow ? kn->ops->f16_kernel_half_narrow : kn->ops->f16_kernel_half;
		if (!cpu_isa_supported(kn->isa))
			continue;
		CHECK(t, fn && kn->ops->f16_np >= 1, "%s: no kernel", kn->name);
		ran++;
		/* every (mr, np) with small K, then random K up to 300 */
		for (uint32_t mr = 1; mr <= kn->ops->f16_mr; mr++)
			for (uint32_t np = 1; np <= kn->ops->f16_np; np++)
				if (!one_case(t, kn, fn, mr, np, (uint32_t)t_range(t, 1, 9)))
					return;
		for (int i = 0; i < 40; i++)
			if (!one_case(t, kn, fn, (uint32_t)t_range(t, 1, (int32_t)kn->ops->f16_mr),
				      (uint32_t)t_range(t, 1, (int32_t)kn->ops->f16_np),
				      (uint32_t)t_range(t, 1, 300)))
				return;
	}
	if (!ran)
		t_skip(t, "no kernel family with fp16 conversion instructions on this host");
out:
	return;
}

/* Hosts with slow fp16 conversions read skinny GEMMs' B as fp32 panels up
 * to half their L3; others (and an unknown L3) never; sysfs cache sizes
 * parse to bytes, anything malformed to 0 */
void test_f16_panel_rule(tctx *t)
{
	static const struct {
		const char *text;
		size_t bytes;
	} sizes[] = {
		{ "8192K\n", 8u << 20 }, { "32M", 32u << 20 }, { "512\n", 512 }, { "48K", 48u << 10 },
		{ "", 0 },		  { "K", 0 },		{ "8192K\n\n", 0 },  { "8192KB", 0 },
		{ "-1K", 0 },		  { " 8K", 0 },		{ "12345678901K", 0 }, { "8G", 0 },
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t got = cpu_cache_size_parse(sizes[i].text);
		CHECK(t, got == sizes[i].bytes, "\"%s\": %zu bytes, want %zu", sizes[i].text, got,
		      sizes[i].bytes);
	}
	CHECK(t, cpu_f16_fp32_max(true, 8u << 20) == 4u << 20, "slow, 8 MiB L3");
	CHECK(t, cpu_f16_fp32_max(true, 0) == 0, "slow, unknown L3");
	CHECK(t, cpu_f16_fp32_max(false, 8u << 20) == 0, "fast, 8 MiB L3");
	size_t l3 = cpu_l3_bytes();
	CHECK(t, l3 == 0 || (l3 >= 1024 && l3 % 1024 == 0), "L3 of %zu bytes", l3);
out:;
}
