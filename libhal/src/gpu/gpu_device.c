/* SPDX-License-Identifier: MIT */
/* GPU backend: a logical device with one compute queue (and host memory
 * import where offered), the compute pipelines (SPIR-V embedded at build
 * time), one descriptor set, one command buffer and one fence, all used by
 * the queue thread only. */
#include <stdlib.h>
#include <string.h>

#include "gpu.h"

static const uint32_t gemm_spv[] =
#include "gemm.spv.inc"
;
static const uint32_t conv_spv[] =
#include "conv.spv.inc"
;
static const uint32_t pool_spv[] =
#include "pool.spv.inc"
;
static const uint32_t eltwise_spv[] =
#include "eltwise.spv.inc"
;
static const uint32_t gemm_f16_spv[] =
#include "gemm_f16.spv.inc"
;
static const uint32_t conv_f16_spv[] =
#include "conv_f16.spv.inc"
;
static const uint32_t cast_spv[] =
#include "cast.spv.inc"
;
static const uint32_t gemm_tiled_spv[] =
#include "gemm_tiled.spv.inc"
;
static const uint32_t gemm_f16_tiled_spv[] =
#include "gemm_f16_tiled.spv.inc"
;
static const uint32_t gemm_tiled_dot_spv[] =
#include "gemm_tiled_dot.spv.inc"
;
static const uint32_t conv_tiled_spv[] =
#include "conv_tiled.spv.inc"
;
static const uint32_t conv_tiled_dot_spv[] =
#include "conv_tiled_dot.spv.inc"
;
static const uint32_t conv_f16_tiled_spv[] =
#include "conv_f16_tiled.spv.inc"
;
static const uint32_t gemm_coop_spv[] =
#include "gemm_coop.spv.inc"
;
static const uint32_t gemm_f16_coop_spv[] =
#include "gemm_f16_coop.spv.inc"
;

static const struct {
	const uint32_t *code;
	size_t size;
} shaders[GPU_PIPE_COUNT] = {
	[GPU_PIPE_GEMM] = { gemm_spv, sizeof(gemm_spv) },
	[GPU_PIPE_CONV] = { conv_spv, sizeof(conv_spv) },
	[GPU_PIPE_POOL] = { pool_spv, sizeof(pool_spv) },
	[GPU_PIPE_ELTWISE] = { eltwise_spv, sizeof(eltwise_spv) },
	[GPU_PIPE_GEMM_F16] = { gemm_f16_spv, sizeof(gemm_f16_spv) },
	[GPU_PIPE_CONV_F16] = { conv_f16_spv, sizeof(conv_f16_spv) },
	[GPU_PIPE_CAST] = { cast_spv, sizeof(cast_spv) },
	[GPU_PIPE_GEMM_TILED] = { gemm_tiled_spv, sizeof(gemm_tiled_spv) },
	[GPU_PIPE_GEMM_F16_TILED] = { gemm_f16_tiled_spv, sizeof(gemm_f16_tiled_spv) },
	[GPU_PIPE_GEMM_TILED_DOT] = { gemm_tiled_dot_spv, sizeof(gemm_tiled_dot_spv) },
	[GPU_PIPE_CONV_TILED] = { conv_tiled_spv, sizeof(conv_tiled_spv) },
	[GPU_PIPE_CONV_TILED_DOT] = { conv_tiled_dot_spv, sizeof(conv_tiled_dot_spv) },
	[GPU_PIPE_CONV_F16_TILED] = { conv_f16_tiled_spv, sizeof(conv_f16_tiled_spv) },
	[GPU_PIPE_GEMM_COOP] = { gemm_coop_spv, sizeof(gemm_coop_spv) },
	[GPU_PIPE_GEMM_F16_COOP] = { gemm_f16_coop_spv, sizeof(gemm_f16_coop_spv) },
};

enpu_status_t gpu_vk_error(const char *what, VkResult r)
{
	return enpu_status_make(r == VK_ERROR_OUT_OF_HOST_MEMORY ||
					r == VK_ERROR_OUT_OF_DEVICE_MEMORY
				? ENPU_STATUS_RESOURCE_EXHAUSTED : ENPU_STATUS_DEVICE_ERROR,
				"gpu: %s failed (VkResult %d)", what, (int)r);
}

