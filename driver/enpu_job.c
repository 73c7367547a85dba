// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (C) 2026 The enpu authors */
/*
 * Jobs: the SUBMIT and WAIT ioctls, and the drm_sched backend that feeds each
 * core one job at a time, with timeout, reset and recovery.
 */

#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>
#include <drm/enpu_accel.h>

#include "enpu_cs.h"
#include "enpu_drv.h"
#include "enpu_gem.h"
#include "enpu_hw.h"
#include "enpu_job.h"
#include "enpu_mmu.h"
#include "enpu_pm.h"
#include "enpu_trace.h"

static struct enpu_job *to_enpu_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct enpu_job, base);
}

static const char *enpu_fence_driver_name(struct dma_fence *fence)
{
	return ENPU_DRIVER_NAME;
}

static const char *enpu_fence_timeline_name(struct dma_fence *fence)
{
	return "enpu-core";
}

static const struct dma_fence_ops enpu_hw_fence_ops = {
	.get_driver_name = enpu_fence_driver_name,
	.get_timeline_name = enpu_fence_timeline_name,
};

static u32 enpu_dev_index(struct enpu_device *edev)
{
	return edev->drm.accel->index;
}

/**
 * enpu_job_hw_done - the hardware finished @job (called once, from any context)
 * @job: the job
 * @status: 0, or the job's error: -EFAULT (memory fault), -ETIMEDOUT (aborted by
 *	a reset), -EINVAL (invalid data the descriptors pointed at)
 */
void enpu_job_hw_done(struct enpu_job *job, int status)
{
	struct enpu_core *core = job->core;
	struct enpu_core_stats *st = &core->stats;
	u32 dev = enpu_dev_index(core->edev);
	unsigned long flags;

	trace_enpu_job_done(dev, core->index, job->ctx->id, job->pid, job->id, job->cycles,
			    job->busy_ns, job->bytes_read, job->bytes_written, status,
			    job->started_ns - job->queued_ns, ktime_get_ns() - job->started_ns);
	if (status == -EFAULT)
		trace_enpu_fault(dev, core->index, job->ctx->id, job->pid, job->id, status);
	/* in one step for fdinfo: time and cycles move from the running job to its context */
	spin_lock_irqsave(&core->edev->run_lock, flags);
	core->running = NULL;
	atomic64_add(job->busy_ns, &job->ctx->busy_ns);
	atomic64_add(job->cycles, &job->ctx->cycles);
	spin_unlock_irqrestore(&core->edev->run_lock, flags);

	atomic64_inc(&st->jobs);
	atomic64_add(job->cycles, &st->busy_cycles);
	atomic64_add(job->busy_ns, &st->busy_ns);
	atomic64_add(job->bytes_read, &st->bytes_read);
	atomic64_add(job->bytes_written, &st->bytes_written);
	if (status == -EFAULT)
		atomic64_inc(&st->faults);
	else if (status == -ETIMEDOUT)
		atomic64_inc(&st->resets);
	/*
	 * Before the signal: once it is out, the scheduler may start the next
	 * job on this core, whose begin this end must not undo.
	 */
	enpu_pm_job_end(core);
	if (status)
		dma_fence_set_error(job->hw_fence, status);
	dma_fence_signal(job->hw_fence);
}

/*
 * Jobs still queued when the device is removed (their files stay open) end
 * here with -ENODEV: the hardware is gone, the scheduler lives on until the
 * last file closes.
 */
static struct dma_fence *enpu_job_run(struct drm_sched_job *sched_job)
{
	struct enpu_job *job = to_enpu_job(sched_job);
	struct enpu_core *core = container_of(sched_job->sched, struct enpu_core, sched);
	struct dma_fence *fence;
	int ret, idx;

	if (unlikely(sched_job->s_fence->finished.error))
		return NULL;
	if (!drm_dev_enter(&core->edev->drm, &idx))
		return ERR_PTR(-ENODEV);
	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence) {
		drm_dev_exit(idx);
		return ERR_PTR(-ENOMEM);
	}
	ret = enpu_pm_job_begin(core);	/* powers the NPU up if it slept */
	if (ret) {
		drm_dev_exit(idx);
		kfree(fence);
		return ERR_PTR(ret);
	}
	dma_fence_init(fence, &enpu_hw_fence_ops, &core->fence_lock, core->fence_context,
		       atomic64_inc_return(&core->fence_seqno));
	job->core = core;
	job->hw_fence = dma_fence_get(fence);
	job->started_ns = ktime_get_ns();
	spin_lock_irq(&core->edev->run_lock);
	core->running = job;
	spin_unlock_irq(&core->edev->run_lock);
	trace_enpu_job_started(enpu_dev_index(core->edev), core->index, job->ctx->id, job->pid,
			       job->id);
	core->edev->hw->run(core, job);
	drm_dev_exit(idx);
	return fence;
}

