/* SPDX-License-Identifier: MIT */
/* AVX-512 VNNI int8 GEMM micro-kernel (u8k4 packing): 5 rows x 64 columns,
 * 20 zmm accumulators, one vpdpbusd per (row, 16 columns, 4 k). vpdpbusd
 * multiplies unsigned by signed bytes: the kernel adds 128 to A's int8
 * bytes as it broadcasts them (A_RAW_PLUS_128; the driver subtracts the
 * compensation term), so that dense A needs no packing (a pass over A that
 * cost pw1x1 56x56x128 6-7% of its time). Accumulation wraps like the
 * contract; no intermediate saturation (vpdpbusd, not vpdpbusds). K comes
 * in blocks (sums kept in the driver's buffer between them), a block in
 * segments of A (kernel_out_segs: the implicit convolution's kernel rows,
 * summed in registers); in the last block each row tile's output stage
 * (requantization, int8 packing) runs inside the next tile's k loop. */
#include <immintrin.h>
#include <string.h>
#include "gemm_out_avx512.h"

/* 5 rows, not 6: the 7 registers that 20 accumulators leave free hold the
 * output stage that overlaps the sums (below); with 24 accumulators gcc 12
 * spilled them inside the k loop, and the same GEMMs ran 3-20% slower */
#define MR 5
#define NR 64
/* K block: a 64 x 512 slice of B (32 KiB) stays in L1 across the tiles of
 * a row block where L1 holds 48 KiB (an Intel Xeon: 4096 was not faster,
 * in a noisy A/B 0-4.6% slower). With a 32 KiB L1 (Zen 4) the slice does
 * not stay, and GEMMs of K 1024-16384 ran 1-5% faster with up to 4096 of
 * K per tile, B read from L2, than with blocks of 512 or 256 (KC_BIG,
 * cpu_i8_kc; docs/perf.md, twenty-eighth session). */
#define KC 512
#define KC_BIG 4096
/* Calls of 1 or 2 rows (GEMV) read B once, from L3 or memory: prefetching
 * 8 KiB ahead made M = 1, N = 1024 / 4096, K = 1024 1.02-1.09x faster on
 * Zen 5, and 1.11-1.30x slower on Zen 4 (out->prefetch says which) */
#define PF_AHEAD 8192

/* Named accumulators (not an array) so that the compiler keeps all 24 in
 * registers; rows >= mr are dead code after inlining with a constant mr. The
 * first K block starts from the effective bias (sums wrap modulo 2^32, so
 * adding it first or last is the same). */
#define ACC_DECL(i)                                                                  \
	__m512i c##i##0 = _mm512_setzero_si512(), c##i##1 = c##i##0, c##i##2 = c##i##0, \
		c##i##3 = c##i##0;                                                   \
	if (mr > i) {                                                                \
		const int32_t *s = first ? beff : acc + i * NR;                      \
		c##i##0 = _mm512_load_si512(s);                                      \
		c##i##1 = _mm512_load_si512(s + 16);                                 \
		c##i##2 = _mm512_load_si512(s + 32);                                 \
		c##i##3 = _mm512_load_si512(s + 48);                                 \
	}
#define ACC_ROW(i)                                                                   \
	if (mr > i) {                                                                \
		int32_t q;                                                           \
		memcpy(&q, a + (size_t)i * lda + (size_t)k4 * 4, sizeof(q));        \
		__m512i va = _mm512_xor_si512(_mm512_set1_epi32(q), x80);            \
		c##i##0 = _mm512_dpbusd_epi32(c##i##0, va, b0);                      \
		c##i##1 = _mm512_dpbusd_epi32(c##i##1, va, b1);                      \
		c##i##2 = _mm512_dpbusd_epi32(c##i##2, va, b2);                      \
		c##i##3 = _mm512_dpbusd_epi32(c##i##3, va, b3);                      \
	}
#define ACC_STEP                                                                     \
	do {                                                                         \
		const int8_t *bk = b + (size_t)k4 * NR * 4;                          \
		__m512i b0 = _mm512_loadu_si512(bk);                                 \
		__m512i b1 = _mm512_loadu_si512(bk + 64);                            \
		__m512i b2 = _mm512_loadu_si512(bk + 128);                           \
		__m512i b3 = _mm512_loadu_si512(bk + 192);                           \
		if (mr <= 2 && stream) {                                             \
			_mm_prefetch(bk + PF_AHEAD, _MM_HINT_T0);                    \
			_mm_prefetch(bk + PF_AHEAD + 64, _MM_HINT_T0);               \
			_mm_prefetch(bk + PF_AHEAD + 128, _MM_HINT_T0);              \
			_mm_prefetch(bk + PF_AHEAD + 192, _MM_HINT_T0);              \
		}                                                                    \
		ACC_ROW(0)                                                           \
		ACC_ROW(1)                                                           \
		ACC_ROW(2)                                                           \
		ACC_ROW(3)                                                           \
		ACC_ROW(4)                                                           \
	} while (0)
