/* SPDX-License-Identifier: MIT */
/* The CPU kernel families' fp16 conversions (F16C on x86-64, FCVTL/FCVTN in
 * the NEON family, portable C in generic) vs the portable enpu_f16_to_f32
 * and enpu_f32_to_f16, bit for bit (signalling NaNs to fp32 may come out
 * quieted: docs/numerics.md): every fp16 pattern to fp32, and to fp16
 * every fp16 value as fp32, the ties between neighbours and one fp32 ulp
 * either side, the overflow edge (65504..65520), NaNs with payloads
 * (signalling ones too), infinities, fp32 subnormals and random patterns.
 * Through the vector tables' f16_to_f32 and f16_store_row (no bias, an
 * unbounded clamp: the conversion alone), in vectors and tails. */
#include <math.h>
#include <stdlib.h>
#include "../../libhal/src/cpu/cpu_features.h"
#include "../../libhal/src/cpu/vec_kernels.h"
#include "tests.h"

typedef struct family {
	const char *name;
	const cpu_vec_ops_t *ops;
	enpu_cpu_isa_t isa;
} family_t;

static const family_t families[] = {
	{ "generic", &cpu_vec_generic, ENPU_CPU_ISA_GENERIC },
#if defined(__x86_64__)
	{ "avx2", &cpu_vec_avx2, ENPU_CPU_ISA_AVX2 },
	{ "avx512", &cpu_vec_avx512, ENPU_CPU_ISA_AVX512VNNI },
#elif defined(__aarch64__)
	{ "neon", &cpu_vec_neon, ENPU_CPU_ISA_NEON_DOTPROD },
#endif
};

static uint32_t bits_of(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof(u));
	return u;
}

static float of_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

static bool check_to_f32(tctx *t, const family_t *f)
{
	uint16_t *h = malloc(65536 * sizeof(*h));
	float *got = malloc(65536 * sizeof(*got));
	bool ok = false;

	CHECK(t, h && got, "oom");
	for (uint32_t i = 0; i < 65536; i++)
		h[i] = (uint16_t)i;
	/* all at once, then in pieces of 1..17 (tails) */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0, n; i < 65536; i += n) {
			n = pass ? (size_t)t_range(t, 1, 17) : 65536;
			n = n < 65536 - i ? n : 65536 - i;
			f->ops->f16_to_f32(h + i, n, got + i);
		}
	for (uint32_t i = 0; i < 65536; i++) {
		uint32_t want = bits_of(enpu_f16_to_f32(h[i])), g = bits_of(got[i]);
		/* F16C and FCVTL quiet signalling NaNs (docs/numerics.md) */
		bool nan = (want & 0x7fffffffu) > 0x7f800000u;
		CHECK(t, g == want || (nan && g == (want | 0x00400000u)),
		      "%s: f16_to_f32(0x%04x) = 0x%08x, expected 0x%08x", f->name, i, g, want);
	}
	ok = true;
out:
	free(h);
	free(got);
	return ok;
}

/* The fp32 patterns of the f32 -> f16 check, *n of them. */
static uint32_t *to_f16_inputs(tctx *t, size_t *n)
{
	size_t cap = 65536 * 4 + 4096 + 200000, k = 0;
	uint32_t *x = malloc(cap * sizeof(*x));
	if (!x)
		return NULL;
	for (uint32_t i = 0; i < 65536; i++) {
		uint32_t v = bits_of(enpu_f16_to_f32((uint16_t)i));
		if ((i & 0x7c00u) == 0x7c00u)
			continue;	/* inf and NaN: below */
		/* the value, the tie with the next one up, one ulp either side */
		uint32_t up = bits_of(enpu_f16_to_f32((uint16_t)(i + 1)));
		uint32_t tie = bits_of((of_bits(v) + of_bits(up)) / 2);
		x[k++] = v;
		x[k++] = tie;
		x[k++] = tie - 1;
		x[k++] = tie + 1;
	}
	for (uint32_t v = bits_of(65504.0f); v <= bits_of(65520.0f) + 2; v++)
		x[k++] = v;	/* the overflow edge, every fp32 in it */
	for (int s = 0; s < 2; s++) {
		uint32_t sign = s ? 0x80000000u : 0;
		x[k++] = sign | 0x7f800000u;			/* infinity */
		x[k++] = sign | 0x7fc00000u;			/* quiet NaN */
		x[k++] = sign | 0x7f800001u;			/* signalling NaN */
		x[k++] = sign | 0x7fbfe000u;			/* signalling, payload bits */
		x[k++] = sign | 0x7f7fffffu;			/* FLT_MAX */
		x[k++] = sign | 0x00000001u;			/* fp32 subnormals */
		x[k++] = sign | 0x007fffffu;
		for (int i = 0; i < 500; i++)			/* NaN payloads */
			x[k++] = sign | 0x7f800000u | (uint32_t)t_range(t, 1, 0x7fffff);
	}
	while (k < cap)
		x[k++] = (uint32_t)t_rand(t);
	*n = k;
	return x;
}

static bool check_to_f16(tctx *t, const family_t *f, const uint32_t *x, size_t n)
{
	uint32_t nr = f->ops->f16_nr;
	uint16_t out[64];

	CHECK(t, nr <= 64, "%s: f16_nr %u", f->name, nr);
	for (size_t i = 0; i < n; i += nr) {
		size_t m = n - i < nr ? n - i : nr;
		if (t_rand(t) % 4 == 0)
			m = (size_t)t_range(t, 1, (int32_t)m);	/* tails */
		f->ops->f16_store_row((const float *)(x + i), NULL, m, -INFINITY, INFINITY, out);
		for (size_t j = 0; j < m; j++) {
			uint16_t want = enpu_f32_to_f16(of_bits(x[i + j]));
			CHECK(t, out[j] == want, "%s: f32 0x%08x to f16 = 0x%04x, expected 0x%04x",
			      f->name, x[i + j], out[j], want);
		}
	}
	return true;
out:
	return false;
}

void test_f16_conversions(tctx *t)
{
	size_t n = 0, checked = 0;
	uint32_t *x = to_f16_inputs(t, &n);

	CHECK(t, x, "oom");
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (!cpu_isa_supported(families[i].isa))
			continue;
		if (!check_to_f32(t, &families[i]) || !check_to_f16(t, &families[i], x, n))
			goto out;
		checked++;
	}
	CHECK(t, checked >= 1, "no kernel family ran");
out:
	free(x);
}
