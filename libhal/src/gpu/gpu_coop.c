/* SPDX-License-Identifier: MIT */
/* GPU backend: whether a device runs the cooperative-matrix GEMMs
 * (gemm_coop.comp, gemm_f16_coop.comp): VK_NV_cooperative_matrix with the
 * int8 16x8x32 (int32 accumulators) and fp16 16x8x16 (fp32 accumulators)
 * subgroup shapes, 8- and 16-bit storage buffers, int8 and fp16 shader
 * arithmetic, and 32-wide subgroups; and the device-creation chain that
 * enables all of it. Lavapipe and most non-NVIDIA drivers have none of it:
 * there the tiled shaders run. */
#include <string.h>

#include "gpu.h"

static bool has_shape(const VkCooperativeMatrixPropertiesNV *p, uint32_t n, uint32_t m_,
		      uint32_t n_, uint32_t k_, VkComponentTypeNV ab, VkComponentTypeNV cd)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i].MSize == m_ && p[i].NSize == n_ && p[i].KSize == k_ && p[i].AType == ab &&
		    p[i].BType == ab && p[i].CType == cd && p[i].DType == cd &&
		    p[i].scope == VK_SCOPE_SUBGROUP_NV)
			return true;
	return false;
}

static const char *const extensions[] = {
	VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME,
	VK_KHR_8BIT_STORAGE_EXTENSION_NAME, VK_KHR_16BIT_STORAGE_EXTENSION_NAME,
	VK_KHR_STORAGE_BUFFER_STORAGE_CLASS_EXTENSION_NAME,
};
#define N_EXTENSIONS (sizeof(extensions) / sizeof(extensions[0]))
_Static_assert(N_EXTENSIONS == GPU_COOP_EXTENSIONS, "gpu.h: GPU_COOP_EXTENSIONS");

/* The feature chain, filled by the query and passed back to vkCreateDevice. */
static void chain(gpu_coop_features_t *f)
{
	memset(f, 0, sizeof(*f));
	f->coop.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV;
	f->f16i8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES_KHR;
	f->s8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES_KHR;
	f->s16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
	f->coop.pNext = &f->f16i8;
	f->f16i8.pNext = &f->s8;
	f->s8.pNext = &f->s16;
}

bool gpu_coop_probe(const gpu_vk_t *vk, VkPhysicalDevice phys, gpu_coop_features_t *f)
{
	PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV props_fn = vk->coop_props;
	VkCooperativeMatrixPropertiesNV props[64];
	VkPhysicalDeviceSubgroupProperties sub = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 p2 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
					   .pNext = &sub };
	VkPhysicalDeviceFeatures2 f2 = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2 };
	uint32_t n = 64;

	for (size_t i = 0; i < N_EXTENSIONS; i++)
		if (!gpu_vk_has_extension(vk, phys, extensions[i]))
			return false;
	if (!props_fn)
		return false;
	for (uint32_t i = 0; i < n; i++)
		props[i].sType = VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV, props[i].pNext = NULL;
	if (props_fn(phys, &n, props) < 0)
		return false;
	vk->vkGetPhysicalDeviceProperties2(phys, &p2);
	chain(f);
	f2.pNext = &f->coop;
	vk->vkGetPhysicalDeviceFeatures2(phys, &f2);
	return sub.subgroupSize == 32 && (sub.supportedOperations & VK_SUBGROUP_FEATURE_BASIC_BIT) &&
	       f->coop.cooperativeMatrix && f->f16i8.shaderFloat16 && f->f16i8.shaderInt8 &&
	       f->s8.storageBuffer8BitAccess && f->s16.storageBuffer16BitAccess &&
	       has_shape(props, n, 16, 8, 32, VK_COMPONENT_TYPE_SINT8_NV,
			 VK_COMPONENT_TYPE_SINT32_NV) &&
	       has_shape(props, n, 16, 8, 16, VK_COMPONENT_TYPE_FLOAT16_NV,
			 VK_COMPONENT_TYPE_FLOAT32_NV);
}

void gpu_coop_enable(gpu_coop_features_t *f, VkDeviceCreateInfo *ci, const char **ext,
		     uint32_t *n)
{
	chain(f);	/* only what the shaders use; the probe saw all of it */
	f->coop.cooperativeMatrix = VK_TRUE;
	f->f16i8.shaderInt8 = VK_TRUE;
	f->f16i8.shaderFloat16 = VK_TRUE;
	f->s8.storageBuffer8BitAccess = VK_TRUE;
	f->s16.storageBuffer16BitAccess = VK_TRUE;
	ci->pNext = &f->coop;
	for (size_t i = 0; i < N_EXTENSIONS; i++)
		ext[(*n)++] = extensions[i];
}
