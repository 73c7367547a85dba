/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_JOB_H__
#define __ENPU_JOB_H__

#include <linux/dma-fence.h>
#include <drm/gpu_scheduler.h>

struct enpu_core;
struct enpu_file;
struct enpu_mmu_map;

/* Most BOs and syncobjs in one submit. */
#define ENPU_MAX_SUBMIT_BOS	256
#define ENPU_MAX_SUBMIT_SYNCS	64
/* DRM_ENPU_WAIT_JOB can report on this many recent jobs per context. */
#define ENPU_JOB_STATUS_WINDOW	4096

/**
 * struct enpu_job - one submitted command stream
 * @base: the scheduler job
 * @ctx: the submitting context (referenced)
 * @id: the job's id in its context
 * @pid: the submitting process (thread group id)
 * @core: the core it runs on, once the scheduler picked it
 * @bos: the BOs the job may access (referenced)
 * @bo_count: entries in @bos
 * @map: the job's device address translation
 * @cmds: the command stream, copied at submit
 * @cmd_size: bytes in @cmds
 * @hw_fence: signalled by the core when the job ends
 * @cycles: device cycles the job took (set by the hardware); while it runs,
 *	at least those counted so far
 * @mhz: the clock the job runs at, and @slow: how many times slower the sim's
 *	injected slowdown makes it: together the rate of its cycle count over its
 *	time (0 until it starts), which fdinfo counts its running cycles at
 * @busy_ns: device time the job took; while it runs, a bound the hardware
 *	keeps of its time so far (the sim: the modelled time up to the descriptor
 *	it is on), which fdinfo counts up to; while it runs, @cycles, @mhz, @slow
 *	and @busy_ns change under the device's run_lock
 * @bytes_read: bytes it read
 * @bytes_written: bytes it wrote
 */
struct enpu_job {
	struct drm_sched_job base;
	struct enpu_file *ctx;
	u64 id;
	u32 pid;
	struct enpu_core *core;
	struct drm_gem_object **bos;
	u32 bo_count;
	struct enpu_mmu_map *map;
	void *cmds;
	u32 cmd_size;
	struct dma_fence *hw_fence;
	u64 cycles;
	u32 mhz;
	u32 slow;
	u64 busy_ns;
	u64 bytes_read;
	u64 bytes_written;
	u64 queued_ns;		/* ktime_get_ns() at submit and at run, for */
	u64 started_ns;		/* enpu_job_done's wait_ns and run_ns */
};

int enpu_job_sched_init(struct enpu_core *core);
void enpu_job_sched_fini(struct enpu_core *core);
void enpu_job_ctx_fini(struct enpu_file *ctx);
void enpu_job_hw_done(struct enpu_job *job, int status);

int enpu_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int enpu_wait_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __ENPU_JOB_H__ */
