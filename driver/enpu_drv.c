// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */

#include <linux/module.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include "enpu_drv.h"

DEFINE_DRM_ACCEL_FOPS(enpu_fops);

static const struct drm_driver enpu_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM,
	.fops = &enpu_fops,
	.name = ENPU_DRIVER_NAME,
	.desc = "enpu edge NPU",
	.major = 1,
	.minor = 0,
};

int enpu_device_probe(struct device *dev)
{
	struct enpu_device *edev;
	int ret;

	edev = devm_drm_dev_alloc(dev, &enpu_drm_driver, struct enpu_device, drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	dev_set_drvdata(dev, edev);

	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the DRM device\n");
	return 0;
}

void enpu_device_remove(struct device *dev)
{
	struct enpu_device *edev = dev_get_drvdata(dev);

	drm_dev_unplug(&edev->drm);
}
