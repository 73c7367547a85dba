/* SPDX-License-Identifier: MIT */
/* Recording POOL (int8 max/avg). */
#include "command_list_impl.h"
#include "record_common.h"

static enpu_status_t pool_geometry(const enpu_pool_params_t *p, enpu_pool_op_t *g)
{
	const uint32_t *in = p->input->desc.dims, *out = p->output->desc.dims;
	if (p->kind != ENPU_POOL_MAX && p->kind != ENPU_POOL_AVG)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "pool: unknown kind %d",
					(int)p->kind);
	if (!p->kernel_h || !p->kernel_w || !p->stride_h || !p->stride_w)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"pool: kernel (%u,%u) and stride (%u,%u) must be >= 1",
					p->kernel_h, p->kernel_w, p->stride_h, p->stride_w);
	if ((uint64_t)p->kernel_h * p->kernel_w > 65536u)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"pool: window %ux%u exceeds 65536 elements", p->kernel_h,
					p->kernel_w);
	*g = (enpu_pool_op_t){
		.kind = p->kind, .batch = in[0], .in_h = in[1], .in_w = in[2], .c = in[3],
		.k_h = p->kernel_h, .k_w = p->kernel_w, .stride_h = p->stride_h,
		.stride_w = p->stride_w, .pad_t = p->pad_top, .pad_l = p->pad_left,
		.pad_b = p->pad_bottom, .pad_r = p->pad_right,
	};
	uint64_t span_h = (uint64_t)g->in_h + g->pad_t + g->pad_b;
	uint64_t span_w = (uint64_t)g->in_w + g->pad_l + g->pad_r;
	if (span_h < g->k_h || span_w < g->k_w)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"pool: kernel %ux%u larger than padded input %llux%llu",
					g->k_h, g->k_w, (unsigned long long)span_h,
					(unsigned long long)span_w);
	enpu_status_t st = rec_out_size("pool", span_h, g->k_h, g->stride_h, span_w, g->k_w,
					g->stride_w, &g->out_h, &g->out_w);
	if (st)
		return st;
	/* The first and last windows (hence all) must overlap the input. */
	if (g->pad_t >= g->k_h || g->pad_l >= g->k_w ||
	    (uint64_t)(g->out_h - 1) * g->stride_h >= (uint64_t)g->in_h + g->pad_t ||
	    (uint64_t)(g->out_w - 1) * g->stride_w >= (uint64_t)g->in_w + g->pad_l)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"pool: padding (%u,%u,%u,%u) leaves a window with no input "
					"element",
					g->pad_t, g->pad_l, g->pad_b, g->pad_r);
	if (out[0] != g->batch || out[1] != g->out_h || out[2] != g->out_w || out[3] != g->c)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"pool: output shape [%u][%u][%u][%u] != expected [%u][%u][%u][%u]",
					out[0], out[1], out[2], out[3], g->batch, g->out_h, g->out_w,
					g->c);
	return ENPU_OK;
}

enpu_status_t enpu_cmd_pool(enpu_command_list_t *list, const enpu_pool_params_t *p)
{
	const char *op = "pool";
	if (!list || !p)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_cmd_pool: list or params is NULL");
	enpu_status_t st = rec_check_tensor(op, "input", p->input, ENPU_DTYPE_INT8, 4);
	if (!st)
		st = rec_check_tensor(op, "output", p->output, ENPU_DTYPE_INT8, 4);
	if (st)
		return st;
	double in_scale, out_scale;
	int32_t in_zp, out_zp;
	st = rec_activation_qp(op, "input", p->input, &in_scale, &in_zp);
	if (!st)
		st = rec_activation_qp(op, "output", p->output, &out_scale, &out_zp);
	if (st)
		return st;
	if (in_scale != out_scale || in_zp != out_zp)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"pool: input and output must share quantization (scale %g/%g, "
					"zero point %d/%d)",
					in_scale, out_scale, in_zp, out_zp);
	enpu_op_t o = { .kind = ENPU_OP_POOL, .dtype = ENPU_DTYPE_INT8 };
	st = pool_geometry(p, &o.u.pool);
	if (!st)
		st = rec_clamp(op, &p->act, ENPU_DTYPE_INT8, out_scale, out_zp, &o.u.pool.clamp);
	if (st)
		return st;
	rec_take(&o, ENPU_OP_IN0, p->input);
	rec_take(&o, ENPU_OP_OUT, p->output);
	return enpu_command_list_append(list, &o);
}
