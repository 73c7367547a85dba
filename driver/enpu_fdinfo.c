// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * DRM fdinfo (Documentation/gpu/drm-usage-stats.rst): per open file, the device
 * time and cycles of its jobs on the "npu" engine (capacity: the core count),
 * the engine's top clock, and the memory keys. The DRM core prints drm-driver
 * and drm-client-id first.
 */

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "enpu_drv.h"

void enpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct enpu_file *ctx = file->driver_priv;
	struct enpu_device *edev = ctx->edev;

	drm_printf(p, "drm-engine-npu:\t%llu ns\n", (u64)atomic64_read(&ctx->busy_ns));
	drm_printf(p, "drm-engine-capacity-npu:\t%u\n", edev->num_cores);
	drm_printf(p, "drm-cycles-npu:\t%llu\n", (u64)atomic64_read(&ctx->cycles));
	drm_printf(p, "drm-maxfreq-npu:\t%u MHz\n",
		   edev->clock_levels_mhz[edev->num_clock_levels - 1]);
	drm_show_memory_stats(p, file);
}
