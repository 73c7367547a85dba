// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * debugfs (under /sys/kernel/debug/accel/<device>/, e.g. enpu-sim.0):
 *   inject  write "hang" (the next job never finishes, until the timeout resets
 *           its core), "fault N" (the next job faults at descriptor N), "slow N"
 *           (jobs take N times their modelled time; "slow 1" ends it), "late N"
 *           (the next job's completion interrupt comes N ms after its end),
 *           "reset N" (the next reset takes N ms more once its core is idle),
 *           "power N" (the next N power-ups fail with -EIO) or "none".
 *           Reading shows what is armed.
 *   cores   per-core counters.
 *   queues  per core: enabled, the job running (context:job) and the jobs its
 *           scheduler has on the hardware or waiting; and the power state.
 *   contexts  every open context: its process, jobs, device time, and BOs
 *           (handle, size, device address, kind).
 */

#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include "enpu_debugfs.h"
#include "enpu_drv.h"
#include "enpu_gem.h"
#include "enpu_job.h"

static int enpu_inject_show(struct seq_file *m, void *unused)
{
	struct enpu_device *edev = m->private;

	seq_printf(m, "hang %d\nfault %d\nslow %d\nlate %d\nreset %d\npower %d\n",
		   atomic_read(&edev->inject.hang), atomic_read(&edev->inject.fault_at) - 1,
		   max(atomic_read(&edev->inject.slowdown), 1), atomic_read(&edev->inject.late_ms),
		   atomic_read(&edev->inject.reset_ms), atomic_read(&edev->inject.power_fail));
	return 0;
}

static int enpu_inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, enpu_inject_show, inode->i_private);
}

