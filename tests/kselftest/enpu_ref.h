/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test-local reference implementation of docs/numerics.md for the
 * enpu_ops_*_test programs (enpu_ops.h) and enpu_ref_test.c: every enpu opcode,
 * written from the document (not from the driver), in plain C on the host. INT8
 * results are exact; FP16 ops come in two flavours: an fp32 reference that
 * accumulates exactly as the contract orders it (bit-exact comparison), and an
 * fp64 reference with the documented error bound.
 *
 * fp16 <-> fp32/fp64 conversions use the compiler's _Float16 (libgcc soft-fp:
 * round to nearest even, no double rounding), independent of the driver's own
 * bit-twiddling conversions.
 *
 * Nothing here needs libm: the test Makefile links no -lm.
 */
#ifndef ENPU_REF_H
#define ENPU_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <drm/enpu_cmd.h>

/* ---- fixed-point primitives (numerics.md section 1) ---- */

static inline int32_t ref_srdhm(int32_t a, int32_t b)
{
	int64_t ab, nudge;

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	ab = (int64_t)a * b;
	nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	return (int32_t)((ab + nudge) / (1LL << 31));
}

static inline int32_t ref_rdbpot(int32_t x, int e)
{
	int32_t mask = (int32_t)((1LL << e) - 1);
	int32_t rem = x & mask;
	int32_t thr = (mask >> 1) + (x < 0);

	return (x >> e) + (rem > thr);
}

static inline int32_t ref_mbqm(int32_t x, int32_t mult, int32_t shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	int64_t xl = (int64_t)x * ((int64_t)1 << left);

	if (xl > INT32_MAX)
		xl = INT32_MAX;
	if (xl < INT32_MIN)
		xl = INT32_MIN;
	return ref_rdbpot(ref_srdhm((int32_t)xl, mult), right);
}

static inline int64_t ref_clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Output stage (numerics.md section 2): the zero point is added in 64 bits. */
static inline int8_t ref_out(int32_t v, int32_t zp, int32_t lo, int32_t hi)
{
	return (int8_t)ref_clamp64((int64_t)v + zp, lo, hi);
}

/* True where a 32-bit "mbqm + zp" would wrap: the cases only 64 bits get right. */
static inline bool ref_out_wraps32(int32_t v, int32_t zp)
{
	int64_t s = (int64_t)v + zp;

	return s > INT32_MAX || s < INT32_MIN;
}

static inline int8_t ref_requant(int32_t acc, int32_t mult, int32_t shift, int32_t zp,
				 int32_t lo, int32_t hi)
{
	return ref_out(ref_mbqm(acc, mult, shift), zp, lo, hi);
}

/* ---- fp16 ---- */

union ref_h {
	uint16_t u;
	_Float16 h;
};

static inline float ref_h2f(uint16_t u)
{
	union ref_h v = { .u = u };

	return (float)v.h;
}

static inline uint16_t ref_f2h(float f)
{
	union ref_h v;

	v.h = (_Float16)f;
	return v.u;
}

/* One rounding, straight from binary64 (no detour through binary32). */
static inline uint16_t ref_d2h(double d)
{
	union ref_h v;

	v.h = (_Float16)d;
	return v.u;
}

static inline bool ref_h_isnan(uint16_t u)
{
	return (u & 0x7c00) == 0x7c00 && (u & 0x3ff);
}

static inline bool ref_h_isfinite(uint16_t u)
{
	return (u & 0x7c00) != 0x7c00;
}

