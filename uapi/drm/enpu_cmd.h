/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * enpu: the NPU command stream (docs/hw-model.md). A command stream is a packed
 * sequence of descriptors, each starting with struct enpu_cmd_hdr whose @size is the
 * descriptor's size in bytes (exactly sizeof the opcode's struct). Addresses are
 * device addresses in the submitting context. All tensors are dense, NHWC for
 * images; numerics follow docs/numerics.md (TFLite-style INT8, bit-exact).
 */
#ifndef __UAPI_DRM_ENPU_CMD_H__
#define __UAPI_DRM_ENPU_CMD_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

enum enpu_cmd_opcode {
	ENPU_CMD_OP_NOP = 0,
	ENPU_CMD_OP_DMA_COPY = 1,
	ENPU_CMD_OP_GEMM_I8 = 2,
	ENPU_CMD_OP_CONV2D_I8 = 3,
	ENPU_CMD_OP_POOL_I8 = 4,
	ENPU_CMD_OP_ELTWISE_I8 = 5,
	ENPU_CMD_OP_REQUANT = 6,
	ENPU_CMD_OP_GEMM_F16 = 7,
	ENPU_CMD_OP_CONV2D_F16 = 8,
	ENPU_CMD_OP_FENCE = 9,
	ENPU_CMD_OP_COUNT
};

/**
 * struct enpu_cmd_hdr - first 8 bytes of every descriptor
 * @opcode: enum enpu_cmd_opcode
 * @flags: opcode-specific, unknown bits rejected
 * @size: size of the whole descriptor in bytes
 */
struct enpu_cmd_hdr {
	__u16 opcode;
	__u16 flags;
	__u32 size;
};

/* ENPU_CMD_OP_NOP and ENPU_CMD_OP_FENCE: the header alone. FENCE: every earlier descriptor's
 * writes are visible to every later one (the sim runs in order: it costs only the fixed
 * per-descriptor cycles of docs/hw-model.md).
 */

/** struct enpu_cmd_dma_copy - copy @size bytes from @src to @dst (no overlap) */
struct enpu_cmd_dma_copy {
	struct enpu_cmd_hdr hdr;
	__u64 src;
	__u64 dst;
	__u64 size;
};

/* GEMM_I8 / GEMM_F16 / CONV2D_*: a bias vector is present at @bias. */
#define ENPU_CMD_F_BIAS		0x1U

/**
 * struct enpu_cmd_quant - output requantization shared by the INT8 compute ops
 * @mult: address of int32[channels] Q31 multipliers (0 <= m <= INT32_MAX)
 * @shift: address of int32[channels] shifts (-31..30; > 0 shifts left)
 * @out_zp: output zero point (-128..127)
 * @act_min, @act_max: output clamp (-128 <= min <= max <= 127)
 * @pad: must be 0
 */
struct enpu_cmd_quant {
	__u64 mult;
	__u64 shift;
	__s32 out_zp;
	__s32 act_min;
	__s32 act_max;
	__u32 pad;
};

/**
 * struct enpu_cmd_gemm - C[M][N] = A[M][K] x B[N][K]^T (+ bias[N])
 * @a, @b, @c: row-major matrices; rows are @lda, @ldb, @ldc elements apart
 *	(lda >= k, ldb >= k, ldc >= n)
 * @bias: int32[N] (GEMM_I8) or float32[N] (GEMM_F16) when ENPU_CMD_F_BIAS
 * @a_zp: A's zero point (GEMM_I8; 0 for F16); B is symmetric per row (zp 0)
 * @q: output requantization (GEMM_I8; all zero for F16)
 */
struct enpu_cmd_gemm {
	struct enpu_cmd_hdr hdr;
	__u64 a;
	__u64 b;
	__u64 bias;
	__u64 c;
	__u32 m;
	__u32 n;
	__u32 k;
	__u32 lda;
	__u32 ldb;
	__u32 ldc;
	__s32 a_zp;
	__u32 pad;
	struct enpu_cmd_quant q;
};

