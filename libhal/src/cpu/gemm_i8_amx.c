/* SPDX-License-Identifier: MIT */
/* AMX-INT8 int8 GEMM micro-kernel: tdpbssd multiplies signed by signed
 * bytes (no +128 offset, no saturation: sums wrap like the contract), a
 * 16 x 16 int32 tile of C per instruction over 64 of K. Packing: A raw int8
 * rows (A_RAW: the driver subtracts a_zp * colsum(b)), B the u8k4 layout of
 * 64-column panels, K zero-padded to a multiple of 64 (kgroup): k4 row r of
 * a panel is 256 bytes, so the B tile of columns 16j .. 16j + 15 and K 64q ..
 * 64q + 63 is 16 rows of 64 bytes, 256 bytes apart, at (16 q) * 256 + 64 j.
 * Tiles: tmm0-3 C (2 row tiles x 2 column tiles: 32 rows x 32 columns),
 * tmm4-5 A, tmm6-7 B. Sums start from the effective bias (a tile load with
 * stride 0 repeats its row) or from the driver's acc; the last K block stores
 * them to a slot, and the output stage of gemm_out_avx512.h writes them row
 * by row while the next rows' tiles multiply. K may come in segments of
 * A (kernel_out_segs: the implicit convolution's kernel rows), summed in
 * the tiles without a trip through acc, and its rows may run across output
 * rows (a row map: the rows that are not outputs are left out of C). Rows
 * run 32 a step. A call of 17-31 rows in all is one step of a 16-row tile
 * and a tile of the rest, one of 16 or fewer one tile of that many rows; the
 * last 1-31 rows after 32-row steps are one more step of 16 or 32 rows that
 * ends at the block's end, over rows already done (computed again, not
 * written again), so that the tiles keep one configuration across calls
 * (docs/perf.md). No A row past the block is read.
 *
 * A thread carries state from one kernel call to the next of a task (its
 * carry_t, the driver's out->carry): the tile configuration, loaded only
 * when a step needs another one, and the last step's finished rows, whose
 * output stage runs in the shadow of the next call's tiles (ending each
 * call with it exposed, and configuring and releasing the tiles at each
 * call, cost 28-wide convolutions a quarter of their time: docs/perf.md).
 * The drivers call task_begin at the start of each task (it resets the
 * carry) and task_end at its end (it writes those rows and releases the
 * tiles), before other code on the thread may use the tiles or read C. */
#include <immintrin.h>
#include <string.h>
#include "gemm_out_avx512.h"
#ifdef ENPU_AMX_EMULATE
#include "amx_emulate.h"
#endif

#define NR 64
#define TR 16 /* rows of a tile */
/* K block of a call: the sums stay in the tiles across it (see docs/perf.md) */
#define KC 2048

/* The palette-1 tile configuration (Intel SDM, LDTILECFG) */
typedef struct tilecfg {
	uint8_t palette, start_row, reserved[14];
	uint16_t colsb[16];
	uint8_t rows[16];
} __attribute__((aligned(64))) tilecfg_t;

/* Tiles 0, 1 (C) and 4 (A) of rows0 rows, 2, 3 and 5 of rows1; B tiles of
 * 16 rows; all 64 bytes wide */
static void configure(unsigned rows0, unsigned rows1)
{
	tilecfg_t t = { .palette = 1 };
	for (int i = 0; i < 8; i++) {
		t.colsb[i] = 64;
		t.rows[i] = i >= 6 ? TR : (uint8_t)(i == 2 || i == 3 || i == 5 ? rows1 : rows0);
	}
	/* _tile_loadconfig's asm names only the first 8 bytes as its input */
	__asm__ volatile("" : : "m"(t) : "memory");
	_tile_loadconfig(&t);
}

/* A of one call: K in nseg segments of seglen (a multiple of 64), segment s
 * of row r at a + r * lda + s * sstride; B's segments follow one another. */
typedef struct a_view {
	const int8_t *a;
	size_t lda, sstride;
	uint32_t nseg, seglen;
} a_view_t;

/* Where a row tile's sums start: the effective bias (first K block; stride
 * 0) or acc */
typedef struct start {
	const int32_t *p;
	size_t stride;
} start_t;

static inline start_t start_of(bool first, const int32_t *beff, const int32_t *acc, uint32_t row,
			       uint32_t col)
{
	if (first)
		return (start_t){ beff + col, 0 };
	return (start_t){ acc + (size_t)row * NR + col, NR * sizeof(int32_t) };
}

