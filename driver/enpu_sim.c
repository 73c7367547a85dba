// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * The sim: the NPU of docs/hw-model.md as a software device. Each core is a
 * kernel thread; enpu_sim_run() is the doorbell. The thread executes the job's
 * descriptors in order through the job's address translation, each taking the
 * time the throughput model gives it at the current clock, and completes the job
 * as the completion interrupt would.
 */

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "enpu_cs.h"
#include "enpu_drv.h"
#include "enpu_hw.h"
#include "enpu_job.h"
#include "enpu_sim.h"

/**
 * struct enpu_sim_core - one simulated core
 * @core: the driver's core
 * @thread: executes jobs
 * @lock: protects @pending, @running, @taken, @reported and @abort
 * @wq: the thread waits here for a job (the doorbell) or an abort
 * @idle_wq: reset waits here for the jobs it aborts to be reported
 * @pending: job rung in, not yet picked up (the one-slot ring)
 * @running: job executing (its status not yet decided)
 * @taken: jobs picked up so far
 * @reported: jobs whose end enpu_job_hw_done() has reported so far; a job
 *	between the two has ended and waits for its completion interrupt
 * @abort: a reset asked the core to drop its job
 * @quant: the copy of a descriptor's requantization arrays (struct enpu_sim_exec)
 */
struct enpu_sim_core {
	struct enpu_core *core;
	struct task_struct *thread;
	spinlock_t lock; /* pending, running, taken, reported, abort */
	wait_queue_head_t wq;
	wait_queue_head_t idle_wq;
	struct enpu_job *pending;
	struct enpu_job *running;
	u64 taken;
	u64 reported;
	bool abort;
	s32 *quant;
};

static int enpu_sim_exec_one(const struct enpu_sim_exec *x, const struct enpu_cmd_hdr *hdr)
{
	switch (hdr->opcode) {
	case ENPU_CMD_OP_DMA_COPY:
		return enpu_sim_dma_copy(x, (const void *)hdr);
	case ENPU_CMD_OP_GEMM_I8:
		return enpu_sim_gemm_i8(x, (const void *)hdr);
	case ENPU_CMD_OP_CONV2D_I8:
		return enpu_sim_conv_i8(x, (const void *)hdr);
	case ENPU_CMD_OP_POOL_I8:
		return enpu_sim_pool_i8(x, (const void *)hdr);
	case ENPU_CMD_OP_ELTWISE_I8:
		return enpu_sim_eltwise_i8(x, (const void *)hdr);
	case ENPU_CMD_OP_REQUANT:
		return enpu_sim_requant(x, (const void *)hdr);
	case ENPU_CMD_OP_GEMM_F16:
		return enpu_sim_gemm_f16(x, (const void *)hdr);
	case ENPU_CMD_OP_CONV2D_F16:
		return enpu_sim_conv_f16(x, (const void *)hdr);
	default:	/* NOP, FENCE: in-order execution already orders memory */
		return 0;
	}
}

static u64 enpu_sim_add_sat(u64 a, u64 b)
{
	u64 sum;

	return check_add_overflow(a, b, &sum) ? U64_MAX : sum;
}

/* Modelled time of @cycles at @mhz, @slow times slower; saturates. */
static u64 enpu_sim_cycles_ns(u64 cycles, u32 mhz, u32 slow)
{
	u64 per_mhz = 1000ULL * slow;

	if (cycles > div64_u64(U64_MAX, per_mhz))
		return U64_MAX;
	return div_u64(cycles * per_mhz, mhz);
}

/*
 * @job's counts so far, which fdinfo reads under the same lock: its cycles and
 * time together, and never a time behind a clock read it has seen.
 */
static void enpu_sim_count(struct enpu_device *edev, struct enpu_job *job, u64 cycles,
			   u64 busy_ns)
{
	unsigned long flags;

	spin_lock_irqsave(&edev->run_lock, flags);
	job->cycles = cycles;
	job->busy_ns = busy_ns;
	spin_unlock_irqrestore(&edev->run_lock, flags);
}

