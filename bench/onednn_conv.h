/* SPDX-License-Identifier: MIT */
/* oneDNN int8 convolution as a benchmark peer: NHWC s8 in/out, OHWI (or
 * depthwise G-O-I-H-W) s8 weights reordered once to oneDNN's preferred
 * layout, output scale, zero points and a clip post-op as attributes; or, with sums, its
 * raw int32 sums (s32 out, no scale, no zero points) for exact.h. */
#ifndef ENPU_BENCH_ONEDNN_CONV_H
#define ENPU_BENCH_ONEDNN_CONV_H

#include <stdbool.h>
#include <stdint.h>

typedef struct onednn_conv onednn_conv_t;

typedef struct onednn_conv_desc {
	uint32_t h, w, cin, cout, k, stride, pad, groups;
	int32_t in_zp, out_zp;
	float out_scale; /* in_scale * w_scale / out_scale */
	float clip_max;  /* > 0: ReLU6 as a clip to [0, clip_max] output steps, before dst's zp */
	const int8_t *in, *weights; /* NHWC, [cout][k][k][cin/groups] */
	bool sums;                  /* out is int32 sums of in * weights */
	void *out;                  /* NHWC, int8 (or int32 with sums) */
} onednn_conv_desc_t;

/* NULL when oneDNN rejects the problem. *note says which features were
 * dropped to get a primitive (e.g. "no src zero point"), or "". */
onednn_conv_t *onednn_conv_create(const onednn_conv_desc_t *d, const char **note);
void onednn_conv_run(void *conv);
void onednn_conv_destroy(onednn_conv_t *c);

#endif
