/* SPDX-License-Identifier: MIT */
/* AVX2 int8 GEMM micro-kernel (A s16k2, B s8k2): 6 rows x 16 columns. Operands
 * are widened to int16 (A when packed, already minus its zero point; B, kept
 * as int8 pairs of k, as it is loaded: half the bytes to stream, which made
 * GEMV 1.5-1.65x faster), so vpmaddwd gives exact int32 pair sums;
 * vpmaddubsw is avoided because its int16 saturation breaks bit-exactness
 * for 255 * 127 * 2. K comes in blocks of KC (the sums kept in the driver's
 * buffer between them), a block in segments of A (kernel_out_segs: the
 * implicit convolution's kernel rows, summed in registers); the last block
 * runs the output stage (requant_avx2.h) on each finished tile. */
#include <immintrin.h>
#include <string.h>
#include "gemm_i8_kernels.h"
#include "requant_avx2.h"

#define MR 6
#define NR 16
/* K block: a 512 x 16 slice of B (8 KiB) and a tile's A rows (6 KiB) stay
 * in L1 across the row tiles of a row block */
#define KC 512

/* Named accumulators so that all 12 stay in registers; rows >= mr are dead
 * code after inlining with a constant mr. The first K block starts from the
 * effective bias (sums wrap modulo 2^32: adding it first or last is the
 * same). */
#define ACC_DECL(i)                                                                  \
	__m256i c##i##0 = _mm256_setzero_si256(), c##i##1 = c##i##0;                 \
	if (mr > i) {                                                                \
		const int32_t *s = first ? beff : acc + i * NR;                      \
		c##i##0 = _mm256_load_si256((const __m256i *)s);                     \
		c##i##1 = _mm256_load_si256((const __m256i *)(s + 8));               \
	}
#define ACC_ROW(i)                                                                   \
	if (mr > i) {                                                                \
		int32_t q;                                                           \
		memcpy(&q, a + (size_t)i * lda + (size_t)k2 * 2, sizeof(q));         \
		__m256i va = _mm256_set1_epi32(q);                                   \
		c##i##0 = _mm256_add_epi32(c##i##0, _mm256_madd_epi16(va, b0));      \
		c##i##1 = _mm256_add_epi32(c##i##1, _mm256_madd_epi16(va, b1));      \
	}
#define ACC_STORE(i)                                                                 \
	if (mr > i) {                                                                \
		_mm256_store_si256((__m256i *)(dst + i * NR), c##i##0);              \
		_mm256_store_si256((__m256i *)(dst + i * NR + 8), c##i##1);          \
	}

/* Sums of one K block of mr rows (lda int16 apart) into dst, starting from
 * beff when first, else from acc (both 32-byte aligned, row stride NR):
 * nseg segments of klen, segment s of A sstride bytes after the previous
 * one, B's one after another, summed in registers. */
static inline __attribute__((always_inline)) void
tile(const int16_t *a0, size_t lda, size_t sstride, uint32_t nseg, const int8_t *b0,
     uint32_t klen, int mr, const int32_t *beff, const int32_t *acc, bool first, int32_t *dst)
{
	ACC_DECL(0)
	ACC_DECL(1)
	ACC_DECL(2)
	ACC_DECL(3)
	ACC_DECL(4)
	ACC_DECL(5)
	for (uint32_t s = 0; s < nseg; s++) {
		const int16_t *a = (const int16_t *)((const uint8_t *)a0 + s * sstride);
		const int8_t *b = b0 + (size_t)s * klen * NR;
		for (uint32_t k2 = 0; k2 < klen / 2; k2++) {
			const int8_t *bk = b + (size_t)k2 * NR * 2;
			__m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)bk));
			__m256i b1 =
				_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(bk + 16)));
			ACC_ROW(0)
			ACC_ROW(1)
			ACC_ROW(2)
			ACC_ROW(3)
			ACC_ROW(4)
			ACC_ROW(5)
		}
	}
	ACC_STORE(0)
	ACC_STORE(1)
	ACC_STORE(2)
	ACC_STORE(3)
	ACC_STORE(4)
	ACC_STORE(5)
}

