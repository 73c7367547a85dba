/* SPDX-License-Identifier: MIT */
/* GPU backend: libvulkan loaded at run time (once, kept for the process),
 * instances and the usable physical devices. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static PFN_vkGetInstanceProcAddr get_proc;
/*
 * One instance kept for the life of the process: while an instance exists the
 * loader keeps the drivers loaded. Without it every context would load and
 * unload them, and NVIDIA's (libnvidia-tls, static TLS) fails to load again
 * after a few rounds ("cannot allocate memory in static TLS block").
 */
static VkInstance keeper;

static const VkApplicationInfo app = {
	.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
	.pEngineName = "enpu",
	.apiVersion = VK_API_VERSION_1_1,
};

static bool create_instance(VkInstance *out)
{
	VkInstanceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	PFN_vkCreateInstance create = (PFN_vkCreateInstance)get_proc(NULL, "vkCreateInstance");

	return create && create(&ci, NULL, out) == VK_SUCCESS;
}

static void load(void)
{
	void *lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);

	if (lib)
		get_proc = (PFN_vkGetInstanceProcAddr)(uintptr_t)dlsym(lib, "vkGetInstanceProcAddr");
	if (get_proc)	/* without drivers, nothing to keep loaded */
		create_instance(&keeper);
}

bool gpu_vk_open(gpu_vk_t *vk)
{
	memset(vk, 0, sizeof(*vk));
	pthread_once(&load_once, load);
	if (!get_proc || !create_instance(&vk->instance))
		return false;
#define GPU_VK_LOAD(f) vk->f = (PFN_##f)get_proc(vk->instance, #f); ok = ok && vk->f;
	bool ok = true;
	GPU_VK_FUNCS(GPU_VK_LOAD)
#undef GPU_VK_LOAD
	vk->coop_props = (PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV)get_proc(
		vk->instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV");
	vk->host_ptr_props = (PFN_vkGetMemoryHostPointerPropertiesEXT)get_proc(
		vk->instance, "vkGetMemoryHostPointerPropertiesEXT");
	if (!ok) {
		if (vk->vkDestroyInstance)
			vk->vkDestroyInstance(vk->instance, NULL);
		return false;
	}
	return true;
}

void gpu_vk_close(gpu_vk_t *vk)
{
	vk->vkDestroyInstance(vk->instance, NULL);
}

bool gpu_vk_has_extension(const gpu_vk_t *vk, VkPhysicalDevice phys, const char *name)
{
	VkExtensionProperties *ext = NULL;
	uint32_t n = 0;
	bool found = false;

	/* count, then fill (VK_INCOMPLETE: more came meanwhile, the first n do) */
	if (vk->vkEnumerateDeviceExtensionProperties(phys, NULL, &n, NULL) < 0 || !n)
		return false;
	ext = malloc(n * sizeof(*ext));
	if (ext && vk->vkEnumerateDeviceExtensionProperties(phys, NULL, &n, ext) >= 0)
		for (uint32_t i = 0; i < n && !found; i++)
			found = !strcmp(ext[i].extensionName, name);
	free(ext);
	return found;
}

/* A compute queue family of phys, or false; shaderInt64 is required. */
static bool usable(const gpu_vk_t *vk, VkPhysicalDevice phys, uint32_t *family)
{
	VkQueueFamilyProperties props[16];
	uint32_t n = 16;
	VkPhysicalDeviceFeatures f;

	vk->vkGetPhysicalDeviceFeatures(phys, &f);
	if (!f.shaderInt64)
		return false;
	vk->vkGetPhysicalDeviceQueueFamilyProperties(phys, &n, props);
	for (uint32_t i = 0; i < n; i++) {
		if (props[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
			*family = i;
			return true;
		}
	}
	return false;
}

size_t gpu_vk_devices(const gpu_vk_t *vk, gpu_phys_t *out, size_t cap)
{
	VkPhysicalDevice phys[GPU_MAX_DEVICES];
	uint32_t n = GPU_MAX_DEVICES;
	size_t count = 0;

	if (vk->vkEnumeratePhysicalDevices(vk->instance, &n, phys) < 0)
		return 0;
	for (uint32_t i = 0; i < n && count < cap; i++) {
		if (usable(vk, phys[i], &out[count].queue_family))
			out[count++].handle = phys[i];
	}
	return count;
}

void gpu_vk_fill_info(const gpu_vk_t *vk, const gpu_phys_t *phys, size_t index,
		      enpu_device_info_t *i)
{
	VkPhysicalDeviceDriverProperties drv = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 p = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 };
	VkPhysicalDeviceMemoryProperties m;
	uint64_t heaps = 0;

	vk->vkGetPhysicalDeviceProperties(phys->handle, &p.properties);
	/* the instance is Vulkan 1.1: the 1.2 struct through its extension */
	if (gpu_vk_has_extension(vk, phys->handle, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME)) {
		p.pNext = &drv;
		vk->vkGetPhysicalDeviceProperties2(phys->handle, &p);
	} else {
		snprintf(drv.driverInfo, sizeof(drv.driverInfo), "driver %u.%u.%u",
			 VK_API_VERSION_MAJOR(p.properties.driverVersion),
			 VK_API_VERSION_MINOR(p.properties.driverVersion),
			 VK_API_VERSION_PATCH(p.properties.driverVersion));
	}
	vk->vkGetPhysicalDeviceMemoryProperties(phys->handle, &m);
	for (uint32_t h = 0; h < m.memoryHeapCount; h++)
		heaps += m.memoryHeaps[h].size;
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "gpu%zu", index);
	gpu_coop_features_t coop;
	snprintf(i->description, sizeof(i->description), "Vulkan %.36s, %.20s %.20s%s",
		 p.properties.deviceName, drv.driverName, drv.driverInfo,
		 gpu_coop_probe(vk, phys->handle, &coop) ? ", coopmat" : "");
	i->type = ENPU_DEVICE_GPU;
	i->op_mask = (1u << ENPU_OP_KIND_COUNT) - 1;
	i->dtype_mask = 1u << ENPU_DTYPE_INT8 | 1u << ENPU_DTYPE_INT32 | 1u << ENPU_DTYPE_FP16 |
			1u << ENPU_DTYPE_FP32;
	i->memory_bytes = heaps;	/* core count and peak ops: unknown (0) */
}
