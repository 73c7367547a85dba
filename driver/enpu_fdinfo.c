// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * DRM fdinfo (Documentation/gpu/drm-usage-stats.rst): per open file, the device
 * time and cycles of its jobs on the "npu" engine (capacity: the core count),
 * the engine's top clock, and the memory keys. The DRM core prints drm-driver
 * and drm-client-id first. Both grow while a job runs, by its time so far (at
 * most what the hardware has counted of it: never more than it will be
 * charged, so the value never steps back) and that time's cycles at its clock.
 */

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "enpu_drv.h"
#include "enpu_job.h"

/*
 * Cycles of @ns of @job's time so far: at its clock and slowdown, as a reset
 * charges an aborted job, and at most the count the hardware keeps (which is
 * what an ending job is charged, at least this).
 */
static u64 enpu_job_cycles_in(struct enpu_job *job, u64 ns)
{
	u64 cycles = mul_u64_u32_div(ns, job->mhz, 1000);

	return min(div_u64(cycles, max(job->slow, 1U)), job->cycles);
}

/* Device time and cycles of @ctx's jobs: those that ended, and those running up to now. */
static void enpu_ctx_busy(struct enpu_file *ctx, u64 *busy, u64 *cycles)
{
	struct enpu_device *edev = ctx->edev;
	unsigned long flags;
	unsigned int i;
	u64 now;

	spin_lock_irqsave(&edev->run_lock, flags);
	now = ktime_get_ns();
	*busy = atomic64_read(&ctx->busy_ns);
	*cycles = atomic64_read(&ctx->cycles);
	for (i = 0; i < edev->num_cores; i++) {
		struct enpu_job *job = edev->cores[i].running;
		u64 ns;

		if (!job || job->ctx != ctx)
			continue;
		ns = min(now - job->started_ns, job->busy_ns);
		*busy += ns;
		*cycles += enpu_job_cycles_in(job, ns);
	}
	spin_unlock_irqrestore(&edev->run_lock, flags);
}

void enpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct enpu_file *ctx = file->driver_priv;
	struct enpu_device *edev = ctx->edev;
	u64 busy, cycles;

	enpu_ctx_busy(ctx, &busy, &cycles);
	drm_printf(p, "drm-engine-npu:\t%llu ns\n", busy);
	drm_printf(p, "drm-engine-capacity-npu:\t%u\n", edev->num_cores);
	drm_printf(p, "drm-cycles-npu:\t%llu\n", cycles);
	drm_printf(p, "drm-maxfreq-npu:\t%u MHz\n",
		   edev->clock_levels_mhz[edev->num_clock_levels - 1]);
	drm_show_memory_stats(p, file);
}