/* Finished rows of the previous step waiting for the output stage. The
 * next step writes them a few at a time between its tile instructions:
 * the tile unit multiplies while the AVX-512 pipes requantize (placed
 * after the step's tile instructions instead, they would wait for them:
 * the reorder buffer holds a few hundred instructions, a step's
 * requantization thousands). */
typedef struct pending {
	int32_t *sums; /* row stride NR */
	int8_t *c[2 * TR]; /* each row's C row, NULL: not an output */
	uint32_t rows, done;
	cpu_i8_out_t o; /* the output stage of the call that left them */
	__mmask64 m;
} pending_t;

/* A thread's state between the kernel calls of a task (a carry of
 * cpu_i8_gemm_ops_t) */
typedef struct carry {
	int32_t slot[2][2 * TR * NR]; /* the last K block's sums, in turn */
	pending_t p;
	unsigned next;       /* the slot of the next step */
	uint8_t rows0, rows1; /* the tile configuration; rows0 0: none */
} __attribute__((aligned(64))) carry_t;

static inline __attribute__((always_inline)) void drain(pending_t *p, uint32_t upto)
{
	if (upto > p->rows)
		upto = p->rows;
	for (; p->done < upto; p->done++)
		if (p->c[p->done])
			out_row(p->sums + p->done * NR, &p->o, p->c[p->done], p->m);
}

/* Tiles of rows0 and (two row tiles) rows1 rows, loaded if not already */
static inline void ensure(carry_t *s, unsigned rows0, unsigned rows1)
{
	if (s->rows0 == rows0 && (!rows1 || s->rows1 == rows1))
		return;
	s->rows0 = (uint8_t)rows0;
	s->rows1 = (uint8_t)(rows1 ? rows1 : TR);
	configure(s->rows0, s->rows1);
}

/* Column half h (columns 32h .. 32h + 31) of one or two row tiles (A rows
 * from mt, as many as configured: the second's from mt + 16; one: s1
 * unused) over all of K: starts the C tiles, multiplies, stores them to dst
 * (row stride NR); after each 64 of K, p's rows up to (++*t) * per. */
static inline __attribute__((always_inline)) void half(const a_view_t *v, uint32_t mt,
						       const int8_t *b, int h, bool two, start_t s0,
						       start_t s1, int32_t *dst, pending_t *p,
						       uint32_t per, uint32_t *t)
{
	const size_t lda = v->lda;
	_tile_loadd(0, s0.p, s0.stride);
	_tile_loadd(1, s0.p + 16, s0.stride);
	if (two) {
		_tile_loadd(2, s1.p, s1.stride);
		_tile_loadd(3, s1.p + 16, s1.stride);
	}
	for (uint32_t s = 0; s < v->nseg; s++) {
		const int8_t *as = v->a + (size_t)mt * lda + s * v->sstride;
		const int8_t *bs = b + 128 * h + (size_t)s * v->seglen * NR;
		for (uint32_t q = 0; q < v->seglen / 64; q++) {
			const int8_t *bq = bs + (size_t)q * TR * NR * 4;
			_tile_loadd(4, as + 64 * q, lda);
			_tile_loadd(6, bq, NR * 4);
			_tile_loadd(7, bq + 64, NR * 4);
			_tile_dpbssd(0, 4, 6);
			_tile_dpbssd(1, 4, 7);
			if (two) {
				_tile_loadd(5, as + TR * lda + 64 * q, lda);
				_tile_dpbssd(2, 5, 6);
				_tile_dpbssd(3, 5, 7);
			}
			drain(p, ++*t * per);
		}
	}
	_tile_stored(0, dst, NR * sizeof(int32_t));
	_tile_stored(1, dst + 16, NR * sizeof(int32_t));
	if (two) {
		_tile_stored(2, dst + TR * NR, NR * sizeof(int32_t));
		_tile_stored(3, dst + TR * NR + 16, NR * sizeof(int32_t));
	}
}

/* Rows mt .. mt + n - 1 (n <= 32; two row tiles when n > 16) over all of K,
 * sums to dst (row stride NR), with p's rows through the output stage in
 * its shadow. */
