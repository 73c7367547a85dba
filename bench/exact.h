/* SPDX-License-Identifier: MIT */
/* Whether a peer's int32 sums are exact: checks them against sums computed
 * here in int64 at sampled output positions (not timed). enpu's own results
 * are proven bit-exact by the test suites; this tells whether a peer's speed
 * comes with the same arithmetic (on AVX2 without VNNI, oneDNN's int8 GEMM
 * saturates in vpmaddubsw and its convolution halves the weights). */
#ifndef ENPU_BENCH_EXACT_H
#define ENPU_BENCH_EXACT_H

#include <stdbool.h>
#include <stdint.h>

#define EXACT_SAMPLES 1024u

typedef struct exact_result {
	uint32_t checked, off; /* sampled sums, of which differ from exact */
	int64_t max_err;       /* largest |peer - exact| */
} exact_result_t;

/* C = A (m x k, row-major; uint8 when a_unsigned) * B^T (B: n x k) */
exact_result_t exact_check_gemm(const int8_t *a, bool a_unsigned, const int8_t *b, uint32_t m,
				uint32_t n, uint32_t k, const int32_t *c);

/* NHWC convolution of in - in_zp by w ([cout][k][k][cin/groups]), square
 * kernel, stride, equal padding on every side; sums NHWC [oh][ow][cout]. */
typedef struct exact_conv {
	const int8_t *in, *w;
	int32_t in_zp;
	uint32_t h, w_, cin, cout, k, stride, pad, groups;
} exact_conv_t;
exact_result_t exact_check_conv(const exact_conv_t *p, const int32_t *sums);

/* Largest |x - y| over n int8 outputs (two libraries' requantized results). */
int exact_max_diff_i8(const int8_t *x, const int8_t *y, size_t n);

/* " exact" or " N of M off (max |err| E)" */
void exact_print(const exact_result_t *r);

#endif
