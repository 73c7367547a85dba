/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * enpu: the ioctl interface of the enpu NPU accel driver (/dev/accel/accelN).
 * Documented field by field in docs/uapi.md. Command-stream descriptors: enpu_cmd.h.
 *
 * Rules: every struct is 64-bit aligned with explicit padding; pointers travel as
 * __u64; every pad/reserved field and unknown flag is rejected with -EINVAL. Shipped
 * fields never change: new features add params, flags or ioctls.
 */
#ifndef __UAPI_DRM_ENPU_ACCEL_H__
#define __UAPI_DRM_ENPU_ACCEL_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define ENPU_API_VERSION_MAJOR	1
#define ENPU_API_VERSION_MINOR	0

#define DRM_ENPU_GET_PARAM	0x00
#define DRM_ENPU_BO_CREATE	0x01
#define DRM_ENPU_BO_USERPTR	0x02
#define DRM_ENPU_BO_INFO	0x03
#define DRM_ENPU_SUBMIT		0x04
#define DRM_ENPU_WAIT		0x05

#define DRM_IOCTL_ENPU_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_GET_PARAM, struct drm_enpu_get_param)
#define DRM_IOCTL_ENPU_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_BO_CREATE, struct drm_enpu_bo_create)
#define DRM_IOCTL_ENPU_BO_USERPTR \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_BO_USERPTR, struct drm_enpu_bo_userptr)
#define DRM_IOCTL_ENPU_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_BO_INFO, struct drm_enpu_bo_info)
#define DRM_IOCTL_ENPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_SUBMIT, struct drm_enpu_submit)
#define DRM_IOCTL_ENPU_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_WAIT, struct drm_enpu_wait)

/* Parameters for DRM_IOCTL_ENPU_GET_PARAM. */
enum drm_enpu_param {
	/* (major << 16) | minor of this header's ABI. */
	DRM_ENPU_PARAM_API_VERSION = 0,
	/* Bitmask of DRM_ENPU_CAP_*. */
	DRM_ENPU_PARAM_CAPABILITIES = 1,
	/* Number of NPU cores. */
	DRM_ENPU_PARAM_NUM_CORES = 2,
	/* Bitmask of supported opcodes: bit n set when ENPU_OP n (enpu_cmd.h) runs. */
	DRM_ENPU_PARAM_OPCODES = 3,
	/* Number of clock levels; index them with CLOCK_LEVEL_MHZ. */
	DRM_ENPU_PARAM_NUM_CLOCK_LEVELS = 4,
	/* Frequency of clock level @index, in MHz (level 0 is the slowest). */
	DRM_ENPU_PARAM_CLOCK_LEVEL_MHZ = 5,
	/* The clock the cores run at now, in MHz. */
	DRM_ENPU_PARAM_CLOCK_MHZ = 6,
	/* INT8 multiply-accumulates per cycle per core. */
	DRM_ENPU_PARAM_MACS_PER_CYCLE_I8 = 7,
	/* FP16 multiply-accumulates per cycle per core. */
	DRM_ENPU_PARAM_MACS_PER_CYCLE_F16 = 8,
	/* Bytes per cycle per core the DMA engine moves. */
	DRM_ENPU_PARAM_DMA_BYTES_PER_CYCLE = 9,
	/* First device address and size of each context's address space. */
	DRM_ENPU_PARAM_VA_START = 10,
	DRM_ENPU_PARAM_VA_SIZE = 11,
	/* Largest buffer object, in bytes. */
	DRM_ENPU_PARAM_MAX_BO_SIZE = 12,
	/* Largest command stream in one submit, in bytes. */
	DRM_ENPU_PARAM_MAX_CMD_SIZE = 13,
	/* Most buffer objects in one submit. */
	DRM_ENPU_PARAM_MAX_SUBMIT_BOS = 14,
	/* Most syncobjs waited on in one submit. */
	DRM_ENPU_PARAM_MAX_SUBMIT_SYNCS = 15,
	/* Job time limit in milliseconds; a job running longer fails with -ETIMEDOUT. */
	DRM_ENPU_PARAM_JOB_TIMEOUT_MS = 16,
	/* How many recent jobs per context DRM_ENPU_WAIT_JOB can still report on. */
	DRM_ENPU_PARAM_JOB_STATUS_WINDOW = 17,
};

#define DRM_ENPU_CAP_USERPTR		0x1ULL	/* BO_USERPTR */
#define DRM_ENPU_CAP_DMABUF_IMPORT	0x2ULL	/* PRIME fd -> handle */
#define DRM_ENPU_CAP_DMABUF_EXPORT	0x4ULL	/* PRIME handle -> fd (not userptr) */
#define DRM_ENPU_CAP_SYNCOBJ		0x8ULL	/* in/out syncobjs on SUBMIT */
#define DRM_ENPU_CAP_PRIORITY		0x10ULL	/* DRM_ENPU_PRIORITY_* */
#define DRM_ENPU_CAP_SIMULATED		0x20ULL	/* the device is the software model */

/**
 * struct drm_enpu_get_param - read one device parameter
 * @param: in, enum drm_enpu_param
 * @index: in, the element for indexed params (CLOCK_LEVEL_MHZ), else 0
 * @value: out
 */
struct drm_enpu_get_param {
	__u32 param;
	__u32 index;
	__u64 value;
};

/**
 * struct drm_enpu_bo_create - allocate a buffer object (shmem-backed)
 * @size: in, bytes, > 0; rounded up to the page size
 * @flags: in, must be 0
 * @handle: out, GEM handle; the BO is mapped into the caller's device address
 *	space (DRM_IOCTL_ENPU_BO_INFO gives the address)
 */