/* Packed 4x8-bit integer dot products (GEMM_TILED_DOT), where offered:
 * probes the feature and chains it into ci. */
static void enable_int_dot(gpu_device_t *d, VkDeviceCreateInfo *ci, const char **ext)
{
	const gpu_vk_t *vk = &d->vk;
	VkPhysicalDeviceShaderIntegerDotProductFeaturesKHR *f = &d->int_dot_feature;
	VkPhysicalDeviceFeatures2 f2 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
					 .pNext = f };

	*f = (VkPhysicalDeviceShaderIntegerDotProductFeaturesKHR){
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES_KHR,
	};
	if (!gpu_vk_has_extension(vk, d->phys.handle,
				  VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME))
		return;
	vk->vkGetPhysicalDeviceFeatures2(d->phys.handle, &f2);
	d->int_dot = f->shaderIntegerDotProduct;
	if (!d->int_dot)
		return;
	f->pNext = (void *)ci->pNext;
	ci->pNext = f;
	ext[ci->enabledExtensionCount++] = VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME;
}

static enpu_status_t create_device(gpu_device_t *d)
{
	const gpu_vk_t *vk = &d->vk;
	float priority = 1.0f;
	VkDeviceQueueCreateInfo q = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = d->phys.queue_family,
		.queueCount = 1,
		.pQueuePriorities = &priority,
	};
	VkPhysicalDeviceFeatures features = { .shaderInt64 = VK_TRUE };
	VkDeviceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &q,
		.pEnabledFeatures = &features,
	};
	VkPhysicalDeviceMemoryProperties m;
	VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
	};
	VkPhysicalDeviceProperties2 p = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 };
	const char *ext[GPU_MAX_EXTENSIONS];
	VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
				     VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
	VkResult r;

	vk->vkGetPhysicalDeviceMemoryProperties(d->phys.handle, &m);
	d->mem_type = d->local_type = UINT32_MAX;
	for (uint32_t i = 0; i < m.memoryTypeCount; i++) {
		VkMemoryPropertyFlags f = m.memoryTypes[i].propertyFlags;

		if (f & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)
			d->coherent_types |= 1u << i;
		if ((f & want) == want && d->mem_type == UINT32_MAX)
			d->mem_type = i;
		if ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && d->local_type == UINT32_MAX)
			d->local_type = i;
	}
	if (d->mem_type == UINT32_MAX)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"gpu: no host-visible coherent memory type");
	/* host-visible memory that is not the device's own: shaders get a copy */
	d->staged = d->local_type != UINT32_MAX &&
		    !(m.memoryTypes[d->mem_type].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
	d->host_import = vk->host_ptr_props &&
			 gpu_vk_has_extension(vk, d->phys.handle,
					      VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
	if (d->host_import) {
		p.pNext = &host;
		ext[ci.enabledExtensionCount++] = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
	}
	vk->vkGetPhysicalDeviceProperties2(d->phys.handle, &p);
	d->import_align = host.minImportedHostPointerAlignment;
	/* the import code rounds with these: powers of two, as Vulkan requires */
	d->host_import = d->host_import && d->import_align &&
			 !(d->import_align & (d->import_align - 1));
	d->offset_align = p.properties.limits.minStorageBufferOffsetAlignment;
	d->max_range = p.properties.limits.maxStorageBufferRange;
	d->max_groups[0] = p.properties.limits.maxComputeWorkGroupCount[0];
	d->max_groups[1] = p.properties.limits.maxComputeWorkGroupCount[1];
	d->coop = gpu_coop_probe(vk, d->phys.handle, &d->coop_features);
	if (d->coop)
		gpu_coop_enable(&d->coop_features, &ci, ext, &ci.enabledExtensionCount);
	enable_int_dot(d, &ci, ext);
	d->float_controls = gpu_float_controls_probe(vk, d->phys.handle);
	if (d->float_controls)
		gpu_float_controls_enable(&ci, ext);
	ci.ppEnabledExtensionNames = ext;
	r = vk->vkCreateDevice(d->phys.handle, &ci, NULL, &d->dev);
	if (r != VK_SUCCESS)
		return gpu_vk_error("vkCreateDevice", r);
	vk->vkGetDeviceQueue(d->dev, d->phys.queue_family, 0, &d->queue);
	return ENPU_OK;
}

static enpu_status_t create_layouts(gpu_device_t *d)
{
	const gpu_vk_t *vk = &d->vk;
	VkDescriptorSetLayoutBinding b = {
		.binding = 0,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.descriptorCount = GPU_SECTIONS,
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
	};
	VkDescriptorSetLayoutCreateInfo sl = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 1,
		.pBindings = &b,
	};
	VkPushConstantRange pc = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.size = GPU_P_WORDS * sizeof(int32_t),
	};
	VkPipelineLayoutCreateInfo pl = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &d->set_layout,
		.pushConstantRangeCount = 1,
		.pPushConstantRanges = &pc,
	};
	VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, GPU_SECTIONS };
	VkDescriptorPoolCreateInfo dp = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	VkDescriptorSetAllocateInfo ds = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorSetCount = 1,
		.pSetLayouts = &d->set_layout,
	};
	VkResult r;

	if ((r = vk->vkCreateDescriptorSetLayout(d->dev, &sl, NULL, &d->set_layout)))
		return gpu_vk_error("vkCreateDescriptorSetLayout", r);
	if ((r = vk->vkCreatePipelineLayout(d->dev, &pl, NULL, &d->layout)))
		return gpu_vk_error("vkCreatePipelineLayout", r);
	if ((r = vk->vkCreateDescriptorPool(d->dev, &dp, NULL, &d->pool)))
		return gpu_vk_error("vkCreateDescriptorPool", r);
	ds.descriptorPool = d->pool;
	if ((r = vk->vkAllocateDescriptorSets(d->dev, &ds, &d->set)))
		return gpu_vk_error("vkAllocateDescriptorSets", r);
	return ENPU_OK;
}