/**
 * struct enpu_cmd_conv2d - NHWC convolution, filter OHWI [cout][kh][kw][cin/groups]
 * @in, @filter, @bias, @out: device addresses
 * @n, @h, @w, @cin: input shape; @cout: output channels
 * @kh, @kw: kernel; @stride_h/w >= 1; @dil_h/w >= 1
 * @pad_top, @pad_left, @pad_bottom, @pad_right: zero padding (input zero point)
 * @groups: divides cin and cout; groups == cin is depthwise
 * @out_h, @out_w: the output size, which must equal
 *	(h + pad_top + pad_bottom - ((kh - 1) * dil_h + 1)) / stride_h + 1 (same for w)
 * @in_zp: input zero point (CONV2D_I8; 0 for F16)
 * @q: output requantization (CONV2D_I8; all zero for F16)
 */
struct enpu_cmd_conv2d {
	struct enpu_cmd_hdr hdr;
	__u64 in;
	__u64 filter;
	__u64 bias;
	__u64 out;
	__u32 n;
	__u32 h;
	__u32 w;
	__u32 cin;
	__u32 cout;
	__u32 kh;
	__u32 kw;
	__u32 stride_h;
	__u32 stride_w;
	__u32 dil_h;
	__u32 dil_w;
	__u32 pad_top;
	__u32 pad_left;
	__u32 pad_bottom;
	__u32 pad_right;
	__u32 groups;
	__u32 out_h;
	__u32 out_w;
	__s32 in_zp;
	__u32 pad;
	struct enpu_cmd_quant q;
};

enum enpu_cmd_pool_mode {
	ENPU_CMD_POOL_MAX = 0,
	ENPU_CMD_POOL_AVG = 1,
};

/**
 * struct enpu_cmd_pool - NHWC int8 pooling; input and output share scale and zero
 * point; padded positions are not counted. Geometry as for conv2d (no dilation).
 */
struct enpu_cmd_pool {
	struct enpu_cmd_hdr hdr;
	__u64 in;
	__u64 out;
	__u32 n;
	__u32 h;
	__u32 w;
	__u32 c;
	__u32 kh;
	__u32 kw;
	__u32 stride_h;
	__u32 stride_w;
	__u32 pad_top;
	__u32 pad_left;
	__u32 pad_bottom;
	__u32 pad_right;
	__u32 out_h;
	__u32 out_w;
	__u32 mode;
	__s32 act_min;
	__s32 act_max;
	__u32 pad;
};

enum enpu_cmd_eltwise_op {
	ENPU_CMD_ELTWISE_ADD = 0,
	ENPU_CMD_ELTWISE_MUL = 1,
};

/**
 * struct enpu_cmd_eltwise - out[i] = a[i] op b[i], int8, TFLite quantized add/mul
 * @a_mult/@a_shift, @b_mult/@b_shift: input rescales (ADD only; 0 for MUL)
 * @out_mult/@out_shift: output rescale
 */
struct enpu_cmd_eltwise {
	struct enpu_cmd_hdr hdr;
	__u64 a;
	__u64 b;
	__u64 out;
	__u32 count;
	__u32 op;
	__s32 a_zp;
	__s32 b_zp;
	__s32 out_zp;
	__s32 a_mult;
	__s32 a_shift;
	__s32 b_mult;
	__s32 b_shift;
	__s32 out_mult;
	__s32 out_shift;
	__s32 act_min;
	__s32 act_max;
	__u32 pad;
};

enum enpu_cmd_requant_mode {
	ENPU_CMD_REQUANT_I8_I8 = 0,		/* mult/shift, in_zp -> out_zp */
	ENPU_CMD_REQUANT_I8_F16 = 1,	/* (in - in_zp) * scale */
	ENPU_CMD_REQUANT_F16_I8 = 2,	/* round(in / scale) + out_zp */
};

/**
 * struct enpu_cmd_requant - convert @count elements
 * @scale_bits: IEEE binary32 bits of the scale (> 0, finite) for the cast modes
 */
struct enpu_cmd_requant {
	struct enpu_cmd_hdr hdr;
	__u64 in;
	__u64 out;
	__u32 count;
	__u32 mode;
	__s32 in_zp;
	__s32 out_zp;
	__s32 mult;
	__s32 shift;
	__s32 act_min;
	__s32 act_max;
	__u32 scale_bits;
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_DRM_ENPU_CMD_H__ */
