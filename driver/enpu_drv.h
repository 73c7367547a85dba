/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_DRV_H__
#define __ENPU_DRV_H__

#include <drm/drm_device.h>

#define ENPU_DRIVER_NAME	"enpu"

/**
 * struct enpu_device - one NPU instance
 * @drm: the DRM device; its parent is the platform device
 */
struct enpu_device {
	struct drm_device drm;
};

static inline struct enpu_device *to_enpu_device(struct drm_device *drm)
{
	return container_of(drm, struct enpu_device, drm);
}

int enpu_device_probe(struct device *dev);
void enpu_device_remove(struct device *dev);

#endif /* __ENPU_DRV_H__ */