static inline float ref_bits2f(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static inline uint32_t ref_f2bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

/* 2^e for -1022 <= e <= 1023. */
static inline double ref_pow2(int e)
{
	uint64_t u = (uint64_t)(1023 + e) << 52;
	double d;

	memcpy(&d, &u, 8);
	return d;
}

/* ulp16(x) of numerics.md section 4, for an fp16 value x. */
static inline double ref_ulp16(uint16_t h)
{
	int e = (h >> 10) & 0x1f;

	return e == 0 ? ref_pow2(-24) : ref_pow2(e - 25);
}

static inline double ref_fabs(double d)
{
	return d < 0 ? -d : d;
}

/* ---- the opcodes ---- */

static inline uint64_t ref_extent(uint32_t rows, uint32_t cols, uint32_t ld)
{
	return (uint64_t)(rows - 1) * ld + cols;
}

/* Output size of a conv/pool window along one axis; 0 if the kernel does not fit. */
static inline uint32_t ref_out_dim(uint32_t in, uint32_t pa, uint32_t pb, uint32_t k,
				   uint32_t dil, uint32_t stride)
{
	int64_t padded = (int64_t)in + pa + pb, eff = (int64_t)(k - 1) * dil + 1;

	return padded < eff ? 0 : (uint32_t)((padded - eff) / stride + 1);
}

/* GEMM_I8: C (ldc layout) = requant(bias + sum (A - a_zp) * B), int32 wrapping. */
static inline void ref_gemm_i8(const struct enpu_cmd_gemm *g, const int8_t *a, const int8_t *b,
			       const int32_t *bias, const int32_t *mult, const int32_t *shift,
			       int8_t *c)
{
	for (uint32_t i = 0; i < g->m; i++) {
		for (uint32_t j = 0; j < g->n; j++) {
			uint32_t acc = bias ? (uint32_t)bias[j] : 0;

			for (uint32_t k = 0; k < g->k; k++)
				acc += (uint32_t)((a[(uint64_t)i * g->lda + k] - g->a_zp) *
						  b[(uint64_t)j * g->ldb + k]);
			c[(uint64_t)i * g->ldc + j] =
				ref_requant((int32_t)acc, mult[j], shift[j], g->q.out_zp,
					    g->q.act_min, g->q.act_max);
		}
	}
}

/* The accumulator of one CONV2D_I8 output (without bias), modulo 2^32. */
static inline uint32_t ref_conv_i8_acc(const struct enpu_cmd_conv2d *c, const int8_t *in,
				       const int8_t *f, uint32_t b, uint32_t oy, uint32_t ox,
				       uint32_t oc)
{
	uint32_t cpg = c->cin / c->groups, opg = c->cout / c->groups, g = oc / opg;
	uint32_t acc = 0;

	for (uint32_t ky = 0; ky < c->kh; ky++) {
		int64_t iy = (int64_t)oy * c->stride_h - c->pad_top + (int64_t)ky * c->dil_h;

		if (iy < 0 || iy >= c->h)
			continue;
		for (uint32_t kx = 0; kx < c->kw; kx++) {
			int64_t ix = (int64_t)ox * c->stride_w - c->pad_left +
				     (int64_t)kx * c->dil_w;

			if (ix < 0 || ix >= c->w)
				continue;
			for (uint32_t ic = 0; ic < cpg; ic++) {
				int32_t x = in[(((uint64_t)b * c->h + iy) * c->w + ix) * c->cin +
					       (uint64_t)g * cpg + ic];
				int32_t w = f[(((uint64_t)oc * c->kh + ky) * c->kw + kx) * cpg + ic];

				acc += (uint32_t)((x - c->in_zp) * w);
			}
		}
	}
	return acc;
}

static inline void ref_conv_i8(const struct enpu_cmd_conv2d *c, const int8_t *in,
			       const int8_t *f, const int32_t *bias, const int32_t *mult,
			       const int32_t *shift, int8_t *out)
{
	for (uint32_t b = 0; b < c->n; b++)
		for (uint32_t oy = 0; oy < c->out_h; oy++)
			for (uint32_t ox = 0; ox < c->out_w; ox++)
				for (uint32_t oc = 0; oc < c->cout; oc++) {
					uint32_t acc = ref_conv_i8_acc(c, in, f, b, oy, ox, oc);

					if (bias)
						acc += (uint32_t)bias[oc];
					out[(((uint64_t)b * c->out_h + oy) * c->out_w + ox) *
					    c->cout + oc] =
						ref_requant((int32_t)acc, mult[oc], shift[oc],
							    c->q.out_zp, c->q.act_min,
							    c->q.act_max);
				}
}

static inline void ref_pool(const struct enpu_cmd_pool *p, const int8_t *in, int8_t *out)
{
	for (uint32_t b = 0; b < p->n; b++)
	for (uint32_t oy = 0; oy < p->out_h; oy++)
	for (uint32_t ox = 0; ox < p->out_w; ox++)
	for (uint32_t ch = 0; ch < p->c; ch++) {
		int32_t mx = INT32_MIN, sum = 0, cnt = 0, r;

		for (uint32_t ky = 0; ky < p->kh; ky++) {
			int64_t iy = (int64_t)oy * p->stride_h - p->pad_top + ky;

			if (iy < 0 || iy >= p->h)
				continue;
			for (uint32_t kx = 0; kx < p->kw; kx++) {
				int64_t ix = (int64_t)ox * p->stride_w - p->pad_left + kx;
				int32_t v;

				if (ix < 0 || ix >= p->w)
					continue;
				v = in[(((uint64_t)b * p->h + iy) * p->w + ix) * p->c + ch];
				mx = v > mx ? v : mx;
				sum += v;
				cnt++;
			}
		}
		if (p->mode == ENPU_CMD_POOL_MAX)
			r = mx;
		else
			r = sum > 0 ? (sum + cnt / 2) / cnt : (sum - cnt / 2) / cnt;
		out[(((uint64_t)b * p->out_h + oy) * p->out_w + ox) * p->c + ch] =
			(int8_t)ref_clamp64(r, p->act_min, p->act_max);
	}
}

/* The int32 value ELTWISE feeds to its output mbqm. */
static inline int32_t ref_eltwise_raw(const struct enpu_cmd_eltwise *e, int8_t a, int8_t b)
{
	if (e->op == ENPU_CMD_ELTWISE_ADD) {
		int32_t sa = ref_mbqm((a - e->a_zp) * (1 << 20), e->a_mult, e->a_shift);
		int32_t sb = ref_mbqm((b - e->b_zp) * (1 << 20), e->b_mult, e->b_shift);

		return (int32_t)((uint32_t)sa + (uint32_t)sb);	/* wrapping add */
	}
	return (a - e->a_zp) * (b - e->b_zp);
}

static inline int8_t ref_eltwise(const struct enpu_cmd_eltwise *e, int8_t a, int8_t b)
{
	return ref_requant(ref_eltwise_raw(e, a, b), e->out_mult, e->out_shift, e->out_zp,
			   e->act_min, e->act_max);
}

static inline int8_t ref_requant_i8(const struct enpu_cmd_requant *r, int8_t in)
{
	return ref_requant(in - r->in_zp, r->mult, r->shift, r->out_zp, r->act_min, r->act_max);
}

static inline uint16_t ref_requant_i8_f16(const struct enpu_cmd_requant *r, int8_t in)
{
	float x = (float)(in - r->in_zp) * ref_bits2f(r->scale_bits);	/* one fp32 multiply */

	return ref_f2h(x);
}

/* roundf() without libm: |r| < 2^30, and r + 0.5 is exact in binary64. */
static inline int64_t ref_roundf_away(float r)
{
	double d = r;

	return d >= 0 ? (int64_t)(d + 0.5) : -(int64_t)(-d + 0.5);
}

static inline int8_t ref_requant_f16_i8(const struct enpu_cmd_requant *r, uint16_t h)
{
	float q = ref_h2f(h) / ref_bits2f(r->scale_bits);	/* one fp32 divide */
	int64_t v;

	if (q != q)
		v = 0;				/* NaN quantizes as 0 */
	else if (q >= 512.0f)
		v = 512;
	else if (q <= -512.0f)
		v = -512;
	else
		v = ref_roundf_away(q);
	return (int8_t)ref_clamp64(v + r->out_zp, r->act_min, r->act_max);
}

/*
 * GEMM_F16, two ways at once: @c32 (ldc layout) gets the fp32 result accumulated
 * from the bias in k order, rounded once to fp16; @c64 (dense [m][n]) the fp64
 * sum rounded once to fp16, and @tol the bound numerics.md section 4 allows
 * between an implementation and it.
 */
static inline void ref_gemm_f16(const struct enpu_cmd_gemm *g, const float *a, const float *b,
				const float *bias, uint16_t *c32, uint16_t *c64, double *tol)
{
	for (uint32_t i = 0; i < g->m; i++) {
		const float *ar = a + (uint64_t)i * g->lda;

		for (uint32_t j = 0; j < g->n; j++) {
			const float *br = b + (uint64_t)j * g->ldb;
			float acc = bias ? bias[j] : 0.0f;
			double acc64 = bias ? bias[j] : 0.0, s = 0;
			uint16_t y;

			for (uint32_t k = 0; k < g->k; k++) {
				float p = ar[k] * br[k];	/* exact: 11 x 11 bits */

				acc += p;
				acc64 += (double)ar[k] * br[k];
				s += ref_fabs((double)ar[k] * br[k]);
			}
			c32[(uint64_t)i * g->ldc + j] = ref_f2h(acc);
			y = ref_d2h(acc64);
			c64[(uint64_t)i * g->n + j] = y;
			tol[(uint64_t)i * g->n + j] =
				1.5 * ref_ulp16(y) + 2.0 * (g->k + 2) * ref_pow2(-24) *
				(s + (bias ? ref_fabs(bias[j]) : 0));
		}
	}
}

/* CONV2D_F16, the same two ways; every output array is dense NHWC. */
static inline void ref_conv_f16(const struct enpu_cmd_conv2d *c, const float *in,
				const float *f, const float *bias, uint16_t *o32, uint16_t *o64,
				double *tol)
{
	uint32_t cpg = c->cin / c->groups, opg = c->cout / c->groups;

	for (uint32_t b = 0; b < c->n; b++)
	for (uint32_t oy = 0; oy < c->out_h; oy++)
	for (uint32_t ox = 0; ox < c->out_w; ox++)
	for (uint32_t oc = 0; oc < c->cout; oc++) {
		uint64_t o = (((uint64_t)b * c->out_h + oy) * c->out_w + ox) * c->cout + oc;
		uint32_t g = oc / opg, terms = 0;
		float acc = bias ? bias[oc] : 0.0f;
		double acc64 = bias ? bias[oc] : 0.0, s = 0;

		for (uint32_t ky = 0; ky < c->kh; ky++) {
			int64_t iy = (int64_t)oy * c->stride_h - c->pad_top + (int64_t)ky * c->dil_h;

			if (iy < 0 || iy >= c->h)
				continue;
			for (uint32_t kx = 0; kx < c->kw; kx++) {
				int64_t ix = (int64_t)ox * c->stride_w - c->pad_left +
					     (int64_t)kx * c->dil_w;

				if (ix < 0 || ix >= c->w)
					continue;
				for (uint32_t ic = 0; ic < cpg; ic++) {
					float x = in[(((uint64_t)b * c->h + iy) * c->w + ix) *
						     c->cin + (uint64_t)g * cpg + ic];
					float w = f[(((uint64_t)oc * c->kh + ky) * c->kw + kx) *
						    cpg + ic];

					acc += x * w;
					acc64 += (double)x * w;
					s += ref_fabs((double)x * w);
					terms++;
				}
			}
		}
		o32[o] = ref_f2h(acc);
		o64[o] = ref_d2h(acc64);
		tol[o] = 1.5 * ref_ulp16(o64[o]) + 2.0 * (terms + 2) * ref_pow2(-24) *
			 (s + (bias ? ref_fabs(bias[oc]) : 0));
	}
}

#endif /* ENPU_REF_H */
