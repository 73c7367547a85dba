/* SPDX-License-Identifier: MIT */
/* GPU backend: the scratch buffer (host-visible, coherent, persistently
 * mapped) and, where that memory is not device-local (discrete GPUs), a
 * device-local work buffer of the same size that the shaders use instead,
 * filled and read back by copies in the dispatch's command buffer (from and
 * to the scratch buffer or imported tensors); the descriptors of the
 * sections; one dispatch, timed with timestamp queries. Queue thread only. */
#include "gpu.h"

#define GPU_LOCAL_SIZE 64	/* local_size_x of the one-invocation-per-word shaders */

static void buffer_free(gpu_device_t *d, VkBuffer *b, VkDeviceMemory *m)
{
	d->vk.vkDestroyBuffer(d->dev, *b, NULL);
	d->vk.vkFreeMemory(d->dev, *m, NULL);
	*b = VK_NULL_HANDLE;
	*m = VK_NULL_HANDLE;
}

void gpu_scratch_free(gpu_device_t *d)
{
	buffer_free(d, &d->scratch, &d->scratch_mem);
	buffer_free(d, &d->work, &d->work_mem);
	d->scratch_map = NULL;
	d->scratch_size = 0;
}

/* A buffer of size bytes in memory type type; false on failure (then the
 * handles that were made are in *b, *m, the others VK_NULL_HANDLE: Vulkan
 * leaves a failed call's outputs undefined). */
static bool buffer_new(gpu_device_t *d, VkDeviceSize size, uint32_t type,
		       VkBufferUsageFlags usage, VkBuffer *b, VkDeviceMemory *m)
{
	const gpu_vk_t *vk = &d->vk;
	VkBufferCreateInfo bi = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = usage,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkMemoryRequirements req;

	*b = VK_NULL_HANDLE;
	*m = VK_NULL_HANDLE;
	if (vk->vkCreateBuffer(d->dev, &bi, NULL, b)) {
		*b = VK_NULL_HANDLE;
		return false;
	}
	vk->vkGetBufferMemoryRequirements(d->dev, *b, &req);
	VkMemoryAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex = type,
	};
	if (!(req.memoryTypeBits & (1u << type)))
		return false;
	if (vk->vkAllocateMemory(d->dev, &ai, NULL, m)) {
		*m = VK_NULL_HANDLE;
		return false;
	}
	return !vk->vkBindBufferMemory(d->dev, *b, *m, 0);
}

enpu_status_t gpu_scratch_reserve(gpu_device_t *d, size_t words)
{
	const gpu_vk_t *vk = &d->vk;
	VkDeviceSize size = (VkDeviceSize)words * 4, want = d->scratch_size;
	VkBufferUsageFlags xfer = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
	void *map;

	if (size <= d->scratch_size)
		return ENPU_OK;
	if (size > d->max_range)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"gpu: op needs %llu bytes, more than one storage buffer "
					"(%llu)", (unsigned long long)size,
					(unsigned long long)d->max_range);
	while (want < size)
		want = want ? want * 2 : 1 << 20;
	if (want > d->max_range)
		want = d->max_range;
	gpu_scratch_free(d);
	if (!buffer_new(d, want, d->mem_type, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | xfer,
			&d->scratch, &d->scratch_mem) ||
	    vk->vkMapMemory(d->dev, d->scratch_mem, 0, VK_WHOLE_SIZE, 0, &map) ||
	    (d->staged && !buffer_new(d, want, d->local_type,
				      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | xfer, &d->work,
				      &d->work_mem)))
		goto fail;
	d->scratch_map = map;
	d->scratch_size = want;
	return ENPU_OK;
fail:
	gpu_scratch_free(d);
	return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
				"gpu: cannot allocate a %llu-byte scratch buffer",
				(unsigned long long)want);
}

bool gpu_groups_fit(const gpu_device_t *d, uint64_t x, uint64_t y)
{
	return x <= d->max_groups[0] && y <= d->max_groups[1];
}

