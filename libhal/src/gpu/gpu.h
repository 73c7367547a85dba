/* SPDX-License-Identifier: MIT */
/* Internal: the GPU backend, Vulkan compute (any physical device with a
 * compute queue and shaderInt64, lavapipe included). libvulkan is loaded at
 * run time, so libenpu carries no link dependency on it. Buffers are host
 * memory (the host buffer helpers); each op runs on the device's in-order
 * queue (host_queue) as one compute dispatch. Where the device imports host
 * memory (VK_EXT_external_memory_host, gpu_import.c) the shaders use the
 * tensors' buffers in place, or (discrete GPUs) the GPU copies them to and
 * from its own memory; otherwise they are copied through a host-visible
 * scratch buffer. */
#ifndef ENPU_GPU_H
#define ENPU_GPU_H

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <stdatomic.h>

#include "../backend.h"
#include "../host_queue.h"

#define GPU_MAX_DEVICES 16

/* The Vulkan entry points used, as X(name). */
#define GPU_VK_FUNCS(X)                                                                    \
	X(vkDestroyInstance) X(vkEnumeratePhysicalDevices) X(vkGetPhysicalDeviceProperties) \
	X(vkGetPhysicalDeviceProperties2) X(vkGetPhysicalDeviceFeatures2)                   \
	X(vkEnumerateDeviceExtensionProperties)                                             \
	X(vkGetPhysicalDeviceQueueFamilyProperties) X(vkGetPhysicalDeviceFeatures)         \
	X(vkGetPhysicalDeviceMemoryProperties) X(vkCreateDevice) X(vkDestroyDevice)        \
	X(vkGetDeviceQueue) X(vkCreateBuffer) X(vkDestroyBuffer)                           \
	X(vkGetBufferMemoryRequirements) X(vkAllocateMemory) X(vkFreeMemory)               \
	X(vkBindBufferMemory) X(vkMapMemory) X(vkCreateShaderModule)                       \
	X(vkDestroyShaderModule) X(vkCreateDescriptorSetLayout)                            \
	X(vkDestroyDescriptorSetLayout) X(vkCreatePipelineLayout)                          \
	X(vkDestroyPipelineLayout) X(vkCreateComputePipelines) X(vkDestroyPipeline)        \
	X(vkCreateDescriptorPool) X(vkDestroyDescriptorPool) X(vkAllocateDescriptorSets)   \
	X(vkUpdateDescriptorSets) X(vkCreateCommandPool) X(vkDestroyCommandPool)           \
	X(vkAllocateCommandBuffers) X(vkBeginCommandBuffer) X(vkEndCommandBuffer)          \
	X(vkResetCommandBuffer) X(vkCmdBindPipeline) X(vkCmdBindDescriptorSets)            \
	X(vkCmdPushConstants) X(vkCmdDispatch) X(vkCreateFence) X(vkDestroyFence)          \
	X(vkResetFences) X(vkWaitForFences) X(vkQueueSubmit) X(vkCmdCopyBuffer)            \
	X(vkCmdPipelineBarrier) X(vkCmdWriteTimestamp) X(vkCmdResetQueryPool)              \
	X(vkCreateQueryPool) X(vkDestroyQueryPool) X(vkGetQueryPoolResults)

/* An instance and its entry points. */
typedef struct gpu_vk {
	VkInstance instance;
	/* optional (VK_NV_cooperative_matrix), NULL when the driver lacks it */
	PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV coop_props;
	/* optional (VK_EXT_external_memory_host) */
	PFN_vkGetMemoryHostPointerPropertiesEXT host_ptr_props;
#define GPU_VK_MEMBER(f) PFN_##f f;
	GPU_VK_FUNCS(GPU_VK_MEMBER)
#undef GPU_VK_MEMBER
} gpu_vk_t;

/* A usable physical device: its compute queue family. */
typedef struct gpu_phys {
	VkPhysicalDevice handle;
	uint32_t queue_family;
} gpu_phys_t;

/* The features the cooperative-matrix shaders need, as a pNext chain. */
typedef struct gpu_coop_features {
	VkPhysicalDeviceCooperativeMatrixFeaturesNV coop;
	VkPhysicalDeviceShaderFloat16Int8FeaturesKHR f16i8;
	VkPhysicalDevice8BitStorageFeaturesKHR s8;
	VkPhysicalDevice16BitStorageFeatures s16;
} gpu_coop_features_t;

/* Whether phys offers the device extension name. */
bool gpu_vk_has_extension(const gpu_vk_t *vk, VkPhysicalDevice phys, const char *name);
/* Whether phys runs the cooperative-matrix GEMMs (fills f with its features). */
bool gpu_coop_probe(const gpu_vk_t *vk, VkPhysicalDevice phys, gpu_coop_features_t *f);
/* Chains f into ci (pNext) and appends the extensions to ext[*n] (room for
 * GPU_COOP_EXTENSIONS): after a successful probe only. */
#define GPU_COOP_EXTENSIONS 5
void gpu_coop_enable(gpu_coop_features_t *f, VkDeviceCreateInfo *ci, const char **ext,
		     uint32_t *n);
