/* SPDX-License-Identifier: MIT */
/* NPU backend: one op, one driver job. The op's tensors are reached through
 * their buffers' BOs (this device's), or through BOs that pin host memory for
 * the job (userptr, zero copy). The descriptor and the per-channel requant
 * arrays go into the device's scratch BO. An output that shares memory with
 * an input goes to a BO of the job's own, copied to the output after the
 * job (the device reads its inputs while it writes). Runs on the queue
 * thread only. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/enpu_accel.h>
#include <drm/enpu_cmd.h>

#include "enpu/fp16.h"
#include "npu.h"
#include "tensor_impl.h"

/* A buffer the job touches, and the BO it is reached through. */
typedef struct job_buf {
	const enpu_buffer_t *buffer;
	npu_bo_t bo;
	uint64_t base;   /* device address of the buffer's first byte */
	uint32_t flags;  /* DRM_ENPU_BO_READ / WRITE */
	int pinned;      /* a userptr BO made for this job */
} job_buf_t;

typedef struct job {
	npu_device_t *dev;
	job_buf_t bufs[ENPU_OP_TENSORS + 1]; /* the tensors', the output's own */
	size_t nbufs;
	job_buf_t *own_out; /* the output's own BO, or NULL */
	uint8_t *cmd;    /* scratch map */
	size_t used;     /* bytes of scratch used: descriptor, then constants */
} job_t;

static job_buf_t *job_buf_find(job_t *j, const enpu_buffer_t *b)
{
	for (size_t i = 0; i < j->nbufs; i++)
		if (j->bufs[i].buffer == b)
			return &j->bufs[i];
	return NULL;
}

/* Adds the buffer of tensor role r with access flags. */
static void job_use(job_t *j, const enpu_op_t *op, int r, uint32_t flags)
{
	const enpu_tensor_t *t = op->tensors[r];
	job_buf_t *jb;

	if (!t)
		return;
	jb = job_buf_find(j, t->buffer);
	if (!jb) {
		jb = &j->bufs[j->nbufs++];
		memset(jb, 0, sizeof(*jb));
		jb->buffer = t->buffer;
	}
	jb->flags |= flags;
}

/* Gives every job buffer a BO: its own, or a pin of the host pages it spans. */
static enpu_status_t job_map_buffers(job_t *j)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < j->nbufs; i++) {
		job_buf_t *jb = &j->bufs[i];
		uint64_t off = 0;
		const npu_bo_t *own = npu_buffer_bo(j->dev, jb->buffer, &off);
		uintptr_t start, end;
		int ret;

		if (own) {
			jb->bo = *own;
			jb->base = own->addr + off;
			continue;
		}
		start = (uintptr_t)jb->buffer->host & ~(uintptr_t)(page - 1);
		end = ((uintptr_t)jb->buffer->host + jb->buffer->size + page - 1) &
		      ~(uintptr_t)(page - 1);
		ret = npu_bo_userptr(j->dev->fd, (void *)start, end - start,
				     !(jb->flags & DRM_ENPU_BO_WRITE), &jb->bo);
		if (ret)
			return enpu_status_make(ENPU_STATUS_DEVICE_ERROR,
						"npu: cannot pin %zu bytes of host memory: %s",
						jb->buffer->size, strerror(-ret));
		jb->pinned = 1;
		jb->base = jb->bo.addr + ((uintptr_t)jb->buffer->host - start);
	}
	return ENPU_OK;
}

static uint64_t tensor_addr(job_t *j, const enpu_op_t *op, int r)
{
	const enpu_tensor_t *t = op->tensors[r];

	if (r == ENPU_OP_OUT && j->own_out)
		return j->own_out->base;
	return t ? job_buf_find(j, t->buffer)->base + t->offset : 0;
}

/* The output's own BO where it shares memory with an input. */
static enpu_status_t job_own_output(job_t *j, const enpu_op_t *op)
{
	const enpu_tensor_t *out = op->tensors[ENPU_OP_OUT];
	job_buf_t *jb = &j->bufs[j->nbufs];
	int ret;

	if (!op->out_shared)
		return ENPU_OK;
	memset(jb, 0, sizeof(*jb));
	ret = npu_bo_create(j->dev->fd, enpu_tensor_byte_size(out), &jb->bo);
	if (ret)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"npu: no buffer for an output over an input (%zu bytes): %s",
					enpu_tensor_byte_size(out), strerror(-ret));
	jb->base = jb->bo.addr;
	jb->flags = DRM_ENPU_BO_WRITE;
	jb->pinned = 1; /* freed with the job */
	j->own_out = jb;
	j->nbufs++;
	return ENPU_OK;
}

