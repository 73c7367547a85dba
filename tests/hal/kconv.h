/* SPDX-License-Identifier: MIT */
/* Differential test cases for the dedicated convolution kernels (depthwise,
 * small-channel first layers): one int8 CONV2D with explicit zero points and
 * a chosen requantization mode, CPU vs reference, bit for bit. */
#ifndef ENPU_TEST_KCONV_H
#define ENPU_TEST_KCONV_H

#include "diff.h"

typedef enum kconv_rq {
	KCONV_RQ_DERIVED,  /* from the scales */
	KCONV_RQ_RANDOM,   /* diff_random_requant per channel */
	KCONV_RQ_MIXED,    /* per channel: extremes, shift > 0 and < 0 side by side */
	KCONV_RQ_LEFT,     /* kconv_left_requant */
	KCONV_RQ_COUNT
} kconv_rq_t;

typedef struct kconv {
	uint32_t n, h, w, cin, cout, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
	int32_t in_zp, out_zp;
	kconv_rq_t rq;
	bool guard_in; /* the input ends where an inaccessible page begins */
	/* ties: inputs in_zp + {-1, 0, 1}, weights in {-1, 0, 1}, no bias,
	 * multiplier 2^30 with shift -1 or -2 (rq ignored): small sums of both
	 * signs, many of them exact ties, under the clamp [out_zp + qmin_off,
	 * 127], next to where the output stage may stop telling results <= 0
	 * apart (requant_avx512.h's RQ16_RELU) */
	bool ties;
	int32_t qmin_off;
	bool ties_one_shift; /* with ties: one shift for every channel (per-tensor) */
	/* edge: inputs and weights as for ties, every bias edge_bias, every
	 * channel requantized by (edge_mult, edge_shift), no activation (rq and
	 * ties ignored): sums next to edge_bias, for results at the int32 limits */
	bool edge;
	int32_t edge_bias, edge_mult, edge_shift;
	bool edge_flat; /* with edge: every input in_zp, so every sum is edge_bias */
} kconv_t;

/* Per channel: mostly shift in [1, 6] with multipliers small enough (2^16 ..
 * 2^24) that the left shift matters without saturating, next to shift <= 0. */
void kconv_left_requant(tctx *t, int32_t *mult, int32_t *shift, size_t count);

/* Runs one case with random data (weights over the full int8 range, bias
 * random or near the int32 limits); false (and t failed) on a mismatch. */
bool kconv_run(tctx *t, t_env *e, const kconv_t *k);
/* Random zp, requantization mode and padding for a case whose shape fields
 * are set; picks pads in [0, max_pad] and fixes them up so that the output
 * is at least 1 x 1. */
void kconv_randomize(tctx *t, kconv_t *k, uint32_t max_pad);

#endif