bool gpu_groups_1d(const gpu_device_t *d, size_t items, uint32_t *gx, uint32_t *gy)
{
	size_t groups = (items + GPU_LOCAL_SIZE - 1) / GPU_LOCAL_SIZE;
	size_t x = groups < d->max_groups[0] ? groups : d->max_groups[0];
	size_t y = x ? (groups + x - 1) / x : 0;

	*gx = (uint32_t)x;
	*gy = y <= UINT32_MAX ? (uint32_t)y : UINT32_MAX;
	return gpu_groups_fit(d, x, y);
}

static void barrier(gpu_device_t *d, VkPipelineStageFlags src, VkAccessFlags src_access,
		    VkPipelineStageFlags dst, VkAccessFlags dst_access)
{
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = src_access,
		.dstAccessMask = dst_access,
	};

	d->vk.vkCmdPipelineBarrier(d->cmd, src, dst, 0, 1, &mb, 0, NULL, 0, NULL);
}

static void copy(gpu_device_t *d, VkBuffer from, VkDeviceSize from_off, VkBuffer to,
		 VkDeviceSize to_off, VkDeviceSize bytes)
{
	VkBufferCopy c = { from_off, to_off, bytes };

	d->vk.vkCmdCopyBuffer(d->cmd, from, to, 1, &c);
}

/* Where section i is read or written from the host side: its import, or the
 * scratch buffer. */
static void host_side(const gpu_device_t *d, const gpu_launch_t *l, int i, VkBuffer *b,
		      VkDeviceSize *off)
{
	*b = l->bind[i].buf ? l->bind[i].buf : d->scratch;
	*off = l->bind[i].buf ? l->bind[i].off : (VkDeviceSize)l->p[i] * 4;
}

void gpu_binding_range(const gpu_device_t *d, const gpu_binding_t *b, VkDeviceSize *at,
		       VkDeviceSize *range)
{
	VkDeviceSize end = (b->off + b->bytes + 15) & ~(VkDeviceSize)15;

	*at = b->off & ~(d->offset_align - 1);
	*range = (end < b->buf_size ? end : b->buf_size) - *at;
}

/* Points the descriptors at the sections: all at the work buffer (staged),
 * else each at its import or the scratch buffer; imported sections start at
 * the aligned offset below them, with the rest in p[i]. */
static void bind(gpu_device_t *d, const gpu_launch_t *l)
{
	VkDescriptorBufferInfo dbi[GPU_SECTIONS];
	VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
		.dstSet = d->set,
		.descriptorCount = GPU_SECTIONS,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.pBufferInfo = dbi,
	};

	for (int i = 0; i < GPU_SECTIONS; i++) {
		const gpu_binding_t *b = &l->bind[i];

		dbi[i] = (VkDescriptorBufferInfo){ d->staged ? d->work : d->scratch, 0,
						   VK_WHOLE_SIZE };
		if (!d->staged && b->buf) {
			VkDeviceSize at, range;

			gpu_binding_range(d, b, &at, &range);
			dbi[i] = (VkDescriptorBufferInfo){ b->buf, at, range };
			l->p[i] = (int32_t)((b->off - at) / 4);
		}
	}
	d->vk.vkUpdateDescriptorSets(d->dev, 1, &w, 0, NULL);
}

