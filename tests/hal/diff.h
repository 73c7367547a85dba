/* SPDX-License-Identifier: MIT */
/* Differential testing helpers: run one op on the reference device and on a
 * CPU device (each writing its own output tensor) and compare bit for bit. */
#ifndef ENPU_TEST_DIFF_H
#define ENPU_TEST_DIFF_H

#include "harness.h"

/* Records the op described by params (whose output slot the caller points
 * at) into l. */
typedef enpu_status_t (*diff_record_fn)(enpu_command_list_t *l, const void *params);

enpu_status_t diff_rec_gemm(enpu_command_list_t *l, const void *p);
enpu_status_t diff_rec_conv(enpu_command_list_t *l, const void *p);
enpu_status_t diff_rec_pool(enpu_command_list_t *l, const void *p);
enpu_status_t diff_rec_add(enpu_command_list_t *l, const void *p);
enpu_status_t diff_rec_mul(enpu_command_list_t *l, const void *p);
enpu_status_t diff_rec_requant(enpu_command_list_t *l, const void *p);
enpu_status_t diff_rec_cast(enpu_command_list_t *l, const void *p);

/* Creates two output tensors like desc, records params with *out_slot set to
 * each, runs on ref and cpu, and compares. On mismatch fails t with `what`
 * and the first differing element. Returns false on any failure. */
bool diff_run(tctx *t, t_env *e, diff_record_fn rec, void *params, enpu_tensor_t **out_slot,
	      const enpu_tensor_desc_t *desc, const char *what);
/* diff_run with the CPU's list run cpu_runs times, its output poisoned and
 * compared each time (constant weights: later runs use the packed cache) */
bool diff_run_n(tctx *t, t_env *e, diff_record_fn rec, void *params, enpu_tensor_t **out_slot,
		const enpu_tensor_desc_t *desc, const char *what, unsigned cpu_runs);

/* Random requantization parameters: mostly realistic, sometimes extreme
 * (mult 2^30 or 2^31-1, shift -31 or 30). Fills count entries. */
void diff_random_requant(tctx *t, int32_t *mult, int32_t *shift, size_t count);
/* Random zero point with the extremes -128/127 over-represented. */
int32_t diff_random_zp(tctx *t);
/* Random act: NONE, RELU, RELU6 or a random CLAMP. */
enpu_act_t diff_random_act(tctx *t);

#endif
