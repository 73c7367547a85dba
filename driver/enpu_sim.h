/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_SIM_H__
#define __ENPU_SIM_H__

#include <linux/types.h>
#include <drm/enpu_cmd.h>

struct enpu_mmu_map;

/**
 * struct enpu_sim_exec - what the op kernels need from the running job
 * @map: the job's address translation
 * @abort: set when the core is being reset; long ops poll it between rows
 * @quant: the core's copy of a descriptor's per-channel multipliers
 *	(@quant[0..ENPU_MAX_DIM)) and shifts (the next ENPU_MAX_DIM): checked
 *	once copied, so that a job writing the arrays cannot change them after
 */
struct enpu_sim_exec {
	const struct enpu_mmu_map *map;
	const bool *abort;
	s32 *quant;
};

/* INT8 and copy kernels (enpu_sim_ops.c). Return 0, -EFAULT or -EINVAL. */
int enpu_sim_dma_copy(const struct enpu_sim_exec *x, const struct enpu_cmd_dma_copy *d);
int enpu_sim_gemm_i8(const struct enpu_sim_exec *x, const struct enpu_cmd_gemm *g);
int enpu_sim_conv_i8(const struct enpu_sim_exec *x, const struct enpu_cmd_conv2d *c);
int enpu_sim_pool_i8(const struct enpu_sim_exec *x, const struct enpu_cmd_pool *p);
int enpu_sim_eltwise_i8(const struct enpu_sim_exec *x, const struct enpu_cmd_eltwise *e);
int enpu_sim_requant(const struct enpu_sim_exec *x, const struct enpu_cmd_requant *r);
int enpu_sim_gemm_f16(const struct enpu_sim_exec *x, const struct enpu_cmd_gemm *g);
int enpu_sim_conv_f16(const struct enpu_sim_exec *x, const struct enpu_cmd_conv2d *c);

/*
 * FP16 and float kernels (enpu_sim_fp16.c, built with the FPU enabled). Call them
 * only between kernel_fpu_begin() and kernel_fpu_end(); they take no float
 * arguments so that non-FPU code can call them.
 */
void enpu_fp16_gemm_row(const u16 *a, const u16 *b, u32 ldb, const u32 *bias,
			u16 *c, u32 n, u32 k);
void enpu_fp16_conv_pixel(const struct enpu_cmd_conv2d *c, const u16 *in, const u16 *filter,
			  const u32 *bias, u16 *out, u32 batch, u32 oy, u32 ox, u32 oc0, u32 oc1);
void enpu_fp16_cast_from_i8(const s8 *in, u16 *out, u32 count, s32 zp, u32 scale_bits);
void enpu_fp16_cast_to_i8(const u16 *in, s8 *out, u32 count, s32 zp, u32 scale_bits,
			  s32 lo, s32 hi);

#endif /* __ENPU_SIM_H__ */
