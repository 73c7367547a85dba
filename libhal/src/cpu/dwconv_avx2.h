/* SPDX-License-Identifier: MIT */
/* Internal: what the AVX2 depthwise kernel (dwconv_avx2.c: layout, packing,
 * the pixel-by-pixel path) shares with its row sweeps (dwconv_avx2_sweep.c):
 * the packed weights, one block's parameters and the output stage. */
#ifndef ENPU_CPU_DWCONV_AVX2_H
#define ENPU_CPU_DWCONV_AVX2_H

#include <immintrin.h>
#include "conv_kernels.h"
#include "requant_avx2.h"

#define DW_CB 16u /* channels per block */

typedef struct dw_packed {
	enpu_op_cache_t base;
	uint32_t blocks, pairs;
	uint32_t *order; /* [2 * pairs]: tap of each pair slot; taps: zero weight */
	int16_t *w;      /* [blocks][pairs][2 halves][8 lanes][2 taps] */
	int32_t *beff;   /* [blocks][2 halves][8 lanes]: bias - zp * sum(w) */
	cpu_rq8_t *rq;   /* [blocks][2 halves] */
	bool any_left;
} dw_packed_t;

/* Block parameters and constants of the output stage. */
typedef struct dw_blk {
	const int16_t *w; /* pair 0's weights; pairs DW_CB * 2 int16 apart */
	const int32_t *beff;
	const cpu_rq8_t *rq;
} dw_blk_t;

/* Block b's parameters. */
static inline dw_blk_t dw_blk(const dw_packed_t *p, uint32_t b)
{
	return (dw_blk_t){ p->w + (size_t)b * p->pairs * DW_CB * 2, p->beff + (size_t)b * DW_CB,
			   p->rq + 2 * (size_t)b };
}

/* Channels of the chunk of nb blocks from block b0 (the last may be
 * partial). */
static inline uint32_t dw_chunk_channels(const enpu_conv_op_t *c, uint32_t b0, uint32_t nb)
{
	uint32_t c0 = b0 * DW_CB, c1 = (b0 + nb) * DW_CB;
	return (c1 < c->in_c ? c1 : c->in_c) - c0;
}

typedef struct dw_out {
	__m256i zp16;
	__m128i lo8, hi8;
	bool any_left;
	bool relu; /* q_out_relu: rq8_right's relu */
} dw_out_t;

/* lo, hi += the interleaved halves (il, ih) times pair weights w. */
static inline __attribute__((always_inline)) void dw_madd(__m256i *lo, __m256i *hi, __m256i il,
							  __m256i ih, const int16_t *w)
{
	*lo = _mm256_add_epi32(*lo, _mm256_madd_epi16(il, _mm256_load_si256((const __m256i *)w)));
	*hi = _mm256_add_epi32(*hi, _mm256_madd_epi16(ih, _mm256_load_si256((const __m256i *)w + 1)));
}

static inline __attribute__((always_inline)) __m128i dw_finish(__m256i lo, __m256i hi,
							       const dw_blk_t *k, const dw_out_t *o)
{
	return rq8_out16(rq8_apply(lo, k->rq, o->any_left, o->relu),
			 rq8_apply(hi, k->rq + 1, o->any_left, o->relu),
			 o->zp16, o->lo8, o->hi8);
}

static inline __m256i dw_load16(const int8_t *x)
{
	return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x));
}

/* Full blocks [b0, b0 + full) of output row (n, oh) of a 3x3 depthwise
 * conv with stride 1 or 2 and dilation 1 along the row, block by block
 * along the row; zprow: DW_CB bytes of the input zero point. */
void cpu_dw_avx2_sweep_row(const enpu_conv_op_t *c, const dw_packed_t *p, const int8_t *in,
			   int8_t *out, uint32_t n, uint32_t oh, uint32_t b0, uint32_t full,
			   const int8_t *zprow, const dw_out_t *out_consts);

#endif
