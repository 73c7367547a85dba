/* SPDX-License-Identifier: MIT */
/* Internal: int8 GEMM packing formats and micro-kernels per ISA.
 * Two packing schemes:
 *  - "u8k4" (generic, AVX-512 VNNI): A rows as uint8 a+128, K padded to a
 *    multiple of 4; B panels of nr columns as [kp/4][nr][4] int8. The kernel
 *    computes sum (a+128)*b; the driver subtracts (128 + a_zp) * colsum(b).
 *  - "s16k2" (AVX2): A rows as int16 a-a_zp, K padded to a multiple of 2; B
 *    panels as [kp/2][nr][2] int16; vpmaddwd is exact, no correction.
 * Kernels write raw int32 dot products acc[mr][nr] (row stride nr). */
#ifndef ENPU_CPU_GEMM_I8_KERNELS_H
#define ENPU_CPU_GEMM_I8_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cpu_i8_gemm_ops {
	uint32_t mr, nr, kgroup;
	size_t a_elem, b_elem; /* bytes per packed element */
	bool a_plus128;        /* u8k4 scheme: correction term needed */
	void (*pack_a)(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst);
	/* rows <= nr rows of B ([n][k], row stride ldb) into one zero-padded panel */
	void (*pack_b)(const int8_t *b, size_t ldb, uint32_t rows, uint32_t k, uint32_t kp,
		       uint32_t nr, void *dst);
	void (*kernel)(const void *a, const void *b, uint32_t kp, uint32_t mr, int32_t *acc);
} cpu_i8_gemm_ops_t;

void cpu_pack_a_u8k4(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst);
void cpu_pack_b_u8k4(const int8_t *b, size_t ldb, uint32_t rows, uint32_t k, uint32_t kp,
		     uint32_t nr, void *dst);
void cpu_pack_a_s16k2(const int8_t *row, uint32_t k, uint32_t kp, int32_t a_zp, void *dst);
void cpu_pack_b_s16k2(const int8_t *b, size_t ldb, uint32_t rows, uint32_t k, uint32_t kp,
		      uint32_t nr, void *dst);

/* Calls tile(a, b, kp, MR, acc) with a compile-time MR in 1..6 equal to mr,
 * so that rows beyond mr vanish from the inlined micro-kernel. */
#define CPU_DISPATCH_MR6(tile, a, b, kp, mr, acc)                                    \
	do {                                                                         \
		switch (mr) {                                                        \
		case 6: tile(a, b, kp, 6, acc); break;                               \
		case 5: tile(a, b, kp, 5, acc); break;                               \
		case 4: tile(a, b, kp, 4, acc); break;                               \
		case 3: tile(a, b, kp, 3, acc); break;                               \
		case 2: tile(a, b, kp, 2, acc); break;                               \
		default: tile(a, b, kp, 1, acc); break;                              \
		}                                                                    \
	} while (0)

extern const cpu_i8_gemm_ops_t cpu_i8_gemm_generic;
#if defined(__x86_64__)
extern const cpu_i8_gemm_ops_t cpu_i8_gemm_avx2;
extern const cpu_i8_gemm_ops_t cpu_i8_gemm_vnni512;
#endif

#endif
