// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * The DRM device: driver description, ioctl table, per-open-file contexts,
 * device parameters, and bring-up/teardown of the cores.
 */

#include <linux/module.h>
#include <linux/slab.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/enpu_accel.h>

#include "enpu_cs.h"
#include "enpu_debugfs.h"
#include "enpu_drv.h"
#include "enpu_gem.h"
#include "enpu_hw.h"
#include "enpu_job.h"
#include "enpu_mmu.h"
#include "enpu_pm.h"

static unsigned int cores = 2;
module_param(cores, uint, 0444);
MODULE_PARM_DESC(cores, "NPU cores of each simulated device (1-8, default 2)");

static unsigned int job_timeout_ms = 2000;
module_param(job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "A job running longer is aborted and its core reset (100-60000, default 2000)");

/* The sim's clock levels (an OPP table on DT platforms). */
static const u32 enpu_sim_clock_levels_mhz[] = { 200, 400, 600, 800, 1000 };

static void enpu_file_release(struct kref *ref)
{
	struct enpu_file *ctx = container_of(ref, struct enpu_file, ref);

	enpu_mmu_ctx_fini(ctx);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
}

void enpu_file_put(struct enpu_file *ctx)
{
	kref_put(&ctx->ref, enpu_file_release);
}

static int enpu_open(struct drm_device *drm, struct drm_file *file)
{
	struct enpu_device *edev = to_enpu_device(drm);
	struct enpu_file *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->edev = edev;
	kref_init(&ctx->ref);
	ctx->id = atomic_inc_return(&edev->next_ctx_id);
	ctx->file = file;
	ctx->pid = task_tgid_nr(current);
	mutex_init(&ctx->lock);
	xa_init(&ctx->job_fences);
	enpu_mmu_ctx_init(ctx);
	file->driver_priv = ctx;
	return 0;
}

/* Handles (and so the BOs' mappings) are gone already; jobs keep the context alive. */
static void enpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct enpu_file *ctx = file->driver_priv;

	enpu_job_ctx_fini(ctx);
	enpu_file_put(ctx);
}

int enpu_get_param_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct enpu_device *edev = to_enpu_device(drm);
	struct drm_enpu_get_param *args = data;

	if (args->index && args->param != DRM_ENPU_PARAM_CLOCK_LEVEL_MHZ)
		return -EINVAL;

	switch (args->param) {
	case DRM_ENPU_PARAM_API_VERSION:
		args->value = (ENPU_API_VERSION_MAJOR << 16) | ENPU_API_VERSION_MINOR;
		break;
	case DRM_ENPU_PARAM_CAPABILITIES:
		args->value = DRM_ENPU_CAP_USERPTR | DRM_ENPU_CAP_DMABUF_IMPORT |
			      DRM_ENPU_CAP_DMABUF_EXPORT | DRM_ENPU_CAP_SYNCOBJ |
			      DRM_ENPU_CAP_PRIORITY;
		if (edev->hw == &enpu_sim_hw_ops)
			args->value |= DRM_ENPU_CAP_SIMULATED;
		break;
	case DRM_ENPU_PARAM_NUM_CORES:
		args->value = edev->num_cores;
		break;
	case DRM_ENPU_PARAM_OPCODES:
		args->value = (1ULL << ENPU_CMD_OP_COUNT) - 1;
		break;
	case DRM_ENPU_PARAM_NUM_CLOCK_LEVELS:
		args->value = edev->num_clock_levels;
		break;
	case DRM_ENPU_PARAM_CLOCK_LEVEL_MHZ:
		if (args->index >= edev->num_clock_levels)
			return -EINVAL;
		args->value = edev->clock_levels_mhz[args->index];
		break;
	case DRM_ENPU_PARAM_CLOCK_MHZ:
		args->value = READ_ONCE(edev->clock_mhz);
		break;
	case DRM_ENPU_PARAM_MACS_PER_CYCLE_I8:
		args->value = ENPU_MACS_PER_CYCLE_I8;
		break;
	case DRM_ENPU_PARAM_MACS_PER_CYCLE_F16:
		args->value = ENPU_MACS_PER_CYCLE_F16;
		break;
	case DRM_ENPU_PARAM_DMA_BYTES_PER_CYCLE:
		args->value = ENPU_DMA_BYTES_PER_CYCLE;
		break;
	case DRM_ENPU_PARAM_VA_START:
		args->value = ENPU_VA_START;
		break;
	case DRM_ENPU_PARAM_VA_SIZE:
		args->value = ENPU_VA_SIZE;
		break;
	case DRM_ENPU_PARAM_MAX_BO_SIZE:
		args->value = ENPU_MAX_BO_SIZE;
		break;
	case DRM_ENPU_PARAM_MAX_CMD_SIZE:
		args->value = ENPU_MAX_CMD_SIZE;
		break;
	case DRM_ENPU_PARAM_MAX_SUBMIT_BOS:
		args->value = ENPU_MAX_SUBMIT_BOS;
		break;
	case DRM_ENPU_PARAM_MAX_SUBMIT_SYNCS:
		args->value = ENPU_MAX_SUBMIT_SYNCS;
		break;
	case DRM_ENPU_PARAM_JOB_TIMEOUT_MS:
		args->value = edev->job_timeout_ms;
		break;
	case DRM_ENPU_PARAM_JOB_STATUS_WINDOW:
		args->value = ENPU_JOB_STATUS_WINDOW;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static const struct drm_ioctl_desc enpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(ENPU_GET_PARAM, enpu_get_param_ioctl, 0),
	DRM_IOCTL_DEF_DRV(ENPU_BO_CREATE, enpu_bo_create_ioctl, 0),
	DRM_IOCTL_DEF_DRV(ENPU_BO_USERPTR, enpu_bo_userptr_ioctl, 0),
	DRM_IOCTL_DEF_DRV(ENPU_BO_INFO, enpu_bo_info_ioctl, 0),
	DRM_IOCTL_DEF_DRV(ENPU_SUBMIT, enpu_submit_ioctl, 0),
	DRM_IOCTL_DEF_DRV(ENPU_WAIT, enpu_wait_ioctl, 0),
};