/* Whether phys keeps infinities, NaN and signed zeros in fp32 shader
 * arithmetic when asked (gpu_float_controls.c). */
bool gpu_float_controls_probe(const gpu_vk_t *vk, VkPhysicalDevice phys);
/* Appends the extension to ext (ci->enabledExtensionCount): after a
 * successful probe only. */
void gpu_float_controls_enable(VkDeviceCreateInfo *ci, const char **ext);
/* Copies the SPIR-V module code (words long) to out (as long) without the
 * SignedZeroInfNanPreserve capability, extension and execution modes;
 * returns the words written, 0 for a malformed module. */
size_t gpu_float_controls_strip(const uint32_t *code, size_t words, uint32_t *out);
/* The extensions create_device may enable: coop, host import, integer dot,
 * float controls. */
#define GPU_MAX_EXTENSIONS (GPU_COOP_EXTENSIONS + 3)

/* Creates an instance (false when libvulkan or any instance is missing). */
bool gpu_vk_open(gpu_vk_t *vk);
void gpu_vk_close(gpu_vk_t *vk);
/* The usable physical devices, in Vulkan's order; returns how many (<= cap). */
size_t gpu_vk_devices(const gpu_vk_t *vk, gpu_phys_t *out, size_t cap);
void gpu_vk_fill_info(const gpu_vk_t *vk, const gpu_phys_t *phys, size_t index,
		      enpu_device_info_t *info);

/* The compute pipelines, one per shader. The *_TILED GEMMs compute 64x64
 * output tiles per workgroup of 256 (shared-memory blocking, 4x4 outputs per
 * invocation); they need K and N to be multiples of 4. */
/* The *_COOP GEMMs (cooperative matrices, gpu_coop.c) exist only where
 * gpu_device_t.coop; they compute square tiles of GPU_COOP_TILE_I8 (staged in
 * shared memory, 256 invocations) and GPU_COOP_TILE_F16 (128 invocations)
 * and need M and N multiples of the tile and K of 32. */
/* GPU_PIPE_GEMM_TILED_DOT and GPU_PIPE_CONV_TILED_DOT, GEMM_TILED and
 * CONV_TILED with packed 4x8-bit dot products, exist only where
 * gpu_device_t.int_dot. */
enum { GPU_PIPE_GEMM, GPU_PIPE_CONV, GPU_PIPE_POOL, GPU_PIPE_ELTWISE, GPU_PIPE_GEMM_F16,
       GPU_PIPE_CONV_F16, GPU_PIPE_CAST, GPU_PIPE_GEMM_TILED, GPU_PIPE_GEMM_F16_TILED,
       GPU_PIPE_GEMM_TILED_DOT, GPU_PIPE_CONV_TILED, GPU_PIPE_CONV_TILED_DOT,
       GPU_PIPE_CONV_F16_TILED, GPU_PIPE_GEMM_COOP, GPU_PIPE_GEMM_F16_COOP, GPU_PIPE_COUNT };
#define GPU_PIPE_FIRST_COOP GPU_PIPE_GEMM_COOP
#define GPU_TILE 64
#define GPU_COOP_TILE_I8 128
#define GPU_COOP_TILE_F16 64

/* Push constants: the first word of each section in its binding (binding 0
 * is an array of GPU_SECTIONS storage buffers, one per section), output
 * count, bias flag, parameters. */
enum { GPU_P_IN0, GPU_P_IN1, GPU_P_BIAS, GPU_P_MULT, GPU_P_SHIFT, GPU_P_OUT, GPU_P_COUNT,
       GPU_P_HAS_BIAS, GPU_P_ARGS, GPU_P_WORDS = 32 };
#define GPU_SECTIONS (GPU_P_OUT + 1)

typedef struct gpu_device {
	gpu_vk_t vk;
	gpu_phys_t phys;
	VkDevice dev;
	VkQueue queue;
	atomic_int refs;            /* the open device, and one per import */
	uint32_t mem_type;          /* host-visible, host-coherent */
	uint32_t local_type;        /* device-local, when mem_type is not */
	bool staged;                /* shaders use the work buffer, a device-local copy */
	bool coop;                  /* the cooperative-matrix GEMMs run here */
	gpu_coop_features_t coop_features;
	bool float_controls;        /* the shaders keep their SignedZeroInfNanPreserve */
	bool int_dot;               /* VK_KHR_shader_integer_dot_product: GEMM_TILED_DOT */
	VkPhysicalDeviceShaderIntegerDotProductFeaturesKHR int_dot_feature;
	bool host_import;           /* VK_EXT_external_memory_host is enabled */
	VkDeviceSize import_align;  /* minImportedHostPointerAlignment */
	VkDeviceSize offset_align;  /* minStorageBufferOffsetAlignment */
	/* tensor bytes that ops copied through the scratch buffer, and that the
	 * device used from their own buffers (imports), since open */
	uint64_t copied_bytes, imported_bytes;
	VkDeviceSize max_range;     /* maxStorageBufferRange */
	uint32_t max_groups[2];     /* maxComputeWorkGroupCount[0..1] */
	uint32_t coherent_types;    /* memory types that are host-coherent (bits) */
	VkDescriptorSetLayout set_layout;
	VkPipelineLayout layout;
	VkPipeline pipes[GPU_PIPE_COUNT];
	VkDescriptorPool pool;
	VkDescriptorSet set;
	VkCommandPool cmd_pool;
	VkCommandBuffer cmd;
	VkFence fence;
	/* Scratch buffer, grown on demand (queue thread only). */
	VkBuffer scratch;
	VkDeviceMemory scratch_mem;
	uint32_t *scratch_map;
	VkDeviceSize scratch_size;
	VkBuffer work;
	VkDeviceMemory work_mem;
	/* Timestamps around each dispatch (when the queue has them). */
	VkQueryPool timestamps;
	double ns_per_tick;
	uint64_t tick_mask;
	uint64_t kernel_ns;         /* since the last gpu_take_kernel_ns */
	enpu_host_queue_t *hq;
} gpu_device_t;