/* Whether @arg is @cmd (its name and a space) followed by a number in [@min, @max]. */
static bool enpu_inject_arg(const char *arg, const char *cmd, u32 min, u32 max, u32 *n)
{
	size_t len = strlen(cmd);

	return !strncmp(arg, cmd, len) && !kstrtou32(arg + len, 0, n) && *n >= min && *n <= max;
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
		atomic_set(&edev->inject.late_ms, 0);
		atomic_set(&edev->inject.reset_ms, 0);
		atomic_set(&edev->inject.power_fail, 0);
	} else if (enpu_inject_arg(arg, "fault ", 0, INT_MAX - 1, &n)) {
		atomic_set(&edev->inject.fault_at, n + 1);
	} else if (enpu_inject_arg(arg, "slow ", 1, 1000, &n)) {
		atomic_set(&edev->inject.slowdown, n);
	} else if (enpu_inject_arg(arg, "late ", 1, 10000, &n)) {
		atomic_set(&edev->inject.late_ms, n);
	} else if (enpu_inject_arg(arg, "reset ", 1, 10000, &n)) {
		atomic_set(&edev->inject.reset_ms, n);
	} else if (enpu_inject_arg(arg, "power ", 1, 100, &n)) {
		atomic_set(&edev->inject.power_fail, n);
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
static int enpu_queues_show(struct seq_file *m, void *unused)
{
	struct enpu_device *edev = m->private;
	unsigned int i;

	seq_printf(m, "powered %d clock_mhz %u cores_enabled %#x\n", READ_ONCE(edev->powered),
		   READ_ONCE(edev->clock_mhz), READ_ONCE(edev->cores_enabled));
	seq_puts(m, "core enabled running on_hw pending\n");
	for (i = 0; i < edev->num_cores; i++) {
		struct enpu_core *core = &edev->cores[i];
		struct drm_sched_job *job;
		unsigned int pending = 0;
		u64 running = 0;
		u32 ctx = 0;

		spin_lock_irq(&edev->run_lock);
		if (core->running) {
			running = core->running->id;
			ctx = core->running->ctx->id;
		}
		spin_unlock_irq(&edev->run_lock);
		spin_lock(&core->sched.job_list_lock);
		list_for_each_entry(job, &core->sched.pending_list, list)
			pending++;
		spin_unlock(&core->sched.job_list_lock);
		if (running)
			seq_printf(m, "%u %d %u:%llu %d %u\n", i,
				   !!(READ_ONCE(edev->cores_enabled) & BIT(i)),
				   ctx, running,
				   atomic_read(&core->sched.credit_count), pending);
		else
			seq_printf(m, "%u %d - %d %u\n", i,
				   !!(READ_ONCE(edev->cores_enabled) & BIT(i)),
				   atomic_read(&core->sched.credit_count), pending);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(enpu_queues);

#define ENPU_DEBUGFS_MAX_BOS	256

struct enpu_bo_ref {
	u32 handle;
	struct drm_gem_object *obj;
};

struct enpu_bo_list {
	unsigned int n;
	bool truncated;
	struct enpu_bo_ref bos[ENPU_DEBUGFS_MAX_BOS];
};

/* Under the file's table lock: take a reference on each BO, print later. */
static int enpu_collect_bo(int handle, void *ptr, void *data)
{
	struct enpu_bo_list *l = data;

	if (l->n == ENPU_DEBUGFS_MAX_BOS) {
		l->truncated = true;
		return 0;
	}
	drm_gem_object_get(ptr);
	l->bos[l->n].handle = handle;
	l->bos[l->n].obj = ptr;
	l->n++;
	return 0;
}

static void enpu_show_ctx_bos(struct seq_file *m, struct enpu_file *ctx, struct enpu_bo_list *l)
{
	unsigned int i;

	l->n = 0;
	l->truncated = false;
	spin_lock(&ctx->file->table_lock);
	idr_for_each(&ctx->file->object_idr, enpu_collect_bo, l);
	spin_unlock(&ctx->file->table_lock);
	for (i = 0; i < l->n; i++) {
		struct enpu_bo *bo = to_enpu_bo(l->bos[i].obj);
		u64 addr = 0;

		enpu_bo_dev_addr(bo, ctx, &addr);
		seq_printf(m, "  bo %u size %zu addr %#llx %s\n", l->bos[i].handle,
			   l->bos[i].obj->size, addr, enpu_bo_is_userptr(bo) ? "userptr" :
			   l->bos[i].obj->import_attach ? "import" : "shmem");
		drm_gem_object_put(l->bos[i].obj);
	}
	if (l->truncated)
		seq_printf(m, "  ... (first %d BOs shown)\n", ENPU_DEBUGFS_MAX_BOS);
}

static int enpu_contexts_show(struct seq_file *m, void *unused)
{
	struct enpu_device *edev = m->private;
	struct enpu_bo_list *l = kmalloc(sizeof(*l), GFP_KERNEL);
	struct drm_file *file;

	if (!l)
		return -ENOMEM;
	/*
	 * The open files, oldest first. A closing file leaves this list before
	 * its handles are released (drm_close_helper), so the walk of a file's
	 * handles never meets BOs being freed.
	 */
	mutex_lock(&edev->drm.filelist_mutex);
	list_for_each_entry_reverse(file, &edev->drm.filelist, lhead) {
		struct enpu_file *ctx = file->driver_priv;

		seq_printf(m, "ctx %u pid %u jobs %llu busy_ns %lld cycles %lld\n", ctx->id,
			   ctx->pid, READ_ONCE(ctx->next_job_id), atomic64_read(&ctx->busy_ns),
			   atomic64_read(&ctx->cycles));
		enpu_show_ctx_bos(m, ctx, l);
	}
	mutex_unlock(&edev->drm.filelist_mutex);
	kfree(l);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(enpu_contexts);

void enpu_debugfs_init(struct enpu_device *edev)
{
	struct dentry *root = edev->drm.debugfs_root;

	debugfs_create_file("inject", 0600, root, edev, &enpu_inject_fops);
	debugfs_create_file("cores", 0444, root, edev, &enpu_cores_fops);
	debugfs_create_file("queues", 0444, root, edev, &enpu_queues_fops);
	debugfs_create_file("contexts", 0444, root, edev, &enpu_contexts_fops);
}