/* Output stage of rows finished rows of sums (row stride NR) to C. */
static void out_rows(const int32_t *sums, uint32_t rows, const cpu_i8_out_t *o, int8_t *c)
{
	const cpu_rq8_t *rq = o->rq;
	const __m256i zp16 = _mm256_set1_epi16((short)o->zp);
	const __m128i lo8 = _mm_set1_epi8((char)o->qmin), hi8 = _mm_set1_epi8((char)o->qmax);
	const bool relu = q_out_relu(o->zp, o->qmin);
	for (uint32_t r = 0; r < rows; r++, sums += NR, c += o->ldc) {
		__m256i x0 = rq8_apply(_mm256_load_si256((const __m256i *)sums), rq, o->any_left,
				       relu);
		__m256i x1 = rq8_apply(_mm256_load_si256((const __m256i *)(sums + 8)), rq + 1,
				       o->any_left, relu);
		__m128i v = rq8_out16_cols(x0, x1, zp16, lo8, hi8);
		if (o->n >= NR) {
			_mm_storeu_si128((__m128i *)c, v);
		} else {
			int8_t tmp[NR];
			_mm_storeu_si128((__m128i *)tmp, v);
			memcpy(c, tmp, o->n);
		}
	}
}

/* The row tiles in turn, each over all nseg segments of K (kernel_out_segs:
 * the implicit convolution's kernel rows, no row maps), the rows spread
 * evenly over the fewest tiles (as in the VNNI kernel); the last K block
 * leaves each tile's sums in a buffer on the stack and writes its output
 * rows. */
static inline __attribute__((always_inline)) void
row_tiles(const void *a, size_t lda, size_t sstride, uint32_t nseg, const void *b, uint32_t klen,
	  uint32_t rows, int32_t *acc, bool first, bool last, const cpu_i8_out_t *o)
{
	int32_t slot[MR * NR] __attribute__((aligned(32)));
	const size_t ld = lda / sizeof(int16_t);
	uint32_t tiles = (rows + MR - 1) / MR, base = rows / tiles, extra = rows % tiles;
	for (uint32_t mt = 0, t = 0; mt < rows; t++) {
		const int16_t *at = (const int16_t *)a + mt * ld;
		int32_t *acct = acc + (size_t)mt * NR, *dst = last ? slot : acct;
		uint32_t mr = base + (t < extra);
		switch (mr) {
		case 6: tile(at, ld, sstride, nseg, b, klen, 6, o->beff, acct, first, dst); break;
		case 5: tile(at, ld, sstride, nseg, b, klen, 5, o->beff, acct, first, dst); break;
		case 4: tile(at, ld, sstride, nseg, b, klen, 4, o->beff, acct, first, dst); break;
		case 3: tile(at, ld, sstride, nseg, b, klen, 3, o->beff, acct, first, dst); break;
		case 2: tile(at, ld, sstride, nseg, b, klen, 2, o->beff, acct, first, dst); break;
		default: tile(at, ld, sstride, nseg, b, klen, 1, o->beff, acct, first, dst); break;
		}
		if (last)
			out_rows(slot, mr, o, o->c + (size_t)mt * o->ldc);
		mt += mr;
	}
}

/* row_tiles with one segment a constant (the GEMM's calls) */
static void kernel_out_avx2(const void *a, size_t lda, const void *b, uint32_t klen,
			    uint32_t rows, int32_t *acc, bool first, bool last,
			    const cpu_i8_out_t *o)
{
	row_tiles(a, lda, 0, 1, b, klen, rows, acc, first, last, o);
}

static void kernel_out_segs_avx2(const void *a, size_t lda, size_t sstride, uint32_t nseg,
				 const void *b, uint32_t klen, uint32_t rows, int32_t *acc,
				 bool first, bool last, const cpu_i8_out_t *o,
				 const cpu_row_map_t *map)
{
	(void)map; /* NULL: no conv_wrap */
	row_tiles(a, lda, sstride, nseg, b, klen, rows, acc, first, last, o);
}

