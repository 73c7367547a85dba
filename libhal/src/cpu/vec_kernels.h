/* SPDX-License-Identifier: MIT */
/* Internal: the CPU backend's auto-vectorized kernels. vec_kernels.c is
 * compiled once per ISA (generic, avx2, avx512; neon on aarch64) and exports
 * one table each. */
#ifndef ENPU_CPU_VEC_KERNELS_H
#define ENPU_CPU_VEC_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "../op.h"

typedef struct cpu_dwconv_args {
	const enpu_conv_op_t *c;
	const int8_t *in;
	const int16_t *w;      /* repacked [KH][KW][Cout] */
	const int32_t *bias;   /* [Cout] (zeros when absent) */
	int8_t *out;
} cpu_dwconv_args_t;

typedef struct cpu_vec_ops {
	/* out[j] = clamp(mbqm(acc[j] + beff[j], mult[j], shift[j]) + zp) */
	void (*requant_row)(const int32_t *acc, const int32_t *beff, const int32_t *mult,
			    const int32_t *shift, size_t n, int32_t zp, int32_t qmin,
			    int32_t qmax, int8_t *out);
	/* One output row (batch n, row oh) of a depthwise conv; scratch: 2*Cout int32.
	 * Families with a dedicated kernel (dwconv.h) use this only for depth
	 * multipliers above 1. */
	void (*dwconv_row)(const cpu_dwconv_args_t *a, uint32_t n, uint32_t oh, int32_t *scratch);
	/* One output row of a pool; scratch: C int32. */
	void (*pool_row)(const enpu_pool_op_t *p, const int8_t *in, int8_t *out, uint32_t n,
			 uint32_t oh, int32_t *scratch);
	void (*add)(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		    size_t begin, size_t end);
	void (*mul)(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		    size_t begin, size_t end);
	void (*requant)(const enpu_requant_op_t *r, const int8_t *in, int8_t *out, size_t begin,
			size_t end);
	void (*dequant)(const enpu_cast_op_t *c, const int8_t *in, uint16_t *out, size_t begin,
			size_t end);
	void (*quant)(const enpu_cast_op_t *c, const uint16_t *in, int8_t *out, size_t begin,
		      size_t end);
	/* fp16 GEMM: fp32 micro-kernel on packed A rows (lda floats apart) and a B
	 * panel [k][f16_nr]; acc is [f16_mr][f16_nr]. */
	uint32_t f16_mr, f16_nr;
	/* cpu_threads_for()'s cold shift of the fp16 GEMM: one more thread per
	 * 2^f16_thread_shift MACs */
	uint32_t f16_thread_shift;
	void (*f16_kernel)(const float *a, size_t lda, const float *b, uint32_t k,
			   uint32_t mr, float *acc);
	/* the same on np <= f16_np consecutive B panels of fp16 [k][f16_nr]
	 * (k * f16_nr elements apart), converted as loaded (F16C, FCVTL; NULL in
	 * the generic table, which has no such instructions), acc [np][mr][f16_nr]:
	 * for GEMMs of one or two row tiles (M <= 2 f16_mr: gemm_f16.c) */
	void (*f16_kernel_half)(const float *a, size_t lda, const uint16_t *b, uint32_t k,
				uint32_t mr, uint32_t np, float *acc);
	/* the same converting 256 bits at a time (AVX-512 table only; NULL
	 * elsewhere), for CPUs that convert 512 at half that rate per element
	 * (cpu_f16_narrow()); panels left after its groups of 2 (1-3 rows, an
	 * odd count) go through the 512-bit path */
	void (*f16_kernel_half_narrow)(const float *a, size_t lda, const uint16_t *b, uint32_t k,
				       uint32_t mr, uint32_t np, float *acc);
	/* panels a call of the two above may take (0 without them) */
	uint32_t f16_np;
	void (*f16_to_f32)(const uint16_t *src, size_t n, float *dst);
	/* dst[j] = rne16(clamp(acc[j] + bias[j])) (bias may be NULL). */
	void (*f16_store_row)(const float *acc, const float *bias, size_t n, float lo, float hi,
			      uint16_t *dst);
} cpu_vec_ops_t;

extern const cpu_vec_ops_t cpu_vec_generic;
#if defined(__x86_64__)
/* AVX2 intrinsics element-wise kernels of cpu_vec_avx2 and cpu_vec_avx512
 * (eltwise_avx2.c) */
void cpu_add_avx2(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		  size_t begin, size_t end);
void cpu_mul_avx2(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		  size_t begin, size_t end);
void cpu_requant_avx2(const enpu_requant_op_t *r, const int8_t *in, int8_t *out, size_t begin,
		      size_t end);
extern const cpu_vec_ops_t cpu_vec_avx2;
extern const cpu_vec_ops_t cpu_vec_avx512;
#endif
#if defined(__aarch64__)
/* NEON element-wise kernels of cpu_vec_neon (eltwise_neon.c) */
void cpu_add_neon(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		  size_t begin, size_t end);
void cpu_mul_neon(const enpu_eltwise_op_t *e, const int8_t *a, const int8_t *b, int8_t *out,
		  size_t begin, size_t end);
void cpu_requant_neon(const enpu_requant_op_t *r, const int8_t *in, int8_t *out, size_t begin,
		      size_t end);
/* NEON POOL row of cpu_vec_neon (pool_neon.c) */
void cpu_pool_row_neon(const enpu_pool_op_t *p, const int8_t *in, int8_t *out, uint32_t n,
		       uint32_t oh, int32_t *scratch);
extern const cpu_vec_ops_t cpu_vec_neon;
#endif

#endif
