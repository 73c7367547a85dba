/* SPDX-License-Identifier: MIT */
/* Recording the element-wise ops: ADD, MUL, REQUANTIZE, CAST. */
#include "command_list_impl.h"
#include "enpu/quant.h"
#include "record_common.h"

#define NULL_ARG(fn) \
	enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: list or params is NULL", fn)

static enpu_status_t shape_mismatch(const char *op)
{
	return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
				"%s: shape mismatch (operands must have identical shapes)", op);
}

static enpu_status_t no_scale(const char *op)
{
	return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
				"%s: deriving multipliers needs quantization scales on all operands",
				op);
}

/* TFLite's derivation for quantized ADD (left shift 20) and MUL. */
static enpu_status_t derive_eltwise(const char *op, bool add, double sa, double sb, double so,
				    enpu_eltwise_requant_t *rq)
{
	if (sa <= 0.0 || sb <= 0.0 || so <= 0.0)
		return no_scale(op);
	*rq = (enpu_eltwise_requant_t){ 0 };
	int s = 0;
	enpu_status_t st;
	if (!add) {
		st = enpu_quantize_multiplier(sa * sb / so, &rq->out_mult, &s);
		rq->out_shift = s;
		return st;
	}
	double twice_max = 2.0 * (sa > sb ? sa : sb);
	st = enpu_quantize_multiplier(sa / twice_max, &rq->a_mult, &s);
	rq->a_shift = s;
	if (!st)
		st = enpu_quantize_multiplier(sb / twice_max, &rq->b_mult, &s);
	rq->b_shift = s;
	if (!st)
		st = enpu_quantize_multiplier(twice_max / ((double)(1 << 20) * so), &rq->out_mult, &s);
	rq->out_shift = s;
	return st;
}

static enpu_status_t record_eltwise(enpu_command_list_t *list, const enpu_eltwise_params_t *p,
				    bool add)
{
	const char *op = add ? "add" : "mul";
	if (!list || !p)
		return NULL_ARG(add ? "enpu_cmd_add" : "enpu_cmd_mul");
	enpu_status_t st = rec_check_tensor(op, "a", p->a, ENPU_DTYPE_INT8, 0);
	if (!st)
		st = rec_check_tensor(op, "b", p->b, ENPU_DTYPE_INT8, 0);
	if (!st)
		st = rec_check_tensor(op, "out", p->out, ENPU_DTYPE_INT8, 0);
	if (st)
		return st;
	if (!rec_same_shape(p->a, p->b) || !rec_same_shape(p->a, p->out))
		return shape_mismatch(op);
	enpu_op_t o = { .kind = add ? ENPU_OP_ADD : ENPU_OP_MUL, .dtype = ENPU_DTYPE_INT8 };
	enpu_eltwise_op_t *e = &o.u.eltwise;
	double sa, sb, so;
	st = rec_activation_qp(op, "a", p->a, &sa, &e->a_zp);
	if (!st)
		st = rec_activation_qp(op, "b", p->b, &sb, &e->b_zp);
	if (!st)
		st = rec_activation_qp(op, "out", p->out, &so, &e->out_zp);
	if (!st)
		st = rec_clamp(op, &p->act, ENPU_DTYPE_INT8, so, e->out_zp, &e->clamp);
	if (st)
		return st;
	if (p->rq) {
		e->rq = *p->rq;
		if (add) {
			st = rec_check_multiplier(op, "a", e->rq.a_mult, e->rq.a_shift);
			if (!st)
				st = rec_check_multiplier(op, "b", e->rq.b_mult, e->rq.b_shift);
		}
		if (!st)
			st = rec_check_multiplier(op, "output", e->rq.out_mult, e->rq.out_shift);
	} else {
		st = derive_eltwise(op, add, sa, sb, so, &e->rq);
	}
	if (st)
		return st;
	e->count = enpu_tensor_element_count(p->a);
	rec_take(&o, ENPU_OP_IN0, p->a);
	rec_take(&o, ENPU_OP_IN1, p->b);
	rec_take(&o, ENPU_OP_OUT, p->out);
	return enpu_command_list_append(list, &o);
}

