/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_MMU_H__
#define __ENPU_MMU_H__

#include <linux/bits.h>
#include <linux/types.h>
#include <asm/page.h>

struct drm_mm_node;

struct enpu_file;

/* Each context's device address space: [ENPU_VA_START, ENPU_VA_START + ENPU_VA_SIZE).
 * Address 0 and everything below 4 GiB never map, so null and small forged
 * addresses fault; an unmapped guard page follows every BO.
 */
#define ENPU_VA_START	BIT_ULL(32)
#define ENPU_VA_SIZE	BIT_ULL(40)
#define ENPU_VA_GUARD	PAGE_SIZE

/**
 * struct enpu_mmu_entry - one BO as a job sees it
 * @va: device address
 * @size: bytes
 * @kaddr: where the sim reaches its memory
 * @read: the job declared it reads this BO
 * @write: the job declared it writes this BO
 */
struct enpu_mmu_entry {
	u64 va;
	u64 size;
	void *kaddr;
	bool read;
	bool write;
};

/**
 * struct enpu_mmu_map - the device address translation of one job: exactly its
 * BOs, sorted by address, with the access it declared; anything else faults
 */
struct enpu_mmu_map {
	unsigned int count;
	struct enpu_mmu_entry entries[] __counted_by(count);
};

void enpu_mmu_ctx_init(struct enpu_file *ctx);
void enpu_mmu_ctx_fini(struct enpu_file *ctx);
int enpu_mmu_va_alloc(struct enpu_file *ctx, struct drm_mm_node *node, u64 size);
void enpu_mmu_va_free(struct enpu_file *ctx, struct drm_mm_node *node);

void enpu_mmu_map_sort(struct enpu_mmu_map *map);
void *enpu_mmu_translate(const struct enpu_mmu_map *map, u64 addr, u64 len, bool write);

#endif /* __ENPU_MMU_H__ */
