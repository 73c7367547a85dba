// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * debugfs (under /sys/kernel/debug/accel/<device>/, e.g. enpu-sim.0):
 *   inject  write "hang" (the next job never finishes, until the timeout resets
 *           its core), "fault N" (the next job faults at descriptor N), "slow N"
 *           (jobs take N times their modelled time; "slow 1" ends it) or "none".
 *           Reading shows what is armed.
 *   cores   per-core counters.
 */

#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "enpu_debugfs.h"
#include "enpu_drv.h"

static int enpu_inject_show(struct seq_file *m, void *unused)
{
	struct enpu_device *edev = m->private;

	seq_printf(m, "hang %d\nfault %d\nslow %d\n", atomic_read(&edev->inject.hang),
		   atomic_read(&edev->inject.fault_at) - 1,
		   max(atomic_read(&edev->inject.slowdown), 1));
	return 0;
}

static int enpu_inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, enpu_inject_show, inode->i_private);
}

static ssize_t enpu_inject_write(struct file *file, const char __user *ubuf, size_t len,
				 loff_t *pos)
{
	struct enpu_device *edev = ((struct seq_file *)file->private_data)->private;
	char buf[32], *arg;
	u32 n = 0;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	arg = strim(buf);
	if (!strcmp(arg, "hang")) {
		atomic_set(&edev->inject.hang, 1);
	} else if (!strcmp(arg, "none")) {
		atomic_set(&edev->inject.hang, 0);
		atomic_set(&edev->inject.fault_at, 0);
		atomic_set(&edev->inject.slowdown, 1);
	} else if (!strncmp(arg, "fault ", 6) && !kstrtou32(arg + 6, 0, &n) && n < INT_MAX) {
		atomic_set(&edev->inject.fault_at, n + 1);
	} else if (!strncmp(arg, "slow ", 5) && !kstrtou32(arg + 5, 0, &n) && n >= 1 &&
		   n <= 1000) {
		atomic_set(&edev->inject.slowdown, n);
	} else {
		return -EINVAL;
	}
	return len;
}

static const struct file_operations enpu_inject_fops = {
	.owner = THIS_MODULE,
	.open = enpu_inject_open,
	.read = seq_read,
	.write = enpu_inject_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int enpu_cores_show(struct seq_file *m, void *unused)
{
	struct enpu_device *edev = m->private;
	unsigned int i;

	seq_puts(m, "core jobs faults resets busy_cycles busy_ns bytes_read bytes_written\n");
	for (i = 0; i < edev->num_cores; i++) {
		struct enpu_core_stats *s = &edev->cores[i].stats;

		seq_printf(m, "%u %lld %lld %lld %lld %lld %lld %lld\n", i,
			   atomic64_read(&s->jobs), atomic64_read(&s->faults),
			   atomic64_read(&s->resets), atomic64_read(&s->busy_cycles),
			   atomic64_read(&s->busy_ns), atomic64_read(&s->bytes_read),
			   atomic64_read(&s->bytes_written));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(enpu_cores);

/* After drm_dev_register(): DRM core removes the directory at unregister. */
void enpu_debugfs_init(struct enpu_device *edev)
{
	struct dentry *root = edev->drm.debugfs_root;

	debugfs_create_file("inject", 0600, root, edev, &enpu_inject_fops);
	debugfs_create_file("cores", 0444, root, edev, &enpu_cores_fops);
}
