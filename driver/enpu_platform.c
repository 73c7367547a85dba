// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */

#include <linux/err.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/of.h>
#include <linux/platform_device.h>

#include "enpu_drv.h"
#include "enpu_pm.h"

#define ENPU_SIM_DEVICES_MAX	8

static unsigned int sim_devices;
module_param(sim_devices, uint, 0444);
MODULE_PARM_DESC(sim_devices,
		 "Number of simulated NPUs to create on machines without a DT node (0-8, default 0)");

static struct platform_device *enpu_sim_pdevs[ENPU_SIM_DEVICES_MAX];

static int enpu_platform_probe(struct platform_device *pdev)
{
	return enpu_device_probe(&pdev->dev);
}

static void enpu_platform_remove(struct platform_device *pdev)
{
	enpu_device_remove(&pdev->dev);
}

/*
 * DT nodes (dts/bindings/enpu,npu.yaml). There is no silicon backend yet: every
 * node is driven by the sim, with the node's clocks, resets, supply, power
 * domain and IOMMU handled through the kernel's standard APIs.
 */
static const struct of_device_id enpu_of_match[] = {
	{ .compatible = "enpu,npu" },
	{ .compatible = "enpu,npu-sim" },
	{ }
};
MODULE_DEVICE_TABLE(of, enpu_of_match);

static const struct platform_device_id enpu_platform_ids[] = {
	{ .name = "enpu-sim" },
	{ }
};
MODULE_DEVICE_TABLE(platform, enpu_platform_ids);

static struct platform_driver enpu_platform_driver = {
	.probe = enpu_platform_probe,
	.remove = enpu_platform_remove,
	.id_table = enpu_platform_ids,
	.driver = {
		.name = ENPU_DRIVER_NAME,
		.of_match_table = enpu_of_match,
		.dev_groups = enpu_dev_groups,
		.pm = &enpu_pm_ops,
	},
};

static void enpu_sim_devices_destroy(void)
{
	int i;

	for (i = ENPU_SIM_DEVICES_MAX - 1; i >= 0; i--) {
		if (enpu_sim_pdevs[i])
			platform_device_unregister(enpu_sim_pdevs[i]);
		enpu_sim_pdevs[i] = NULL;
	}
}

static int enpu_sim_devices_create(void)
{
	unsigned int i;

	if (sim_devices > ENPU_SIM_DEVICES_MAX) {
		pr_err("enpu: sim_devices=%u is above the limit of %d\n",
		       sim_devices, ENPU_SIM_DEVICES_MAX);
		return -EINVAL;
	}
	for (i = 0; i < sim_devices; i++) {
		struct platform_device *pdev;

		pdev = platform_device_register_simple("enpu-sim", i, NULL, 0);
		if (IS_ERR(pdev)) {
			enpu_sim_devices_destroy();
			return PTR_ERR(pdev);
		}
		enpu_sim_pdevs[i] = pdev;
	}
	return 0;
}

static int __init enpu_init(void)
{
	int ret;

	ret = platform_driver_register(&enpu_platform_driver);
	if (ret)
		return ret;
	ret = enpu_sim_devices_create();
	if (ret)
		platform_driver_unregister(&enpu_platform_driver);
	return ret;
}

/*
 * Detach from intact devices first: deleting a bound device destroys its PM QoS
 * constraints before the driver's remove() runs, and remove() drops QoS requests
 * (the power cap, devfreq's cooling device).
 */
static void __exit enpu_exit(void)
{
	platform_driver_unregister(&enpu_platform_driver);
	enpu_sim_devices_destroy();
}

module_init(enpu_init);
module_exit(enpu_exit);

MODULE_DESCRIPTION("enpu: DRM accel driver for the enpu edge NPU and its software model");
MODULE_AUTHOR("The enpu authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