#define ACC_STORE(i)                                                                 \
	if (mr > i) {                                                                \
		_mm512_store_si512(dst + i * NR, c##i##0);                           \
		_mm512_store_si512(dst + i * NR + 16, c##i##1);                      \
		_mm512_store_si512(dst + i * NR + 32, c##i##2);                      \
		_mm512_store_si512(dst + i * NR + 48, c##i##3);                      \
	}

/* The output stage of one row of finished sums (beff included) in five
 * parts, so that each fits in the few registers the sums leave free:
 * requantize 16 lanes in place (parts 0-3, out_rq; no lane may shift
 * left), then out_pack (part 4; gemm_out_avx512.h). */
static inline __attribute__((always_inline)) void out_rq(int32_t *sums, const cpu_i8_out_t *o,
							 int v)
{
	__m512i *x = (__m512i *)sums + v;
	*x = rq16_apply(*x, (const cpu_rq16_t *)o->rq + v, RQ16_RIGHT);
}

/* Sums of one K block of mr rows (starting from beff when first, else from
 * acc) into dst (both 64-byte aligned): nseg segments of klen, segment s of
 * A at a0 + s * sstride, B's one after another. Meanwhile the pend rows of
 * finished sums at prev (the previous tile's, when this is the last K
 * block) go through the output stage to C rows at c, one part per step of k
 * while a segment has five steps left for a row (when
 * no lane shifts left; after the sums otherwise): vpdpbusd and most of the
 * requantization (all but its vpmuldq) use different pipes, so the output
 * stage runs mostly in the shadow of the sums instead of after them. m: the
 * columns to store. stream: prefetch B (GEMV). */
static inline __attribute__((always_inline)) void
tile(const uint8_t *a0, size_t lda, size_t sstride, uint32_t nseg, const int8_t *b0,
     uint32_t klen, int mr, const int32_t *acc, int32_t *dst, bool first, bool stream,
     const int32_t *beff, int32_t *prev, uint32_t pend, const cpu_i8_out_t *o, int8_t *c,
     __mmask64 m)
{
	const __m512i x80 = _mm512_set1_epi8((char)0x80);
	ACC_DECL(0)
	ACC_DECL(1)
	ACC_DECL(2)
	ACC_DECL(3)
	ACC_DECL(4)
	uint32_t n4 = klen / 4, p = 0;
	for (uint32_t s = 0; s < nseg; s++) {
		const uint8_t *a = a0 + s * sstride;
		const int8_t *b = b0 + (size_t)s * klen * NR;
		uint32_t k4 = 0;
		for (; !o->any_left && p < pend && k4 + 5 <= n4; p++) {
			int32_t *row = prev + p * NR;
			for (int v = 0; v < 4; v++, k4++) {
				ACC_STEP;
				out_rq(row, o, v);
			}
			ACC_STEP;
			k4++;
			out_pack(row, o, c + p * o->ldc, m);
		}
		for (; k4 < n4; k4++)
			ACC_STEP;
	}
	ACC_STORE(0)
	ACC_STORE(1)
	ACC_STORE(2)
	ACC_STORE(3)
	ACC_STORE(4)
	for (; p < pend; p++)
		out_row(prev + p * NR, o, c + p * o->ldc, m);
}

/* The row tiles in turn, each over all nseg segments of K (kernel_out_segs:
 * the implicit convolution's kernel rows, no row maps) with its sums in
 * registers across them, then through memory (keeping the accumulators
 * live into the output stage makes the compiler spill inside the k loop);
 * on the last K block each tile's output stage overlaps the next tile's
 * sums, and the last tile's follows. The rows are spread evenly over the
 * fewest tiles (56 rows: 8 of 5 and 4 of 4, not 11 of 5 and 1 of 1, whose
 * single accumulator chain per column vector runs at a fraction of the
 * rate). The last K block leaves its sums in two tile-sized slots used in
 * turn, not in acc: they stay in L1, where acc (rows x 64 int32, 24 KiB for
 * 95 rows) would evict the block's A and B. */
static inline __attribute__((always_inline)) void
row_tiles(const void *a, size_t lda, size_t sstride, uint32_t nseg, const void *b, uint32_t klen,
	  uint32_t rows, int32_t *acc, bool first, bool last, const cpu_i8_out_t *o)
{
	int32_t slot[2][MR * NR] __attribute__((aligned(64)));
	const __mmask64 m = out_mask(o);
	int32_t *prev = NULL;
	uint32_t pend = 0;
	int8_t *c = NULL;
	bool stream = rows <= 2 && o->prefetch;
	uint32_t tiles = (rows + MR - 1) / MR, base = rows / tiles, extra = rows % tiles;
	for (uint32_t mt = 0, t = 0; mt < rows; t++) {
		const uint8_t *at = (const uint8_t *)a + mt * lda;
		int32_t *acct = acc + (size_t)mt * NR, *dst = last ? slot[t % 2] : acct;
		uint32_t mr = base + (t < extra);
		switch (mr) {
		case 5:
			tile(at, lda, sstride, nseg, b, klen, 5, acct, dst, first, stream, o->beff,
			     prev, pend, o, c, m);
			break;
		case 4:
			tile(at, lda, sstride, nseg, b, klen, 4, acct, dst, first, stream, o->beff,
			     prev, pend, o, c, m);
			break;
		case 3:
			tile(at, lda, sstride, nseg, b, klen, 3, acct, dst, first, stream, o->beff,
			     prev, pend, o, c, m);
			break;
		case 2:
			tile(at, lda, sstride, nseg, b, klen, 2, acct, dst, first, stream, o->beff,
			     prev, pend, o, c, m);
			break;
		default:
			tile(at, lda, sstride, nseg, b, klen, 1, acct, dst, first, stream, o->beff,
			     prev, pend, o, c, m);
			break;
		}
		if (last) {
			prev = dst;
			pend = mr;
			c = o->c + (size_t)mt * o->ldc;
		}
		mt += mr;
	}
	for (uint32_t p = 0; p < pend; p++)
		out_row(prev + p * NR, o, c + p * o->ldc, m);
}

/* row_tiles with one segment a constant (the GEMM's calls) */
static void kernel_out_vnni512(const void *a, size_t lda, const void *b, uint32_t klen,
			       uint32_t rows, int32_t *acc, bool first, bool last,
			       const cpu_i8_out_t *o)
{
	row_tiles(a, lda, 0, 1, b, klen, rows, acc, first, last, o);
}

static void kernel_out_segs_vnni512(const void *a, size_t lda, size_t sstride, uint32_t nseg,
				    const void *b, uint32_t klen, uint32_t rows, int32_t *acc,
				    bool first, bool last, const cpu_i8_out_t *o,
				    const cpu_row_map_t *map)
{
	(void)map; /* NULL: no conv_wrap */
	row_tiles(a, lda, sstride, nseg, b, klen, rows, acc, first, last, o);
}

/* One row (GEMV): two sets of four accumulators (even and odd groups of
 * 4 k) hide vpdpbusd's latency; pf: prefetch B (out->prefetch). */
static inline __attribute__((always_inline)) void gemv_sums(const uint8_t *a, const int8_t *bp,
							    uint32_t kp, const int32_t *beff,
							    int32_t *dst, bool pf)
{
	__m512i e0 = _mm512_load_si512(beff), e1 = _mm512_load_si512(beff + 16);
	__m512i e2 = _mm512_load_si512(beff + 32), e3 = _mm512_load_si512(beff + 48);
	__m512i d0 = _mm512_setzero_si512(), d1 = d0, d2 = d0, d3 = d0;
	const __m512i x80 = _mm512_set1_epi8((char)0x80);
	uint32_t n4 = kp / 4, k4 = 0;
#define B(i) _mm512_loadu_si512(bk + 64 * (i))
	for (; k4 + 2 <= n4; k4 += 2) {
		const int8_t *bk = bp + (size_t)k4 * NR * 4;
		int32_t q[2];
		memcpy(q, a + 4 * k4, sizeof(q));
		const __m512i v0 = _mm512_xor_si512(_mm512_set1_epi32(q[0]), x80);
		const __m512i v1 = _mm512_xor_si512(_mm512_set1_epi32(q[1]), x80);
		for (int l = 0; pf && l < 8; l++)
			_mm_prefetch(bk + PF_AHEAD + 64 * l, _MM_HINT_T0);
		e0 = _mm512_dpbusd_epi32(e0, v0, B(0));
		e1 = _mm512_dpbusd_epi32(e1, v0, B(1));
		e2 = _mm512_dpbusd_epi32(e2, v0, B(2));
		e3 = _mm512_dpbusd_epi32(e3, v0, B(3));
		d0 = _mm512_dpbusd_epi32(d0, v1, B(4));
		d1 = _mm512_dpbusd_epi32(d1, v1, B(5));
		d2 = _mm512_dpbusd_epi32(d2, v1, B(6));
		d3 = _mm512_dpbusd_epi32(d3, v1, B(7));
	}
	if (k4 < n4) {
		const int8_t *bk = bp + (size_t)k4 * NR * 4;
		int32_t q;
		memcpy(&q, a + 4 * k4, sizeof(q));
		const __m512i v0 = _mm512_xor_si512(_mm512_set1_epi32(q), x80);
		e0 = _mm512_dpbusd_epi32(e0, v0, B(0));
		e1 = _mm512_dpbusd_epi32(e1, v0, B(1));
		e2 = _mm512_dpbusd_epi32(e2, v0, B(2));
		e3 = _mm512_dpbusd_epi32(e3, v0, B(3));
	}
#undef B
	_mm512_store_si512(dst, _mm512_add_epi32(e0, d0));
	_mm512_store_si512(dst + 16, _mm512_add_epi32(e1, d1));
	_mm512_store_si512(dst + 32, _mm512_add_epi32(e2, d2));
	_mm512_store_si512(dst + 48, _mm512_add_epi32(e3, d3));
}

/* The panels in turn. uniform: one set of requantization parameters for
 * every column (o->rq_uniform, no left shift), loaded once: the GEMV reads
 * B from L2 or farther at the rate of its L1 loads, and the parameters'
 * eight vectors per 16 columns loaded again for each panel (2 KiB per 32
 * KiB of B at K = 512, each an L1 hit) made 1 x 512 x 512 9% slower. */
static inline __attribute__((always_inline)) void
gemv_panels(const void *a, const void *b, size_t panel_bytes, uint32_t kp, uint32_t panels,
	    bool backwards, const cpu_i8_out_t *o, bool uniform)
{
	int32_t slot[NR] __attribute__((aligned(64)));
	rq16_regs_t k;
	if (uniform)
		k = rq16_load(o->rq);
	for (uint32_t i = 0; i < panels; i++) {
		uint32_t p = backwards ? panels - 1 - i : i;
		const int8_t *bp = (const int8_t *)b + p * panel_bytes;
		if (o->prefetch)
			gemv_sums(a, bp, kp, o->beff + p * NR, slot, true);
		else
			gemv_sums(a, bp, kp, o->beff + p * NR, slot, false);
		cpu_i8_out_t po = *o;
		po.rq = (const cpu_rq16_t *)o->rq + 4 * p;
		po.n = o->n - p * NR;
		if (uniform) {
			__m512i *x = (__m512i *)slot;
			for (int v = 0; v < 4; v++)
				x[v] = rq16_right_regs(x[v], &k, false);
			out_pack(slot, &po, o->c + p * NR, out_mask(&po));
		} else {
			out_row(slot, &po, o->c + p * NR, out_mask(&po));
		}
	}
}

static void gemv_out_vnni512(const void *a, const void *b, size_t panel_bytes, uint32_t kp,
			     uint32_t panels, bool backwards, const cpu_i8_out_t *o)
{
	if (o->rq_uniform && !o->any_left)
		gemv_panels(a, b, panel_bytes, kp, panels, backwards, o, true);
	else
		gemv_panels(a, b, panel_bytes, kp, panels, backwards, o, false);
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_vnni512 = {
	.mr = MR, .nr = NR, .kgroup = 4, .thread_shift = 25, .a_elem = 1, .b_elem = 1,
	.a_pack = A_RAW_PLUS_128,
	.pack_a = cpu_pack_a_s8k4, .pack_b = cpu_pack_b_u8k4, .kc = KC, .kc_big = KC_BIG,
	.rq_size = sizeof(cpu_rq16_t), .rq_prepare = rq_prepare_avx512,
	.kernel_out = kernel_out_vnni512, .kernel_out_segs = kernel_out_segs_vnni512,
	.gemv_out = gemv_out_vnni512,
	.conv_min_rows = 2 * (MR - 1), .conv_min_tile = MR - 1,
};
