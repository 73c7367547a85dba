// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * Power and clocks: runtime PM with autosuspend (the NPU powers down when idle
 * and up on the first job), system sleep (the jobs on the cores end first), and
 * a devfreq device over the clock levels (an OPP
 * table from DT, or the sim's built-in one) with the simple_ondemand governor.
 * Pin a level by writing the same frequency to devfreq's min_freq and max_freq.
 * Two limits cap the clock from above: the thermal framework, through the
 * devfreq cooling device, and a power cap (sysfs power_cap_mw) turned into a
 * PM QoS maximum frequency by the power of each level (DT opp-microwatt, or
 * the sim's table). On DT platforms the clocks, resets and supply of the node
 * are switched with the power state, and a level change sets the "npu" (or
 * "core") clock's rate and the supply's voltage through the OPP core (at once
 * while the NPU is powered, else at its power-up; the OPP core's hold on the
 * supply goes with the power); the sim has none of them.
 */

#include <linux/clk.h>
#include <linux/devfreq.h>
#include <linux/devfreq_cooling.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/pm_opp.h>
#include <linux/pm_qos.h>
#include <linux/pm_runtime.h>
#include <linux/regulator/consumer.h>
#include <linux/reset.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "enpu_drv.h"
#include "enpu_pm.h"
#include "enpu_trace.h"

static unsigned int autosuspend_ms = 100;
module_param(autosuspend_ms, uint, 0444);
MODULE_PARM_DESC(autosuspend_ms, "Idle time before the NPU powers down (ms, default 100)");

#define ENPU_DEVFREQ_POLL_MS	50

/* The governor is a module in distribution kernels. */
MODULE_SOFTDEP("pre: governor_simpleondemand");

static u32 enpu_dev_index(struct enpu_device *edev)
{
	return edev->drm.accel ? edev->drm.accel->index : 0;
}

int enpu_pm_get(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	int ret = pm_runtime_resume_and_get(dev);

	/*
	 * A failed resume leaves the NPU suspended with runtime PM's error set,
	 * which would fail every later call: clearing it lets the next job try
	 * the power-up again.
	 */
	if (ret < 0) {
		dev_err_ratelimited(dev, "cannot power the NPU up: %pe\n", ERR_PTR(ret));
		if (pm_runtime_status_suspended(dev))
			pm_runtime_set_suspended(dev);
	}
	return ret;
}

void enpu_pm_put(struct enpu_device *edev)
{
	pm_runtime_mark_last_busy(edev->drm.dev);
	pm_runtime_put_autosuspend(edev->drm.dev);
}

/*
 * Jobs hold the NPU powered as a group: the first job to start takes the
 * runtime-PM reference, the last one to end drops it. Per-job get/put would
 * queue PM work for every job, which the next job then waits on.
 */
int enpu_pm_job_begin(struct enpu_core *core)
{
	struct enpu_device *edev = core->edev;
	unsigned long flags;
	int ret = 0;

	if (atomic_inc_not_zero(&edev->pm_jobs))
		goto busy;
	/*
	 * Count in one step with the check: the last running job may end (and
	 * drop the reference) between a plain read of a non-zero count and an
	 * increment after it.
	 */
	mutex_lock(&edev->pm_lock);
	if (!atomic_inc_not_zero(&edev->pm_jobs)) {
		ret = enpu_pm_get(edev);
		if (!ret)
			atomic_inc(&edev->pm_jobs);
	}
	mutex_unlock(&edev->pm_lock);
	if (ret)
		return ret;
busy:
	spin_lock_irqsave(&edev->df_lock, flags);
	core->df_busy_since = ktime_get_ns();
	spin_unlock_irqrestore(&edev->df_lock, flags);
	return 0;
}

/* The core's busy time in the current sample up to @now (df_lock held, a job on it). */
static u64 enpu_df_running_ns(struct enpu_core *core, u64 now)
{
	return now - max(core->df_busy_since, core->edev->df_last_ns);
}

void enpu_pm_job_end(struct enpu_core *core)
{
	struct enpu_device *edev = core->edev;
	unsigned long flags;
	u64 now;

	/*
	 * The clock read under the lock: never before a sample's or the start's.
	 * irqsave: a hardware port may end jobs from its interrupt handler.
	 */
	spin_lock_irqsave(&edev->df_lock, flags);
	now = ktime_get_ns();
	core->df_busy_ns += enpu_df_running_ns(core, now);
	core->df_busy_since = 0;
	spin_unlock_irqrestore(&edev->df_lock, flags);
	if (atomic_dec_and_test(&edev->pm_jobs)) {
		enpu_pm_put(edev);
		wake_up_var(&edev->pm_jobs);	/* a system suspend may wait */
	}
}

/*
 * A clock or supply that dev_pm_opp_set_rate() drives: only with a DT OPP table.
 * Without one the levels are the sim's, and the OPP core would set them on the
 * node's first clock, whatever clock that is.
 */
static bool enpu_opp_drives(struct enpu_device *edev)
{
	return edev->opp_dt && (edev->res.num_clks || edev->res.supply);
}

/*
 * The OPP core sets the current level (@on) or lets go of the supply (its
 * own regulator handle, enabled at its first level) while the NPU is off.
 */
static int enpu_opp_power(struct enpu_device *edev, bool on)
{
	unsigned long hz;
	int ret;

	if (!enpu_opp_drives(edev))
		return 0;
	mutex_lock(&edev->opp_lock);
	/* under the lock: a level chosen meanwhile is not lost */
	hz = on ? (unsigned long)edev->clock_mhz * 1000000 : 0;
	ret = dev_pm_opp_set_rate(edev->drm.dev, hz);
	edev->opp_active = on && !ret;
	mutex_unlock(&edev->opp_lock);
	return ret;
}

static int enpu_power_on(struct enpu_device *edev)
{
	struct enpu_resources *r = &edev->res;
	int ret;

	if (atomic_dec_if_positive(&edev->inject.power_fail) >= 0)
		return -EIO;	/* debugfs fault injection */
	ret = enpu_opp_power(edev, true);
	if (ret)
		return ret;
	if (r->supply) {
		ret = regulator_enable(r->supply);
		if (ret)
			goto err_opp;
	}
	ret = clk_bulk_prepare_enable(r->num_clks, r->clks);
	if (ret)
		goto err_supply;
	ret = reset_control_deassert(r->resets);
	if (ret)
		goto err_clks;
	WRITE_ONCE(edev->powered, true);
	atomic64_inc(&edev->power_ups);
	trace_enpu_power(enpu_dev_index(edev), 1);
	return 0;

err_clks:
	clk_bulk_disable_unprepare(r->num_clks, r->clks);
err_supply:
	if (r->supply)
		regulator_disable(r->supply);
err_opp:
	enpu_opp_power(edev, false);
	return ret;
}

static void enpu_power_off(struct enpu_device *edev)
{
	struct enpu_resources *r = &edev->res;

	reset_control_assert(r->resets);
	clk_bulk_disable_unprepare(r->num_clks, r->clks);
	enpu_opp_power(edev, false);
	if (r->supply)
		regulator_disable(r->supply);
	WRITE_ONCE(edev->powered, false);
	trace_enpu_power(enpu_dev_index(edev), 0);
}

/* Devfreq stops polling while the NPU is off (no load to sample, no clock to set). */
static int enpu_runtime_suspend(struct device *dev)
{
	struct enpu_device *edev = dev_get_drvdata(dev);

	devfreq_suspend_device(edev->devfreq);
	enpu_power_off(edev);
	return 0;
}

/* The first sample after a wake covers the time since the wake, not the sleep. */
static void enpu_devfreq_restart(struct enpu_device *edev)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&edev->df_lock, flags);
	edev->df_last_ns = ktime_get_ns();
	for (i = 0; i < edev->num_cores; i++)
		edev->cores[i].df_busy_ns = 0;
	spin_unlock_irqrestore(&edev->df_lock, flags);
}

