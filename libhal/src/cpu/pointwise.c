/* SPDX-License-Identifier: MIT */
/* POOL and element-wise ops: split into chunks over the thread pool. */
#include <stdlib.h>
#include "cpu_device.h"

#define CHUNK 16384u

typedef struct pw_job {
	const cpu_device_t *d;
	const enpu_op_t *op;
	const void *in0, *in1;
	void *out;
	size_t count;
	cpu_scratch_t scratch; /* pool: C int32 per thread */
} pw_job_t;

static void pointwise_task(void *arg, size_t task, unsigned thread)
{
	(void)thread;
	pw_job_t *j = arg;
	const cpu_vec_ops_t *v = j->d->vec;
	const enpu_op_t *op = j->op;
	size_t b = task * CHUNK, e = b + CHUNK < j->count ? b + CHUNK : j->count;
	switch (op->kind) {
	case ENPU_OP_ADD: v->add(&op->u.eltwise, j->in0, j->in1, j->out, b, e); break;
	case ENPU_OP_MUL: v->mul(&op->u.eltwise, j->in0, j->in1, j->out, b, e); break;
	case ENPU_OP_REQUANTIZE: v->requant(&op->u.requant, j->in0, j->out, b, e); break;
	default: /* CAST */
		if (op->dtype == ENPU_DTYPE_INT8)
			v->dequant(&op->u.cast, j->in0, j->out, b, e);
		else
			v->quant(&op->u.cast, j->in0, j->out, b, e);
		break;
	}
}

enpu_status_t cpu_pointwise(const cpu_device_t *d, const enpu_op_t *op, void *out)
{
	pw_job_t j = { .d = d, .op = op, .in0 = enpu_op_host_ptr(op, ENPU_OP_IN0),
		       .in1 = enpu_op_host_ptr(op, ENPU_OP_IN1), .out = out };
	switch (op->kind) {
	case ENPU_OP_ADD:
	case ENPU_OP_MUL: j.count = op->u.eltwise.count; break;
	case ENPU_OP_REQUANTIZE: j.count = op->u.requant.count; break;
	default: j.count = op->u.cast.count; break;
	}
	cpu_threadpool_run(d->pool, (j.count + CHUNK - 1) / CHUNK, pointwise_task, &j);
	return ENPU_OK;
}

static void pool_task(void *arg, size_t task, unsigned thread)
{
	pw_job_t *j = arg;
	const enpu_pool_op_t *p = &j->op->u.pool;
	j->d->vec->pool_row(p, j->in0, j->out, (uint32_t)(task / p->out_h),
			    (uint32_t)(task % p->out_h), cpu_scratch_at(&j->scratch, thread));
}

enpu_status_t cpu_pool(const cpu_device_t *d, const enpu_op_t *op, void *out)
{
	const enpu_pool_op_t *p = &op->u.pool;
	pw_job_t j = { .d = d, .op = op, .in0 = enpu_op_host_ptr(op, ENPU_OP_IN0), .out = out };
	_Alignas(64) uint8_t local[CPU_SCRATCH_LOCAL];
	j.scratch = cpu_scratch_alloc(cpu_threadpool_size(d->pool), p->c * sizeof(int32_t), local);
	if (!j.scratch.base)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cpu pool: out of memory");
	cpu_threadpool_run(d->pool, (size_t)p->batch * p->out_h, pool_task, &j);
	cpu_scratch_free(&j.scratch);
	return ENPU_OK;
}
