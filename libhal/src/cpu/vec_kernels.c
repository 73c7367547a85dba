/* SPDX-License-Identifier: MIT */
/* Auto-vectorized CPU kernels, compiled once per ISA with VEC_SUFFIX set to
 * generic, avx2, avx512 or neon (see libhal/Makefile). Integer results are exact
 * and identical for every ISA; the fp16 GEMM kernel accumulates in fp32. */
#include <math.h>
#include <stdbool.h>
#include <string.h>
#if defined(__F16C__)
#include <immintrin.h>
#endif
/* The neon-dotprod family's build converts fp16 with FCVTL/FCVTN (Armv8
 * Advanced SIMD: round to nearest even, NaNs quieted with their payload's
 * high bits, as enpu_f32_to_f16; Linux starts threads with FPCR 0, no
 * flush to zero); the generic family stays portable C. */
#if defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)
#include <arm_neon.h>
#define VEC_NEON_F16 1
#endif
/* fp16 conversion instructions (F16C or NEON): the fp16 B panels of skinny
 * fp16 GEMMs (f16_kernel_half) */
#if defined(__F16C__) || defined(VEC_NEON_F16)
#define VEC_F16_HW 1
#endif
#include "enpu/fp16.h"
#include "../quant_inline.h"
#include "../window.h"
#include "vec_kernels.h"

#ifndef VEC_SUFFIX
#error "VEC_SUFFIX must be defined"
#endif
#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(name, VEC_SUFFIX)

/* Branch-free MultiplyByQuantizedMultiplier for mult >= 0 (as the op
 * recorders guarantee), bit-identical to q_mbqm. */
static inline int32_t mbqm_bf(int32_t x, int32_t mult, int32_t shift)
{
	int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
	int32_t hi = INT32_MAX >> left, lo = INT32_MIN >> left;
	int32_t xl = x > hi ? INT32_MAX : x < lo ? INT32_MIN : (int32_t)((uint32_t)x << left);
	/* srdhm(xl, mult) == (xl * mult + 2^30) >> 31, see docs/numerics.md */
	int32_t h = (int32_t)(((int64_t)xl * mult + (1 << 30)) >> 31);
	int32_t mask = (int32_t)((1u << right) - 1u);
	int32_t rem = h & mask, thr = (mask >> 1) + (h < 0);
	return (h >> right) + (rem > thr);
}

static void FN(requant_row)(const int32_t *restrict acc, const int32_t *restrict beff,
			    const int32_t *restrict mult, const int32_t *restrict shift, size_t n,
			    int32_t zp, int32_t qmin, int32_t qmax, int8_t *restrict out)
{
	for (size_t j = 0; j < n; j++) {
		out[j] = q_out(mbqm_bf(q_wrap_add(acc[j], beff[j]), mult[j], shift[j]), zp, qmin, qmax);
	}
}