/*
 * The job ran past the time limit: reset the core, which completes the job with
 * -ETIMEDOUT (or with its own status if it ended meanwhile) before it returns,
 * then let the scheduler free it (stop) and go on with the next (start).
 * Other contexts' jobs never ran on this core meanwhile (one job at a time), so
 * they are untouched. A job that never reached the core (its run failed) or
 * that had ended did not hang: the scheduler frees it, with no reset. The
 * latter happens while the submit queue is frozen for system sleep: a job's
 * timer is cancelled by its free work, which waits for the thaw.
 */
static enum drm_gpu_sched_stat enpu_job_timedout(struct drm_sched_job *sched_job)
{
	struct enpu_job *job = to_enpu_job(sched_job);
	struct enpu_core *core = container_of(sched_job->sched, struct enpu_core, sched);
	int idx;

	if (!job->hw_fence || dma_fence_is_signaled(job->hw_fence)) {
		drm_sched_wqueue_stop(&core->sched);
		drm_sched_stop(&core->sched, sched_job);
		drm_sched_start(&core->sched);
		return DRM_GPU_SCHED_STAT_NOMINAL;
	}

	/*
	 * After removal began the hardware is not touched: the removal resets
	 * every core itself, which completes this job. Until then the job must
	 * stay (drm_sched_stop() would drop an unsignalled job while the core
	 * still holds it), so the handler waits for that reset.
	 */
	if (!drm_dev_enter(&core->edev->drm, &idx)) {
		drm_sched_wqueue_stop(&core->sched);
		dma_fence_wait(job->hw_fence, false);
	} else {
		drm_info(&core->edev->drm,
			 "core %u: job %llu of context %u timed out, resetting\n", core->index,
			 job->id, job->ctx->id);
		trace_enpu_reset(enpu_dev_index(core->edev), core->index, job->ctx->id, job->id);
		/*
		 * No new job may reach the core from here until drm_sched_start():
		 * once the reset completes this job, the scheduler would start the
		 * next, and drm_sched_stop() would cancel that one while the core
		 * runs it.
		 */
		drm_sched_wqueue_stop(&core->sched);
		core->edev->hw->reset(core);
		/* Else the scheduler would cancel the job while the hardware still reports it. */
		WARN_ON_ONCE(!dma_fence_is_signaled(job->hw_fence));
		drm_dev_exit(idx);
	}
	drm_sched_stop(&core->sched, sched_job);
	drm_sched_start(&core->sched);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void enpu_job_release(struct enpu_job *job)
{
	u32 i;

	for (i = 0; i < job->bo_count; i++)
		if (job->bos[i])
			drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	kvfree(job->map);
	kvfree(job->cmds);
	if (job->hw_fence)
		dma_fence_put(job->hw_fence);
	enpu_file_put(job->ctx);
	kfree(job);
}

static void enpu_job_free(struct drm_sched_job *sched_job)
{
	struct enpu_job *job = to_enpu_job(sched_job);
	struct enpu_device *edev = job->ctx->edev;

	drm_sched_job_cleanup(sched_job);
	enpu_job_release(job);
	if (atomic_dec_and_test(&edev->jobs_in_flight))
		wake_up_var(&edev->jobs_in_flight);
}

static const struct drm_sched_backend_ops enpu_sched_ops = {
	.run_job = enpu_job_run,
	.timedout_job = enpu_job_timedout,
	.free_job = enpu_job_free,
};

int enpu_job_sched_init(struct enpu_core *core)
{
	struct enpu_device *edev = core->edev;
	struct drm_sched_init_args args = {
		.ops = &enpu_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = 1,
		.hang_limit = 0,
		.timeout = msecs_to_jiffies(edev->job_timeout_ms),
		.score = &core->score,
		.name = dev_name(edev->drm.dev),
		.dev = edev->drm.dev,
	};
	int ret;

	/*
	 * Freezable: a system sleep freezes it before devices suspend, so no job
	 * starts from then until the thaw after resume.
	 */
	core->submit_wq = alloc_ordered_workqueue("enpu-%s:%u", WQ_FREEZABLE | WQ_MEM_RECLAIM,
						  dev_name(edev->drm.dev), core->index);
	if (!core->submit_wq)
		return -ENOMEM;
	args.submit_wq = core->submit_wq;
	core->fence_context = dma_fence_context_alloc(1);
	spin_lock_init(&core->fence_lock);
	ret = drm_sched_init(&core->sched, &args);
	if (ret)
		destroy_workqueue(core->submit_wq);
	return ret;
}

void enpu_job_sched_fini(struct enpu_core *core)
{
	drm_sched_fini(&core->sched);
	destroy_workqueue(core->submit_wq);
}

static const enum drm_sched_priority enpu_sched_prio[] = {
	[DRM_ENPU_PRIORITY_LOW] = DRM_SCHED_PRIORITY_LOW,
	[DRM_ENPU_PRIORITY_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_ENPU_PRIORITY_HIGH] = DRM_SCHED_PRIORITY_HIGH,
};

/* The context's entity for @prio on @core (or every core), made on first use. */
static struct drm_sched_entity *enpu_ctx_entity(struct enpu_file *ctx, u32 prio, u32 core)
{
	struct enpu_device *edev = ctx->edev;
	unsigned int idx = core == DRM_ENPU_CORE_ANY ? ENPU_ENTITY_ANY : core;
	struct drm_gpu_scheduler **list =
		idx == ENPU_ENTITY_ANY ? edev->scheds : &edev->scheds[idx];
	unsigned int n = idx == ENPU_ENTITY_ANY ? edev->num_cores : 1;
	struct drm_sched_entity *entity;
	int ret;