/* Copies an int32 array into the scratch BO (room checked by channels_fit). */
static uint64_t job_const(job_t *j, const int32_t *v, size_t n)
{
	size_t off = (j->used + 7) & ~(size_t)7;

	memcpy(j->cmd + off, v, n * sizeof(*v));
	j->used = off + n * sizeof(*v);
	return j->dev->scratch.addr + off;
}

static void *job_desc(job_t *j, uint16_t opcode, uint32_t size, uint16_t flags)
{
	struct enpu_cmd_hdr *h = (void *)j->cmd;

	memset(h, 0, size);
	h->opcode = opcode;
	h->flags = flags;
	h->size = size;
	j->used = size;
	return h;
}

/* The descriptor and two int32 arrays of @n entries fit the scratch BO. */
static enpu_status_t channels_fit(size_t n)
{
	if (4096 + 8 * n <= NPU_SCRATCH_BYTES)
		return ENPU_OK;
	return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
				"npu: %zu output channels exceed the %d the NPU backend supports", n,
				(NPU_SCRATCH_BYTES - 4096) / 8);
}

static void fill_quant(job_t *j, struct enpu_cmd_quant *q, const int32_t *mult,
		       const int32_t *shift, size_t n, int32_t out_zp, const enpu_clamp_t *c)
{
	q->mult = job_const(j, mult, n);
	q->shift = job_const(j, shift, n);
	q->out_zp = out_zp;
	q->act_min = c->qmin;
	q->act_max = c->qmax;
}

static int f16_clamp_is_none(const enpu_clamp_t *c)
{
	return isinf(c->fmin) && c->fmin < 0 && isinf(c->fmax) && c->fmax > 0;
}

static int f16_exact(float f)
{
	return isinf(f) || enpu_f16_to_f32(enpu_f32_to_f16(f)) == f;
}

/*
 * FP16 GEMM/conv activation clamps run on the host after the job: the NPU has
 * none. The contract clamps in fp32 before rounding; rounding is monotonic, so
 * clamping the rounded fp16 result to bounds that fp16 represents exactly gives
 * the same bits. Other bounds are refused.
 */
static enpu_status_t f16_clamp_check(const enpu_clamp_t *c, const char *what)
{
	if (f16_clamp_is_none(c) || (f16_exact(c->fmin) && f16_exact(c->fmax)))
		return ENPU_OK;
	return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
				"npu: fp16 %s clamp bounds %g..%g are not fp16 values (run it on "
				"the CPU)", what, c->fmin, c->fmax);
}