/* Locals and restrict pointers let the compiler vectorize over channels. */
static void FN(dwconv_row)(const cpu_dwconv_args_t *a, uint32_t n, uint32_t oh, int32_t *scratch)
{
	const enpu_conv_op_t *c = a->c;
	const uint32_t cout = c->out_c, dm = c->out_c / c->in_c;
	const int32_t in_zp = c->in_zp, out_zp = c->out_zp, qmin = c->clamp.qmin,
		      qmax = c->clamp.qmax;
	const int32_t *restrict mult = c->mult, *restrict shift = c->shift;
	const int32_t *restrict bias = a->bias;
	int32_t *restrict acc = scratch, *restrict x = scratch + cout;
	for (uint32_t ow = 0; ow < c->out_w; ow++) {
		for (uint32_t o = 0; o < cout; o++)
			acc[o] = 0;
		for (uint32_t kh = 0; kh < c->k_h; kh++) {
			int64_t ih, iw;
			if (!enpu_tap(oh, kh, c->stride_h, c->pad_t, c->dil_h, c->in_h, &ih))
				continue;
			for (uint32_t kw = 0; kw < c->k_w; kw++) {
				if (!enpu_tap(ow, kw, c->stride_w, c->pad_l, c->dil_w, c->in_w, &iw))
					continue;
				const int8_t *restrict src =
					a->in + (((size_t)n * c->in_h + (size_t)ih) * c->in_w +
						 (size_t)iw) * c->in_c;
				const int16_t *restrict w = a->w + ((size_t)kh * c->k_w + kw) * cout;
				if (dm == 1) {
					for (uint32_t o = 0; o < cout; o++)
						acc[o] += (src[o] - in_zp) * w[o];
				} else {
					for (uint32_t o = 0; o < cout; o++)
						x[o] = src[o / dm] - in_zp;
					for (uint32_t o = 0; o < cout; o++)
						acc[o] += x[o] * w[o];
				}
			}
		}
		int8_t *restrict dst = a->out + (((size_t)n * c->out_h + oh) * c->out_w + ow) * cout;
		for (uint32_t o = 0; o < cout; o++)
			dst[o] = q_out(mbqm_bf(q_wrap_add(acc[o], bias[o]), mult[o], shift[o]), out_zp,
				       qmin, qmax);
	}
}

/* The neon table takes its POOL row from pool_neon.c (VEC_OWN_POOL=neon) */
#if defined(VEC_OWN_POOL)
#define POOL_ROW CAT(cpu_pool_row, VEC_OWN_POOL)
#else
#define POOL_ROW FN(pool_row)
static void FN(pool_row)(const enpu_pool_op_t *p, const int8_t *in, int8_t *out, uint32_t n,
			 uint32_t oh, int32_t *acc)
{
	int64_t h0 = (int64_t)oh * p->stride_h - p->pad_t, h1 = h0 + p->k_h;
	h0 = h0 < 0 ? 0 : h0;
	h1 = h1 > p->in_h ? p->in_h : h1;
	for (uint32_t ow = 0; ow < p->out_w; ow++) {
		int64_t w0 = (int64_t)ow * p->stride_w - p->pad_l, w1 = w0 + p->k_w;
		w0 = w0 < 0 ? 0 : w0;
		w1 = w1 > p->in_w ? p->in_w : w1;
		bool is_max = p->kind == ENPU_POOL_MAX;
		for (uint32_t ch = 0; ch < p->c; ch++)
			acc[ch] = is_max ? -128 : 0;
		for (int64_t ih = h0; ih < h1; ih++)
			for (int64_t iw = w0; iw < w1; iw++) {
				const int8_t *src = in + (((size_t)n * p->in_h + (size_t)ih) * p->in_w +
							  (size_t)iw) * p->c;
				if (is_max)
					for (uint32_t ch = 0; ch < p->c; ch++)
						acc[ch] = src[ch] > acc[ch] ? src[ch] : acc[ch];
				else
					for (uint32_t ch = 0; ch < p->c; ch++)
						acc[ch] += src[ch];
			}
		int32_t count = (int32_t)((h1 - h0) * (w1 - w0));
		double dcount = count;
		int8_t *dst = out + (((size_t)n * p->out_h + oh) * p->out_w + ow) * p->c;
		for (uint32_t ch = 0; ch < p->c; ch++) {
			int32_t v = acc[ch];
			if (!is_max) {
				/* Exact: |quotient| <= 129 and count <= 2^16 (docs/numerics.md). */
				int32_t num = v > 0 ? v + count / 2 : v - count / 2;
				v = (int32_t)((double)num / dcount);
			}
			dst[ch] = (int8_t)(v < p->clamp.qmin ? p->clamp.qmin
					   : v > p->clamp.qmax ? p->clamp.qmax : v);
		}
	}
}
#endif