	mutex_lock(&ctx->lock);
	entity = ctx->entities[prio][idx];
	if (!entity) {
		entity = kzalloc(sizeof(*entity), GFP_KERNEL);
		ret = entity ? drm_sched_entity_init(entity, enpu_sched_prio[prio], list, n, NULL)
			     : -ENOMEM;
		if (ret) {
			kfree(entity);
			entity = ERR_PTR(ret);
		} else {
			ctx->entities[prio][idx] = entity;
		}
	}
	mutex_unlock(&ctx->lock);
	return entity;
}

/* postclose: flush the context's queues (jobs not yet run are cancelled). */
void enpu_job_ctx_fini(struct enpu_file *ctx)
{
	struct dma_fence *fence;
	unsigned long id;
	int p, i;

	for (p = 0; p < ENPU_NUM_PRIORITIES; p++) {
		for (i = 0; i <= ENPU_MAX_CORES; i++) {
			if (!ctx->entities[p][i])
				continue;
			drm_sched_entity_destroy(ctx->entities[p][i]);
			kfree(ctx->entities[p][i]);
			ctx->entities[p][i] = NULL;
		}
	}
	xa_for_each(&ctx->job_fences, id, fence)
		dma_fence_put(fence);
	xa_destroy(&ctx->job_fences);
}

/* Looks up the job's BOs and builds its address translation from them. */
static int enpu_job_lookup_bos(struct enpu_job *job, struct drm_file *file,
			       const struct drm_enpu_submit *args, u32 **flags_out)
{
	struct drm_enpu_submit_bo __user *ubos = u64_to_user_ptr(args->bos);
	struct drm_enpu_submit_bo sbo;
	u32 i, j, n = args->bo_count;
	struct enpu_mmu_entry *e;
	u32 *flags;
	int ret;

	job->bos = kvcalloc(n, sizeof(*job->bos), GFP_KERNEL);
	job->map = kvzalloc(struct_size(job->map, entries, n), GFP_KERNEL);
	flags = kvcalloc(n, sizeof(*flags), GFP_KERNEL);
	*flags_out = flags;
	if ((n && !job->bos) || !job->map || (n && !flags))
		return -ENOMEM;
	job->map->count = n;

	for (i = 0; i < n; i++) {
		struct enpu_bo *bo;
		void *vaddr;

		if (copy_from_user(&sbo, &ubos[i], sizeof(sbo)))
			return -EFAULT;
		if (!sbo.flags || sbo.flags & ~(DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE))
			return -EINVAL;
		job->bos[i] = drm_gem_object_lookup(file, sbo.handle);
		if (!job->bos[i])
			return -ENOENT;
		job->bo_count = i + 1;
		for (j = 0; j < i; j++)
			if (job->bos[j] == job->bos[i])
				return -EINVAL;	/* listed twice */
		bo = to_enpu_bo(job->bos[i]);
		if (bo->readonly && sbo.flags & DRM_ENPU_BO_WRITE)
			return -EACCES;
		vaddr = enpu_bo_vaddr(bo);
		if (IS_ERR(vaddr))
			return PTR_ERR(vaddr);
		e = &job->map->entries[i];
		ret = enpu_bo_dev_addr(bo, job->ctx, &e->va);
		if (ret)
			return ret;
		e->size = job->bos[i]->size;
		e->kaddr = vaddr;
		e->read = sbo.flags & DRM_ENPU_BO_READ;
		e->write = sbo.flags & DRM_ENPU_BO_WRITE;
		flags[i] = sbo.flags;
	}
	enpu_mmu_map_sort(job->map);
	return 0;
}

/* Copies the command stream out of its BO: what runs is what was validated. */
static int enpu_job_copy_cmds(struct enpu_job *job, struct drm_file *file,
			      const struct drm_enpu_submit *args)
{
	struct drm_gem_object *obj;
	void *vaddr;
	u64 end;
	int ret = 0;

	obj = drm_gem_object_lookup(file, args->cmd_handle);
	if (!obj)
		return -ENOENT;
	if (check_add_overflow(args->cmd_offset, args->cmd_size, &end) || end > obj->size) {
		ret = -EINVAL;
		goto out;
	}
	vaddr = enpu_bo_vaddr(to_enpu_bo(obj));
	if (IS_ERR(vaddr)) {
		ret = PTR_ERR(vaddr);
		goto out;
	}
	job->cmds = kvmemdup(vaddr + args->cmd_offset, args->cmd_size, GFP_KERNEL);
	if (!job->cmds)
		ret = -ENOMEM;
	job->cmd_size = args->cmd_size;
out:
	drm_gem_object_put(obj);
	return ret;
}

static int enpu_job_add_in_syncs(struct enpu_job *job, struct drm_file *file,
				 const struct drm_enpu_submit *args)
{
	struct drm_enpu_sync __user *usyncs = u64_to_user_ptr(args->in_syncs);
	struct drm_enpu_sync s;
	u32 i;
	int ret;

	for (i = 0; i < args->in_sync_count; i++) {
		if (copy_from_user(&s, &usyncs[i], sizeof(s)))
			return -EFAULT;
		if (s.flags)
			return -EINVAL;
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file, s.handle, s.point);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * struct enpu_out_syncs - the syncobjs a submit signals, looked up before the job
 * is armed so that nothing can fail after it
 * @count: syncobjs looked up so far
 * @objs: the syncobjs
 * @chains: preallocated chain nodes for timeline points
 * @points: timeline points, 0 for binary syncobjs
 */
struct enpu_out_syncs {
	u32 count;
	struct drm_syncobj **objs;
	struct dma_fence_chain **chains;
	u64 *points;
};

static void enpu_out_syncs_free(struct enpu_out_syncs *o)
{
	u32 i;

	for (i = 0; i < o->count; i++) {
		if (o->objs[i])
			drm_syncobj_put(o->objs[i]);
		dma_fence_chain_free(o->chains[i]);
	}
	kfree(o->objs);
	kfree(o->chains);
	kfree(o->points);
}

static int enpu_out_syncs_get(struct enpu_out_syncs *o, struct drm_file *file,
			      const struct drm_enpu_submit *args)
{
	struct drm_enpu_sync __user *usyncs = u64_to_user_ptr(args->out_syncs);
	struct drm_enpu_sync s;
	u32 i, n = args->out_sync_count;

	o->objs = kcalloc(n, sizeof(*o->objs), GFP_KERNEL);
	o->chains = kcalloc(n, sizeof(*o->chains), GFP_KERNEL);
	o->points = kcalloc(n, sizeof(*o->points), GFP_KERNEL);
	if (n && (!o->objs || !o->chains || !o->points))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (copy_from_user(&s, &usyncs[i], sizeof(s)))
			return -EFAULT;
		if (s.flags)
			return -EINVAL;
		o->objs[i] = drm_syncobj_find(file, s.handle);
		o->count = i + 1;
		if (!o->objs[i])
			return -ENOENT;
		o->points[i] = s.point;
		if (s.point) {
			o->chains[i] = dma_fence_chain_alloc();
			if (!o->chains[i])
				return -ENOMEM;
		}
	}
	return 0;
}

static void enpu_out_syncs_signal(struct enpu_out_syncs *o, struct dma_fence *fence)
{
	u32 i;

	for (i = 0; i < o->count; i++) {
		if (o->points[i]) {
			drm_syncobj_add_point(o->objs[i], o->chains[i], fence, o->points[i]);
			o->chains[i] = NULL;
		} else {
			drm_syncobj_replace_fence(o->objs[i], fence);
		}
	}
}

static int enpu_submit_check(struct enpu_device *edev, const struct drm_enpu_submit *args)
{
	if (args->flags & ~DRM_ENPU_SUBMIT_NO_IMPLICIT_SYNC || args->pad || args->job_id)
		return -EINVAL;
	if (args->bo_count > ENPU_MAX_SUBMIT_BOS || args->in_sync_count > ENPU_MAX_SUBMIT_SYNCS ||
	    args->out_sync_count > ENPU_MAX_SUBMIT_SYNCS)
		return -EINVAL;
	if (!args->cmd_size || args->cmd_size > ENPU_MAX_CMD_SIZE ||
	    !IS_ALIGNED(args->cmd_size, 8) || !IS_ALIGNED(args->cmd_offset, 8))
		return -EINVAL;
	if (args->core != DRM_ENPU_CORE_ANY && args->core >= edev->num_cores)
		return -EINVAL;
	if (args->core != DRM_ENPU_CORE_ANY && !(READ_ONCE(edev->cores_enabled) & BIT(args->core)))
		return -ENODEV;
	if (args->priority > DRM_ENPU_PRIORITY_HIGH)
		return -EINVAL;
	if (args->priority == DRM_ENPU_PRIORITY_HIGH && !capable(CAP_SYS_NICE))
		return -EPERM;
	return 0;
}

/*
 * Arms and queues the job; nothing fails from here on. Called with the BOs
 * locked, which it unlocks before the push: once pushed, the job may run and be
 * freed at any moment.
 */
static u64 enpu_job_push(struct enpu_job *job, const struct drm_enpu_submit *args,
			 const u32 *bo_flags, struct ww_acquire_ctx *acquire,
			 struct dma_fence **out)
{
	struct enpu_file *ctx = job->ctx;
	struct dma_fence *finished, *old;
	u64 id;
	u32 i;

