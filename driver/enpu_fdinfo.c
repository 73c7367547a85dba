// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * DRM fdinfo (Documentation/gpu/drm-usage-stats.rst): per open file, the device
 * time and cycles of its jobs on the "npu" engine (capacity: the core count),
 * the engine's top clock, and the memory keys. The DRM core prints drm-driver
 * and drm-client-id first. The time grows while a job runs, by its time so far
 * (at most what the hardware has counted of it: never more than it will be
 * charged, so the value never steps back); the cycles when it ends.
 */

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "enpu_drv.h"
#include "enpu_job.h"

/* Device time of @ctx's jobs: those that ended, and those running up to now. */
static u64 enpu_ctx_busy_ns(struct enpu_file *ctx)
{
	struct enpu_device *edev = ctx->edev;
	unsigned long flags;
	unsigned int i;
	u64 busy, now;

	spin_lock_irqsave(&edev->run_lock, flags);
	now = ktime_get_ns();
	busy = atomic64_read(&ctx->busy_ns);
	for (i = 0; i < edev->num_cores; i++) {
		struct enpu_job *job = edev->cores[i].running;

		if (job && job->ctx == ctx)
			busy += min(now - job->started_ns, READ_ONCE(job->busy_ns));
	}
	spin_unlock_irqrestore(&edev->run_lock, flags);
	return busy;
}

void enpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct enpu_file *ctx = file->driver_priv;
	struct enpu_device *edev = ctx->edev;

	drm_printf(p, "drm-engine-npu:\t%llu ns\n", enpu_ctx_busy_ns(ctx));
	drm_printf(p, "drm-engine-capacity-npu:\t%u\n", edev->num_cores);
	drm_printf(p, "drm-cycles-npu:\t%llu\n", (u64)atomic64_read(&ctx->cycles));
	drm_printf(p, "drm-maxfreq-npu:\t%u MHz\n",
		   edev->clock_levels_mhz[edev->num_clock_levels - 1]);
	drm_show_memory_stats(p, file);
}
