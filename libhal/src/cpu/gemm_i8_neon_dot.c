/* SPDX-License-Identifier: MIT */
/* Arm NEON dot-product (ARMv8.2 DotProd, sdot) int8 GEMM micro-kernel:
 * 4 rows x 16 columns, 16 int32x4 accumulators, with the output stage fused
 * (requant_neon.h). sdot multiplies signed by signed bytes, so A is packed
 * raw (A_RAW) and the effective bias carries -a_zp * colsum(b). Each row's
 * A is loaded 16 bytes at a time and its four k groups are taken by lane
 * (sdot by element), so one load serves 16 sdot. K comes in blocks of KC
 * (the sums kept in the driver's buffer between them), a block in segments
 * of A (kernel_out_segs: the implicit convolution's kernel rows, summed in
 * registers). Built only for aarch64. */
#include <arm_neon.h>
#include <string.h>
#include "gemm_i8_kernels.h"
#include "requant_neon.h"

#define MR 4
#define NR 16
/* K block: a 512 x 16 slice of B (8 KiB) and a tile's A rows (2 KiB) stay
 * in L1 across the row tiles of a row block */
#define KC 512

/* Named accumulators so that all 16 stay in registers; rows >= mr are dead
 * code after inlining with a constant mr. The first K block starts from the
 * effective bias. */
#define ACC_DECL(i)                                                                  \
	int32x4_t c##i##0 = vdupq_n_s32(0), c##i##1 = c##i##0, c##i##2 = c##i##0,    \
		  c##i##3 = c##i##0;                                                 \
	if (mr > i) {                                                                \
		const int32_t *s = first ? beff : acc + i * NR;                      \
		c##i##0 = vld1q_s32(s);                                              \
		c##i##1 = vld1q_s32(s + 4);                                          \
		c##i##2 = vld1q_s32(s + 8);                                          \
		c##i##3 = vld1q_s32(s + 12);                                         \
	}
/* k group l (of 4 bytes) of the 16 loaded bytes of row i */
#define ACC_LANE(i, l)                                                               \
	if (mr > i) {                                                                \
		c##i##0 = vdotq_laneq_s32(c##i##0, b0, a##i, l);                     \
		c##i##1 = vdotq_laneq_s32(c##i##1, b1, a##i, l);                     \
		c##i##2 = vdotq_laneq_s32(c##i##2, b2, a##i, l);                     \
		c##i##3 = vdotq_laneq_s32(c##i##3, b3, a##i, l);                     \
	}
#define A_LOAD(i) int8x16_t a##i = mr > i ? vld1q_s8(a + (size_t)i * lda + k) : vdupq_n_s8(0)
#define A_TAIL(i)                                                                    \
	int8x16_t a##i = vdupq_n_s8(0);                                              \
	if (mr > i) {                                                                \
		int32_t q;                                                           \
		memcpy(&q, a + (size_t)i * lda + k, sizeof(q));                      \
		a##i = vreinterpretq_s8_s32(vdupq_n_s32(q));                         \
	}
#define B_LOAD(g)                                                                    \
	const int8_t *bk = b + (size_t)(k + 4 * (g)) * NR;                           \
	int8x16_t b0 = vld1q_s8(bk), b1 = vld1q_s8(bk + 16), b2 = vld1q_s8(bk + 32), \
		  b3 = vld1q_s8(bk + 48)