	drm_sched_job_arm(&job->base);
	finished = &job->base.s_fence->finished;
	id = ++ctx->next_job_id;
	job->id = id;
	for (i = 0; i < job->bo_count; i++)
		dma_resv_add_fence(job->bos[i]->resv, finished,
				   bo_flags[i] & DRM_ENPU_BO_WRITE ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
	/* The slot was reserved: this store does not allocate. */
	xa_store(&ctx->job_fences, id, dma_fence_get(finished), GFP_KERNEL);
	if (id > ENPU_JOB_STATUS_WINDOW) {
		old = xa_erase(&ctx->job_fences, id - ENPU_JOB_STATUS_WINDOW);
		if (old)
			dma_fence_put(old);
	}
	*out = dma_fence_get(finished);
	atomic_inc(&ctx->edev->jobs_in_flight);
	job->queued_ns = ktime_get_ns();
	trace_enpu_job_queued(enpu_dev_index(ctx->edev), ctx->id, job->pid, id, args->core,
			      args->priority, job->bo_count, job->cmd_size,
			      current->group_leader->start_time);
	drm_gem_unlock_reservations(job->bos, job->bo_count, acquire);
	drm_sched_entity_push_job(&job->base);
	return id;
}

int enpu_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct enpu_device *edev = to_enpu_device(drm);
	struct enpu_file *ctx = file->driver_priv;
	struct drm_enpu_submit *args = data;
	struct enpu_out_syncs out = {};
	struct drm_sched_entity *entity;
	struct ww_acquire_ctx acquire;
	struct dma_fence *finished;
	struct enpu_job *job;
	u32 *bo_flags = NULL;
	bool inited = false;
	int ret, i, idx;