/* Sums of the one row a against two panels (32 columns; the second pb
 * bytes after the first), whole K, from beff (32 columns) into dst: one
 * broadcast and one loop step per 64 MACs instead of per 32. GEMV is
 * bound by instructions here, not by B's bytes (1024 x 256 and 1024 x
 * 1024 of B ran alike); this made 1 x 1024 x 1024 and 1 x 4096 x 1024
 * 1.08-1.25x faster (bench/ab, 1 and 2 threads, Zen 3). Four panels at
 * once, or two k steps in flight, were faster in some minutes and 15-20%
 * slower in others. */
static void pair(const int16_t *a, const int8_t *b, size_t pb, uint32_t kp, const int32_t *beff,
		 int32_t *dst)
{
	__m256i c[4];
	for (int i = 0; i < 4; i++)
		c[i] = _mm256_load_si256((const __m256i *)(beff + 8 * i));
	for (uint32_t k2 = 0; k2 < kp / 2; k2++) {
		const int8_t *bk = b + (size_t)k2 * NR * 2;
		int32_t q;
		memcpy(&q, a + (size_t)k2 * 2, sizeof(q));
		__m256i va = _mm256_set1_epi32(q);
		for (int i = 0; i < 4; i++) {
			const int8_t *bi = bk + (i / 2) * pb + (i % 2) * 16;
			__m256i bv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)bi));
			c[i] = _mm256_add_epi32(c[i], _mm256_madd_epi16(va, bv));
		}
	}
	for (int i = 0; i < 4; i++)
		_mm256_store_si256((__m256i *)(dst + 8 * i), c[i]);
}

static void gemv_out_avx2(const void *a, const void *b, size_t panel_bytes, uint32_t kp,
			  uint32_t panels, bool backwards, const cpu_i8_out_t *o)
{
	int32_t slot[2 * NR] __attribute__((aligned(32)));
	const int8_t *bp = b;
	uint32_t units = (panels + 1) / 2; /* pairs of panels; the last alone when odd */
	for (uint32_t i = 0; i < units; i++) {
		uint32_t p = 2 * (backwards ? units - 1 - i : i), two = panels - p >= 2;
		if (two)
			pair(a, bp + p * panel_bytes, panel_bytes, kp, o->beff + p * NR, slot);
		else
			tile(a, 0, 0, 1, bp + p * panel_bytes, kp, 1, o->beff + p * NR, NULL, true,
			     slot);
		for (uint32_t q = 0; q <= two; q++) {
			cpu_i8_out_t po = *o;
			po.rq = (const cpu_rq8_t *)o->rq + 2 * (p + q);
			po.n = o->n - (p + q) * NR;
			out_rows(slot + q * NR, 1, &po, o->c + (p + q) * NR);
		}
	}
}

static bool rq_prepare_avx2(void *dst, const int32_t *mult, const int32_t *shift)
{
	cpu_rq8_t *r = dst;
	cpu_rq8_prepare(&r[0], mult, shift, 8);
	cpu_rq8_prepare(&r[1], mult + 8, shift + 8, 8);
	return r[0].any_left || r[1].any_left;
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_avx2 = {
	/* ~6x fewer MACs per second than AVX-512 VNNI: 2^22 MACs, ~70 us */
	.mr = MR, .nr = NR, .kgroup = 2, .thread_shift = 22, .a_elem = 2, .b_elem = 1,
	.a_pack = A_MINUS_ZP,
	.pack_a = cpu_pack_a_s16k2, .pack_b = cpu_pack_b_s8k2, .kc = KC,
	.rq_size = 2 * sizeof(cpu_rq8_t), .rq_prepare = rq_prepare_avx2,
	.kernel_out = kernel_out_avx2, .kernel_out_segs = kernel_out_segs_avx2,
	.gemv_out = gemv_out_avx2,
	/* output rows from two tiles: the family on Zen 4 (bench/ab, AB_ISA=2,
	 * implicit vs im2col + GEMM, all kernel rows per call, 3x3): 20x20x64
	 * 1.09x, 12x12x128 1.06x, 14x14x128 1.05x, 28x28x64 stride 2 1.05x,
	 * 20x20x256 1.01x, 14x14x256 0.99x; 8x8x128 0.99x */
	.conv_min_rows = 2 * MR,
};
