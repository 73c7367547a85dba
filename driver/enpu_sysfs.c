// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * sysfs attributes of the NPU's device (/sys/class/accel/accelN/device/):
 *   cores_enabled  mask of the cores that take jobs, e.g. 0x3. Jobs for any core
 *                  avoid disabled cores; jobs for a disabled core are refused
 *                  (-ENODEV); jobs already queued there still run. At least
 *                  one core stays enabled.
 *   power_cap_mw   power budget in mW (0: none); the clock is capped at the
 *                  fastest level within it (devfreq's max_freq shows the cap).
 */

#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>

#include "enpu_drv.h"
#include "enpu_pm.h"

static ssize_t cores_enabled_show(struct device *dev, struct device_attribute *attr,
				  char *buf)
{
	struct enpu_device *edev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%#x\n", READ_ONCE(edev->cores_enabled));
}

static ssize_t cores_enabled_store(struct device *dev, struct device_attribute *attr,
				   const char *buf, size_t len)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	u32 mask, old, all = GENMASK(edev->num_cores - 1, 0);
	unsigned int i;
	int ret;

	ret = kstrtou32(buf, 0, &mask);
	if (ret)
		return ret;
	if (!mask || mask & ~all)
		return -EINVAL;
	mutex_lock(&edev->cores_lock);
	old = edev->cores_enabled;
	for (i = 0; i < edev->num_cores; i++) {
		if ((old ^ mask) & BIT(i)) {
			if (mask & BIT(i))
				atomic_sub(ENPU_CORE_OFF_SCORE, &edev->cores[i].score);
			else
				atomic_add(ENPU_CORE_OFF_SCORE, &edev->cores[i].score);
		}
	}
	WRITE_ONCE(edev->cores_enabled, mask);
	mutex_unlock(&edev->cores_lock);
	return len;
}
static DEVICE_ATTR_RW(cores_enabled);

static ssize_t num_cores_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct enpu_device *edev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", edev->num_cores);
}
static DEVICE_ATTR_RO(num_cores);

static ssize_t power_cap_mw_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct enpu_device *edev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(edev->power_cap_mw));
}

static ssize_t power_cap_mw_store(struct device *dev, struct device_attribute *attr,
				  const char *buf, size_t len)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	u32 mw;
	int ret;

	ret = kstrtou32(buf, 0, &mw);
	if (!ret)
		ret = enpu_pm_set_power_cap(edev, mw);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(power_cap_mw);

static struct attribute *enpu_dev_attrs[] = {
	&dev_attr_cores_enabled.attr,
	&dev_attr_num_cores.attr,
	&dev_attr_power_cap_mw.attr,
	NULL
};

static const struct attribute_group enpu_dev_group = {
	.attrs = enpu_dev_attrs,
};

const struct attribute_group *enpu_dev_groups[] = {
	&enpu_dev_group,
	NULL
};