static inline __attribute__((always_inline)) void step(const a_view_t *v, const int8_t *b,
						       uint32_t mt, uint32_t n, const int32_t *acc,
						       bool first, int32_t *dst, pending_t *p,
						       const int32_t *beff)
{
	uint32_t t = 0, iters = 2 * v->nseg * (v->seglen / 64);
	uint32_t per = (p->rows + iters - 1) / iters;
	for (int h = 0; h < 2; h++) {
		start_t s0 = start_of(first, beff, acc, mt, 32 * h);
		if (n > TR)
			half(v, mt, b, h, true, s0, start_of(first, beff, acc, mt + TR, 32 * h),
			     dst + 32 * h, p, per, &t);
		else
			half(v, mt, b, h, false, s0, s0, dst + 32 * h, p, per, &t);
	}
	drain(p, p->rows);
}

/* The C row of a kernel call's next row under map (NULL: not an output;
 * map NULL: every row is one); advances *c by ldc past each output row. */
static inline int8_t *row_next(const cpu_row_map_t *map, uint32_t *pos, int8_t **c,
			       size_t ldc)
{
	int8_t *row = NULL;
	if (!map || *pos < map->keep) {
		row = *c;
		*c += ldc;
	}
	if (map && ++*pos == map->period)
		*pos = 0;
	return row;
}

/* All rows of a block in steps (see the top). The last K block leaves each
 * step's sums in the thread's next slot, and the next step (of this call or
 * the next, or task_end) writes them to C. */
static void kernel_out_segs_amx(const void *a, size_t lda, size_t sstride, uint32_t nseg,
				const void *b, uint32_t seglen, uint32_t rows, int32_t *acc,
				bool first, bool last, const cpu_i8_out_t *o,
				const cpu_row_map_t *map)
{
	carry_t *s = o->carry;
	const a_view_t v = { .a = a, .lda = lda, .sstride = sstride, .nseg = nseg,
			     .seglen = seglen };
	int8_t *c = o->c;
	uint32_t pos = map ? map->phase : 0;
	for (uint32_t mt = 0; mt < rows;) {
		uint32_t left = rows - mt, n = left, skip = 0;
		if (left >= 2 * TR) {
			n = 2 * TR;
		} else if (mt) { /* ends at the block's end over skip rows done */
			n = left > TR ? 2 * TR : TR;
			skip = n - left;
			mt = rows - n;
		}
		ensure(s, n > TR ? TR : n, n > TR ? n - TR : 0);
		/* a step over rows done (their sums wrong where acc holds this
		 * call's already): to a slot, and its new rows from there to acc */
		int32_t *dst = last || skip ? s->slot[s->next] : acc + (size_t)mt * NR;
		step(&v, b, mt, n, acc, first, dst, &s->p, o->beff);
		if (!last && skip)
			memcpy(acc + (size_t)(mt + skip) * NR, dst + (size_t)skip * NR,
			       (size_t)(n - skip) * NR * sizeof(int32_t));
		if (last) {
			s->next ^= 1;
			s->p.sums = dst;
			s->p.rows = n;
			s->p.done = skip;
			s->p.o = *o;
			s->p.m = out_mask(o);
			for (uint32_t r = skip; r < n; r++)
				s->p.c[r] = row_next(map, &pos, &c, o->ldc);
		}
		mt += n;
	}
}

static void kernel_out_amx(const void *a, size_t lda, const void *b, uint32_t klen,
			   uint32_t rows, int32_t *acc, bool first, bool last,
			   const cpu_i8_out_t *o)
{
	kernel_out_segs_amx(a, lda, 0, 1, b, klen, rows, acc, first, last, o, NULL);
}

/* Nothing pending, no tile configuration (the carry's memory may hold
 * anything) */
static void task_begin_amx(void *carry)
{
	carry_t *s = carry;
	s->p.rows = s->p.done = 0;
	s->next = 0;
	s->rows0 = 0;
}

/* The task's last rows to C; the tiles released */
static void task_end_amx(void *carry)
{
	carry_t *s = carry;
	drain(&s->p, s->p.rows);
	if (s->rows0)
		_tile_release();
}

/* One row (GEMV) on AVX-512 VNNI instead: a tile computes 16 rows at the
 * cost of any fewer (M = 1, N = K = 1024 on tiles: 136 GOPS, where the VNNI
 * family had run 209 on the same Xeon). vpdpbusd multiplies unsigned by signed bytes:
 * with B's bytes as the unsigned ones (b ^ 0x80 = b + 128) and A's raw
 * as the signed, each sum gains 128 * sum(a), taken from its start. Two
 * sets of four accumulators (even and odd groups of 4 k) hide vpdpbusd's
 * latency; B is prefetched PF_AHEAD bytes ahead (read once, from L3 or
 * memory) where out->prefetch says so. */
