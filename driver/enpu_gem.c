// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */

#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_gem.h>
#include <drm/drm_prime.h>

#include <drm/enpu_accel.h>
#include "enpu_drv.h"
#include "enpu_gem.h"
#include "enpu_mmu.h"

/**
 * struct enpu_vma - a BO's place in one context's device address space
 * @link: in enpu_bo.vmas
 * @ctx: the context (not referenced: the vma goes with the handle, before the context)
 * @node: the device address range (BO size plus a guard page)
 * @handles: handles of the context that name this BO
 */
struct enpu_vma {
	struct list_head link;
	struct enpu_file *ctx;
	struct drm_mm_node node;
	unsigned int handles;
};

static struct enpu_vma *enpu_vma_find(struct enpu_bo *bo, struct enpu_file *ctx)
{
	struct enpu_vma *vma;

	list_for_each_entry(vma, &bo->vmas, link)
		if (vma->ctx == ctx)
			return vma;
	return NULL;
}

/* A handle to @obj was created in @file: map the BO into that context. */
static int enpu_gem_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct enpu_file *ctx = file->driver_priv;
	struct enpu_bo *bo = to_enpu_bo(obj);
	struct enpu_vma *vma;
	int ret = 0;

	mutex_lock(&bo->lock);
	vma = enpu_vma_find(bo, ctx);
	if (vma) {
		vma->handles++;
		goto out;
	}
	vma = kzalloc(sizeof(*vma), GFP_KERNEL);
	if (!vma) {
		ret = -ENOMEM;
		goto out;
	}
	ret = enpu_mmu_va_alloc(ctx, &vma->node, obj->size);
	if (ret) {
		kfree(vma);
		goto out;
	}
	vma->ctx = ctx;
	vma->handles = 1;
	list_add(&vma->link, &bo->vmas);
out:
	mutex_unlock(&bo->lock);
	return ret;
}

static void enpu_gem_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct enpu_file *ctx = file->driver_priv;
	struct enpu_bo *bo = to_enpu_bo(obj);
	struct enpu_vma *vma;

	mutex_lock(&bo->lock);
	vma = enpu_vma_find(bo, ctx);
	if (vma && --vma->handles == 0) {
		list_del(&vma->link);
		enpu_mmu_va_free(ctx, &vma->node);
		kfree(vma);
	}
	mutex_unlock(&bo->lock);
}

/**
 * enpu_bo_dev_addr - the device address of a BO in a context
 * @bo: the BO
 * @ctx: the context
 * @addr: the address
 *
 * Return: 0, or -ENOENT if the context holds no handle to the BO.
 */
int enpu_bo_dev_addr(struct enpu_bo *bo, struct enpu_file *ctx, u64 *addr)
{
	struct enpu_vma *vma;
	int ret = -ENOENT;

	mutex_lock(&bo->lock);
	vma = enpu_vma_find(bo, ctx);
	if (vma) {
		*addr = vma->node.start;
		ret = 0;
	}
	mutex_unlock(&bo->lock);
	return ret;
}

/**
 * enpu_bo_vaddr - the kernel address of the whole BO, for the sim
 * @bo: the BO
 *
 * Mapped on first use and kept until the BO is freed.
 * Return: the address, or an ERR_PTR (-EOPNOTSUPP for I/O memory from an exporter).
 */
void *enpu_bo_vaddr(struct enpu_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;
	void *vaddr;
	int ret;

	mutex_lock(&bo->lock);
	if (iosys_map_is_null(&bo->map)) {
		ret = drm_gem_vmap_unlocked(obj, &bo->map);
		if (ret) {
			iosys_map_clear(&bo->map);
			mutex_unlock(&bo->lock);
			return ERR_PTR(ret);
		}
	}
	vaddr = bo->map.is_iomem ? ERR_PTR(-EOPNOTSUPP) : bo->map.vaddr;
	mutex_unlock(&bo->lock);
	return vaddr;
}

static void enpu_bo_release_common(struct enpu_bo *bo)
{
	WARN_ON(!list_empty(&bo->vmas));
	if (!iosys_map_is_null(&bo->map))
		drm_gem_vunmap_unlocked(&bo->base.base, &bo->map);
	mutex_destroy(&bo->lock);
}

static void enpu_shmem_free(struct drm_gem_object *obj)
{
	enpu_bo_release_common(to_enpu_bo(obj));
	drm_gem_shmem_free(&to_enpu_bo(obj)->base);
}

