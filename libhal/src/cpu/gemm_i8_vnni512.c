/* SPDX-License-Identifier: MIT */
/* AVX-512 VNNI int8 GEMM micro-kernel (u8k4 packing): 6 rows x 64 columns,
 * 24 zmm accumulators, one vpdpbusd per (row, 16 columns, 4 k). vpdpbusd
 * multiplies unsigned by signed bytes, hence the +128 offset on A (the
 * driver subtracts the compensation term). Accumulation wraps like the
 * contract; no intermediate saturation (vpdpbusd, not vpdpbusds). K comes
 * in blocks (sums kept in the driver's buffer between them), and the last
 * block requantizes the finished tile while it is in L1. */
#include <immintrin.h>
#include <string.h>
#include "gemm_i8_kernels.h"
#include "requant_avx512.h"

#define MR 6
#define NR 64
/* K block: a 64 x 512 B slice (32 KiB) stays in L1 across the tiles of a
 * row block */
#define KC 512

/* Named accumulators (not an array) so that the compiler keeps all 24 in
 * registers; rows >= mr are dead code after inlining with a constant mr. */
#define ACC_DECL(i)                                                                  \
	__m512i c##i##0 = _mm512_setzero_si512(), c##i##1 = _mm512_setzero_si512(), \
		c##i##2 = _mm512_setzero_si512(), c##i##3 = _mm512_setzero_si512();  \
	if (!first && mr > i) {                                                      \
		c##i##0 = _mm512_load_si512(acc + i * NR);                           \
		c##i##1 = _mm512_load_si512(acc + i * NR + 16);                      \
		c##i##2 = _mm512_load_si512(acc + i * NR + 32);                      \
		c##i##3 = _mm512_load_si512(acc + i * NR + 48);                      \
	}
#define ACC_ROW(i)                                                                   \
	if (mr > i) {                                                                \
		int32_t q;                                                           \
		memcpy(&q, a + (size_t)i * lda + (size_t)k4 * 4, sizeof(q));        \
		__m512i va = _mm512_set1_epi32(q);                                   \
		c##i##0 = _mm512_dpbusd_epi32(c##i##0, va, b0);                      \
		c##i##1 = _mm512_dpbusd_epi32(c##i##1, va, b1);                      \
		c##i##2 = _mm512_dpbusd_epi32(c##i##2, va, b2);                      \
		c##i##3 = _mm512_dpbusd_epi32(c##i##3, va, b3);                      \
	}
#define ACC_STORE(i)                                                                 \
	if (mr > i) {                                                                \
		_mm512_store_si512(acc + i * NR, c##i##0);                           \
		_mm512_store_si512(acc + i * NR + 16, c##i##1);                      \
		_mm512_store_si512(acc + i * NR + 32, c##i##2);                      \
		_mm512_store_si512(acc + i * NR + 48, c##i##3);                      \
	}

/* Sums of one K block into acc (64-byte aligned), from zero when first. */
static inline __attribute__((always_inline)) void tile(const uint8_t *a, size_t lda,
						       const int8_t *b, uint32_t klen, int mr,
						       int32_t *acc, bool first)
{
	ACC_DECL(0);
	ACC_DECL(1);
	ACC_DECL(2);
	ACC_DECL(3);
	ACC_DECL(4);
	ACC_DECL(5);
	for (uint32_t k4 = 0; k4 < klen / 4; k4++) {
		const int8_t *bk = b + (size_t)k4 * NR * 4;
		__m512i b0 = _mm512_loadu_si512(bk);
		__m512i b1 = _mm512_loadu_si512(bk + 64);
		__m512i b2 = _mm512_loadu_si512(bk + 128);
		__m512i b3 = _mm512_loadu_si512(bk + 192);
		ACC_ROW(0)
		ACC_ROW(1)
		ACC_ROW(2)
		ACC_ROW(3)
		ACC_ROW(4)
		ACC_ROW(5)
	}
	ACC_STORE(0)
	ACC_STORE(1)
	ACC_STORE(2)
	ACC_STORE(3)
	ACC_STORE(4)
	ACC_STORE(5)
}

/* The tile (through acc: keeping the accumulators live into the output
 * stage makes the compiler spill inside the k loop), then on the last K
 * block per row: + beff, requantize, pack 64 int8 in column order, store n. */
static void kernel_out_vnni512(const void *a, size_t lda, const void *b, uint32_t klen,
			       uint32_t mr, int32_t *acc, bool first, const cpu_i8_out_t *o)
{
	switch (mr) {
	case 6: tile(a, lda, b, klen, 6, acc, first); break;
	case 5: tile(a, lda, b, klen, 5, acc, first); break;
	case 4: tile(a, lda, b, klen, 4, acc, first); break;
	case 3: tile(a, lda, b, klen, 3, acc, first); break;
	case 2: tile(a, lda, b, klen, 2, acc, first); break;
	default: tile(a, lda, b, klen, 1, acc, first); break;
	}
	if (!o)
		return;
	const __m512i zp16 = _mm512_set1_epi16((short)o->zp);
	const __m512i lo8 = _mm512_set1_epi8((char)o->qmin), hi8 = _mm512_set1_epi8((char)o->qmax);
	/* out64 leaves dword (v, lane group L) at 4L + v; column order is 4v + L */
	const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
	const __mmask64 m = o->n >= NR ? ~(__mmask64)0 : ((__mmask64)1 << o->n) - 1;
	__m512i r[4];
	for (uint32_t i = 0; i < mr; i++) {
		for (int v = 0; v < 4; v++) {
			__m512i x = _mm512_add_epi32(_mm512_load_si512(acc + i * NR + 16 * v),
						     _mm512_load_si512(o->beff + 16 * v));
			r[v] = rq16_apply(x, o->rq + v, o->any_left);
		}
		__m512i q = out64(r[0], r[1], r[2], r[3], zp16, lo8, hi8);
		_mm512_mask_storeu_epi8(o->c + (size_t)i * o->ldc, m, _mm512_permutexvar_epi32(order, q));
	}
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_vnni512 = {
	.mr = MR, .nr = NR, .kgroup = 4, .a_elem = 1, .b_elem = 1, .a_pack = A_PLUS_128,
	.pack_a = cpu_pack_a_u8k4, .pack_b = cpu_pack_b_u8k4, .kc = KC,
	.kernel_out = kernel_out_vnni512,
};