/*
 * A reset aborted @job: it is charged the time it held the core since it was
 * started (fdinfo's time base for a running job; the clock read under the
 * lock fdinfo samples under, so its value never steps back), and that time's
 * cycles at its clock, not its modelled time. Returns -ETIMEDOUT.
 */
static int enpu_sim_aborted(struct enpu_device *edev, struct enpu_job *job, u32 mhz, u32 slow)
{
	unsigned long flags;

	spin_lock_irqsave(&edev->run_lock, flags);
	job->busy_ns = ktime_get_ns() - job->started_ns;
	job->cycles = div_u64(mul_u64_u32_div(job->busy_ns, mhz, 1000), slow);
	spin_unlock_irqrestore(&edev->run_lock, flags);
	return -ETIMEDOUT;
}

/* Shorter waits are skipped: a sleep costs more than it models. */
#define ENPU_SIM_MIN_WAIT_NS	10000

/* Waits until @until (ktime ns) or an abort; false if aborted. */
static bool enpu_sim_wait_until(struct enpu_sim_core *sc, u64 until)
{
	u64 now = ktime_get_ns();

	/* a saturated @until waits for the abort alone (KTIME_MAX: no timer) */
	if (now + ENPU_SIM_MIN_WAIT_NS < until)
		wait_event_interruptible_hrtimeout(sc->wq, READ_ONCE(sc->abort),
						   until - now > KTIME_MAX ? KTIME_MAX :
						   ns_to_ktime(until - now));
	return !READ_ONCE(sc->abort);
}

/*
 * Runs @job's descriptors in order. Each one takes the time the throughput model
 * gives it at the current clock (times the injected slowdown), and its results
 * land in memory at the end of that time, as a real engine's would: a job that
 * started too early would read stale data. Fills the job's cycle, time and byte
 * counts; returns its status.
 */
static int enpu_sim_exec_job(struct enpu_sim_core *sc, struct enpu_job *job)
{
	struct enpu_device *edev = sc->core->edev;
	struct enpu_sim_exec x = { .map = job->map, .abort = &sc->abort, .quant = sc->quant };
	int fault_at = atomic_xchg(&edev->inject.fault_at, 0) - 1;
	u32 slow = max(atomic_read(&edev->inject.slowdown), 1);
	u32 mhz = READ_ONCE(edev->clock_mhz);
	u64 start = ktime_get_ns(), cycles = 0;
	unsigned long flags;
	u32 off = 0, idx = 0;
	int ret = 0;

	spin_lock_irqsave(&edev->run_lock, flags);	/* fdinfo reads them under it */
	job->slow = slow;
	job->mhz = mhz;
	spin_unlock_irqrestore(&edev->run_lock, flags);
	if (atomic_xchg(&edev->inject.hang, 0)) {
		/* Injected hang: the core stops making progress until reset. */
		wait_event_interruptible(sc->wq, READ_ONCE(sc->abort) || kthread_should_stop());
		return enpu_sim_aborted(edev, job, mhz, slow);
	}
	while (off < job->cmd_size) {
		const struct enpu_cmd_hdr *hdr = job->cmds + off;
		struct enpu_cs_cost cost;

		enpu_cs_cost(hdr, &cost);
		cycles = enpu_sim_add_sat(cycles, cost.cycles);
		enpu_sim_count(edev, job, cycles, enpu_sim_cycles_ns(cycles, mhz, slow));
		if (!enpu_sim_wait_until(sc, enpu_sim_add_sat(start, job->busy_ns)))
			return enpu_sim_aborted(edev, job, mhz, slow);
		ret = idx == fault_at ? -EFAULT : enpu_sim_exec_one(&x, hdr);
		if (ret == -ETIMEDOUT)
			return enpu_sim_aborted(edev, job, mhz, slow);
		if (ret)
			return ret;	/* a faulting access reads and writes nothing */
		job->bytes_read += cost.bytes_read;
		job->bytes_written += cost.bytes_written;
		off += hdr->size;
		idx++;
	}
	return 0;
}