/* The avx2 and avx512 tables take ADD, MUL and REQUANTIZE from
 * eltwise_avx2.c, the neon table from eltwise_neon.c (VEC_OWN_ELTWISE=avx2
 * or neon, set by the Makefile): the 64-bit mbqm below auto-vectorizes
 * poorly; eltwise_avx2.c was 4.5-6.5x faster on Zen 3 (AVX2) and 2.6-3.6x
 * on an AVX-512 VNNI Xeon. */
#if !defined(VEC_OWN_ELTWISE)
#define ELTWISE(name) FN(name)
static inline int8_t clamp8(int32_t v, int32_t zp, const enpu_clamp_t *c)
{
	return q_out(v, zp, c->qmin, c->qmax);
}

static void FN(add)(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		    size_t begin, size_t end)
{
	const enpu_eltwise_requant_t *rq = &e->rq;
	for (size_t i = begin; i < end; i++) {
		int32_t sa = mbqm_bf((a[i] - e->a_zp) * (1 << 20), rq->a_mult, rq->a_shift);
		int32_t sb = mbqm_bf((b[i] - e->b_zp) * (1 << 20), rq->b_mult, rq->b_shift);
		out[i] = clamp8(mbqm_bf(q_wrap_add(sa, sb), rq->out_mult, rq->out_shift), e->out_zp,
				&e->clamp);
	}
}

static void FN(mul)(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		    size_t begin, size_t end)
{
	for (size_t i = begin; i < end; i++)
		out[i] = clamp8(mbqm_bf((a[i] - e->a_zp) * (b[i] - e->b_zp), e->rq.out_mult,
					e->rq.out_shift),
				e->out_zp, &e->clamp);
}

static void FN(requant)(const enpu_requant_op_t *r, const int8_t *in, int8_t *out, size_t begin,
			size_t end)
{
	for (size_t i = begin; i < end; i++)
		out[i] = clamp8(mbqm_bf(in[i] - r->in_zp, r->mult, r->shift), r->out_zp, &r->clamp);
}
#else
#define ELTWISE(name) CAT(cpu_##name, VEC_OWN_ELTWISE)
#endif

static void FN(f16_to_f32)(const uint16_t *src, size_t n, float *dst)
{
	size_t i = 0;
#if defined(__F16C__)
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
#elif defined(VEC_NEON_F16)
	for (; i + 8 <= n; i += 8) {
		float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(src + i));
		vst1q_f32(dst + i, vcvt_f32_f16(vget_low_f16(h)));
		vst1q_f32(dst + i + 4, vcvt_high_f32_f16(h));
	}
#endif
	for (; i < n; i++)
		dst[i] = enpu_f16_to_f32(src[i]);
}

static void f32_to_f16_n(const float *src, size_t n, uint16_t *dst)
{
	size_t i = 0;
#if defined(__F16C__)
	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *)(dst + i),
				 _mm256_cvtps_ph(_mm256_loadu_ps(src + i),
						 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#elif defined(VEC_NEON_F16)
	for (; i + 8 <= n; i += 8) {
		float16x4_t lo = vcvt_f16_f32(vld1q_f32(src + i));
		float16x8_t h = vcvt_high_f16_f32(lo, vld1q_f32(src + i + 4));
		vst1q_u16(dst + i, vreinterpretq_u16_f16(h));
	}
#endif
	for (; i < n; i++)
		dst[i] = enpu_f32_to_f16(src[i]);
}

#define CAST_CHUNK 256

static void FN(dequant)(const enpu_cast_op_t *c, const int8_t *in, uint16_t *out, size_t begin,
			size_t end)
{
	float tmp[CAST_CHUNK];
	for (size_t i = begin; i < end; i += CAST_CHUNK) {
		size_t n = end - i < CAST_CHUNK ? end - i : CAST_CHUNK;
		for (size_t j = 0; j < n; j++)
			tmp[j] = (float)(in[i + j] - c->zp) * c->scale;
		f32_to_f16_n(tmp, n, out + i);
	}
}