#define ACC_STORE(i)                                                                 \
	if (mr > i) {                                                                \
		vst1q_s32(dst + i * NR, c##i##0);                                    \
		vst1q_s32(dst + i * NR + 4, c##i##1);                                \
		vst1q_s32(dst + i * NR + 8, c##i##2);                                \
		vst1q_s32(dst + i * NR + 12, c##i##3);                               \
	}
#define STEP(l)                                                                      \
	do {                                                                         \
		B_LOAD(l);                                                           \
		ACC_LANE(0, l)                                                       \
		ACC_LANE(1, l)                                                       \
		ACC_LANE(2, l)                                                       \
		ACC_LANE(3, l)                                                       \
	} while (0)

/* Sums of one K block of mr rows (lda bytes apart) into dst, starting
 * from beff when first, else from acc (row stride NR): nseg segments of
 * klen (a multiple of 4), segment s of A at a0 + s * sstride, B's one after
 * another, summed in registers. */
static inline __attribute__((always_inline)) void
tile(const int8_t *a0, size_t lda, size_t sstride, uint32_t nseg, const int8_t *b0, uint32_t klen,
     int mr, const int32_t *beff, const int32_t *acc, bool first, int32_t *dst)
{
	ACC_DECL(0)
	ACC_DECL(1)
	ACC_DECL(2)
	ACC_DECL(3)
	for (uint32_t s = 0; s < nseg; s++) {
		const int8_t *a = a0 + s * sstride, *b = b0 + (size_t)s * klen * NR;
		uint32_t k = 0;
		for (; k + 16 <= klen; k += 16) {
			A_LOAD(0);
			A_LOAD(1);
			A_LOAD(2);
			A_LOAD(3);
			STEP(0);
			STEP(1);
			STEP(2);
			STEP(3);
		}
		for (; k < klen; k += 4) {
			A_TAIL(0)
			A_TAIL(1)
			A_TAIL(2)
			A_TAIL(3)
			STEP(0);
		}
	}
	ACC_STORE(0)
	ACC_STORE(1)
	ACC_STORE(2)
	ACC_STORE(3)
}

/* Output stage of rows finished rows of sums (row stride NR) to C (relu:
 * rqn_right's). */
static inline __attribute__((always_inline)) void
rows_out(const int32_t *sums, uint32_t rows, const cpu_i8_out_t *o, int8_t *c, bool relu)
{
	const cpu_rqn_t *rq = o->rq;
	const int16x8_t zp16 = vdupq_n_s16((int16_t)o->zp);
	const int8x16_t lo = vdupq_n_s8((int8_t)o->qmin), hi = vdupq_n_s8((int8_t)o->qmax);
	for (uint32_t r = 0; r < rows; r++, sums += NR, c += o->ldc) {
		int32x4_t v[4];
		for (unsigned q = 0; q < 4; q++)
			v[q] = rqn_apply(vld1q_s32(sums + 4 * q), rq, q, o->any_left, relu);
		int8x16_t out = rqn_out16(v, zp16, lo, hi);
		if (o->n >= NR) {
			vst1q_s8(c, out);
		} else {
			int8_t tmp[NR];
			vst1q_s8(tmp, out);
			memcpy(c, tmp, o->n);
		}
	}
}

static void out_rows(const int32_t *sums, uint32_t rows, const cpu_i8_out_t *o, int8_t *c)
{
	if (q_out_relu(o->zp, o->qmin))
		rows_out(sums, rows, o, c, true);
	else
		rows_out(sums, rows, o, c, false);
}

/* The row tiles in turn, each over all nseg segments of K (kernel_out_segs:
 * the implicit convolution's kernel rows, no row maps), the rows spread
 * evenly over the fewest tiles; the last K block leaves each tile's sums in
 * a buffer on the stack and writes its output rows. */
static inline __attribute__((always_inline)) void
row_tiles(const void *a, size_t lda, size_t sstride, uint32_t nseg, const void *b, uint32_t klen,
	  uint32_t rows, int32_t *acc, bool first, bool last, const cpu_i8_out_t *o)
{
	int32_t slot[MR * NR] __attribute__((aligned(16)));
	uint32_t tiles = (rows + MR - 1) / MR, base = rows / tiles, extra = rows % tiles;
	for (uint32_t mt = 0, t = 0; mt < rows; t++) {
		const int8_t *at = (const int8_t *)a + mt * lda;
		int32_t *acct = acc + (size_t)mt * NR, *dst = last ? slot : acct;
		uint32_t mr = base + (t < extra);
		switch (mr) {
		case 4: tile(at, lda, sstride, nseg, b, klen, 4, o->beff, acct, first, dst); break;
		case 3: tile(at, lda, sstride, nseg, b, klen, 3, o->beff, acct, first, dst); break;
		case 2: tile(at, lda, sstride, nseg, b, klen, 2, o->beff, acct, first, dst); break;
		default: tile(at, lda, sstride, nseg, b, klen, 1, o->beff, acct, first, dst); break;
		}
		if (last)
			out_rows(slot, mr, o, o->c + (size_t)mt * o->ldc);
		mt += mr;
	}
}

/* row_tiles with one segment a constant (the GEMM's calls): with it a
 * run-time loop bound, im2col + GEMM's 3x3 14x14x256 ran 5.6% more
 * instructions */
static void kernel_out_neon_dot(const void *a, size_t lda, const void *b, uint32_t klen,
				uint32_t rows, int32_t *acc, bool first, bool last,
				const cpu_i8_out_t *o)
{
	row_tiles(a, lda, 0, 1, b, klen, rows, acc, first, last, o);
}

static void kernel_out_segs_neon_dot(const void *a, size_t lda, size_t sstride, uint32_t nseg,
				     const void *b, uint32_t klen, uint32_t rows, int32_t *acc,
				     bool first, bool last, const cpu_i8_out_t *o,
				     const cpu_row_map_t *map)
{
	(void)map; /* NULL: no conv_wrap */
	row_tiles(a, lda, sstride, nseg, b, klen, rows, acc, first, last, o);
}

/* Sums of the one row a against two panels (32 columns; the second pb
 * bytes after the first), whole K (kp), from beff (32 columns) into dst:
 * one A load per 16 k for 32 sdot instead of 16. */
#define PAIR_DOT(i, l)                                                                \
	c##i = vdotq_laneq_s32(c##i, vld1q_s8(bk + ((i) / 4) * pb + ((i) % 4) * 16), va, l)
#define PAIR_STEP(l)                                                                  \
	do {                                                                          \
		const int8_t *bk = b + (size_t)(k + 4 * (l)) * NR;                    \
		PAIR_DOT(0, l); PAIR_DOT(1, l); PAIR_DOT(2, l); PAIR_DOT(3, l);       \
		PAIR_DOT(4, l); PAIR_DOT(5, l); PAIR_DOT(6, l); PAIR_DOT(7, l);       \
	} while (0)
static void pair(const int8_t *a, const int8_t *b, size_t pb, uint32_t kp, const int32_t *beff,
		 int32_t *dst)
{
	int32x4_t c0 = vld1q_s32(beff), c1 = vld1q_s32(beff + 4), c2 = vld1q_s32(beff + 8);
	int32x4_t c3 = vld1q_s32(beff + 12), c4 = vld1q_s32(beff + 16), c5 = vld1q_s32(beff + 20);
	int32x4_t c6 = vld1q_s32(beff + 24), c7 = vld1q_s32(beff + 28);
	uint32_t k = 0;
	for (; k + 16 <= kp; k += 16) {
		int8x16_t va = vld1q_s8(a + k);
		PAIR_STEP(0);
		PAIR_STEP(1);
		PAIR_STEP(2);
		PAIR_STEP(3);
	}
	for (; k < kp; k += 4) {
		int32_t q;
		memcpy(&q, a + k, sizeof(q));
		int8x16_t va = vreinterpretq_s8_s32(vdupq_n_s32(q));
		PAIR_STEP(0);
	}
	vst1q_s32(dst, c0);
	vst1q_s32(dst + 4, c1);
	vst1q_s32(dst + 8, c2);
	vst1q_s32(dst + 12, c3);
	vst1q_s32(dst + 16, c4);
	vst1q_s32(dst + 20, c5);
	vst1q_s32(dst + 24, c6);
	vst1q_s32(dst + 28, c7);
}

static void gemv_out_neon_dot(const void *a, const void *b, size_t panel_bytes, uint32_t kp,
			      uint32_t panels, bool backwards, const cpu_i8_out_t *o)
{
	int32_t slot[2 * NR] __attribute__((aligned(16)));
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
			po.rq = (const cpu_rqn_t *)o->rq + p + q;
			po.n = o->n - (p + q) * NR;
			out_rows(slot + q * NR, 1, &po, o->c + (p + q) * NR);
		}
	}
}

static bool rq_prepare_neon(void *dst, const int32_t *mult, const int32_t *shift)
{
	return cpu_rqn_prepare(dst, mult, shift, NR);
}

const cpu_i8_gemm_ops_t cpu_i8_gemm_neon_dot = {
	.mr = MR, .nr = NR, .kgroup = 4, .thread_shift = 25, .a_elem = 1, .b_elem = 1,
	.a_pack = A_RAW,
	.pack_a = cpu_pack_a_s8k4, .pack_b = cpu_pack_b_u8k4, .kc = KC,
	.rq_size = sizeof(cpu_rqn_t), .rq_prepare = rq_prepare_neon,
	.kernel_out = kernel_out_neon_dot, .kernel_out_segs = kernel_out_segs_neon_dot,
	.gemv_out = gemv_out_neon_dot,
	/* output rows from 7 pixels (tiles of 3 rows or more): guest
	 * instructions per op against im2col + GEMM (bench/insn, qemu-aarch64;
	 * no Arm hardware timed them), 3x3: 28x28x64 stride 2 (14 wide) -8.4%,
	 * 14x14x256 -2.3%, 10x10x128 -3.4%, 9x9x128 -1.1%, 7x7x512 -2.5%; but
	 * 6x6x256 +1.3%, 5x5x256 +5.6% */
	.conv_min_rows = 7, .conv_min_tile = MR - 1,
};