static void f16_clamp_apply(const enpu_op_t *op)
{
	const enpu_clamp_t *c = op->kind == ENPU_OP_GEMM ? &op->u.gemm.clamp : &op->u.conv.clamp;
	const enpu_tensor_t *t = op->tensors[ENPU_OP_OUT];
	uint16_t *out = (uint16_t *)((char *)t->buffer->host + t->offset);
	size_t n = 1;

	if (f16_clamp_is_none(c))
		return;
	for (uint32_t i = 0; i < t->desc.rank; i++)
		n *= t->desc.dims[i];
	for (size_t i = 0; i < n; i++) {
		float v = enpu_f16_to_f32(out[i]);

		if (v < c->fmin)	/* NaN compares false: kept, as in the reference */
			out[i] = enpu_f32_to_f16(c->fmin);
		else if (v > c->fmax)
			out[i] = enpu_f32_to_f16(c->fmax);
	}
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static enpu_status_t encode_gemm(job_t *j, const enpu_op_t *op)
{
	const enpu_gemm_op_t *g = &op->u.gemm;
	int f16 = op->dtype == ENPU_DTYPE_FP16;
	struct enpu_cmd_gemm *d;

	if (f16 && f16_clamp_check(&g->clamp, "GEMM") != ENPU_OK)
		return f16_clamp_check(&g->clamp, "GEMM");
	if (channels_fit(g->n) != ENPU_OK)
		return channels_fit(g->n);
	d = job_desc(j, f16 ? ENPU_CMD_OP_GEMM_F16 : ENPU_CMD_OP_GEMM_I8, sizeof(*d),
		     op->tensors[ENPU_OP_IN2] ? ENPU_CMD_F_BIAS : 0);
	*d = (struct enpu_cmd_gemm){
		.hdr = d->hdr,
		.a = tensor_addr(j, op, ENPU_OP_IN0), .b = tensor_addr(j, op, ENPU_OP_IN1),
		.bias = tensor_addr(j, op, ENPU_OP_IN2), .c = tensor_addr(j, op, ENPU_OP_OUT),
		.m = g->m, .n = g->n, .k = g->k, .lda = g->k, .ldb = g->k, .ldc = g->n,
		.a_zp = f16 ? 0 : g->a_zp,
	};
	if (!f16)
		fill_quant(j, &d->q, g->mult, g->shift, g->n, g->c_zp, &g->clamp);
	return ENPU_OK;
}

static enpu_status_t encode_conv(job_t *j, const enpu_op_t *op)
{
	const enpu_conv_op_t *c = &op->u.conv;
	int f16 = op->dtype == ENPU_DTYPE_FP16;
	struct enpu_cmd_conv2d *d;

	if (f16 && f16_clamp_check(&c->clamp, "conv2d") != ENPU_OK)
		return f16_clamp_check(&c->clamp, "conv2d");
	if (channels_fit(c->out_c) != ENPU_OK)
		return channels_fit(c->out_c);
	d = job_desc(j, f16 ? ENPU_CMD_OP_CONV2D_F16 : ENPU_CMD_OP_CONV2D_I8, sizeof(*d),
		     op->tensors[ENPU_OP_IN2] ? ENPU_CMD_F_BIAS : 0);
	*d = (struct enpu_cmd_conv2d){
		.hdr = d->hdr,
		.in = tensor_addr(j, op, ENPU_OP_IN0), .filter = tensor_addr(j, op, ENPU_OP_IN1),
		.bias = tensor_addr(j, op, ENPU_OP_IN2), .out = tensor_addr(j, op, ENPU_OP_OUT),
		.n = c->batch, .h = c->in_h, .w = c->in_w, .cin = c->in_c, .cout = c->out_c,
		.kh = c->k_h, .kw = c->k_w, .stride_h = c->stride_h, .stride_w = c->stride_w,
		.dil_h = c->dil_h, .dil_w = c->dil_w, .pad_top = c->pad_t, .pad_left = c->pad_l,
		.pad_bottom = c->pad_b, .pad_right = c->pad_r, .groups = c->groups,
		.out_h = c->out_h, .out_w = c->out_w, .in_zp = f16 ? 0 : c->in_zp,
	};
	if (!f16)
		fill_quant(j, &d->q, c->mult, c->shift, c->out_c, c->out_zp, &c->clamp);
	return ENPU_OK;
}

/* The bottom (right) padding the windows reach: the HAL takes any pad that
 * leaves the last window on the input, the driver pads below the kernel;
 * the windows, hence out and the result, are the same. */
static uint32_t pad_used(uint32_t out, uint32_t stride, uint32_t k, uint32_t in,
			 uint32_t pad_before)
{
	uint64_t end = (uint64_t)(out - 1) * stride + k, have = (uint64_t)in + pad_before;

	return end > have ? (uint32_t)(end - have) : 0;
}

static enpu_status_t encode_pool(job_t *j, const enpu_op_t *op)
{
	const enpu_pool_op_t *p = &op->u.pool;
	struct enpu_cmd_pool *d = job_desc(j, ENPU_CMD_OP_POOL_I8, sizeof(*d), 0);

	*d = (struct enpu_cmd_pool){
		.hdr = d->hdr,
		.in = tensor_addr(j, op, ENPU_OP_IN0), .out = tensor_addr(j, op, ENPU_OP_OUT),
		.n = p->batch, .h = p->in_h, .w = p->in_w, .c = p->c, .kh = p->k_h, .kw = p->k_w,
		.stride_h = p->stride_h, .stride_w = p->stride_w, .pad_top = p->pad_t,
		.pad_left = p->pad_l, .pad_bottom = pad_used(p->out_h, p->stride_h, p->k_h, p->in_h,
							     p->pad_t),
		.pad_right = pad_used(p->out_w, p->stride_w, p->k_w, p->in_w, p->pad_l),
		.out_h = p->out_h, .out_w = p->out_w,
		.mode = p->kind == ENPU_POOL_AVG ? ENPU_CMD_POOL_AVG : ENPU_CMD_POOL_MAX,
		.act_min = p->clamp.qmin, .act_max = p->clamp.qmax,
	};
	return ENPU_OK;
}

static enpu_status_t encode_pointwise(job_t *j, const enpu_op_t *op)
{
	switch (op->kind) {
	case ENPU_OP_ADD:
	case ENPU_OP_MUL: {
		const enpu_eltwise_op_t *e = &op->u.eltwise;
		struct enpu_cmd_eltwise *d = job_desc(j, ENPU_CMD_OP_ELTWISE_I8, sizeof(*d), 0);
		int add = op->kind == ENPU_OP_ADD;

		*d = (struct enpu_cmd_eltwise){
			.hdr = d->hdr,
			.a = tensor_addr(j, op, ENPU_OP_IN0), .b = tensor_addr(j, op, ENPU_OP_IN1),
			.out = tensor_addr(j, op, ENPU_OP_OUT), .count = (uint32_t)e->count,
			.op = add ? ENPU_CMD_ELTWISE_ADD : ENPU_CMD_ELTWISE_MUL,
			.a_zp = e->a_zp, .b_zp = e->b_zp, .out_zp = e->out_zp,
			.a_mult = add ? e->rq.a_mult : 0, .a_shift = add ? e->rq.a_shift : 0,
			.b_mult = add ? e->rq.b_mult : 0, .b_shift = add ? e->rq.b_shift : 0,
			.out_mult = e->rq.out_mult, .out_shift = e->rq.out_shift,
			.act_min = e->clamp.qmin, .act_max = e->clamp.qmax,
		};
		return ENPU_OK;
	}
	case ENPU_OP_REQUANTIZE: {
		const enpu_requant_op_t *r = &op->u.requant;
		struct enpu_cmd_requant *d = job_desc(j, ENPU_CMD_OP_REQUANT, sizeof(*d), 0);

		*d = (struct enpu_cmd_requant){
			.hdr = d->hdr,
			.in = tensor_addr(j, op, ENPU_OP_IN0), .out = tensor_addr(j, op, ENPU_OP_OUT),
			.count = (uint32_t)r->count, .mode = ENPU_CMD_REQUANT_I8_I8,
			.in_zp = r->in_zp, .out_zp = r->out_zp, .mult = r->mult, .shift = r->shift,
			.act_min = r->clamp.qmin, .act_max = r->clamp.qmax,
		};
		return ENPU_OK;
	}
	default: {	/* CAST; op->dtype is the input's */
		const enpu_cast_op_t *c = &op->u.cast;
		int to_f16 = op->dtype == ENPU_DTYPE_INT8;
		struct enpu_cmd_requant *d = job_desc(j, ENPU_CMD_OP_REQUANT, sizeof(*d), 0);

		*d = (struct enpu_cmd_requant){
			.hdr = d->hdr,
			.in = tensor_addr(j, op, ENPU_OP_IN0), .out = tensor_addr(j, op, ENPU_OP_OUT),
			.count = (uint32_t)c->count,
			.mode = to_f16 ? ENPU_CMD_REQUANT_I8_F16 : ENPU_CMD_REQUANT_F16_I8,
			.in_zp = to_f16 ? c->zp : 0, .out_zp = to_f16 ? 0 : c->zp,
			.act_min = to_f16 ? 0 : -128, .act_max = to_f16 ? 0 : 127,
			.scale_bits = f32_bits(c->scale),
		};
		return ENPU_OK;
	}
	}
}

static enpu_status_t job_encode(job_t *j, const enpu_op_t *op)
{
	switch (op->kind) {
	case ENPU_OP_GEMM:
		return encode_gemm(j, op);
	case ENPU_OP_CONV2D:
		return encode_conv(j, op);
	case ENPU_OP_POOL:
		return encode_pool(j, op);
	case ENPU_OP_ADD:
	case ENPU_OP_MUL:
	case ENPU_OP_REQUANTIZE:
	case ENPU_OP_CAST:
		return encode_pointwise(j, op);
	case ENPU_OP_KIND_COUNT:
		break;
	}
	return enpu_status_make(ENPU_STATUS_INTERNAL, "npu: invalid op kind %d", (int)op->kind);
}

static enpu_status_t job_status(int32_t status, const enpu_op_t *op)
{
	switch (status) {
	case 0:
		return ENPU_OK;
	case -EFAULT:
		return enpu_status_make(ENPU_STATUS_DEVICE_ERROR,
					"npu: memory fault in op kind %d (an address outside the "
					"job's buffers)", (int)op->kind);
	case -ETIMEDOUT:
		return enpu_status_make(ENPU_STATUS_DEADLINE_EXCEEDED,
					"npu: job timed out and its core was reset");
	case -EINVAL:
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"npu: the device rejected the op's data (quantization "
					"parameters out of range)");
	default:
		return enpu_status_make(ENPU_STATUS_DEVICE_ERROR, "npu: job failed: %s",
					strerror(-status));
	}
}

