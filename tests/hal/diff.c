/* SPDX-License-Identifier: MIT */
/* Differential testing helpers (reference device vs CPU device). */
#include <stdio.h>
#include "diff.h"

enpu_status_t diff_rec_gemm(enpu_command_list_t *l, const void *p) { return enpu_cmd_gemm(l, p); }
enpu_status_t diff_rec_conv(enpu_command_list_t *l, const void *p) { return enpu_cmd_conv2d(l, p); }
enpu_status_t diff_rec_pool(enpu_command_list_t *l, const void *p) { return enpu_cmd_pool(l, p); }
enpu_status_t diff_rec_add(enpu_command_list_t *l, const void *p) { return enpu_cmd_add(l, p); }
enpu_status_t diff_rec_mul(enpu_command_list_t *l, const void *p) { return enpu_cmd_mul(l, p); }
enpu_status_t diff_rec_requant(enpu_command_list_t *l, const void *p)
{
	return enpu_cmd_requantize(l, p);
}
enpu_status_t diff_rec_cast(enpu_command_list_t *l, const void *p) { return enpu_cmd_cast(l, p); }

bool diff_run(tctx *t, t_env *e, diff_record_fn rec, void *params, enpu_tensor_t **out_slot,
	      const enpu_tensor_desc_t *desc, const char *what)
{
	return diff_run_n(t, e, rec, params, out_slot, desc, what, 1);
}

bool diff_run_n(tctx *t, t_env *e, diff_record_fn rec, void *params, enpu_tensor_t **out_slot,
		const enpu_tensor_desc_t *desc, const char *what, unsigned cpu_runs)
{
	enpu_tensor_t *out[2] = { 0 };
	enpu_command_list_t *l[2] = { 0 };
	enpu_device_t *dev[2] = { e->ref, e->cpu };
	bool ok = false;
	for (int i = 0; i < 2; i++) {
		out[i] = t_tensor(t, e->ref, desc->dtype, desc->rank, desc->dims, &desc->quant, NULL);
		CHECK(t, out[i], "%s: output tensor", what);
		*out_slot = out[i];
		CHECK_OK(t, enpu_command_list_create(&l[i]));
		enpu_status_t st = rec(l[i], params);
		if (st) {
			t_fail(t, __FILE__, __LINE__, "%s: record: %s", what,
			       enpu_status_message(st));
			enpu_status_free(st);
			goto out;
		}
	}
	const uint8_t *r = t_data(out[0]), *c = t_data(out[1]);
	size_t n = enpu_tensor_byte_size(out[0]), es = enpu_dtype_size(desc->dtype);
	/* poison so that an unwritten element cannot match by accident */
	memset(t_data(out[0]), 0xa5, n);
	CHECK_OK(t, t_run(dev[0], l[0]));
	for (unsigned run = 0; run < cpu_runs; run++) {
		memset(t_data(out[1]), 0x5a, n);
		CHECK_OK(t, t_run(dev[1], l[1]));
		for (size_t i = 0; i < n; i++) {
			if (r[i] == c[i])
				continue;
			size_t el = i / es;
			if (es == 1)
				t_fail(t, __FILE__, __LINE__, "%s: run %u: element %zu: ref %d, cpu %d",
				       what, run, el, (int8_t)r[i], (int8_t)c[i]);
			else
				t_fail(t, __FILE__, __LINE__, "%s: run %u: element %zu differs (byte %zu)",
				       what, run, el, i);
			goto out;
		}
	}
	ok = true;
out:
	*out_slot = NULL;
	for (int i = 0; i < 2; i++) {
		enpu_command_list_release(l[i]);
		enpu_tensor_release(out[i]);
	}
	return ok;
}

void diff_random_requant(tctx *t, int32_t *mult, int32_t *shift, size_t count)
{
	int mode = t_range(t, 0, 9);
	for (size_t i = 0; i < count; i++) {
		if (mode == 0) { /* extremes */
			mult[i] = t_range(t, 0, 1) ? 1 << 30 : INT32_MAX;
			shift[i] = t_range(t, 0, 1) ? -31 : 30;
		} else if (mode == 1) { /* anything valid */
			mult[i] = t_range(t, 0, INT32_MAX);
			shift[i] = t_range(t, -31, 30);
		} else { /* realistic: a real multiplier in ~[2^-14, 2^-4] */
			mult[i] = t_range(t, 1 << 30, INT32_MAX);
			shift[i] = t_range(t, -14, -4);
		}
	}
}

int32_t diff_random_zp(tctx *t)
{
	static const int32_t extremes[] = { -128, 127, 0 };
	return t_range(t, 0, 3) == 0 ? t_pick(t, extremes, 3) : t_range(t, -128, 127);
}

enpu_act_t diff_random_act(tctx *t)
{
	switch (t_range(t, 0, 5)) {
	case 0: return (enpu_act_t){ .kind = ENPU_ACT_RELU };
	case 1: return (enpu_act_t){ .kind = ENPU_ACT_RELU6 };
	case 2: {
		int32_t lo = t_range(t, -128, 127), hi = t_range(t, lo, 127);
		return (enpu_act_t){ .kind = ENPU_ACT_CLAMP, .qmin = lo, .qmax = hi };
	}
	default: return (enpu_act_t){ .kind = ENPU_ACT_NONE };
	}
}
