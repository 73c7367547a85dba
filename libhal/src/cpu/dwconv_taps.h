/* SPDX-License-Identifier: MIT */
/* Internal: what the pixel-by-pixel depthwise kernels (dwconv_avx2.c,
 * dwconv_neon.c) share, in plain C: each kernel groups the taps into slots
 * (an order of tap numbers, the number taps for a zero-weight slot) and
 * reads, per output pixel, one block of channels from each slot's input
 * pixel; taps outside the input and zero-weight slots read a row of the
 * input zero point (zprow), so that sum((x - zp) w) is sum(x w) plus a
 * per-channel constant folded into the bias (dw_bias_eff). */
#ifndef ENPU_CPU_DWCONV_TAPS_H
#define ENPU_CPU_DWCONV_TAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../op.h"
#include "../window.h"

/* Channel o's bias - zp * sum(w) over its taps, modulo 2^32 (f: the filter,
 * [channel][tap]; bias may be NULL). */
static inline int32_t dw_bias_eff(const enpu_conv_op_t *c, const int8_t *f, const int32_t *bias,
				  uint32_t o)
{
	const uint32_t taps = c->k_h * c->k_w;
	uint32_t sum = 0;
	for (uint32_t t = 0; t < taps; t++)
		sum += (uint32_t)f[(size_t)o * taps + t];
	return (int32_t)((uint32_t)(bias ? bias[o] : 0) - (uint32_t)c->in_zp * sum);
}

/* Input pointers (channel c0) of the slots of output pixel (n, oh, ow);
 * returns whether every tap's column is inside the input (the next pixel's
 * are then these plus stride_w pixels, where the row is inside:
 * dw_next_inside). */
static inline bool dw_tap_pointers(const enpu_conv_op_t *c, const uint32_t *order, uint32_t slots,
				   const int8_t *in, uint32_t n, uint32_t oh, uint32_t ow,
				   uint32_t c0, const int8_t *zprow, const int8_t **src)
{
	const uint32_t taps = c->k_h * c->k_w;
	bool inside = true;
	for (uint32_t i = 0; i < slots; i++) {
		uint32_t t = order[i];
		int64_t ih, iw;
		if (t == taps) {
			src[i] = zprow;
			continue;
		}
		bool row_in = enpu_tap(oh, t / c->k_w, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih);
		bool col_in = enpu_tap(ow, t % c->k_w, c->stride_w, c->pad_l, c->dil_w, c->in_w, &iw);
		inside &= col_in;
		src[i] = row_in && col_in ? in + (((size_t)n * c->in_h + (size_t)ih) * c->in_w +
						  (size_t)iw) * c->in_c + c0
					  : zprow;
	}
	return inside;
}

/* Whether output pixel ow's taps are all inside the row given that pixel
 * ow - 1's were (inside): its slots are then the previous ones moved by one
 * stride (dw_step). */
static inline bool dw_next_inside(const enpu_conv_op_t *c, bool inside, uint32_t ow)
{
	return inside && (int64_t)ow * c->stride_w - c->pad_l + (int64_t)(c->k_w - 1) * c->dil_w <
				 c->in_w;
}

static inline void dw_step(const int8_t **src, uint32_t slots, const int8_t *zprow, size_t step)
{
	for (uint32_t i = 0; i < slots; i++)
		src[i] += src[i] == zprow ? 0 : step;
}

/* The sources of a partial last block of rest < cb channels at off: the
 * slots' own bytes where each one's cb bytes lie inside the input (before
 * end; the lanes past rest have zero weights), else copies of rest bytes
 * into tail (slots * cb bytes), through tsrc. Sets *src_off to the offset
 * to read the returned sources at. */
static inline const int8_t *const *dw_tail_sources(const int8_t *const *src, uint32_t slots,
						   size_t off, uint32_t rest, uint32_t cb,
						   const int8_t *end, const int8_t *zprow,
						   int8_t *tail, const int8_t **tsrc,
						   size_t *src_off)
{
	bool direct = true;
	for (uint32_t i = 0; i < slots; i++)
		direct &= src[i] == zprow || (size_t)(end - (src[i] + off)) >= cb;
	*src_off = off;
	if (direct)
		return src;
	for (uint32_t i = 0; i < slots; i++) {
		memcpy(tail + (size_t)i * cb, src[i] + off, rest);
		tsrc[i] = tail + (size_t)i * cb;
	}
	*src_off = 0;
	return tsrc;
}

#endif
