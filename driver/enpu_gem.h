/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_GEM_H__
#define __ENPU_GEM_H__

#include <linux/bits.h>
#include <linux/iosys-map.h>
#include <drm/drm_gem_shmem_helper.h>

struct enpu_file;

/* Largest BO, and largest userptr range, in bytes. */
#define ENPU_MAX_BO_SIZE	BIT_ULL(30)

/**
 * struct enpu_bo - a buffer object: shmem, imported dma-buf, or pinned user memory
 * @base: the shmem object (for userptr BOs only its GEM object part is used)
 * @lock: protects @vmas and @map
 * @vmas: the BO's mappings, one per context that holds a handle to it
 * @map: kernel mapping, made on first use by a job and kept until the BO is freed
 * @user_pages: userptr BOs: the pinned pages
 * @user_npages: number of @user_pages
 * @readonly: userptr BO pinned without write access
 */
struct enpu_bo {
	struct drm_gem_shmem_object base;
	struct mutex lock; /* protects vmas and map */
	struct list_head vmas;
	struct iosys_map map;
	struct page **user_pages;
	unsigned long user_npages;
	bool readonly;
};

static inline struct enpu_bo *to_enpu_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct enpu_bo, base.base);
}

static inline bool enpu_bo_is_userptr(struct enpu_bo *bo)
{
	return bo->user_pages;
}

struct drm_gem_object *enpu_gem_create_object(struct drm_device *drm, size_t size);
int enpu_bo_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int enpu_bo_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int enpu_bo_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

int enpu_bo_dev_addr(struct enpu_bo *bo, struct enpu_file *ctx, u64 *addr);
void *enpu_bo_vaddr(struct enpu_bo *bo);

#endif /* __ENPU_GEM_H__ */