static int enpu_runtime_resume(struct device *dev)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	int ret = enpu_power_on(edev);

	if (!ret) {
		enpu_devfreq_restart(edev);
		devfreq_resume_device(edev->devfreq);
	}
	return ret;
}

/* Beyond the job timeout, for the reset that aborts a hung job to report it. */
#define ENPU_SLEEP_GRACE_MS	1000

/*
 * System sleep. The schedulers' workqueues are freezable, so from the freeze
 * before this call until the thaw after resume no job starts; the jobs on the
 * cores run to their end (the timeout handler aborts a hung one), then the NPU
 * powers down as when idle. A job that outlasts its timeout by
 * ENPU_SLEEP_GRACE_MS (a reset that does not complete) fails the suspend with
 * -EBUSY. Queued jobs start after the thaw, powering the NPU up again.
 */
static int enpu_pm_suspend(struct device *dev)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	unsigned int ms = edev->job_timeout_ms + ENPU_SLEEP_GRACE_MS;

	if (!wait_var_event_timeout(&edev->pm_jobs, !atomic_read(&edev->pm_jobs),
				    msecs_to_jiffies(ms))) {
		dev_warn(dev, "%d jobs still running after %u ms, not suspending\n",
			 atomic_read(&edev->pm_jobs), ms);
		return -EBUSY;
	}
	return pm_runtime_force_suspend(dev);
}