static void FN(quant)(const enpu_cast_op_t *c, const uint16_t *in, int8_t *out, size_t begin,
		      size_t end)
{
	float tmp[CAST_CHUNK];
	for (size_t i = begin; i < end; i += CAST_CHUNK) {
		size_t n = end - i < CAST_CHUNK ? end - i : CAST_CHUNK;
		FN(f16_to_f32)(in + i, n, tmp);
		for (size_t j = 0; j < n; j++) {
			float v = tmp[j] / c->scale;
			/* roundf (half away from zero), branch-free; NaN -> 0 */
			float t = truncf(v), d = v - t;
			float r = t + (d >= 0.5f ? 1.0f : d <= -0.5f ? -1.0f : 0.0f);
			r = r == r ? r : 0.0f;
			r = r < -512.0f ? -512.0f : r > 512.0f ? 512.0f : r;
			int32_t q = (int32_t)r + c->zp;
			out[i + j] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
		}
	}
}

/* fp16 GEMM micro-kernel on GCC/Clang vector extensions: vectors of the
 * ISA's register width (a 64-byte vector on AVX2 went through the stack:
 * 1.6 GFLOPS), two per row of the tile (NR = 2 vectors), MR chosen so that
 * the 2 * MR accumulators, two B vectors and the broadcast fit the
 * register file. */
#if defined(__AVX512F__)
typedef float vf_t __attribute__((vector_size(64)));
#elif defined(__AVX2__)
typedef float vf_t __attribute__((vector_size(32)));
#else
typedef float vf_t __attribute__((vector_size(16)));
#endif
#define F16_MR 6
/* fp16 runs ~4x fewer MACs per second than the int8 GEMM of the same ISA
 * (AMX aside): that family's thread threshold, 2 bits lower (with the int8
 * one, 256^3 ran on one thread at -t 2: each call outlasted the workers'
 * spin, so every call found them asleep) */
#if defined(__AVX2__) && !defined(__AVX512F__)
#define F16_THREAD_SHIFT 20
#else
#define F16_THREAD_SHIFT 23
#endif
#define F16_VL (sizeof(vf_t) / sizeof(float))
#define F16_NR (2 * F16_VL)

/* F16_VL elements of a B panel row: fp32, or (half) fp16 converted as loaded. */
static inline __attribute__((always_inline)) vf_t f16_b_load(const void *b, size_t at, bool half)
{
	vf_t v;
	if (!half) {
		memcpy(&v, (const float *)b + at, sizeof(v));
		return v;
	}
	const uint16_t *h = (const uint16_t *)b + at;
#if defined(__AVX512F__)
	v = (vf_t)_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)h));
#elif defined(__F16C__)
	v = (vf_t)_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)h));
#elif defined(VEC_NEON_F16)
	v = (vf_t)vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(h)));
#else
	(void)h;	/* no f16_kernel_half without conversion instructions */
	__builtin_unreachable();
#endif
	return v;
}

static inline __attribute__((always_inline)) void f16_tile(const float *a, size_t lda,
							   const void *b, bool half, uint32_t k,
							   int mr, float *acc)
{
	vf_t c0[F16_MR], c1[F16_MR];
	for (int i = 0; i < mr; i++)
		c0[i] = c1[i] = (vf_t){ 0 };
	for (uint32_t kk = 0; kk < k; kk++) {
		vf_t b0 = f16_b_load(b, (size_t)kk * F16_NR, half);
		vf_t b1 = f16_b_load(b, (size_t)kk * F16_NR + F16_VL, half);
		for (int i = 0; i < mr; i++) {
			float av = a[i * lda + kk];
			c0[i] += av * b0;
			c1[i] += av * b1;
		}
	}
	for (int i = 0; i < mr; i++) {
		memcpy(acc + i * F16_NR, &c0[i], sizeof(c0[i]));
		memcpy(acc + i * F16_NR + F16_VL, &c1[i], sizeof(c1[i]));
	}
}