/* Submits the encoded job and waits for it. */
static enpu_status_t job_run(job_t *j, const enpu_op_t *op)
{
	struct drm_enpu_submit_bo sbo[ENPU_OP_TENSORS + 2]; /* bufs, scratch */
	struct drm_enpu_submit s = {
		.bos = (uintptr_t)sbo,
		.cmd_handle = j->dev->scratch.handle, .cmd_size = ((struct enpu_cmd_hdr *)j->cmd)->size,
		.core = DRM_ENPU_CORE_ANY, .priority = j->dev->priority,
	};
	struct drm_enpu_wait w = { .type = DRM_ENPU_WAIT_JOB };
	struct timespec ts;

	/* each BO once: two buffers may hold one handle (npu_handles.c) */
	for (size_t i = 0; i < j->nbufs; i++) {
		uint32_t k = 0;

		while (k < s.bo_count && sbo[k].handle != j->bufs[i].bo.handle)
			k++;
		if (k == s.bo_count)
			sbo[s.bo_count++] = (struct drm_enpu_submit_bo){ j->bufs[i].bo.handle, 0 };
		sbo[k].flags |= j->bufs[i].flags;
	}
	sbo[s.bo_count++] = (struct drm_enpu_submit_bo){ j->dev->scratch.handle, DRM_ENPU_BO_READ };
	if (ioctl(j->dev->fd, DRM_IOCTL_ENPU_SUBMIT, &s))
		return enpu_status_make(errno == EINVAL ? ENPU_STATUS_INVALID_ARGUMENT :
					ENPU_STATUS_DEVICE_ERROR,
					"npu: the driver refused op kind %d: %s", (int)op->kind,
					strerror(errno));
	w.job_id = s.job_id;
	/* The driver ends a job itself at its timeout; this deadline is a backstop. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec +
		       (int64_t)(j->dev->job_timeout_ms + 10000) * 1000000;
	while (ioctl(j->dev->fd, DRM_IOCTL_ENPU_WAIT, &w)) {
		if (errno != EINTR)
			return enpu_status_make(ENPU_STATUS_DEVICE_ERROR,
						"npu: waiting for the job failed: %s",
						strerror(errno));
	}
	return job_status(w.status, op);
}

enpu_status_t npu_exec(void *ctx, const enpu_op_t *op)
{
	npu_device_t *dev = ctx;
	job_t j = { .dev = dev, .cmd = dev->scratch.map };
	enpu_status_t st = npu_check_limits(op);

	if (st)
		return st;
	job_use(&j, op, ENPU_OP_IN0, DRM_ENPU_BO_READ);
	job_use(&j, op, ENPU_OP_IN1, DRM_ENPU_BO_READ);
	job_use(&j, op, ENPU_OP_IN2, DRM_ENPU_BO_READ);
	job_use(&j, op, ENPU_OP_OUT, DRM_ENPU_BO_WRITE);
	st = job_map_buffers(&j);
	if (st == ENPU_OK)
		st = job_own_output(&j, op);
	if (st == ENPU_OK)
		st = job_encode(&j, op);
	if (st == ENPU_OK)
		st = job_run(&j, op);
	if (st == ENPU_OK && j.own_out)
		memcpy(enpu_op_host_ptr(op, ENPU_OP_OUT), j.own_out->bo.map,
		       enpu_tensor_byte_size(op->tensors[ENPU_OP_OUT]));
	if (st == ENPU_OK && op->dtype == ENPU_DTYPE_FP16 &&
	    (op->kind == ENPU_OP_GEMM || op->kind == ENPU_OP_CONV2D))
		f16_clamp_apply(op);
	for (size_t i = 0; i < j.nbufs; i++)
		if (j.bufs[i].pinned)
			npu_bo_free(j.dev->fd, &j.bufs[i].bo);
	return st;
}
