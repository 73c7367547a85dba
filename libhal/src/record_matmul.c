/* SPDX-License-Identifier: MIT */
/* Recording GEMM and CONV2D: shape/dtype/quantization checks and resolution. */
#include <stdlib.h>
#include "command_list_impl.h"
#include "record_common.h"

#define NULL_ARG(fn) \
	enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: list or params is NULL", fn)

/* Checks the operand dtypes of an int8 or fp16 matmul-like op; bias optional. */
static enpu_status_t check_operands(const char *op, enpu_dtype_t dt, uint32_t rank,
				    const enpu_tensor_t *in, const enpu_tensor_t *w,
				    const enpu_tensor_t *bias, const enpu_tensor_t *out,
				    uint32_t channels)
{
	if (dt != ENPU_DTYPE_INT8 && dt != ENPU_DTYPE_FP16)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"%s: unsupported dtype %s (int8 or fp16)", op, enpu_dtype_name(dt));
	enpu_status_t st = rec_check_tensor(op, "input", in, dt, rank);
	if (!st)
		st = rec_check_tensor(op, "weights", w, dt, rank);
	if (!st)
		st = rec_check_tensor(op, "output", out, dt, rank);
	if (!st && bias) {
		st = rec_check_tensor(op, "bias", bias,
				      dt == ENPU_DTYPE_INT8 ? ENPU_DTYPE_INT32 : ENPU_DTYPE_FP32, 1);
		if (!st && bias->desc.dims[0] != channels)
			st = enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					      "%s: bias has %u elements, expected %u", op,
					      bias->desc.dims[0], channels);
	}
	if (!st && dt == ENPU_DTYPE_INT8)
		st = rec_check_weights(op, w);
	return st;
}

static enpu_status_t check_reduction(const char *op, uint64_t k)
{
	if (k > ENPU_MAX_REDUCTION)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"%s: reduction length %llu exceeds %u (int32 accumulation limit)",
					op, (unsigned long long)k, ENPU_MAX_REDUCTION);
	return ENPU_OK;
}

/* Quantization of an int8 op: zero points, multipliers, clamp. */
static enpu_status_t resolve_q(const char *op, enpu_dtype_t dt, const enpu_tensor_t *in,
			       const enpu_tensor_t *w, const enpu_tensor_t *out,
			       const enpu_requant_t *rq, const enpu_act_t *act, uint32_t channels,
			       int32_t *in_zp, int32_t *out_zp, int32_t **mult, int32_t **shift,
			       enpu_clamp_t *clamp)
{
	double in_scale = 0.0, out_scale = 0.0;
	*in_zp = *out_zp = 0;
	*mult = *shift = NULL;
	if (dt == ENPU_DTYPE_FP16)
		return rec_clamp(op, act, dt, 0.0, 0, clamp);
	enpu_status_t st = rec_activation_qp(op, "input", in, &in_scale, in_zp);
	if (!st)
		st = rec_activation_qp(op, "output", out, &out_scale, out_zp);
	if (!st)
		st = rec_clamp(op, act, dt, out_scale, *out_zp, clamp);
	if (!st)
		st = rec_requant(op, rq, channels, in_scale, w, out_scale, mult, shift);
	return st;
}

/* Takes references to the operands and appends the op. */
static enpu_status_t append(enpu_command_list_t *list, enpu_op_t *o, enpu_tensor_t *in,
			    enpu_tensor_t *w, enpu_tensor_t *bias, enpu_tensor_t *out)
{
	rec_take(o, ENPU_OP_IN0, in);
	rec_take(o, ENPU_OP_IN1, w);
	if (bias)
		rec_take(o, ENPU_OP_IN2, bias);
	rec_take(o, ENPU_OP_OUT, out);
	return enpu_command_list_append(list, o);
}

enpu_status_t enpu_cmd_gemm(enpu_command_list_t *list, const enpu_gemm_params_t *p)
{
	const char *op = "gemm";
	if (!list || !p)
		return NULL_ARG("enpu_cmd_gemm");
	enpu_dtype_t dt;
	enpu_status_t st = rec_dtype(op, "A", p->a, &dt);
	if (st)
		return st;
	uint32_t n = p->b ? p->b->desc.dims[0] : 0;
	st = check_operands(op, dt, 2, p->a, p->b, p->bias, p->c, n);
	if (st)
		return st;
	uint32_t m = p->a->desc.dims[0], k = p->a->desc.dims[1];
	if (p->b->desc.dims[1] != k || p->c->desc.dims[0] != m || p->c->desc.dims[1] != n)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"gemm: shape mismatch: A [%u][%u], B [%u][%u], C [%u][%u] "
					"(need A [M][K], B [N][K], C [M][N])",
					m, k, n, p->b->desc.dims[1], p->c->desc.dims[0],
					p->c->desc.dims[1]);
	st = check_reduction(op, k);
	if (st)
		return st;
	enpu_op_t o = { .kind = ENPU_OP_GEMM, .dtype = dt };
	enpu_gemm_op_t *g = &o.u.gemm;
	g->m = m;
	g->n = n;
	g->k = k;
	st = resolve_q(op, dt, p->a, p->b, p->c, &p->requant, &p->act, n, &g->a_zp, &g->c_zp,
		       &g->mult, &g->shift, &g->clamp);
	if (st)
		return st;
	return append(list, &o, p->a, p->b, p->bias, p->c);
}