/* Tiles of one to three rows: their 2 * mr accumulators cannot cover the
 * FMA latency (4 cycles, 2 a cycle: 8 in flight), so K is split over ch
 * interleaved chains (k = ch * q + c), summed pairwise at the end; the fp16
 * GEMM's error bound (docs/numerics.md) holds for any summation order. */
static inline __attribute__((always_inline)) void f16_tile_chains(const float *a, size_t lda,
								  const void *b, bool half,
								  uint32_t k, int mr, int ch,
								  float *acc)
{
	vf_t c0[3][4], c1[3][4];
	for (int i = 0; i < mr; i++)
		for (int c = 0; c < ch; c++)
			c0[i][c] = c1[i][c] = (vf_t){ 0 };
	size_t kk = 0;
	for (; kk + ch <= k; kk += ch)
		for (int c = 0; c < ch; c++) {
			vf_t b0 = f16_b_load(b, (kk + c) * F16_NR, half);
			vf_t b1 = f16_b_load(b, (kk + c) * F16_NR + F16_VL, half);
			for (int i = 0; i < mr; i++) {
				float av = a[i * lda + kk + c];
				c0[i][c] += av * b0;
				c1[i][c] += av * b1;
			}
		}
	for (; kk < k; kk++) {	/* the tail into chain 0: constant indices keep
				 * the chains in registers */
		vf_t b0 = f16_b_load(b, kk * F16_NR, half);
		vf_t b1 = f16_b_load(b, kk * F16_NR + F16_VL, half);
		for (int i = 0; i < mr; i++) {
			float av = a[i * lda + kk];
			c0[i][0] += av * b0;
			c1[i][0] += av * b1;
		}
	}
	for (int i = 0; i < mr; i++) {
		for (int step = 1; step < ch; step *= 2)
			for (int c = 0; c + step < ch; c += 2 * step) {
				c0[i][c] += c0[i][c + step];
				c1[i][c] += c1[i][c + step];
			}
		memcpy(acc + i * F16_NR, &c0[i][0], sizeof(c0[i][0]));
		memcpy(acc + i * F16_NR + F16_VL, &c1[i][0], sizeof(c1[i][0]));
	}
}

/* One panel, mr rows (mr a constant where inlined). */
static inline __attribute__((always_inline)) void f16_one_panel(const float *a, size_t lda,
								const void *b, bool half,
								uint32_t k, int mr, float *acc)
{
	if (mr >= 4)
		f16_tile(a, lda, b, half, k, mr, acc);
	else
		f16_tile_chains(a, lda, b, half, k, mr, mr == 1 ? 4 : 2, acc);
}

/* CALL(r) with r = mr (1..F16_MR) a constant */
#define F16_BY_ROWS(CALL)                                                                  \
	switch (mr) {                                                                      \
	case 6: CALL(6); break;                                                            \
	case 5: CALL(5); break;                                                            \
	case 4: CALL(4); break;                                                            \
	case 3: CALL(3); break;                                                            \
	case 2: CALL(2); break;                                                            \
	default: CALL(1); break;                                                           \
	}

static void FN(f16_kernel)(const float *a, size_t lda, const float *b, uint32_t k, uint32_t mr,
			   float *acc)
{
#define F16_FP32_ROWS(r) f16_one_panel(a, lda, b, false, k, r, acc)
	F16_BY_ROWS(F16_FP32_ROWS)
}