struct drm_enpu_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/* The device only reads the pages: they are pinned without write access. */
#define DRM_ENPU_BO_USERPTR_READONLY	0x1U

/**
 * struct drm_enpu_bo_userptr - pin user memory as a buffer object (zero copy)
 * @user_ptr: in, page aligned address of the memory
 * @size: in, bytes, > 0, page aligned
 * @flags: in, DRM_ENPU_BO_USERPTR_*
 * @handle: out, GEM handle (cannot be mmapped or exported)
 */
struct drm_enpu_bo_userptr {
	__u64 user_ptr;
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_enpu_bo_info - where a buffer object lives
 * @handle: in
 * @flags: in, must be 0
 * @size: out, bytes
 * @mmap_offset: out, offset for mmap() on the device fd; 0 for userptr BOs
 * @dev_addr: out, the BO's device address in the caller's context
 */
struct drm_enpu_bo_info {
	__u32 handle;
	__u32 flags;
	__u64 size;
	__u64 mmap_offset;
	__u64 dev_addr;
};

/* The job reads / writes the BO (implicit sync follows these). */
#define DRM_ENPU_BO_READ	0x1U
#define DRM_ENPU_BO_WRITE	0x2U

/**
 * struct drm_enpu_submit_bo - a buffer object the job may access
 * @handle: GEM handle
 * @flags: DRM_ENPU_BO_READ and/or DRM_ENPU_BO_WRITE (at least one)
 */
struct drm_enpu_submit_bo {
	__u32 handle;
	__u32 flags;
};

/**
 * struct drm_enpu_sync - a syncobj to wait on or to signal
 * @handle: syncobj handle
 * @flags: must be 0
 * @point: timeline point, 0 for binary syncobjs
 */
struct drm_enpu_sync {
	__u32 handle;
	__u32 flags;
	__u64 point;
};

#define DRM_ENPU_CORE_ANY	0xffffffffU

/* The job does not wait for earlier jobs using its BOs (explicit sync through
 * syncobjs only); it still marks them busy for later implicit-sync users.
 */
#define DRM_ENPU_SUBMIT_NO_IMPLICIT_SYNC	0x1U

enum drm_enpu_priority {
	DRM_ENPU_PRIORITY_LOW = 0,
	DRM_ENPU_PRIORITY_NORMAL = 1,
	DRM_ENPU_PRIORITY_HIGH = 2,	/* needs CAP_SYS_NICE */
};

/**
 * struct drm_enpu_submit - queue a job: one command stream and the BOs it touches
 * @bos: in, pointer to @bo_count struct drm_enpu_submit_bo; the job may access only
 *	these BOs, and only as their flags allow (a read of a WRITE-only BO faults
 *	too): anything else faults (-EFAULT)
 * @in_syncs: in, pointer to @in_sync_count struct drm_enpu_sync the job waits for
 * @out_syncs: in, pointer to @out_sync_count struct drm_enpu_sync signalled when the
 *	job ends (the fence carries the job's error, if any)
 * @cmd_offset: in, byte offset of the command stream in @cmd_handle, 8-aligned
 * @cmd_size: in, bytes, > 0, multiple of 8, at most PARAM_MAX_CMD_SIZE
 * @bo_count, @in_sync_count, @out_sync_count: in, element counts
 * @cmd_handle: in, the BO holding the command stream (read at submit time, so the
 *	BO may be reused as soon as the ioctl returns; it need not be in @bos)
 * @core: in, core index or DRM_ENPU_CORE_ANY (the least busy core); a core that
 *	sysfs cores_enabled turned off is -ENODEV
 * @priority: in, enum drm_enpu_priority
 * @flags: in, DRM_ENPU_SUBMIT_*
 * @pad: must be 0
 * @job_id: out, the job's id in this context for DRM_ENPU_WAIT_JOB (starts at 1)
 */
struct drm_enpu_submit {
	__u64 bos;
	__u64 in_syncs;
	__u64 out_syncs;
	__u64 cmd_offset;
	__u64 cmd_size;
	__u32 bo_count;
	__u32 in_sync_count;
	__u32 out_sync_count;
	__u32 cmd_handle;
	__u32 core;
	__u32 priority;
	__u32 flags;
	__u32 pad;
	__u64 job_id;
};

enum drm_enpu_wait_type {
	DRM_ENPU_WAIT_JOB = 0,	/* wait for the job @job_id of this context */
	DRM_ENPU_WAIT_BO = 1,	/* wait until no job uses the BO @handle */
};

/**
 * struct drm_enpu_wait - wait for a job or for a BO to be idle
 * @type: in, enum drm_enpu_wait_type
 * @handle: in, BO handle for DRM_ENPU_WAIT_BO, else 0
 * @job_id: in, for DRM_ENPU_WAIT_JOB, else 0
 * @timeout_ns: in, absolute CLOCK_MONOTONIC time in ns; the ioctl fails with
 *	-ETIME once it passes (0: poll). Restartable after a signal.
 * @status: out, for DRM_ENPU_WAIT_JOB: 0 if the job succeeded, else its negative
 *	errno (-EFAULT: memory fault, -ETIMEDOUT: hang, -ECANCELED: cancelled, ...)
 * @pad: must be 0
 */
struct drm_enpu_wait {
	__u32 type;
	__u32 handle;
	__u64 job_id;
	__s64 timeout_ns;
	__s32 status;
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_DRM_ENPU_ACCEL_H__ */