static enpu_status_t conv_geometry(const enpu_conv2d_params_t *p, enpu_conv_op_t *c)
{
	const char *op = "conv2d";
	const uint32_t *in = p->input->desc.dims, *f = p->filter->desc.dims,
		       *out = p->output->desc.dims;
	if (!p->stride_h || !p->stride_w || !p->dilation_h || !p->dilation_w || !p->groups)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"conv2d: stride (%u,%u), dilation (%u,%u) and groups %u must "
					"all be >= 1",
					p->stride_h, p->stride_w, p->dilation_h, p->dilation_w,
					p->groups);
	c->batch = in[0];
	c->in_h = in[1];
	c->in_w = in[2];
	c->in_c = in[3];
	c->out_c = f[0];
	c->k_h = f[1];
	c->k_w = f[2];
	c->groups = p->groups;
	if (c->in_c % c->groups || c->out_c % c->groups || f[3] != c->in_c / c->groups)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"conv2d: groups %u must divide Cin %u and Cout %u, and the "
					"filter's last dim (%u) must be Cin/groups",
					c->groups, c->in_c, c->out_c, f[3]);
	c->stride_h = p->stride_h;
	c->stride_w = p->stride_w;
	c->dil_h = p->dilation_h;
	c->dil_w = p->dilation_w;
	c->pad_t = p->pad_top;
	c->pad_l = p->pad_left;
	c->pad_b = p->pad_bottom;
	c->pad_r = p->pad_right;
	uint64_t eff_h = (uint64_t)(c->k_h - 1) * c->dil_h + 1;
	uint64_t eff_w = (uint64_t)(c->k_w - 1) * c->dil_w + 1;
	uint64_t span_h = (uint64_t)c->in_h + c->pad_t + c->pad_b;
	uint64_t span_w = (uint64_t)c->in_w + c->pad_l + c->pad_r;
	if (span_h < eff_h || span_w < eff_w)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"conv2d: dilated kernel %llux%llu larger than padded input "
					"%llux%llu",
					(unsigned long long)eff_h, (unsigned long long)eff_w,
					(unsigned long long)span_h, (unsigned long long)span_w);
	enpu_status_t st = rec_out_size("conv2d", span_h, eff_h, c->stride_h, span_w, eff_w,
					c->stride_w, &c->out_h, &c->out_w);
	if (st)
		return st;
	if (out[0] != c->batch || out[1] != c->out_h || out[2] != c->out_w || out[3] != c->out_c)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"conv2d: output shape [%u][%u][%u][%u] != expected "
					"[%u][%u][%u][%u]",
					out[0], out[1], out[2], out[3], c->batch, c->out_h, c->out_w,
					c->out_c);
	return check_reduction(op, (uint64_t)c->k_h * c->k_w * f[3]);
}

enpu_status_t enpu_cmd_conv2d(enpu_command_list_t *list, const enpu_conv2d_params_t *p)
{
	const char *op = "conv2d";
	if (!list || !p)
		return NULL_ARG("enpu_cmd_conv2d");
	enpu_dtype_t dt;
	enpu_status_t st = rec_dtype(op, "input", p->input, &dt);
	if (st)
		return st;
	uint32_t cout = p->filter ? p->filter->desc.dims[0] : 0;
	st = check_operands(op, dt, 4, p->input, p->filter, p->bias, p->output, cout);
	if (st)
		return st;
	enpu_op_t o = { .kind = ENPU_OP_CONV2D, .dtype = dt };
	enpu_conv_op_t *c = &o.u.conv;
	st = conv_geometry(p, c);
	if (!st)
		st = resolve_q(op, dt, p->input, p->filter, p->output, &p->requant, &p->act, cout,
			       &c->in_zp, &c->out_zp, &c->mult, &c->shift, &c->clamp);
	if (st)
		return st;
	return append(list, &o, p->input, p->filter, p->bias, p->output);
}