#if defined(VEC_F16_HW)
/* The skinny GEMM (row tiles of M <= 2 * F16_MR over fp16 panels) reads groups of
 * panels side by side where that measured faster: a broadcast of A serves
 * the whole group. F16_NP_WIDE(mr): panels per group (0: one panel at a
 * time); Intel Emerald Rapids, AVX-512, N = K = 1024, two runs on a noisy
 * shared host: M = 2 1.01-1.22x against one panel at a time, M = 3-6
 * 0.95-1.21x, M = 1 no faster (docs/perf.md); Zen 4,
 * AVX2: M = 1 1.29x, M = 2-3 no faster. NEON (no hardware: guest
 * instructions under qemu, bench/insn): M = 2 18% fewer, M = 3 8.5%, M = 1
 * 1%; groups at M = 4-6 executed up to 18% more (spills). The AVX-512
 * build also has the narrow kernel
 * (f16_kernel_half_narrow): 256-bit conversions, which Zen 4 (family 19h,
 * cpu_f16_narrow()) runs at twice its 512-bit rate per element, where Intel
 * runs them at half (0.64-0.78x there); on Zen 4 it was 1.20-1.79x (M = 1-6)
 * with groups of F16_NP_NARROW(mr). */
#if defined(__AVX512F__)
#define F16_NP_WIDE(mr) ((mr) == 1 ? 0 : (mr) <= 3 ? 4 : (mr) == 4 ? 3 : 2)
#define F16_NP_NARROW(mr) ((mr) <= 3 ? 2 : 1)
#elif defined(__AVX2__)
#define F16_NP_WIDE(mr) ((mr) == 1 ? 4 : 0)
#else
#define F16_NP_WIDE(mr) ((mr) <= 2 ? 4 : (mr) == 3 ? 2 : 0)
#endif
#define F16_NP_MAX 4
/* panels a call (f16_np): a multiple of every group size up to F16_NP_MAX */
#define F16_NP_CALL 12
_Static_assert(F16_NP_MAX == 4 && F16_NP_CALL % 12 == 0, "F16_NP_CALL: a multiple of 1..4");
_Static_assert(F16_NP_WIDE(1) <= F16_NP_MAX && F16_NP_WIDE(2) <= F16_NP_MAX &&
		       F16_NP_WIDE(3) <= F16_NP_MAX && F16_NP_WIDE(4) <= F16_NP_MAX &&
		       F16_NP_WIDE(5) <= F16_NP_MAX && F16_NP_WIDE(6) <= F16_NP_MAX,
	       "groups of at most F16_NP_MAX panels");
#if defined(__AVX512F__)
_Static_assert(F16_NP_NARROW(1) <= F16_NP_MAX, "narrow groups of at most F16_NP_MAX panels");
#endif

/* mr rows over np consecutive fp16 panels (k * F16_NR elements apart),
 * acc [np][mr][F16_NR], on vectors VT of NV per panel row, converted by
 * LOAD(pointer to fp16) */
#define F16_PANELS(name, VT, NV, LOAD)                                                          \
	static inline __attribute__((always_inline)) void name(                                 \
		const float *a, size_t lda, const uint16_t *b, uint32_t k, int mr, int np,      \
		float *acc)                                                                     \
	{                                                                                       \
		const size_t ps = (size_t)k * F16_NR, vl = F16_NR / (NV);                       \
		VT c[F16_NP_MAX][F16_MR][NV];                                                   \
		for (int p = 0; p < np; p++)                                                    \
			for (int i = 0; i < mr; i++)                                            \
				for (int v = 0; v < (int)(NV); v++)                             \
					c[p][i][v] = (VT){ 0 };                                 \
		for (uint32_t kk = 0; kk < k; kk++)                                             \
			for (int p = 0; p < np; p++) {                                          \
				VT bv[NV];                                                      \
				for (int v = 0; v < (int)(NV); v++)                             \
					bv[v] = LOAD(b + p * ps + (size_t)kk * F16_NR + v * vl); \
				for (int i = 0; i < mr; i++) {                                  \
					float av = a[i * lda + kk];                             \
					for (int v = 0; v < (int)(NV); v++)                     \
						c[p][i][v] += av * bv[v];                       \
				}                                                               \
			}                                                                       \
		for (int p = 0; p < np; p++)                                                    \
			for (int i = 0; i < mr; i++)                                            \
				memcpy(acc + (p * mr + i) * F16_NR, c[p][i], sizeof(c[p][i]));  \
	}

