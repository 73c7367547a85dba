/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_DEBUGFS_H__
#define __ENPU_DEBUGFS_H__

struct enpu_device;

void enpu_debugfs_init(struct enpu_device *edev);

#endif /* __ENPU_DEBUGFS_H__ */