static const struct file_operations enpu_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver enpu_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = enpu_open,
	.postclose = enpu_postclose,
	.show_fdinfo = enpu_show_fdinfo,
	.gem_create_object = enpu_gem_create_object,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.ioctls = enpu_ioctls,
	.num_ioctls = ARRAY_SIZE(enpu_ioctls),
	.fops = &enpu_fops,
	.name = ENPU_DRIVER_NAME,
	.desc = "enpu edge NPU",
	.major = ENPU_API_VERSION_MAJOR,
	.minor = ENPU_API_VERSION_MINOR,
};

static void enpu_cores_fini(struct enpu_device *edev, unsigned int n)
{
	while (n--)
		enpu_job_sched_fini(&edev->cores[n]);
}

/*
 * The schedulers outlive the hardware: files still open when the device is
 * removed keep their queues until they close, and the last reference to the
 * DRM device (after the last close) ends them, once their jobs are freed.
 */
static void enpu_cores_release(struct drm_device *drm, void *data)
{
	struct enpu_device *edev = data;

	wait_var_event(&edev->jobs_in_flight, !atomic_read(&edev->jobs_in_flight));
	enpu_cores_fini(edev, edev->num_cores);
}

static int enpu_cores_init(struct enpu_device *edev)
{
	unsigned int i;
	int ret;

	for (i = 0; i < edev->num_cores; i++) {
		struct enpu_core *core = &edev->cores[i];

		core->edev = edev;
		core->index = i;
		ret = enpu_job_sched_init(core);
		if (ret) {
			enpu_cores_fini(edev, i);
			return ret;
		}
		edev->scheds[i] = &core->sched;
	}
	return drmm_add_action_or_reset(&edev->drm, enpu_cores_release, edev);
}

int enpu_device_probe(struct device *dev)
{
	struct enpu_device *edev;
	int ret;

	if (!cores || cores > ENPU_MAX_CORES)
		return dev_err_probe(dev, -EINVAL, "cores=%u is not in 1..%d\n", cores,
				     ENPU_MAX_CORES);
	if (job_timeout_ms < 100 || job_timeout_ms > 60000)
		return dev_err_probe(dev, -EINVAL, "job_timeout_ms=%u is not in 100..60000\n",
				     job_timeout_ms);

	edev = devm_drm_dev_alloc(dev, &enpu_drm_driver, struct enpu_device, drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	dev_set_drvdata(dev, edev);
	edev->hw = &enpu_sim_hw_ops;
	edev->num_cores = cores;
	edev->job_timeout_ms = job_timeout_ms;
	edev->cores_enabled = GENMASK(cores - 1, 0);
	ret = drmm_mutex_init(&edev->drm, &edev->cores_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->pm_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->power_cap_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->opp_lock);
	if (ret)
		return ret;
	atomic_set(&edev->inject.slowdown, 1);
	spin_lock_init(&edev->run_lock);

	ret = enpu_pm_get_resources(edev);
	if (ret)
		return ret;
	ret = enpu_pm_init(edev, enpu_sim_clock_levels_mhz, ARRAY_SIZE(enpu_sim_clock_levels_mhz));
	if (ret)
		return ret;
	enpu_pm_hold(edev);
	ret = edev->hw->init(edev);
	if (ret) {
		dev_err(dev, "cannot start the hardware: %d\n", ret);
		goto err_pm;
	}
	ret = enpu_cores_init(edev);
	if (ret) {
		dev_err(dev, "cannot create the schedulers: %d\n", ret);
		goto err_hw;
	}
	ret = drm_dev_register(&edev->drm, 0);
	if (ret) {
		dev_err(dev, "cannot register the DRM device: %d\n", ret);
		goto err_hw;
	}
	enpu_debugfs_init(edev);
	enpu_pm_put(edev);
	return 0;

err_hw:
	edev->hw->fini(edev);
err_pm:
	enpu_pm_fini(edev);
	return ret;
}

/*
 * Also with files open (an unbind through sysfs): after drm_dev_unplug() no
 * ioctl, job start or timeout handler touches the hardware (drm_dev_enter),
 * the reset ends the jobs the cores hold (-ETIMEDOUT), and jobs still queued
 * end with -ENODEV when their scheduler reaches them (enpu_cores_release).
 */
void enpu_device_remove(struct device *dev)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	unsigned int i;

	drm_dev_unplug(&edev->drm);
	enpu_pm_hold(edev);
	for (i = 0; i < edev->num_cores; i++)
		edev->hw->reset(&edev->cores[i]);
	edev->hw->fini(edev);
	enpu_pm_fini(edev);
}
