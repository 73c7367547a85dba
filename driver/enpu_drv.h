/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_DRV_H__
#define __ENPU_DRV_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <linux/devfreq.h>
#include <linux/pm_qos.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_mm.h>
#include <drm/gpu_scheduler.h>

#define ENPU_DRIVER_NAME	"enpu"
#define ENPU_MAX_CORES		8
#define ENPU_NUM_PRIORITIES	3
/* Entities per context: one per core, and one spanning every core ("any"). */
#define ENPU_ENTITY_ANY		ENPU_MAX_CORES

struct enpu_hw_ops;
struct thermal_cooling_device;
struct clk_bulk_data;
struct regulator;
struct reset_control;

/**
 * struct enpu_resources - what a DT node gives the NPU (the sim has none)
 * @clks: its clocks
 * @num_clks: entries in @clks
 * @resets: its resets (one array)
 * @supply: its npu-supply regulator, or NULL
 */
struct enpu_resources {
	struct clk_bulk_data *clks;
	int num_clks;
	struct reset_control *resets;
	struct regulator *supply;
};

/**
 * struct enpu_core_stats - what one core has done, since the device was created
 * @jobs: jobs completed (any status)
 * @faults: jobs that ended with a memory fault
 * @resets: jobs aborted by a reset (timeouts)
 * @busy_cycles: device cycles spent executing
 * @busy_ns: time spent executing, as the device model charges it
 * @bytes_read: bytes the core read from memory
 * @bytes_written: bytes the core wrote to memory
 */
struct enpu_core_stats {
	atomic64_t jobs;
	atomic64_t faults;
	atomic64_t resets;
	atomic64_t busy_cycles;
	atomic64_t busy_ns;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
};

/**
 * struct enpu_core - one NPU core and the scheduler that feeds it
 * @edev: the device
 * @index: core number
 * @sched: one drm_sched per core; credit limit 1 (the core runs one job at a time)
 * @submit_wq: its run and free work (freezable: no job starts during system sleep)
 * @fence_context: dma_fence context of the core's hardware fences
 * @fence_seqno: last hardware fence sequence number
 * @fence_lock: lock of the hardware fences
 * @stats: counters
 * @score: the scheduler's load score; a disabled core carries ENPU_CORE_OFF_SCORE
 * @running: the job on the core, NULL when idle (fdinfo, debugfs; under the
 *	device's run_lock)
 * @df_busy_since: when the job on the core started (0: idle), for devfreq
 * @df_busy_ns: busy time of jobs that ended since devfreq's last sample
 * @hw: the hardware (or sim) state of this core, owned by the hw ops
 */
struct enpu_core {
	struct enpu_device *edev;
	unsigned int index;
	struct drm_gpu_scheduler sched;
	struct workqueue_struct *submit_wq;
	u64 fence_context;
	atomic64_t fence_seqno;
	spinlock_t fence_lock; /* the hardware fences of this core */
	struct enpu_core_stats stats;
	atomic_t score;
	struct enpu_job *running;
	u64 df_busy_since;
	u64 df_busy_ns;
	void *hw;
};

/* Added to a disabled core's score: "any core" jobs go elsewhere. */
#define ENPU_CORE_OFF_SCORE	BIT(24)

/**
 * struct enpu_device - one NPU instance
 * @drm: the DRM device; its parent is the platform device
 * @hw: the hardware operations (the sim, or a silicon port)
 * @num_cores: number of cores
 * @cores: the cores
 * @scheds: each core's scheduler, the list an "any core" entity spans
 * @res: clocks, resets and supply from DT
 * @powered: the NPU is powered (runtime PM state)
 * @pm_jobs: jobs on the hardware; the first takes a runtime-PM reference, the
 *	last wakes a system suspend waiting for it (wake_up_var)
 * @pm_lock: serialises taking that reference
 * @power_ups: times it was powered up
 * @devfreq: the clock-level device; @df_profile its callbacks
 * @df_last_ns: time of the governor's last load sample
 * @df_lock: the cores' devfreq busy time and @df_last_ns
 * @cooling: the devfreq thermal cooling device, or NULL
 * @power_cap_req: PM QoS maximum-frequency request of the power cap
 * @power_cap_mw: the power cap (sysfs power_cap_mw), 0 for none
 * @power_cap_lock: serialises changes of the power cap
 * @opp_active: the OPP core holds the clock and supply at a level (the NPU
 *	is powered); a level chosen meanwhile is applied at power-up
 * @opp_lock: @opp_active with the OPP core's level changes
 * @opp_dt: the levels come from a DT OPP table: only then does a level set a
 *	clock rate or a voltage (without one the sim's levels set nothing)
 * @clock_levels_mhz: the clock levels (from the OPP table), slowest first
 * @num_clock_levels: entries in @clock_levels_mhz
 * @clock_mhz: the clock the cores run at now
 * @job_timeout_ms: a job running longer is aborted with -ETIMEDOUT
 * @cores_enabled: mask of the cores that take jobs (sysfs cores_enabled)
 * @cores_lock: serialises changes of @cores_enabled
 * @run_lock: the cores' @running with the busy time of the contexts' ended jobs
 * @jobs_in_flight: submitted jobs not yet freed; the schedulers' end waits for zero
 * @next_ctx_id: context id allocator (ids appear in traces and debugfs)
 * @inject: fault injection for the next job, see enpu_debugfs.c
 */