static int enpu_sim_thread(void *data)
{
	struct enpu_sim_core *sc = data;

	while (!kthread_should_stop()) {
		struct enpu_job *job;
		unsigned int late_ms;
		int status;

		wait_event_interruptible(sc->wq, READ_ONCE(sc->pending) || kthread_should_stop());
		spin_lock(&sc->lock);
		job = sc->pending;
		sc->pending = NULL;
		sc->running = job;
		sc->taken += !!job;
		spin_unlock(&sc->lock);
		if (!job)
			continue;

		late_ms = atomic_xchg(&sc->core->edev->inject.late_ms, 0);
		status = READ_ONCE(sc->abort) ? -ETIMEDOUT : enpu_sim_exec_job(sc, job);

		spin_lock(&sc->lock);
		if (sc->abort) {
			status = -ETIMEDOUT;
			sc->abort = false;
		}
		sc->running = NULL;
		spin_unlock(&sc->lock);
		/* The completion interrupt, late if injected so: a reset waits for it. */
		if (late_ms)
			msleep(late_ms);
		enpu_job_hw_done(job, status);
		spin_lock(&sc->lock);
		sc->reported++;
		spin_unlock(&sc->lock);
		wake_up_all(&sc->idle_wq);
	}
	return 0;
}

static void enpu_sim_run(struct enpu_core *core, struct enpu_job *job)
{
	struct enpu_sim_core *sc = core->hw;

	spin_lock(&sc->lock);
	WARN_ON(sc->pending || sc->running);
	sc->pending = job;
	spin_unlock(&sc->lock);
	wake_up_all(&sc->wq);	/* the doorbell */
}

static bool enpu_sim_reported(struct enpu_sim_core *sc, u64 count)
{
	bool done;

	spin_lock(&sc->lock);
	done = sc->reported >= count;
	spin_unlock(&sc->lock);
	return done;
}

/*
 * Aborts the job running or waiting to run, and returns once every job the core
 * had at this point has been reported, the aborted ones with -ETIMEDOUT: the
 * scheduler must not see an unsignalled fence of a job the hardware let go.
 */
static void enpu_sim_reset(struct enpu_core *core)
{
	struct enpu_sim_core *sc = core->hw;
	unsigned int ms;
	u64 count;

	spin_lock(&sc->lock);
	if (sc->pending || sc->running)
		sc->abort = true;
	count = sc->taken + !!sc->pending;
	spin_unlock(&sc->lock);
	wake_up_all(&sc->wq);
	wait_event(sc->idle_wq, enpu_sim_reported(sc, count));
	ms = atomic_xchg(&core->edev->inject.reset_ms, 0);
	if (ms)
		msleep(ms);	/* an injected slow reset sequence */
}

static void enpu_sim_fini(struct enpu_device *edev)
{
	unsigned int i;

	for (i = 0; i < edev->num_cores; i++) {
		struct enpu_sim_core *sc = edev->cores[i].hw;

		if (!sc)
			continue;
		if (sc->thread)
			kthread_stop(sc->thread);
		kvfree(sc->quant);
		kfree(sc);
		edev->cores[i].hw = NULL;
	}
}

static int enpu_sim_init(struct enpu_device *edev)
{
	unsigned int i;

	for (i = 0; i < edev->num_cores; i++) {
		struct enpu_sim_core *sc = kzalloc(sizeof(*sc), GFP_KERNEL);

		if (!sc)
			goto err;
		edev->cores[i].hw = sc;
		sc->core = &edev->cores[i];
		sc->quant = kvmalloc_array(2 * ENPU_MAX_DIM, sizeof(*sc->quant), GFP_KERNEL);
		if (!sc->quant)
			goto err;
		spin_lock_init(&sc->lock);
		init_waitqueue_head(&sc->wq);
		init_waitqueue_head(&sc->idle_wq);
		sc->thread = kthread_run(enpu_sim_thread, sc, "enpu-sim/%s:%u",
					 dev_name(edev->drm.dev), i);
		if (IS_ERR(sc->thread)) {
			sc->thread = NULL;
			goto err;
		}
	}
	return 0;
err:
	enpu_sim_fini(edev);
	return -ENOMEM;
}

const struct enpu_hw_ops enpu_sim_hw_ops = {
	.init = enpu_sim_init,
	.fini = enpu_sim_fini,
	.run = enpu_sim_run,
	.reset = enpu_sim_reset,
};
