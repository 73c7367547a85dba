/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_CS_H__
#define __ENPU_CS_H__

#include <linux/bits.h>
#include <linux/types.h>
#include <drm/enpu_cmd.h>

/* Limits of one command stream. */
#define ENPU_MAX_CMD_SIZE	(64 * 1024)
/* Largest tensor or copy one descriptor may touch, in bytes. */
#define ENPU_MAX_TENSOR_BYTES	BIT_ULL(30)
/* Largest dimension of any tensor, kernel, stride, dilation or padding. */
#define ENPU_MAX_DIM		65536
/*
 * Longest reduction: a GEMM's k, a convolution's kh * kw * cin / groups, a
 * pooling window's kh * kw (so that int32 sums of int8 products never wrap).
 */
#define ENPU_MAX_REDUCTION	65536

/* The device model's throughput, per core and cycle (docs/hw-model.md). */
#define ENPU_MACS_PER_CYCLE_I8		256
#define ENPU_MACS_PER_CYCLE_F16		64
#define ENPU_VEC_OPS_PER_CYCLE		64
#define ENPU_DMA_BYTES_PER_CYCLE	32
#define ENPU_DESC_OVERHEAD_CYCLES	16

/**
 * struct enpu_cs_cost - what one descriptor costs the device
 * @cycles: cycles at any clock
 * @bytes_read: bytes it reads (each input element once)
 * @bytes_written: bytes it writes
 */
struct enpu_cs_cost {
	u64 cycles;
	u64 bytes_read;
	u64 bytes_written;
};

int enpu_cs_validate(const void *cs, u32 size);
void enpu_cs_cost(const struct enpu_cmd_hdr *hdr, struct enpu_cs_cost *cost);
u32 enpu_cs_op_size(u16 opcode);
bool enpu_conv_out_dim(u32 in, u32 pad_a, u32 pad_b, u32 k, u32 dil, u32 stride, u32 *out);

#endif /* __ENPU_CS_H__ */