struct enpu_device {
	struct drm_device drm;
	const struct enpu_hw_ops *hw;
	unsigned int num_cores;
	struct enpu_core cores[ENPU_MAX_CORES];
	struct drm_gpu_scheduler *scheds[ENPU_MAX_CORES];
	struct enpu_resources res;
	bool powered;
	atomic_t pm_jobs;
	struct mutex pm_lock; /* the idle -> busy power-up */
	atomic64_t power_ups;
	struct devfreq *devfreq;
	struct devfreq_dev_profile df_profile;
	u64 df_last_ns;
	spinlock_t df_lock; /* the cores' df_busy_* and df_last_ns */
	struct thermal_cooling_device *cooling;
	struct dev_pm_qos_request power_cap_req;
	u32 power_cap_mw;
	struct mutex power_cap_lock; /* power_cap_req with power_cap_mw */
	bool opp_active;
	struct mutex opp_lock; /* opp_active with dev_pm_opp_set_rate() */
	bool opp_dt;
	const u32 *clock_levels_mhz;
	unsigned int num_clock_levels;
	u32 clock_mhz;
	unsigned int job_timeout_ms;
	u32 cores_enabled;
	struct mutex cores_lock; /* cores_enabled and the cores' score bias */
	spinlock_t run_lock; /* cores' running and contexts' busy_ns together */
	atomic_t jobs_in_flight;
	atomic_t next_ctx_id;
	struct {
		atomic_t hang;
		atomic_t fault_at;
		atomic_t slowdown;
		atomic_t late_ms;
		atomic_t reset_ms;
		atomic_t power_fail;
	} inject;
};

/**
 * struct enpu_file - per-open-file context: an address space and job queues
 * @edev: the device
 * @ref: held by the file and by each job of the context
 * @file: the DRM file of the context
 * @pid: the process that opened it
 * @id: context id
 * @busy_ns: device time of its jobs, all cores (fdinfo drm-engine-npu)
 * @cycles: device cycles of its jobs (fdinfo drm-cycles-npu)
 * @lock: protects @va, @entities, @next_job_id and submission order
 * @va: device address allocator of this context
 * @entities: scheduler entities, created on first use, per priority and target
 * @next_job_id: id of the next job submitted
 * @job_fences: finished fences of the last ENPU_JOB_STATUS_WINDOW jobs, by id
 */
struct enpu_file {
	struct enpu_device *edev;
	struct kref ref;
	struct drm_file *file;
	u32 pid;
	u32 id;
	atomic64_t busy_ns;
	atomic64_t cycles;
	struct mutex lock; /* va, entities, next_job_id, submission order */
	struct drm_mm va;
	struct drm_sched_entity *entities[ENPU_NUM_PRIORITIES][ENPU_MAX_CORES + 1];
	u64 next_job_id;
	struct xarray job_fences;
};

static inline struct enpu_device *to_enpu_device(struct drm_device *drm)
{
	return container_of(drm, struct enpu_device, drm);
}

extern const struct attribute_group *enpu_dev_groups[];

int enpu_device_probe(struct device *dev);
void enpu_device_remove(struct device *dev);

void enpu_file_put(struct enpu_file *ctx);

int enpu_get_param_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
void enpu_show_fdinfo(struct drm_printer *p, struct drm_file *file);

#endif /* __ENPU_DRV_H__ */
