/* SPDX-License-Identifier: MIT */
/* Element-wise benchmark: enpu int8 ADD and MUL against XNNPACK's qs8 add
 * and multiply, at the sizes of MobileNetV2's residual additions and a
 * large one, same run, same thread count. Usage: bench_eltwise [-t threads]
 * [-s seconds] [-f filter] */
#include <stdio.h>
#include <stdlib.h>
#include "exact.h"
#include "peers.h"

static bool make_xnn(bool add, const int8_t *a, const int8_t *b, int8_t *out, size_t n,
		     pthreadpool_t pool, xnn_operator_t *op)
{
	/* the quantization of enpu's tensors below */
	enum xnn_status st = add ? xnn_create_add_nd_qs8(3, 0.02f, -5, 0.03f, -2, 0.05f, -128, 127,
							 0, op)
				 : xnn_create_multiply_nd_qs8(3, 0.02f, -5, 0.03f, -2, 0.05f, -128,
							      127, 0, op);
	if (st != xnn_status_success)
		return false;
	st = add ? xnn_setup_add_nd_qs8(*op, 1, &n, 1, &n, a, b, out, pool)
		 : xnn_setup_multiply_nd_qs8(*op, 1, &n, 1, &n, a, b, out, pool);
	return st == xnn_status_success;
}

static void bench_one(bench_env_t *env, bool add, const char *name, uint32_t n, double secs,
		      pthreadpool_t pool)
{
	char label[64];
	snprintf(label, sizeof(label), "%-3s %-12s n=%-7u", add ? "add" : "mul", name, n);
	if (!bench_selected(label))
		return;
	peer_case_t c = { .env = env, .pool = pool };
	enpu_quant_t qa = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.02f, .zero_point = 3 };
	enpu_quant_t qb = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.03f, .zero_point = -5 };
	enpu_quant_t qo = { .kind = ENPU_QUANT_PER_TENSOR, .scale = 0.05f, .zero_point = -2 };
	enpu_tensor_t *a = bench_tensor(env, ENPU_DTYPE_INT8, 1, &n, &qa, 0);
	enpu_tensor_t *b = bench_tensor(env, ENPU_DTYPE_INT8, 1, &n, &qb, 0);
	enpu_tensor_t *out = bench_tensor(env, ENPU_DTYPE_INT8, 1, &n, &qo, 0);
	int8_t *bd = bench_data(b);
	for (uint32_t i = 0; i < n; i++) /* b differs from a (same generator) */
		bd[i] = (int8_t)(bd[i] * 73 + 11);
	bench_check(enpu_command_list_create(&c.list), "list");
	enpu_eltwise_params_t p = { .a = a, .b = b, .out = out };
	bench_check(add ? enpu_cmd_add(c.list, &p) : enpu_cmd_mul(c.list, &p), "eltwise");
	int8_t *xout = malloc(n);
	bool xnn = xout && make_xnn(add, bench_data(a), bd, xout, n, pool, &c.xnn);
	void (*const fns[])(void *) = { peer_run_enpu, xnn ? peer_run_xnn : NULL };
	void *const args[] = { &c, &c };
	double ts[2];
	bench_time_interleaved(fns, args, 2, secs, ts);
	double t = ts[0], t_x = ts[1];
	printf("%s enpu %7.2f Gelem/s | xnnpack qs8 %7.2f (x%.2f)", label, n / t * 1e-9,
	       t_x ? n / t_x * 1e-9 : 0.0, t_x ? t_x / t : 0.0);
	/* XNNPACK requantizes in fp32: 1 is rounding */
	if (xnn)
		printf(" | max |xnnpack out - enpu's| %d",
		       exact_max_diff_i8(xout, bench_data(out), n));
	printf("\n");
	fflush(stdout);
	if (c.xnn)
		xnn_delete_operator(c.xnn);
	free(xout);
	enpu_command_list_release(c.list);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(out);
}

int main(int argc, char **argv)
{
	bench_run_t r;
	bench_start(argc, argv, &r);
	static const struct {
		const char *name;
		uint32_t n;
	} sizes[] = { { "56x56x24", 56 * 56 * 24 }, { "28x28x32", 28 * 28 * 32 },
		      { "14x14x96", 14 * 14 * 96 }, { "7x7x160", 7 * 7 * 160 },
		      { "56x56x256", 56 * 56 * 256 } };
	for (int add = 1; add >= 0; add--)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			bench_one(&r.env, add, sizes[i].name, sizes[i].n, r.secs, r.pool);
	bench_finish(&r);
	return 0;
}