static int enpu_pm_resume(struct device *dev)
{
	return pm_runtime_force_resume(dev);
}

const struct dev_pm_ops enpu_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(enpu_pm_suspend, enpu_pm_resume)
	RUNTIME_PM_OPS(enpu_runtime_suspend, enpu_runtime_resume, NULL)
};

/* The clocks, resets and supply of a DT node; absent ones are fine. */
int enpu_pm_get_resources(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	struct enpu_resources *r = &edev->res;
	int ret;

	if (!dev->of_node)
		return 0;
	ret = devm_clk_bulk_get_all(dev, &r->clks);
	if (ret < 0)
		return dev_err_probe(dev, ret, "cannot get the clocks\n");
	r->num_clks = ret;
	r->resets = devm_reset_control_array_get_optional_exclusive(dev);
	if (IS_ERR(r->resets))
		return dev_err_probe(dev, PTR_ERR(r->resets), "cannot get the resets\n");
	r->supply = devm_regulator_get_optional(dev, "npu");
	if (IS_ERR(r->supply)) {
		if (PTR_ERR(r->supply) != -ENODEV)
			return dev_err_probe(dev, PTR_ERR(r->supply), "cannot get npu-supply\n");
		r->supply = NULL;
	}
	return 0;
}

static void enpu_set_clock(struct enpu_device *edev, u32 mhz)
{
	u32 old = READ_ONCE(edev->clock_mhz);

	if (old == mhz)
		return;
	WRITE_ONCE(edev->clock_mhz, mhz);
	trace_enpu_clock(enpu_dev_index(edev), old, mhz);
}

static int enpu_devfreq_target(struct device *dev, unsigned long *freq, u32 flags)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	struct dev_pm_opp *opp;
	int ret = 0;

	opp = devfreq_recommended_opp(dev, freq, flags);
	if (IS_ERR(opp))
		return PTR_ERR(opp);
	dev_pm_opp_put(opp);
	/* while the NPU is off, the level waits for the power-up */
	mutex_lock(&edev->opp_lock);
	if (edev->opp_active)
		ret = dev_pm_opp_set_rate(dev, *freq);
	if (!ret)
		enpu_set_clock(edev, *freq / 1000000);
	mutex_unlock(&edev->opp_lock);
	return ret;
}

/*
 * Load for the governor: the time the cores were busy since the last sample
 * over their capacity, counting jobs still running up to now (a job longer
 * than the polling interval would read as idle until it ended, and then as
 * more than 100% busy).
 */
static int enpu_devfreq_status(struct device *dev, struct devfreq_dev_status *st)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	unsigned long flags;
	u64 busy = 0, now;
	unsigned int i;

	spin_lock_irqsave(&edev->df_lock, flags);
	now = ktime_get_ns();
	for (i = 0; i < edev->num_cores; i++) {
		struct enpu_core *core = &edev->cores[i];

		busy += core->df_busy_ns;
		core->df_busy_ns = 0;
		if (core->df_busy_since)
			busy += enpu_df_running_ns(core, now);
	}
	st->busy_time = div_u64(busy, edev->num_cores);
	st->total_time = now - edev->df_last_ns;
	edev->df_last_ns = now;
	spin_unlock_irqrestore(&edev->df_lock, flags);
	st->current_frequency = (unsigned long)READ_ONCE(edev->clock_mhz) * 1000000;
	return 0;
}

static int enpu_devfreq_cur_freq(struct device *dev, unsigned long *freq)
{
	struct enpu_device *edev = dev_get_drvdata(dev);

	*freq = (unsigned long)READ_ONCE(edev->clock_mhz) * 1000000;
	return 0;
}

static void enpu_opp_remove(void *data)
{
	dev_pm_opp_remove_all_dynamic(data);
}

/*
 * The sim's power at each of its clock levels with every core busy, in mW
 * (a DT OPP table gives opp-microwatt instead).
 */
static const u32 enpu_sim_level_mw[] = { 300, 650, 1050, 1500, 2100 };