const uint32_t *gpu_shader_spirv(int pipe, size_t *words)
{
	*words = shaders[pipe].size / sizeof(uint32_t);
	return shaders[pipe].code;
}

enpu_status_t gpu_pipeline_create(gpu_device_t *d, int pipe, bool preserve, VkPipeline *out)
{
	const gpu_vk_t *vk = &d->vk;
	size_t words;
	VkShaderModuleCreateInfo sm = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.pCode = gpu_shader_spirv(pipe, &words),
	};
	VkComputePipelineCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.pName = "main",
		},
		.layout = d->layout,
	};
	uint32_t *plain = NULL;
	VkResult r;

	if (!preserve) {
		plain = malloc(words * sizeof(uint32_t));
		if (!plain)
			return gpu_vk_error("vkCreateShaderModule", VK_ERROR_OUT_OF_HOST_MEMORY);
		words = gpu_float_controls_strip(sm.pCode, words, plain);
		sm.pCode = plain;
		if (!words) {
			free(plain);
			return enpu_status_make(ENPU_STATUS_INTERNAL,
						"gpu: pipeline %d: malformed embedded SPIR-V", pipe);
		}
	}
	sm.codeSize = words * sizeof(uint32_t);
	r = vk->vkCreateShaderModule(d->dev, &sm, NULL, &ci.stage.module);
	free(plain);
	if (r)
		return gpu_vk_error("vkCreateShaderModule", r);
	r = vk->vkCreateComputePipelines(d->dev, VK_NULL_HANDLE, 1, &ci, NULL, out);
	vk->vkDestroyShaderModule(d->dev, ci.stage.module, NULL);
	return r ? gpu_vk_error("vkCreateComputePipelines", r) : ENPU_OK;
}

