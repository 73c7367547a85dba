/* SPDX-License-Identifier: MIT */
/* GPU backend: IEEE infinities, NaN and signed zeros in the shaders' fp32
 * arithmetic. Every shader declares the SignedZeroInfNanPreserve execution
 * mode for 32-bit floats (common.glsl, SPV_KHR_float_controls); without it
 * Vulkan lets a compiler assume finite values (NVIDIA's turned a clamp into
 * a max that dropped NaN). Where the device does not offer the mode
 * (VK_KHR_shader_float_controls, shaderSignedZeroInfNanPreserveFloat32) the
 * pipelines get the SPIR-V without it, and non-finite results are the
 * driver's (docs/numerics.md). */
#include <string.h>

#include "gpu.h"

/* SPIR-V: opcodes, the capability and the execution mode */
#define OP_EXTENSION 10
#define OP_EXECUTION_MODE 16
#define OP_CAPABILITY 17
#define CAP_PRESERVE 4466	/* SignedZeroInfNanPreserve */
#define MODE_PRESERVE 4461	/* SignedZeroInfNanPreserve */
#define HEADER_WORDS 5
#define EXTENSION "SPV_KHR_float_controls"

bool gpu_float_controls_probe(const gpu_vk_t *vk, VkPhysicalDevice phys)
{
	VkPhysicalDeviceFloatControlsPropertiesKHR fc = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FLOAT_CONTROLS_PROPERTIES_KHR,
	};
	VkPhysicalDeviceProperties2 p = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
					  .pNext = &fc };

	if (!gpu_vk_has_extension(vk, phys, VK_KHR_SHADER_FLOAT_CONTROLS_EXTENSION_NAME))
		return false;
	vk->vkGetPhysicalDeviceProperties2(phys, &p);
	return fc.shaderSignedZeroInfNanPreserveFloat32;
}

void gpu_float_controls_enable(VkDeviceCreateInfo *ci, const char **ext)
{
	ext[ci->enabledExtensionCount++] = VK_KHR_SHADER_FLOAT_CONTROLS_EXTENSION_NAME;
}

/* Whether instruction w (n words) is one of the mode's three. */
static bool of_mode(const uint32_t *w, size_t n)
{
	uint32_t op = w[0] & 0xffff;

	if (op == OP_CAPABILITY)
		return n == 2 && w[1] == CAP_PRESERVE;
	if (op == OP_EXECUTION_MODE)
		return n >= 3 && w[2] == MODE_PRESERVE;
	/* the literal string, nul-terminated and padded to whole words */
	return op == OP_EXTENSION && (n - 1) * 4 > strlen(EXTENSION) &&
	       !strncmp((const char *)(w + 1), EXTENSION, (n - 1) * 4);
}

size_t gpu_float_controls_strip(const uint32_t *code, size_t words, uint32_t *out)
{
	size_t kept = HEADER_WORDS;

	if (words < HEADER_WORDS)
		return 0;
	memcpy(out, code, HEADER_WORDS * sizeof(*code));
	for (size_t i = HEADER_WORDS; i < words;) {
		size_t n = code[i] >> 16;

		if (!n || n > words - i)
			return 0;
		if (!of_mode(code + i, n)) {
			memcpy(out + kept, code + i, n * sizeof(*code));
			kept += n;
		}
		i += n;
	}
	return kept;
}
