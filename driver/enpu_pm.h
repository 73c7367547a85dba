/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_PM_H__
#define __ENPU_PM_H__

#include <linux/pm.h>
#include <linux/types.h>

struct enpu_device;

extern const struct dev_pm_ops enpu_pm_ops;

int enpu_pm_get_resources(struct enpu_device *edev);
int enpu_pm_init(struct enpu_device *edev, const u32 *sim_mhz, unsigned int n);
void enpu_pm_hold(struct enpu_device *edev);
void enpu_pm_fini(struct enpu_device *edev);
int enpu_pm_get(struct enpu_device *edev);
void enpu_pm_put(struct enpu_device *edev);
int enpu_pm_job_begin(struct enpu_core *core);
void enpu_pm_job_end(struct enpu_core *core);
int enpu_pm_set_power_cap(struct enpu_device *edev, u32 mw);

#endif /* __ENPU_PM_H__ */