#define PF_AHEAD 8192

static void gemv_out_amx(const void *a, const void *b, size_t panel_bytes, uint32_t kp,
			 uint32_t panels, bool backwards, const cpu_i8_out_t *o)
{
	const int8_t *ar = a;
	const __m512i x80 = _mm512_set1_epi8((char)0x80), ones = _mm512_set1_epi8(1);
	__m512i s = _mm512_setzero_si512();
	for (uint32_t k = 0; k < kp; k += 64)
		s = _mm512_dpbusd_epi32(s, ones, _mm512_loadu_si512(ar + k));
	const __m512i off = _mm512_set1_epi32((int32_t)(128u * (uint32_t)_mm512_reduce_add_epi32(s)));
	int32_t slot[NR] __attribute__((aligned(64)));
	for (uint32_t i = 0; i < panels; i++) {
		uint32_t p = backwards ? panels - 1 - i : i;
		const int8_t *bp = (const int8_t *)b + p * panel_bytes;
		const int32_t *beff = o->beff + p * NR;
		__m512i e0 = _mm512_sub_epi32(_mm512_load_si512(beff), off);
		__m512i e1 = _mm512_sub_epi32(_mm512_load_si512(beff + 16), off);
		__m512i e2 = _mm512_sub_epi32(_mm512_load_si512(beff + 32), off);
		__m512i e3 = _mm512_sub_epi32(_mm512_load_si512(beff + 48), off);
		__m512i d0 = _mm512_setzero_si512(), d1 = d0, d2 = d0, d3 = d0;
		/* kp / 4 is even (kp: a multiple of 64) */
		for (uint32_t k4 = 0; k4 < kp / 4; k4 += 2) {
			const int8_t *bk = bp + (size_t)k4 * NR * 4;
			int32_t q[2];
			memcpy(q, ar + 4 * k4, sizeof(q));
			const __m512i v0 = _mm512_set1_epi32(q[0]), v1 = _mm512_set1_epi32(q[1]);
			for (int l = 0; o->prefetch && l < 8; l++)
				_mm_prefetch(bk + PF_AHEAD + 64 * l, _MM_HINT_T0);
#define B(i) _mm512_xor_si512(_mm512_loadu_si512(bk + 64 * (i)), x80)
			e0 = _mm512_dpbusd_epi32(e0, B(0), v0);
			e1 = _mm512_dpbusd_epi32(e1, B(1), v0);
			e2 = _mm512_dpbusd_epi32(e2, B(2), v0);
			e3 = _mm512_dpbusd_epi32(e3, B(3), v0);
			d0 = _mm512_dpbusd_epi32(d0, B(4), v1);
			d1 = _mm512_dpbusd_epi32(d1, B(5), v1);
			d2 = _mm512_dpbusd_epi32(d2, B(6), v1);
			d3 = _mm512_dpbusd_epi32(d3, B(7), v1);
#undef B
		}
		_mm512_store_si512(slot, _mm512_add_epi32(e0, d0));
		_mm512_store_si512(slot + 16, _mm512_add_epi32(e1, d1));
		_mm512_store_si512(slot + 32, _mm512_add_epi32(e2, d2));
		_mm512_store_si512(slot + 48, _mm512_add_epi32(e3, d3));
		cpu_i8_out_t po = *o;
		po.rq = (const cpu_rq16_t *)o->rq + 4 * p;
		po.n = o->n - p * NR;
		out_row(slot, &po, o->c + p * NR, out_mask(&po));
	}
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_amx = {
	.mr = TR, .nr = NR, .kgroup = 64, .thread_shift = 28, .gemv_thread_shift = 25,
	.a_elem = 1, .b_elem = 1,
	.a_pack = A_RAW,
	.pack_a = cpu_pack_a_s8k4, .pack_b = cpu_pack_b_u8k4, .kc = KC,
	.rq_size = sizeof(cpu_rq16_t), .rq_prepare = rq_prepare_avx512,
	.kernel_out = kernel_out_amx, .kernel_out_segs = kernel_out_segs_amx,
	.conv_segs_k = KC, .conv_wrap = true, .conv_min_rows = TR,
	.gemv_out = gemv_out_amx, .carry_bytes = sizeof(carry_t),
	.task_begin = task_begin_amx, .task_end = task_end_amx,
};