/* Power of clock level @i in mW, or 0 when unknown. */
static u32 enpu_level_mw(struct enpu_device *edev, unsigned int i)
{
	struct device *dev = edev->drm.dev;
	unsigned long freq = (unsigned long)edev->clock_levels_mhz[i] * 1000000;
	struct dev_pm_opp *opp;
	u32 mw = 0;

	if (!edev->opp_dt)
		return i < ARRAY_SIZE(enpu_sim_level_mw) ? enpu_sim_level_mw[i] : 0;
	opp = dev_pm_opp_find_freq_exact(dev, freq, true);
	if (!IS_ERR(opp)) {
		mw = dev_pm_opp_get_power(opp) / 1000;
		dev_pm_opp_put(opp);
	}
	return mw;
}

/**
 * enpu_pm_set_power_cap - cap the clock so the NPU stays within a power budget
 * @edev: the device
 * @mw: the budget in mW; 0 removes the cap
 *
 * The clock is capped at the fastest level whose power fits (the slowest level
 * if none does).
 *
 * Return: 0, -EOPNOTSUPP when the levels' power is unknown, or an error of PM QoS.
 */
int enpu_pm_set_power_cap(struct enpu_device *edev, u32 mw)
{
	s32 khz = PM_QOS_MAX_FREQUENCY_DEFAULT_VALUE;
	unsigned int i;
	int ret;

	if (mw) {
		khz = edev->clock_levels_mhz[0] * 1000;
		for (i = 0; i < edev->num_clock_levels; i++) {
			u32 p = enpu_level_mw(edev, i);

			if (!p)
				return -EOPNOTSUPP;
			if (p <= mw)
				khz = edev->clock_levels_mhz[i] * 1000;
		}
	}
	/* the request and the value shown change together */
	mutex_lock(&edev->power_cap_lock);
	ret = dev_pm_qos_update_request(&edev->power_cap_req, khz);
	if (ret >= 0)
		WRITE_ONCE(edev->power_cap_mw, mw);
	mutex_unlock(&edev->power_cap_lock);
	return ret < 0 ? ret : 0;
}

/*
 * What dev_pm_opp_set_rate() drives on a DT node: the clock named "npu" (else
 * "core", else the node's first clock) and, with an npu-supply, its voltage
 * from each OPP's opp-microvolt.
 */
static int enpu_opp_config(struct enpu_device *edev)
{
	static const char * const npu_clk[] = { "npu", NULL };
	static const char * const core_clk[] = { "core", NULL };
	static const char * const supply[] = { "npu", NULL };
	struct device *dev = edev->drm.dev;
	struct dev_pm_opp_config cfg = {};
	int ret;

	if (of_property_match_string(dev->of_node, "clock-names", "npu") >= 0)
		cfg.clk_names = npu_clk;
	else if (of_property_match_string(dev->of_node, "clock-names", "core") >= 0)
		cfg.clk_names = core_clk;
	if (edev->res.supply)
		cfg.regulator_names = supply;
	if (!cfg.clk_names && !cfg.regulator_names)
		return 0;
	ret = devm_pm_opp_set_config(dev, &cfg);
	return ret < 0 ? dev_err_probe(dev, ret, "cannot configure the OPPs\n") : 0;
}

/* The clock levels: the DT OPP table, else the sim's built-in levels. */
static int enpu_opp_init(struct enpu_device *edev, const u32 *sim_mhz, unsigned int n)
{
	struct device *dev = edev->drm.dev;
	unsigned long freq = 0;
	unsigned int i;
	u32 *levels;
	int ret;

	if (dev->of_node && of_property_present(dev->of_node, "operating-points-v2")) {
		ret = enpu_opp_config(edev);
		if (ret)
			return ret;
		ret = devm_pm_opp_of_add_table(dev);
		if (ret)
			return dev_err_probe(dev, ret, "bad OPP table\n");
		edev->opp_dt = true;
	} else {
		for (i = 0; i < n; i++) {
			ret = dev_pm_opp_add(dev, (unsigned long)sim_mhz[i] * 1000000, 0);
			if (ret) {
				dev_pm_opp_remove_all_dynamic(dev);
				return ret;
			}
		}
		ret = devm_add_action_or_reset(dev, enpu_opp_remove, dev);
		if (ret)
			return ret;
	}
	ret = dev_pm_opp_get_opp_count(dev);
	if (ret <= 0)
		return ret ? ret : -EINVAL;
	levels = devm_kcalloc(dev, ret, sizeof(*levels), GFP_KERNEL);
	if (!levels)
		return -ENOMEM;
	for (i = 0; i < (unsigned int)ret; i++, freq++) {
		struct dev_pm_opp *opp = dev_pm_opp_find_freq_ceil(dev, &freq);

		if (IS_ERR(opp))
			return PTR_ERR(opp);
		dev_pm_opp_put(opp);
		/* levels are whole MHz (the uapi's unit, the sim's cycle time) */
		if (freq < 1000000 || freq % 1000000 || freq / 1000000 > U32_MAX)
			return dev_err_probe(dev, -EINVAL,
					     "OPP of %lu Hz: clock levels must be whole MHz\n",
					     freq);
		levels[i] = freq / 1000000;
	}
	edev->clock_levels_mhz = levels;
	edev->num_clock_levels = ret;
	edev->clock_mhz = levels[ret - 1];
	return 0;
}