static inline __attribute__((always_inline)) vf_t f16_load_wide(const uint16_t *h)
{
	return f16_b_load(h, 0, true);
}
F16_PANELS(f16_panels_wide, vf_t, 2, f16_load_wide)

#if defined(__AVX512F__)
typedef float vh_t __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) vh_t f16_load_narrow(const uint16_t *h)
{
	return (vh_t)_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)h));
}
F16_PANELS(f16_panels_narrow, vh_t, F16_NR / 8, f16_load_narrow)
#endif

/* Groups of F16_NP_WIDE(mr) (narrow: F16_NP_NARROW(mr)) panels, then the
 * rest one at a time. */
static inline __attribute__((always_inline)) void f16_half_rows(const float *a, size_t lda,
								const uint16_t *b, uint32_t k,
								uint32_t np, int mr, bool narrow,
								float *acc)
{
	const size_t ps = (size_t)k * F16_NR;
	uint32_t p = 0;
#if defined(__AVX512F__)
	if (narrow) {
		const uint32_t g = F16_NP_NARROW(mr);
		for (; p + g <= np; p += g)
			f16_panels_narrow(a, lda, b + p * ps, k, mr, (int)g, acc + p * mr * F16_NR);
	}
#endif
	const uint32_t g = narrow ? 0 : F16_NP_WIDE(mr);
	for (; g && p + g <= np; p += g)
		f16_panels_wide(a, lda, b + p * ps, k, mr, (int)g, acc + p * mr * F16_NR);
	for (; p < np; p++)
		f16_one_panel(a, lda, b + p * ps, true, k, mr, acc + p * mr * F16_NR);
}

#define F16_HALF(r) f16_half_rows(a, lda, b, k, np, r, narrow, acc)

static void FN(f16_kernel_half)(const float *a, size_t lda, const uint16_t *b, uint32_t k,
				uint32_t mr, uint32_t np, float *acc)
{
	const bool narrow = false;
	F16_BY_ROWS(F16_HALF)
}

#if defined(__AVX512F__)
static void FN(f16_kernel_half_narrow)(const float *a, size_t lda, const uint16_t *b,
				       uint32_t k, uint32_t mr, uint32_t np, float *acc)
{
	const bool narrow = true;
	F16_BY_ROWS(F16_HALF)
}
#endif
#endif

static void FN(f16_store_row)(const float *acc, const float *bias, size_t n, float lo, float hi,
			      uint16_t *dst)
{
	float tmp[F16_NR];
	for (size_t j = 0; j < n; j++) {
		float v = bias ? acc[j] + bias[j] : acc[j];
		tmp[j] = v < lo ? lo : v > hi ? hi : v;
	}
	f32_to_f16_n(tmp, n, dst);
}

const cpu_vec_ops_t CAT(cpu_vec, VEC_SUFFIX) = {
	.requant_row = FN(requant_row),
	.dwconv_row = FN(dwconv_row),
	.pool_row = POOL_ROW,
	.add = ELTWISE(add),
	.mul = ELTWISE(mul),
	.requant = ELTWISE(requant),
	.dequant = FN(dequant),
	.quant = FN(quant),
	.f16_mr = F16_MR,
	.f16_nr = F16_NR,
	.f16_thread_shift = F16_THREAD_SHIFT,
	.f16_kernel = FN(f16_kernel),
#if defined(VEC_F16_HW)
	.f16_kernel_half = FN(f16_kernel_half),
	.f16_np = F16_NP_CALL,
#endif
#if defined(__AVX512F__)
	.f16_kernel_half_narrow = FN(f16_kernel_half_narrow),
#endif
	.f16_to_f32 = FN(f16_to_f32),
	.f16_store_row = FN(f16_store_row),
};