	ret = enpu_submit_check(edev, args);
	if (ret)
		return ret;
	/* removal waits for this section: no job is pushed after it began */
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		drm_dev_exit(idx);
		return -ENOMEM;
	}
	kref_get(&ctx->ref);
	job->ctx = ctx;
	job->pid = task_tgid_nr(current);

	ret = enpu_job_lookup_bos(job, file, args, &bo_flags);
	if (ret)
		goto err;
	ret = enpu_job_copy_cmds(job, file, args);
	if (ret)
		goto err;
	ret = enpu_cs_validate(job->cmds, job->cmd_size);
	if (ret)
		goto err;
	entity = enpu_ctx_entity(ctx, args->priority, args->core);
	if (IS_ERR(entity)) {
		ret = PTR_ERR(entity);
		goto err;
	}
	ret = drm_sched_job_init(&job->base, entity, 1, ctx, file->client_id);
	if (ret)
		goto err;
	inited = true;
	ret = enpu_job_add_in_syncs(job, file, args);
	if (ret)
		goto err;
	ret = enpu_out_syncs_get(&out, file, args);
	if (ret)
		goto err;

	ret = drm_gem_lock_reservations(job->bos, job->bo_count, &acquire);
	if (ret)
		goto err;
	for (i = 0; i < job->bo_count; i++) {
		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
		if (!ret && !(args->flags & DRM_ENPU_SUBMIT_NO_IMPLICIT_SYNC))
			ret = drm_sched_job_add_implicit_dependencies(&job->base, job->bos[i],
								      bo_flags[i] &
								      DRM_ENPU_BO_WRITE);
		if (ret)
			goto err_unlock;
	}

