/* SPDX-License-Identifier: MIT */
/* GPU backend: the scratch buffer (host-visible, coherent, persistently
 * mapped, bound as the shaders' one storage buffer) and one dispatch. Queue
 * thread only. */
#include "gpu.h"

#define GPU_LOCAL_SIZE 64	/* local_size_x of every shader */
#define GPU_MAX_GROUPS_X 65535	/* the minimum maxComputeWorkGroupCount[0] */

static void scratch_free(gpu_device_t *d)
{
	d->vk.vkDestroyBuffer(d->dev, d->scratch, NULL);
	d->vk.vkFreeMemory(d->dev, d->scratch_mem, NULL);
	d->scratch = VK_NULL_HANDLE;
	d->scratch_mem = VK_NULL_HANDLE;
	d->scratch_map = NULL;
	d->scratch_size = 0;
}

enpu_status_t gpu_scratch_reserve(gpu_device_t *d, size_t words)
{
	const gpu_vk_t *vk = &d->vk;
	VkDeviceSize size = (VkDeviceSize)words * 4, want = d->scratch_size;
	VkMemoryRequirements req;
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
	scratch_free(d);
	VkBufferCreateInfo bi = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = want,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	if (vk->vkCreateBuffer(d->dev, &bi, NULL, &d->scratch))
		goto fail;
	vk->vkGetBufferMemoryRequirements(d->dev, d->scratch, &req);
	VkMemoryAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex = d->mem_type,
	};
	if (!(req.memoryTypeBits & (1u << d->mem_type)) ||
	    vk->vkAllocateMemory(d->dev, &ai, NULL, &d->scratch_mem) ||
	    vk->vkBindBufferMemory(d->dev, d->scratch, d->scratch_mem, 0) ||
	    vk->vkMapMemory(d->dev, d->scratch_mem, 0, VK_WHOLE_SIZE, 0, &map))
		goto fail;
	d->scratch_map = map;
	d->scratch_size = want;
	VkDescriptorBufferInfo dbi = { d->scratch, 0, VK_WHOLE_SIZE };
	VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
		.dstSet = d->set,
		.descriptorCount = 1,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.pBufferInfo = &dbi,
	};
	vk->vkUpdateDescriptorSets(d->dev, 1, &w, 0, NULL);
	return ENPU_OK;
fail:
	scratch_free(d);
	return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
				"gpu: cannot allocate a %llu-byte scratch buffer",
				(unsigned long long)want);
}

enpu_status_t gpu_dispatch(gpu_device_t *d, int pipe, const int32_t *p, size_t invocations)
{
	const gpu_vk_t *vk = &d->vk;
	size_t groups = (invocations + GPU_LOCAL_SIZE - 1) / GPU_LOCAL_SIZE;
	uint32_t gx = groups < GPU_MAX_GROUPS_X ? (uint32_t)groups : GPU_MAX_GROUPS_X;
	uint32_t gy = (uint32_t)((groups + gx - 1) / gx);
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

	if (!invocations)
		return ENPU_OK;
	vk->vkResetCommandBuffer(d->cmd, 0);
	vk->vkBeginCommandBuffer(d->cmd, &bi);
	vk->vkCmdBindPipeline(d->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, d->pipes[pipe]);
	vk->vkCmdBindDescriptorSets(d->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, d->layout, 0, 1,
				    &d->set, 0, NULL);
	vk->vkCmdPushConstants(d->cmd, d->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
			       GPU_P_WORDS * sizeof(int32_t), p);
	vk->vkCmdDispatch(d->cmd, gx, gy, 1);
	r = vk->vkEndCommandBuffer(d->cmd);
	if (r == VK_SUCCESS)
		r = vk->vkResetFences(d->dev, 1, &d->fence);
	if (r == VK_SUCCESS)
		r = vk->vkQueueSubmit(d->queue, 1, &si, d->fence);
	if (r == VK_SUCCESS)
		r = vk->vkWaitForFences(d->dev, 1, &d->fence, VK_TRUE, UINT64_MAX);
	return r == VK_SUCCESS ? ENPU_OK
			       : enpu_status_make(ENPU_STATUS_DEVICE_ERROR,
						  "gpu: dispatch failed (VkResult %d)", (int)r);
}
