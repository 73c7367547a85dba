// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */

#include <linux/overflow.h>
#include <linux/sort.h>

#include <drm/drm_mm.h>

#include "enpu_drv.h"
#include "enpu_mmu.h"

void enpu_mmu_ctx_init(struct enpu_file *ctx)
{
	drm_mm_init(&ctx->va, ENPU_VA_START, ENPU_VA_SIZE);
}

void enpu_mmu_ctx_fini(struct enpu_file *ctx)
{
	drm_mm_takedown(&ctx->va);
}

/* Reserves @size bytes plus a guard page of device addresses in @ctx. */
int enpu_mmu_va_alloc(struct enpu_file *ctx, struct drm_mm_node *node, u64 size)
{
	int ret;

	mutex_lock(&ctx->lock);
	ret = drm_mm_insert_node_generic(&ctx->va, node, size + ENPU_VA_GUARD,
					 PAGE_SIZE, 0, DRM_MM_INSERT_BEST);
	mutex_unlock(&ctx->lock);
	return ret;
}

void enpu_mmu_va_free(struct enpu_file *ctx, struct drm_mm_node *node)
{
	mutex_lock(&ctx->lock);
	drm_mm_remove_node(node);
	mutex_unlock(&ctx->lock);
}

static int enpu_mmu_entry_cmp(const void *a, const void *b)
{
	const struct enpu_mmu_entry *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

void enpu_mmu_map_sort(struct enpu_mmu_map *map)
{
	sort(map->entries, map->count, sizeof(map->entries[0]), enpu_mmu_entry_cmp, NULL);
}

/**
 * enpu_mmu_translate - the kernel address of device range [@addr, @addr + @len)
 * @map: the job's translation
 * @addr: device address
 * @len: bytes, > 0
 * @write: the access writes
 *
 * Return: the kernel address, or NULL for a fault: the range is not inside one
 * BO of the job, or the job did not declare this access (read or write) to it.
 */
void *enpu_mmu_translate(const struct enpu_mmu_map *map, u64 addr, u64 len, bool write)
{
	unsigned int lo = 0, hi = map->count;
	u64 end;

	if (!len || check_add_overflow(addr, len, &end))
		return NULL;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct enpu_mmu_entry *e = &map->entries[mid];

		if (addr < e->va) {
			hi = mid;
		} else if (addr >= e->va + e->size) {
			lo = mid + 1;
		} else {
			if (end > e->va + e->size || (write ? !e->write : !e->read))
				return NULL;
			return e->kaddr + (addr - e->va);
		}
	}
	return NULL;
}