enpu_status_t enpu_cmd_add(enpu_command_list_t *list, const enpu_eltwise_params_t *p)
{
	return record_eltwise(list, p, true);
}

enpu_status_t enpu_cmd_mul(enpu_command_list_t *list, const enpu_eltwise_params_t *p)
{
	return record_eltwise(list, p, false);
}

enpu_status_t enpu_cmd_requantize(enpu_command_list_t *list, const enpu_requantize_params_t *p)
{
	const char *op = "requantize";
	if (!list || !p)
		return NULL_ARG("enpu_cmd_requantize");
	enpu_status_t st = rec_check_tensor(op, "input", p->input, ENPU_DTYPE_INT8, 0);
	if (!st)
		st = rec_check_tensor(op, "output", p->output, ENPU_DTYPE_INT8, 0);
	if (st)
		return st;
	if (!rec_same_shape(p->input, p->output))
		return shape_mismatch(op);
	enpu_op_t o = { .kind = ENPU_OP_REQUANTIZE, .dtype = ENPU_DTYPE_INT8 };
	enpu_requant_op_t *r = &o.u.requant;
	double si, so;
	st = rec_activation_qp(op, "input", p->input, &si, &r->in_zp);
	if (!st)
		st = rec_activation_qp(op, "output", p->output, &so, &r->out_zp);
	if (!st)
		st = rec_clamp(op, &p->act, ENPU_DTYPE_INT8, so, r->out_zp, &r->clamp);
	if (st)
		return st;
	if (p->requant.mult) {
		if (p->requant.count != 1 || !p->requant.shift)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"requantize: requant must be per tensor (count 1, "
						"shift given), got count %zu",
						p->requant.count);
		r->mult = p->requant.mult[0];
		r->shift = p->requant.shift[0];
		st = rec_check_multiplier(op, "output", r->mult, r->shift);
	} else if (si <= 0.0 || so <= 0.0) {
		st = no_scale(op);
	} else {
		int s = 0;
		st = enpu_quantize_multiplier(si / so, &r->mult, &s);
		r->shift = s;
	}
	if (st)
		return st;
	r->count = enpu_tensor_element_count(p->input);
	rec_take(&o, ENPU_OP_IN0, p->input);
	rec_take(&o, ENPU_OP_OUT, p->output);
	return enpu_command_list_append(list, &o);
}

enpu_status_t enpu_cmd_cast(enpu_command_list_t *list, const enpu_cast_params_t *p)
{
	const char *op = "cast";
	if (!list || !p)
		return NULL_ARG("enpu_cmd_cast");
	enpu_dtype_t in_dt, out_dt;
	enpu_status_t st = rec_dtype(op, "input", p->input, &in_dt);
	if (!st)
		st = rec_dtype(op, "output", p->output, &out_dt);
	if (st)
		return st;
	bool deq = in_dt == ENPU_DTYPE_INT8 && out_dt == ENPU_DTYPE_FP16;
	bool q = in_dt == ENPU_DTYPE_FP16 && out_dt == ENPU_DTYPE_INT8;
	if (!deq && !q)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"cast: %s -> %s unsupported (int8 <-> fp16 only)",
					enpu_dtype_name(in_dt), enpu_dtype_name(out_dt));
	if (!rec_same_shape(p->input, p->output))
		return shape_mismatch(op);
	const enpu_tensor_t *qt = deq ? p->input : p->output;
	enpu_op_t o = { .kind = ENPU_OP_CAST, .dtype = in_dt };
	double scale;
	st = rec_activation_qp(op, deq ? "input" : "output", qt, &scale, &o.u.cast.zp);
	if (st)
		return st;
	if (scale <= 0.0)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"cast: the int8 %s needs a per-tensor quantization scale",
					deq ? "input" : "output");
	o.u.cast.scale = (float)scale;
	o.u.cast.count = enpu_tensor_element_count(p->input);
	rec_take(&o, ENPU_OP_IN0, p->input);
	rec_take(&o, ENPU_OP_OUT, p->output);
	return enpu_command_list_append(list, &o);
}