/* Records l: [copies in,] timestamp, dispatch, timestamp[, copy out]. */
static void record(gpu_device_t *d, const gpu_launch_t *l)
{
	const gpu_vk_t *vk = &d->vk;
	VkPipelineStageFlags cs = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT;
	VkPipelineStageFlags xfer = VK_PIPELINE_STAGE_TRANSFER_BIT;
	VkBuffer b;
	VkDeviceSize off;

	if (d->timestamps)
		vk->vkCmdResetQueryPool(d->cmd, d->timestamps, 0, 2);
	if (d->staged) {
		for (int i = 0; i < GPU_P_OUT; i++) {
			if (!l->bind[i].bytes)
				continue;
			host_side(d, l, i, &b, &off);
			copy(d, b, off, d->work, (VkDeviceSize)l->p[i] * 4, l->bind[i].bytes);
		}
		barrier(d, xfer, VK_ACCESS_TRANSFER_WRITE_BIT, cs, VK_ACCESS_SHADER_READ_BIT);
	}
	/* bottom of pipe: once every earlier command (the copies) has finished */
	if (d->timestamps)
		vk->vkCmdWriteTimestamp(d->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
					d->timestamps, 0);
	vk->vkCmdBindPipeline(d->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, d->pipes[l->pipe]);
	vk->vkCmdBindDescriptorSets(d->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, d->layout, 0, 1,
				    &d->set, 0, NULL);
	vk->vkCmdPushConstants(d->cmd, d->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
			       GPU_P_WORDS * sizeof(int32_t), l->p);
	vk->vkCmdDispatch(d->cmd, l->groups_x, l->groups_y, 1);
	if (d->timestamps)
		vk->vkCmdWriteTimestamp(d->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
					d->timestamps, 1);
	if (d->staged && l->bind[GPU_P_OUT].bytes) {
		barrier(d, cs, VK_ACCESS_SHADER_WRITE_BIT, xfer, VK_ACCESS_TRANSFER_READ_BIT);
		host_side(d, l, GPU_P_OUT, &b, &off);
		copy(d, d->work, (VkDeviceSize)l->p[GPU_P_OUT] * 4, b, off,
		     l->bind[GPU_P_OUT].bytes);
		barrier(d, xfer, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
			VK_ACCESS_HOST_READ_BIT);
	} else {
		barrier(d, cs, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
			VK_ACCESS_HOST_READ_BIT);
	}
}

static void add_kernel_time(gpu_device_t *d)
{
	uint64_t t[2];

	if (d->timestamps &&
	    d->vk.vkGetQueryPoolResults(d->dev, d->timestamps, 0, 2, sizeof(t), t, sizeof(t[0]),
					VK_QUERY_RESULT_64_BIT) == VK_SUCCESS)
		d->kernel_ns += (uint64_t)((double)((t[1] - t[0]) & d->tick_mask) * d->ns_per_tick);
}

bool gpu_take_kernel_ns(void *ctx, uint64_t *ns)
{
	gpu_device_t *d = ctx;

	*ns = d->kernel_ns;
	d->kernel_ns = 0;
	return d->timestamps != VK_NULL_HANDLE;
}

enpu_status_t gpu_launch(gpu_device_t *d, const gpu_launch_t *l)
{
	const gpu_vk_t *vk = &d->vk;
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &d->cmd,
	};
	VkResult r;

	if (!l->groups_x || !l->groups_y)
		return ENPU_OK;
	if (!gpu_groups_fit(d, l->groups_x, l->groups_y))	/* the callers check first */
		return enpu_status_make(ENPU_STATUS_INTERNAL,
					"gpu: %u x %u workgroups exceed the device's %u x %u",
					l->groups_x, l->groups_y, d->max_groups[0],
					d->max_groups[1]);
	bind(d, l);
	r = vk->vkResetCommandBuffer(d->cmd, 0);
	if (r == VK_SUCCESS)
		r = vk->vkBeginCommandBuffer(d->cmd, &bi);
	if (r != VK_SUCCESS)
		return gpu_vk_error("recording a dispatch", r);
	record(d, l);
	r = vk->vkEndCommandBuffer(d->cmd);
	if (r == VK_SUCCESS)
		r = vk->vkResetFences(d->dev, 1, &d->fence);
	if (r == VK_SUCCESS)
		r = vk->vkQueueSubmit(d->queue, 1, &si, d->fence);
	if (r == VK_SUCCESS)
		r = vk->vkWaitForFences(d->dev, 1, &d->fence, VK_TRUE, UINT64_MAX);
	if (r == VK_SUCCESS)
		add_kernel_time(d);
	return r == VK_SUCCESS ? ENPU_OK : gpu_vk_error("dispatch", r);
}
