/* SPDX-License-Identifier: MIT */
/* GPU backend: host memory imported into the device
 * (VK_EXT_external_memory_host), so that tensors need no copy through the
 * scratch buffer. A buffer is imported once per device, as the whole pages
 * that hold it, and the import lives with the buffer (an attachment, freed
 * when the buffer is destroyed); it keeps the Vulkan device alive (not the
 * pipelines and scratch memory, which go when the device is closed). Only
 * host-coherent memory types are used, and a section whose descriptor
 * range would exceed maxStorageBufferRange is copied. A buffer that
 * the driver refuses (e.g. a mapping of device memory that it cannot pin)
 * is remembered as such and copied. Queue thread only (the attachment's
 * release: any thread). */
#include <stdint.h>
#include <stdlib.h>

#include "buffer_impl.h"
#include "gpu.h"
#include "tensor_impl.h"

typedef struct gpu_import {
	enpu_buffer_attachment_t link;
	gpu_device_t *d;
	VkBuffer buf;               /* VK_NULL_HANDLE: refused, copy */
	VkDeviceMemory mem;
	uintptr_t base;             /* host address of byte 0 of buf */
	VkDeviceSize size;          /* buf's */
} gpu_import_t;

static void import_release(enpu_buffer_attachment_t *a)
{
	gpu_import_t *im = (gpu_import_t *)a;
	gpu_device_t *d = im->d;

	d->vk.vkDestroyBuffer(d->dev, im->buf, NULL);
	d->vk.vkFreeMemory(d->dev, im->mem, NULL);
	free(im);
	gpu_device_unref(d);
}

/* Imports [base, base + len) into im; false when the driver refuses. */
static bool import_range(gpu_device_t *d, gpu_import_t *im, void *base, VkDeviceSize len)
{
	const gpu_vk_t *vk = &d->vk;
	const VkExternalMemoryHandleTypeFlagBits host =
		VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
	VkMemoryHostPointerPropertiesEXT props = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
	};
	VkExternalMemoryBufferCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = host,
	};
	VkBufferCreateInfo bi = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.pNext = &ext,
		.size = len,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkImportMemoryHostPointerInfoEXT imp = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
		.handleType = host,
		.pHostPointer = base,
	};
	VkMemoryAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = &imp,
		.allocationSize = len,
	};
	VkMemoryRequirements req;
	uint32_t types;

	if (vk->host_ptr_props(d->dev, host, base, &props) != VK_SUCCESS)
		return false;
	if (vk->vkCreateBuffer(d->dev, &bi, NULL, &im->buf) != VK_SUCCESS) {
		im->buf = VK_NULL_HANDLE;
		return false;
	}
	vk->vkGetBufferMemoryRequirements(d->dev, im->buf, &req);
	/* host-coherent only: nothing flushes or invalidates the imports */
	types = props.memoryTypeBits & req.memoryTypeBits & d->coherent_types;
	if (types && req.size <= len) {
		ai.memoryTypeIndex = (uint32_t)__builtin_ctz(types);
		if (vk->vkAllocateMemory(d->dev, &ai, NULL, &im->mem) != VK_SUCCESS)
			im->mem = VK_NULL_HANDLE;
		else if (vk->vkBindBufferMemory(d->dev, im->buf, im->mem, 0) == VK_SUCCESS)
			return true;
	}
	vk->vkDestroyBuffer(d->dev, im->buf, NULL);
	vk->vkFreeMemory(d->dev, im->mem, NULL);
	im->buf = VK_NULL_HANDLE;
	im->mem = VK_NULL_HANDLE;
	return false;
}

/* The import of buffer on d, made on first use; NULL when out of memory. */
static gpu_import_t *import_of(gpu_device_t *d, enpu_buffer_t *buffer)
{
	gpu_import_t *im = (gpu_import_t *)enpu_buffer_attachment_find(buffer, d);
	uintptr_t start = (uintptr_t)buffer->host, a = (uintptr_t)d->import_align;

	if (im)
		return im;
	im = calloc(1, sizeof(*im));
	if (!im)
		return NULL;
	im->link.owner = d;
	im->link.release = import_release;
	im->d = d;
	im->base = start & ~(a - 1);
	im->size = ((start + buffer->size + a - 1) & ~(a - 1)) - im->base;
	if (!import_range(d, im, (void *)im->base, im->size))
		im->base = 0;
	atomic_fetch_add(&d->refs, 1);
	enpu_buffer_attach(buffer, &im->link);
	return im;
}

bool gpu_import_tensor(gpu_device_t *d, const enpu_tensor_t *t, bool out, gpu_binding_t *b)
{
	uintptr_t p = (uintptr_t)t->buffer->host + t->offset;
	gpu_import_t *im;

	if (!d->host_import || !t->buffer->host)
		return false;
	/* shaders address 16-byte quads and store whole words */
	if (!d->staged && (p % 16 || (out && b->bytes % 4)))
		return false;
	im = import_of(d, t->buffer);
	if (!im || !im->buf)
		return false;
	gpu_binding_t in = { .buf = im->buf, .off = p - im->base, .buf_size = im->size,
			     .bytes = b->bytes };
	VkDeviceSize at, range;

	gpu_binding_range(d, &in, &at, &range);
	if (!d->staged && range > d->max_range)
		return false;
	*b = in;
	return true;
}