	mutex_lock(&ctx->lock);
	ret = xa_reserve(&ctx->job_fences, ctx->next_job_id + 1, GFP_KERNEL);
	if (ret) {
		mutex_unlock(&ctx->lock);
		goto err_unlock;
	}
	args->job_id = enpu_job_push(job, args, bo_flags, &acquire, &finished);
	mutex_unlock(&ctx->lock);
	/* The job may be gone by now; only @finished is ours. */
	enpu_out_syncs_signal(&out, finished);
	dma_fence_put(finished);
	enpu_out_syncs_free(&out);
	kvfree(bo_flags);
	drm_dev_exit(idx);
	return 0;

err_unlock:
	drm_gem_unlock_reservations(job->bos, job->bo_count, &acquire);
err:
	enpu_out_syncs_free(&out);
	kvfree(bo_flags);
	if (inited)
		drm_sched_job_cleanup(&job->base);
	enpu_job_release(job);
	drm_dev_exit(idx);
	return ret;
}

static int enpu_wait_fence(struct dma_fence *fence, s64 timeout_ns)
{
	long left;

	if (dma_fence_is_signaled(fence))
		return 0;
	left = drm_timeout_abs_to_jiffies(timeout_ns);
	if (!left)
		return -ETIME;
	left = dma_fence_wait_timeout(fence, true, left);
	if (left < 0)
		return left;
	return left ? 0 : -ETIME;
}

int enpu_wait_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct enpu_file *ctx = file->driver_priv;
	struct drm_enpu_wait *args = data;
	struct drm_gem_object *obj;
	struct dma_fence *fence;
	long left;
	u64 last;
	int ret;

	if (args->pad)
		return -EINVAL;
	args->status = 0;

	switch (args->type) {
	case DRM_ENPU_WAIT_JOB:
		if (args->handle)
			return -EINVAL;
		mutex_lock(&ctx->lock);
		last = ctx->next_job_id;
		mutex_unlock(&ctx->lock);
		if (!args->job_id || args->job_id > last)
			return -EINVAL;
		xa_lock(&ctx->job_fences);
		fence = xa_load(&ctx->job_fences, args->job_id);
		if (fence)
			dma_fence_get(fence);
		xa_unlock(&ctx->job_fences);
		if (!fence)
			return -ENOENT;	/* older than the status window */
		ret = enpu_wait_fence(fence, args->timeout_ns);
		if (!ret)
			args->status = fence->error;
		dma_fence_put(fence);
		return ret;
	case DRM_ENPU_WAIT_BO:
		if (args->job_id)
			return -EINVAL;
		obj = drm_gem_object_lookup(file, args->handle);
		if (!obj)
			return -ENOENT;
		left = drm_timeout_abs_to_jiffies(args->timeout_ns);
		left = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_READ, true, left);
		drm_gem_object_put(obj);
		if (left < 0)
			return left;
		return left ? 0 : -ETIME;
	default:
		return -EINVAL;
	}
}
