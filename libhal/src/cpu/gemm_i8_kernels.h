/* SPDX-License-Identifier: MIT */
/* Internal: int8 GEMM packing formats and micro-kernels per ISA.
 * B panels of nr columns are [kp/g][nr][g] (g = 2 or 4, below; K
 * zero-padded to a multiple of kgroup: g, or 64 for AMX's tiles). A rows
 * are packed as one of (enum cpu_a_pack):
 *  - A_PLUS_128 (generic: u8 x s8): uint8 a+128, g = 4; the driver
 *    subtracts (128 + a_zp) * colsum(b);
 *  - A_MINUS_ZP (AVX2): int16 a-a_zp, g = 2, with B as int8 pairs widened to
 *    int16 by the kernel; vpmaddwd is exact, no correction;
 *  - A_RAW (NEON sdot, AMX tdpbssd: s8 x s8): int8 a, g = 4; the driver subtracts
 *    a_zp * colsum(b), the implicit conv pads with a_zp;
 *  - A_RAW_PLUS_128 (AVX-512 VNNI: u8 x s8 vpdpbusd): int8 a as A_RAW, to
 *    which the kernel adds 128 (flipping each byte's sign bit) as it
 *    broadcasts it; the driver subtracts (128 + a_zp) * colsum(b), the
 *    implicit conv pads with a_zp.
 * A_RAW and A_RAW_PLUS_128 rows are the rows themselves, zero-padded to kp:
 * where K is a multiple of kgroup the GEMM driver passes dense rows in place
 * to kernel_out and gemv_out (lda: their stride; the kernels read no byte
 * past a row's kp).
 * Kernels write raw int32 dot products acc[mr][nr] (row stride nr); a family
 * may instead fuse the output stage (kernel_out, with rq_prepare). */
#ifndef ENPU_CPU_GEMM_I8_KERNELS_H
#define ENPU_CPU_GEMM_I8_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output stage of a fused kernel: C[r][j] = clamp(mbqm(acc + beff[j]) + zp)
 * for n <= nr columns. */
typedef struct cpu_i8_out {
	const int32_t *beff;    /* nr, aligned to 64 bytes */
	const void *rq;         /* nr / 16 groups of the family's rq_size bytes */
	bool any_left;
	bool rq_uniform;        /* every column's requantization is column 0's
				 * (per-tensor): rq's first group serves all */
	int32_t zp, qmin, qmax;
	uint32_t n;
	int8_t *c;              /* row 0, column 0 */
	size_t ldc;
	void *carry;            /* the calling thread's carry (cpu_i8_gemm_ops_t) */
	bool prefetch;          /* calls of 1-2 rows prefetch B (cpu_stream_prefetch()) */
} cpu_i8_out_t;

/* Which rows of a kernel call are outputs: of every period rows (row 0 at
 * position phase), the first keep; C advances ldc per output row. The
 * implicit convolution's rows that run across output rows (conv_implicit.c). */
typedef struct cpu_row_map {
	uint32_t period, keep, phase;
} cpu_row_map_t;