/**
 * enpu_pm_init - clock levels, devfreq and runtime PM of a device
 * @edev: the device, whose hardware is initialised and powered
 * @sim_mhz: the built-in clock levels (slowest first) used without a DT OPP table
 * @n: entries in @sim_mhz
 *
 * Return: 0 or a negative errno.
 */
int enpu_pm_init(struct enpu_device *edev, const u32 *sim_mhz, unsigned int n)
{
	struct device *dev = edev->drm.dev;
	int ret;

	if (autosuspend_ms > INT_MAX)
		return dev_err_probe(dev, -EINVAL, "autosuspend_ms=%u is above %d\n",
				     autosuspend_ms, INT_MAX);
	ret = enpu_opp_init(edev, sim_mhz, n);
	if (ret)
		return ret;
	ret = enpu_power_on(edev);
	if (ret)
		return ret;

	edev->df_profile.initial_freq = (unsigned long)edev->clock_mhz * 1000000;
	edev->df_profile.polling_ms = ENPU_DEVFREQ_POLL_MS;
	edev->df_profile.target = enpu_devfreq_target;
	edev->df_profile.get_dev_status = enpu_devfreq_status;
	edev->df_profile.get_cur_freq = enpu_devfreq_cur_freq;
	spin_lock_init(&edev->df_lock);
	edev->df_last_ns = ktime_get_ns();
	edev->devfreq = devm_devfreq_add_device(dev, &edev->df_profile,
						DEVFREQ_GOV_SIMPLE_ONDEMAND, NULL);
	if (IS_ERR(edev->devfreq)) {
		ret = PTR_ERR(edev->devfreq);
		enpu_power_off(edev);
		return dev_err_probe(dev, ret, "cannot add the devfreq device\n");
	}
	ret = dev_pm_qos_add_request(dev, &edev->power_cap_req, DEV_PM_QOS_MAX_FREQUENCY,
				     PM_QOS_MAX_FREQUENCY_DEFAULT_VALUE);
	if (ret < 0) {
		enpu_power_off(edev);
		return dev_err_probe(dev, ret, "cannot add the power-cap QoS request\n");
	}
	/*
	 * A thermal zone may bind to it (DT: its cooling maps name the node);
	 * without thermal support this is no error.
	 */
	edev->cooling = of_devfreq_cooling_register(dev->of_node, edev->devfreq);
	if (IS_ERR(edev->cooling)) {
		dev_info(dev, "no thermal cooling device: %pe\n", edev->cooling);
		edev->cooling = NULL;
	}

	pm_runtime_set_autosuspend_delay(dev, autosuspend_ms);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_set_active(dev);
	pm_runtime_enable(dev);
	pm_runtime_mark_last_busy(dev);
	pm_request_autosuspend(dev);
	return 0;
}

/* Teardown, first step: power the NPU up and keep it up while it is quiesced. */
void enpu_pm_hold(struct enpu_device *edev)
{
	pm_runtime_get_sync(edev->drm.dev);
}

/* Teardown, last step (the hardware is quiesced): stop runtime PM, power off. */
void enpu_pm_fini(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;

	if (edev->cooling)
		devfreq_cooling_unregister(edev->cooling);
	dev_pm_qos_remove_request(&edev->power_cap_req);
	pm_runtime_disable(dev);
	pm_runtime_dont_use_autosuspend(dev);
	if (READ_ONCE(edev->powered))
		enpu_power_off(edev);
	pm_runtime_set_suspended(dev);
	pm_runtime_put_noidle(dev);
}