static const struct drm_gem_object_funcs enpu_shmem_funcs = {
	.free = enpu_shmem_free,
	.open = enpu_gem_open,
	.close = enpu_gem_close,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

static void enpu_bo_init_common(struct enpu_bo *bo)
{
	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->vmas);
	iosys_map_clear(&bo->map);
}

/* drm_driver.gem_create_object: every shmem and imported BO is an enpu_bo. */
struct drm_gem_object *enpu_gem_create_object(struct drm_device *drm, size_t size)
{
	struct enpu_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	enpu_bo_init_common(bo);
	bo->base.base.funcs = &enpu_shmem_funcs;
	return &bo->base.base;
}

int enpu_bo_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_enpu_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags || args->handle)
		return -EINVAL;
	if (!args->size || args->size > ENPU_MAX_BO_SIZE)
		return -EINVAL;

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	drm_gem_object_put(&shmem->base);
	return ret;
}

static void enpu_userptr_free(struct drm_gem_object *obj)
{
	struct enpu_bo *bo = to_enpu_bo(obj);

	enpu_bo_release_common(bo);
	unpin_user_pages_dirty_lock(bo->user_pages, bo->user_npages, !bo->readonly);
	kvfree(bo->user_pages);
	drm_gem_object_release(obj);
	kfree(bo);
}

static int enpu_userptr_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct enpu_bo *bo = to_enpu_bo(obj);
	void *vaddr = vmap(bo->user_pages, bo->user_npages, VM_MAP, PAGE_KERNEL);

	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void enpu_userptr_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	vunmap(map->vaddr);
}

/* Pinned user memory belongs to its process: it is never exported. */
static struct dma_buf *enpu_userptr_export(struct drm_gem_object *obj, int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static const struct drm_gem_object_funcs enpu_userptr_funcs = {
	.free = enpu_userptr_free,
	.open = enpu_gem_open,
	.close = enpu_gem_close,
	.vmap = enpu_userptr_vmap,
	.vunmap = enpu_userptr_vunmap,
	.export = enpu_userptr_export,
};

int enpu_bo_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_enpu_bo_userptr *args = data;
	unsigned int gup_flags = FOLL_LONGTERM;
	unsigned long npages;
	struct enpu_bo *bo;
	long pinned;
	int ret;

	if (args->flags & ~DRM_ENPU_BO_USERPTR_READONLY || args->handle)
		return -EINVAL;
	if (!args->size || args->size > ENPU_MAX_BO_SIZE ||
	    !PAGE_ALIGNED(args->user_ptr) || !PAGE_ALIGNED(args->size))
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(args->user_ptr), args->size))
		return -EFAULT;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return -ENOMEM;
	enpu_bo_init_common(bo);
	bo->readonly = args->flags & DRM_ENPU_BO_USERPTR_READONLY;
	if (!bo->readonly)
		gup_flags |= FOLL_WRITE;

	npages = args->size >> PAGE_SHIFT;
	bo->user_pages = kvmalloc_array(npages, sizeof(*bo->user_pages), GFP_KERNEL);
	if (!bo->user_pages) {
		ret = -ENOMEM;
		goto err_free;
	}
	pinned = pin_user_pages_fast(args->user_ptr, npages, gup_flags, bo->user_pages);
	if (pinned != npages) {
		if (pinned > 0)
			unpin_user_pages(bo->user_pages, pinned);
		ret = pinned < 0 ? pinned : -EFAULT;
		goto err_pages;
	}
	bo->user_npages = npages;

	bo->base.base.funcs = &enpu_userptr_funcs;
	drm_gem_private_object_init(drm, &bo->base.base, args->size);
	ret = drm_gem_handle_create(file, &bo->base.base, &args->handle);
	drm_gem_object_put(&bo->base.base);
	return ret;

err_pages:
	kvfree(bo->user_pages);
err_free:
	mutex_destroy(&bo->lock);
	kfree(bo);
	return ret;
}

int enpu_bo_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_enpu_bo_info *args = data;
	struct drm_gem_object *obj;
	struct enpu_bo *bo;
	int ret;

	if (args->flags)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_enpu_bo(obj);

	ret = enpu_bo_dev_addr(bo, file->driver_priv, &args->dev_addr);
	if (ret)
		goto out;
	args->size = obj->size;
	args->mmap_offset = 0;
	if (!enpu_bo_is_userptr(bo)) {
		ret = drm_gem_create_mmap_offset(obj);
		if (ret)
			goto out;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
out:
	drm_gem_object_put(obj);
	return ret;
}