typedef struct cpu_i8_gemm_ops {
	uint32_t mr, nr, kgroup;
	/* one more thread per 2^thread_shift MACs (~80 us of this family's
	 * work) while the pool sleeps: cpu_gemm_threads() */
	uint32_t thread_shift;
	/* the same for M = 1 where gemv_out runs other code than the family's
	 * tiles (AMX: AVX-512 VNNI); 0: thread_shift */
	uint32_t gemv_thread_shift;
	size_t a_elem, b_elem; /* bytes per packed element */
	enum cpu_a_pack { A_PLUS_128, A_MINUS_ZP, A_RAW, A_RAW_PLUS_128 } a_pack;
	void (*pack_a)(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst);
	/* rows <= nr rows of B ([n][k], row stride ldb) into one zero-padded panel */
	void (*pack_b)(const int8_t *b, size_t ldb, uint32_t rows, uint32_t k, uint32_t kp,
		       uint32_t nr, void *dst);
	void (*kernel)(const void *a, const void *b, uint32_t kp, uint32_t mr, int32_t *acc);
	/* Families with kernel_out use it instead of kernel: K in blocks of kc,
	 * all row tiles of a block of rows rows in one call (so that a family
	 * may overlap one tile's output stage with the next tile's sums). A rows
	 * lda bytes apart and B start at the block, klen (a multiple of kgroup)
	 * long; acc ([rows rounded up to mr][nr]) holds the sums between blocks:
	 * first starts them from out->beff, otherwise from acc; last applies the
	 * output stage (rq16.h parameters) and writes C (out->c: row 0 of the
	 * block), otherwise the sums stay in acc. Except on AMX (whose block
	 * is the tiles', gemm_i8_amx.c), kc is sized so that B's block (kc x
	 * nr x b_elem bytes) stays in L1 across the row tiles; where it would
	 * take more than two thirds of the host's L1, the block is kc_big
	 * instead (0: kc everywhere; cpu_i8_kc). */
	uint32_t kc, kc_big;
	/* The output stage's parameters of 16 columns in the family's layout
	 * (rq_size bytes, 64-byte aligned), prepared once with the weights;
	 * returns whether some column shifts left. */
	size_t rq_size;
	bool (*rq_prepare)(void *dst, const int32_t *mult, const int32_t *shift);
	void (*kernel_out)(const void *a, size_t lda, const void *b, uint32_t klen, uint32_t rows,
			   int32_t *acc, bool first, bool last, const cpu_i8_out_t *out);
	/* Optional: kernel_out over a K of nseg segments of seglen (a multiple
	 * of kgroup): segment s of A row r at a + r * lda + s * sstride bytes,
	 * B's segments one after another; first and last as kernel_out's; the
	 * last writes the rows map keeps (NULL: every row; a map only where
	 * conv_wrap). The implicit convolution's kernel rows in one call
	 * (conv_implicit.c). */
	void (*kernel_out_segs)(const void *a, size_t lda, size_t sstride, uint32_t nseg,
				const void *b, uint32_t seglen, uint32_t rows, int32_t *acc,
				bool first, bool last, const cpu_i8_out_t *out,
				const cpu_row_map_t *map);
	/* The implicit convolution (conv_implicit.c): K per kernel_out_segs
	 * call at most (0: all of a kernel's rows in one call, whatever K);
	 * whether its stride-1 runs may wrap across output rows (kernel_out_segs
	 * takes a row map); and the output rows its calls that do not wrap take:
	 * at least conv_min_rows pixels and, where conv_min_tile is not 0, no
	 * width whose even spread over row tiles of at most mr rows has a tile
	 * of fewer rows than that. */
	uint32_t conv_segs_k;
	bool conv_wrap;
	uint32_t conv_min_rows, conv_min_tile;
	/* Optional, for M = 1: the one packed A row against panels panels of B
	 * (panel_bytes apart), all kp of K, with the output stage; out is the
	 * first panel's (beff, rq, c) and out->n counts the columns from there
	 * on (may exceed nr); each later panel is nr columns on. backwards: the
	 * last panels first (cpu_i8_packed_backwards). */
	void (*gemv_out)(const void *a, const void *b, size_t panel_bytes, uint32_t kp,
			 uint32_t panels, bool backwards, const cpu_i8_out_t *out);
	/* A family whose kernel_out calls leave work to the thread's next call
	 * (AMX: the last rows' output stage, the tile state) keeps it in
	 * carry_bytes (a multiple of 64) that the driver gives each thread
	 * (64-byte aligned, any contents) as out->carry. Drivers call task_begin
	 * before a task's first kernel_out or kernel_out_segs call and task_end
	 * after its last, before C is read: it finishes the work. 0 and NULL for
	 * families without. */
	size_t carry_bytes;
	void (*task_begin)(void *carry);
	void (*task_end)(void *carry);
} cpu_i8_gemm_ops_t;

void cpu_pack_a_u8k4(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst);
void cpu_pack_b_u8k4(const int8_t *b, size_t ldb, uint32_t rows, uint32_t k, uint32_t kp,
		     uint32_t nr, void *dst);
void cpu_pack_a_s8k4(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst);
void cpu_pack_a_s16k2(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst);
void cpu_pack_b_s8k2(const int8_t *b, size_t ldb, uint32_t rows, uint32_t k, uint32_t kp,
		     uint32_t nr, void *dst);

extern const cpu_i8_gemm_ops_t cpu_i8_gemm_generic;
#if defined(__x86_64__)
extern const cpu_i8_gemm_ops_t cpu_i8_gemm_avx2;
extern const cpu_i8_gemm_ops_t cpu_i8_gemm_vnni512;
extern const cpu_i8_gemm_ops_t cpu_i8_gemm_amx;
#endif
#if defined(__aarch64__)
extern const cpu_i8_gemm_ops_t cpu_i8_gemm_neon_dot;
#endif

#endif
