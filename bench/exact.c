/* SPDX-License-Identifier: MIT */
/* Exactness checks of peers' int32 sums at sampled positions (exact.h). */
#include <stdio.h>
#include <stdlib.h>
#include "exact.h"

/* Positions spread over the whole output, the same on every run. */
static uint32_t next(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

static void tally(exact_result_t *r, int64_t want, int32_t got)
{
	int64_t err = llabs(want - got);
	r->checked++;
	if (err) {
		r->off++;
		if (err > r->max_err)
			r->max_err = err;
	}
}

exact_result_t exact_check_gemm(const int8_t *a, bool a_unsigned, const int8_t *b, uint32_t m,
				uint32_t n, uint32_t k, const int32_t *c)
{
	exact_result_t r = { 0 };
	uint32_t x = 7;
	for (uint32_t s = 0; s < EXACT_SAMPLES; s++) {
		uint32_t i = next(&x) % m, j = next(&x) % n;
		int64_t sum = 0;
		for (uint32_t l = 0; l < k; l++) {
			int32_t av = a_unsigned ? (uint8_t)a[(size_t)i * k + l] : a[(size_t)i * k + l];
			sum += (int64_t)av * b[(size_t)j * k + l];
		}
		tally(&r, sum, c[(size_t)i * n + j]);
	}
	return r;
}

exact_result_t exact_check_conv(const exact_conv_t *p, const int32_t *sums)
{
	exact_result_t r = { 0 };
	uint32_t oh = (p->h + 2 * p->pad - p->k) / p->stride + 1;
	uint32_t ow = (p->w_ + 2 * p->pad - p->k) / p->stride + 1;
	uint32_t cin_g = p->cin / p->groups, cout_g = p->cout / p->groups;
	uint32_t x = 11;
	for (uint32_t s = 0; s < EXACT_SAMPLES; s++) {
		uint32_t y = next(&x) % oh, xo = next(&x) % ow, o = next(&x) % p->cout;
		uint32_t c0 = o / cout_g * cin_g;
		int64_t sum = 0;
		for (uint32_t ky = 0; ky < p->k; ky++) {
			for (uint32_t kx = 0; kx < p->k; kx++) {
				int64_t iy = (int64_t)y * p->stride + ky - p->pad;
				int64_t ix = (int64_t)xo * p->stride + kx - p->pad;
				if (iy < 0 || ix < 0 || iy >= p->h || ix >= p->w_)
					continue;
				const int8_t *in = p->in + ((size_t)iy * p->w_ + ix) * p->cin + c0;
				const int8_t *w = p->w + (((size_t)o * p->k + ky) * p->k + kx) * cin_g;
				for (uint32_t c = 0; c < cin_g; c++)
					sum += (int64_t)(in[c] - p->in_zp) * w[c];
			}
		}
		tally(&r, sum, sums[((size_t)y * ow + xo) * p->cout + o]);
	}
	return r;
}

int exact_max_diff_i8(const int8_t *x, const int8_t *y, size_t n)
{
	int max = 0;
	for (size_t i = 0; i < n; i++) {
		int d = abs(x[i] - y[i]);
		if (d > max)
			max = d;
	}
	return max;
}

void exact_print(const exact_result_t *r)
{
	if (!r->off)
		printf(" exact");
	else
		printf(" %u of %u off (max |err| %lld)", r->off, r->checked, (long long)r->max_err);
}