static enpu_status_t create_commands(gpu_device_t *d)
{
	const gpu_vk_t *vk = &d->vk;
	VkCommandPoolCreateInfo cp = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
		.queueFamilyIndex = d->phys.queue_family,
	};
	VkCommandBufferAllocateInfo cb = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkFenceCreateInfo f = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkResult r;

	if ((r = vk->vkCreateCommandPool(d->dev, &cp, NULL, &d->cmd_pool)))
		return gpu_vk_error("vkCreateCommandPool", r);
	cb.commandPool = d->cmd_pool;
	if ((r = vk->vkAllocateCommandBuffers(d->dev, &cb, &d->cmd)))
		return gpu_vk_error("vkAllocateCommandBuffers", r);
	if ((r = vk->vkCreateFence(d->dev, &f, NULL, &d->fence)))
		return gpu_vk_error("vkCreateFence", r);
	return ENPU_OK;
}

/* Two timestamp queries, where the compute queue has timestamps. */
static enpu_status_t create_timestamps(gpu_device_t *d)
{
	const gpu_vk_t *vk = &d->vk;
	VkQueueFamilyProperties fam[16];
	uint32_t n = 16, bits;
	VkPhysicalDeviceProperties p;
	VkQueryPoolCreateInfo qp = {
		.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
		.queryType = VK_QUERY_TYPE_TIMESTAMP,
		.queryCount = 2,
	};
	VkResult r;

	vk->vkGetPhysicalDeviceQueueFamilyProperties(d->phys.handle, &n, fam);
	vk->vkGetPhysicalDeviceProperties(d->phys.handle, &p);
	bits = d->phys.queue_family < n ? fam[d->phys.queue_family].timestampValidBits : 0;
	if (!bits || p.limits.timestampPeriod <= 0)
		return ENPU_OK;
	if ((r = vk->vkCreateQueryPool(d->dev, &qp, NULL, &d->timestamps)))
		return gpu_vk_error("vkCreateQueryPool", r);
	d->ns_per_tick = p.limits.timestampPeriod;
	d->tick_mask = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
	return ENPU_OK;
}

enpu_status_t gpu_device_init(gpu_device_t *d)
{
	enpu_status_t st = create_device(d);

	if (st == ENPU_OK)
		st = create_layouts(d);
	for (int i = 0; i < GPU_PIPE_COUNT && st == ENPU_OK; i++)
		if ((i < GPU_PIPE_FIRST_COOP || d->coop) &&
		    ((i != GPU_PIPE_GEMM_TILED_DOT && i != GPU_PIPE_CONV_TILED_DOT) || d->int_dot))
			st = gpu_pipeline_create(d, i, d->float_controls, &d->pipes[i]);
	if (st == ENPU_OK)
		st = create_commands(d);
	if (st == ENPU_OK)
		st = create_timestamps(d);
	return st;
}

void gpu_device_release_work(gpu_device_t *d)
{
	const gpu_vk_t *vk = &d->vk;

	if (!d->dev)
		return;
	vk->vkDestroyQueryPool(d->dev, d->timestamps, NULL);
	vk->vkDestroyFence(d->dev, d->fence, NULL);
	vk->vkDestroyCommandPool(d->dev, d->cmd_pool, NULL);
	for (int i = 0; i < GPU_PIPE_COUNT; i++) {
		vk->vkDestroyPipeline(d->dev, d->pipes[i], NULL);
		d->pipes[i] = VK_NULL_HANDLE;
	}
	vk->vkDestroyDescriptorPool(d->dev, d->pool, NULL);
	vk->vkDestroyPipelineLayout(d->dev, d->layout, NULL);
	vk->vkDestroyDescriptorSetLayout(d->dev, d->set_layout, NULL);
	gpu_scratch_free(d);
	d->timestamps = VK_NULL_HANDLE;
	d->fence = VK_NULL_HANDLE;
	d->cmd_pool = VK_NULL_HANDLE;
	d->cmd = VK_NULL_HANDLE;
	d->pool = VK_NULL_HANDLE;
	d->set = VK_NULL_HANDLE;
	d->layout = VK_NULL_HANDLE;
	d->set_layout = VK_NULL_HANDLE;
}

/* Destroys whatever exists (handles left VK_NULL_HANDLE are ignored). */
void gpu_device_fini(gpu_device_t *d)
{
	if (!d->dev)
		return;
	gpu_device_release_work(d);
	d->vk.vkDestroyDevice(d->dev, NULL);
	d->dev = VK_NULL_HANDLE;
}
