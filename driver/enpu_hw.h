/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (C) 2026 The enpu authors */

#ifndef __ENPU_HW_H__
#define __ENPU_HW_H__

struct enpu_core;
struct enpu_device;
struct enpu_job;

/**
 * struct enpu_hw_ops - everything the driver core asks of the hardware
 *
 * The driver core never touches the NPU except through these. The sim
 * (enpu_sim.c) is one implementation; a silicon port writes the job's command
 * stream address to the core's ring and rings the doorbell in @run, and calls
 * enpu_job_hw_done() from its completion interrupt.
 *
 * @init: bring up the hardware of every core (core->hw); may sleep
 * @fini: quiesce and free it; no job runs on any core afterwards
 * @run: start @job on @core. The core runs one job at a time; it reports the
 *	end, from any context, with enpu_job_hw_done(job, status)
 * @reset: abort whatever runs or waits to run on @core, completing it with
 *	-ETIMEDOUT, and return once every job the core had has been reported
 *	with enpu_job_hw_done() (a job that ended before the reset keeps its
 *	status); may sleep
 */
struct enpu_hw_ops {
	int (*init)(struct enpu_device *edev);
	void (*fini)(struct enpu_device *edev);
	void (*run)(struct enpu_core *core, struct enpu_job *job);
	void (*reset)(struct enpu_core *core);
};

extern const struct enpu_hw_ops enpu_sim_hw_ops;

#endif /* __ENPU_HW_H__ */