/* Device objects: logical device, pipelines, command buffer, fence. */
enpu_status_t gpu_device_init(gpu_device_t *d);
/* The embedded SPIR-V of pipeline pipe (GPU_PIPE_*); *words: its length. */
const uint32_t *gpu_shader_spirv(int pipe, size_t *words);
/* Creates pipeline pipe from its SPIR-V, without the float-controls mode
 * unless preserve (gpu_device_init passes d->float_controls). */
enpu_status_t gpu_pipeline_create(gpu_device_t *d, int pipe, bool preserve, VkPipeline *out);
void gpu_device_fini(gpu_device_t *d);
/* Frees what only the queue uses (pipelines, commands, scratch and work
 * buffers), keeping the Vulkan device for the imports that outlive the
 * queue. */
void gpu_device_release_work(gpu_device_t *d);
/* Drops a reference; the last one frees the device (gpu_backend.c). */
void gpu_device_unref(gpu_device_t *d);
/* A failed Vulkan call as a status: RESOURCE_EXHAUSTED for out of memory,
 * DEVICE_ERROR otherwise. */
enpu_status_t gpu_vk_error(const char *what, VkResult r);
/* Frees the scratch and work buffers. */
void gpu_scratch_free(gpu_device_t *d);
/* Makes the scratch buffer at least words long. */
enpu_status_t gpu_scratch_reserve(gpu_device_t *d, size_t words);
/* Where a section's data is: an imported buffer, or (buf VK_NULL_HANDLE) the
 * scratch buffer at word p[section]. */
typedef struct gpu_binding {
	VkBuffer buf;
	VkDeviceSize off;           /* the section's first byte in buf */
	VkDeviceSize buf_size;      /* buf's size */
	size_t bytes;               /* 0: the op has no such section */
} gpu_binding_t;

/* The descriptor range of an imported section on a device whose shaders
 * use it in place: from offset_align below its first byte to the 16 bytes
 * past its last (the shaders' widest load), within the buffer. */
void gpu_binding_range(const gpu_device_t *d, const gpu_binding_t *b, VkDeviceSize *at,
		       VkDeviceSize *range);

/* Finds (or makes) the import of the buffer holding tensor t and fills b
 * with it (b->bytes set by the caller); false when the tensor must be
 * copied instead: no host import on this device, the import failed, or
 * (shaders on host memory) t does not start on 16 bytes, an output (out)
 * does not end on a whole word, or its range is more than one storage
 * buffer. */
bool gpu_import_tensor(gpu_device_t *d, const enpu_tensor_t *t, bool out, gpu_binding_t *b);

/* One dispatch of a pipeline. */
typedef struct gpu_launch {
	int pipe;
	int32_t *p;                 /* push constants, GPU_P_WORDS (updated) */
	uint32_t groups_x, groups_y;
	gpu_binding_t bind[GPU_SECTIONS];
} gpu_launch_t;

/* Runs l and waits. Shaders on host memory bind imported sections in place;
 * staged devices copy every input section into the work buffer (laid out as
 * the scratch buffer, p[]) and the output back, from and to imports
 * directly. */
enpu_status_t gpu_launch(gpu_device_t *d, const gpu_launch_t *l);
/* The workgroups for one invocation per item, 64 per group (x, then y);
 * false when they exceed the device's limits. */
bool gpu_groups_1d(const gpu_device_t *d, size_t items, uint32_t *gx, uint32_t *gy);
/* Whether a dispatch of x by y workgroups is within the device's limits. */
bool gpu_groups_fit(const gpu_device_t *d, uint64_t x, uint64_t y);
/* The kernel time of the dispatches since the last call (host-queue timer). */
bool gpu_take_kernel_ns(void *ctx, uint64_t *ns);

/* Runs one op (the host queue's exec callback; ctx: gpu_device_t). */
enpu_status_t gpu_exec(void *ctx, const enpu_op_t *op);

#endif
