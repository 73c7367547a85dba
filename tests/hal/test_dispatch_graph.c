/* SPDX-License-Identifier: MIT */
/* Graph validation: errors at add time (shapes, names) and at finalize
 * (cycles, two writers, dangling reads and writes, overlapping tensors). */
#include "tests.h"
#include "enpu/graph.h"

/* An int8 [4][4] activation tensor on dev. */
static enpu_tensor_t *act(tctx *t, enpu_device_t *dev)
{
	const uint32_t d[2] = { 4, 4 };
	enpu_quant_t q = t_q(0.1f, 0);
	return t_tensor(t, dev, ENPU_DTYPE_INT8, 2, d, &q, NULL);
}

static enpu_eltwise_params_t ew(enpu_tensor_t *a, enpu_tensor_t *b, enpu_tensor_t *out)
{
	return (enpu_eltwise_params_t){ .a = a, .b = b, .out = out };
}

/* Finalizing *g fails with INVALID_ARGUMENT and a message containing
 * substr; *g is released either way */
static bool rejects(tctx *t, enpu_graph_t **g, const char *substr)
{
	bool ok = false;
	CHECK_ERR(t, enpu_graph_finalize(*g), ENPU_STATUS_INVALID_ARGUMENT, substr);
	ok = true;
out:
	enpu_graph_release(*g);
	*g = NULL;
	return ok;
}

void test_dispatch_graph_errors(tctx *t)
{
	t_env env = { 0 };
	enpu_graph_t *g = NULL;
	enpu_tensor_t *x[5] = { 0 }, *big = NULL, *alias = NULL, *cst = NULL;
	enpu_tensor_t *adj_lo = NULL, *adj_hi = NULL, *wa_t = NULL, *wb_t = NULL;
	enpu_buffer_t *shared = NULL, *cbuf = NULL, *abuf = NULL, *wa = NULL, *wb = NULL;
	enpu_eltwise_params_t ep;
	size_t op;

	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 1))
		goto out;
	for (int i = 0; i < 5; i++)
		CHECK(t, (x[i] = act(t, env.cpu)) != NULL, "tensor");

	/* Shape mismatch: the HAL's own message, at add time. */
	{
		const uint32_t d[2] = { 4, 5 };
		enpu_quant_t q = t_q(0.1f, 0);
		big = t_tensor(t, env.cpu, ENPU_DTYPE_INT8, 2, d, &q, NULL);
		CHECK(t, big, "tensor");
	}
	CHECK_OK(t, enpu_graph_create(&g));
	CHECK_ERR(t, enpu_graph_add_add(g, "bad",
					&(enpu_eltwise_params_t){ .a = x[0], .b = big, .out = x[1] },
					&op), ENPU_STATUS_INVALID_ARGUMENT, "shape");
	CHECK(t, op == SIZE_MAX && enpu_graph_op_count(g) == 0, "a rejected op was added");
	CHECK_ERR(t, enpu_graph_finalize(g), ENPU_STATUS_FAILED_PRECONDITION, "no ops");
	/* Names: unique, no blanks. */
	CHECK_OK(t, enpu_graph_add_add(g, "a",
				       &(enpu_eltwise_params_t){ .a = x[0], .b = x[0], .out = x[1] }, &op));
	CHECK(t, op == 0, "first op index %zu", op);
	CHECK_ERR(t, enpu_graph_add_mul(g, "a",
					&(enpu_eltwise_params_t){ .a = x[1], .b = x[1], .out = x[2] }, NULL),
		  ENPU_STATUS_INVALID_ARGUMENT, "taken");
	CHECK_ERR(t, enpu_graph_add_mul(g, "b c",
					&(enpu_eltwise_params_t){ .a = x[1], .b = x[1], .out = x[2] }, NULL),
		  ENPU_STATUS_INVALID_ARGUMENT, "bad op name");
	{
		char name[ENPU_GRAPH_NAME_MAX + 1];
		memset(name, 'n', ENPU_GRAPH_NAME_MAX);
		name[ENPU_GRAPH_NAME_MAX] = '\0'; /* one character too many */
		ep = ew(x[1], x[1], x[2]);
		CHECK_ERR(t, enpu_graph_add_mul(g, name, &ep, NULL), ENPU_STATUS_INVALID_ARGUMENT,
			  "bad op name");
	}
	/* Dangling read: x[0] is neither produced, an input nor constant. */
	CHECK_OK(t, enpu_graph_add_output(g, x[1]));
	CHECK_ERR(t, enpu_graph_finalize(g), ENPU_STATUS_INVALID_ARGUMENT,
		  "first input of op a is read but never written");
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	CHECK_ERR(t, enpu_graph_add_input(g, x[0]), ENPU_STATUS_INVALID_ARGUMENT, "already declared");
	/* Dangling write: b's output is read by nobody and not an output. */
	CHECK_OK(t, enpu_graph_add_mul(g, "b",
				       &(enpu_eltwise_params_t){ .a = x[1], .b = x[0], .out = x[2] }, NULL));
	CHECK_ERR(t, enpu_graph_finalize(g), ENPU_STATUS_INVALID_ARGUMENT,
		  "output of op b is written but never read");
	CHECK_OK(t, enpu_graph_add_output(g, x[2]));
	CHECK_OK(t, enpu_graph_finalize(g));
	CHECK_ERR(t, enpu_graph_finalize(g), ENPU_STATUS_FAILED_PRECONDITION, "already finalized");
	{
		enpu_eltwise_params_t p = ew(x[1], x[1], x[3]);
		CHECK_ERR(t, enpu_graph_add_add(g, "late", &p, NULL), ENPU_STATUS_FAILED_PRECONDITION,
			  "finalized");
	}
	enpu_graph_op_info_t info;
	CHECK_OK(t, enpu_graph_op_info(g, 1, &info));
	CHECK(t, info.pred_count == 1 && info.preds[0] == 0 && info.kind == ENPU_OP_MUL,
	      "op b: %zu producers, first %zu", info.pred_count, info.preds[0]);
	CHECK_OK(t, enpu_graph_find_op(g, "b", &op));
	CHECK(t, op == 1, "find b: %zu", op);
	CHECK_ERR(t, enpu_graph_find_op(g, "zz", &op), ENPU_STATUS_OUT_OF_RANGE, "no op named");
	CHECK_ERR(t, enpu_graph_force_device(g, 9, "cpu0"), ENPU_STATUS_OUT_OF_RANGE, "op 9");
	CHECK_ERR(t, enpu_graph_force_device(g, 2, "cpu0"), ENPU_STATUS_OUT_OF_RANGE, "op 2 of 2");
	enpu_graph_release(g);
	g = NULL;

	/* A cycle: p reads x3 writes x4, q reads x4 writes x3. */
	CHECK_OK(t, enpu_graph_create(&g));
	CHECK_OK(t, enpu_graph_add_add(g, "p",
				       &(enpu_eltwise_params_t){ .a = x[3], .b = x[0], .out = x[4] }, NULL));
	CHECK_OK(t, enpu_graph_add_add(g, "q",
				       &(enpu_eltwise_params_t){ .a = x[4], .b = x[0], .out = x[3] }, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	if (!rejects(t, &g, "cycle through ops p, q"))
		goto out;

	/* Two writers of one tensor. */
	CHECK_OK(t, enpu_graph_create(&g));
	CHECK_OK(t, enpu_graph_add_add(g, "w1",
				       &(enpu_eltwise_params_t){ .a = x[0], .b = x[0], .out = x[1] }, NULL));
	CHECK_OK(t, enpu_graph_add_mul(g, "w2",
				       &(enpu_eltwise_params_t){ .a = x[0], .b = x[0], .out = x[1] }, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	CHECK_OK(t, enpu_graph_add_output(g, x[1]));
	if (!rejects(t, &g, "written by two ops: w1 and w2"))
		goto out;

	/* An op writing a graph input or a constant tensor. */
	CHECK_OK(t, enpu_graph_create(&g));
	ep = ew(x[0], x[0], x[1]);
	CHECK_OK(t, enpu_graph_add_add(g, "wi", &ep, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	CHECK_OK(t, enpu_graph_add_input(g, x[1]));
	CHECK_OK(t, enpu_graph_add_output(g, x[1]));
	if (!rejects(t, &g, "op wi writes a graph input"))
		goto out;
	/* A declared graph output that no op writes. */
	CHECK_OK(t, enpu_graph_create(&g));
	ep = ew(x[0], x[0], x[1]);
	CHECK_OK(t, enpu_graph_add_add(g, "w", &ep, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	CHECK_OK(t, enpu_graph_add_output(g, x[1]));
	CHECK_OK(t, enpu_graph_add_output(g, x[3]));
	if (!rejects(t, &g, "graph output 1 is never written"))
		goto out;
	{
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { 4, 4 },
					 .quant = t_q(0.1f, 0), .flags = ENPU_TENSOR_CONSTANT };
		CHECK_OK(t, enpu_buffer_allocate(env.cpu, 16, &cbuf));
		CHECK_OK(t, enpu_tensor_create(cbuf, 0, &d, &cst));
	}
	CHECK_OK(t, enpu_graph_create(&g));
	ep = ew(x[0], x[0], cst);
	CHECK_OK(t, enpu_graph_add_add(g, "wc", &ep, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	CHECK_OK(t, enpu_graph_add_output(g, cst));
	if (!rejects(t, &g, "op wc writes a constant tensor"))
		goto out;

	/* An op reading one producer's output twice has one producer (one edge). */
	CHECK_OK(t, enpu_graph_create(&g));
	ep = ew(x[0], x[0], x[1]);
	CHECK_OK(t, enpu_graph_add_add(g, "p1", &ep, NULL));
	ep = ew(x[1], x[1], x[2]);
	CHECK_OK(t, enpu_graph_add_mul(g, "sq", &ep, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	CHECK_OK(t, enpu_graph_add_output(g, x[2]));
	CHECK_OK(t, enpu_graph_finalize(g));
	CHECK_OK(t, enpu_graph_op_info(g, 1, &info));
	CHECK(t, info.pred_count == 1 && info.preds[0] == 0, "op sq: %zu producers, want 1 (op 0)",
	      info.pred_count);
	enpu_graph_release(g);
	g = NULL;

	/* Overlap: an op's output shares bytes with another tensor. */
	{
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { 4, 4 },
					 .quant = t_q(0.1f, 0) };
		CHECK_OK(t, enpu_buffer_allocate(env.cpu, 24, &shared));
		CHECK_OK(t, enpu_tensor_create(shared, 8, &d, &alias));
	}
	CHECK_OK(t, enpu_graph_create(&g));
	{
		enpu_tensor_t *lo = NULL;
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { 4, 4 },
					 .quant = t_q(0.1f, 0) };
		CHECK_OK(t, enpu_tensor_create(shared, 0, &d, &lo));
		enpu_status_t st = enpu_graph_add_input(g, lo);
		enpu_tensor_release(lo);
		CHECK_OK(t, st);
		CHECK_OK(t, enpu_graph_add_add(g, "ov",
					       &(enpu_eltwise_params_t){ .a = x[0], .b = x[0], .out = alias }, NULL));
	}
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	CHECK_OK(t, enpu_graph_add_output(g, alias));
	if (!rejects(t, &g, "output of op ov overlaps graph input"))
		goto out;
	/* Adjacent tensors of one buffer ([0, 16) and [16, 32)) do not overlap. */
	CHECK_OK(t, enpu_buffer_allocate(env.cpu, 32, &abuf));
	{
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { 4, 4 },
					 .quant = t_q(0.1f, 0) };
		CHECK_OK(t, enpu_tensor_create(abuf, 0, &d, &adj_lo));
		CHECK_OK(t, enpu_tensor_create(abuf, 16, &d, &adj_hi));
	}
	CHECK_OK(t, enpu_graph_create(&g));
	ep = ew(adj_lo, adj_lo, adj_hi);
	CHECK_OK(t, enpu_graph_add_add(g, "adj", &ep, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, adj_lo));
	CHECK_OK(t, enpu_graph_add_output(g, adj_hi));
	CHECK_OK(t, enpu_graph_finalize(g));
	enpu_graph_release(g);
	g = NULL;
	/* two buffers wrapping the same memory: the output of one op over the
	 * input of another, each in its own buffer */
	{
		static int8_t mem[64];
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { 4, 4 },
					 .quant = t_q(0.1f, 0) };
		CHECK_OK(t, enpu_buffer_wrap(env.cpu, mem, 64, NULL, NULL, &wa));
		CHECK_OK(t, enpu_buffer_wrap(env.cpu, mem + 8, 56, NULL, NULL, &wb));
		CHECK_OK(t, enpu_tensor_create(wa, 16, &d, &wa_t));
		CHECK_OK(t, enpu_tensor_create(wb, 0, &d, &wb_t));
	}
	CHECK_OK(t, enpu_graph_create(&g));
	ep = ew(x[0], x[0], wa_t);
	CHECK_OK(t, enpu_graph_add_add(g, "first", &ep, NULL));
	ep = ew(wb_t, wb_t, x[1]);
	CHECK_OK(t, enpu_graph_add_add(g, "second", &ep, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, x[0]));
	CHECK_OK(t, enpu_graph_add_input(g, wb_t));
	CHECK_OK(t, enpu_graph_add_output(g, wa_t));
	CHECK_OK(t, enpu_graph_add_output(g, x[1]));
	if (!rejects(t, &g, "the output of op first overlaps"))
		goto out;
out:
	enpu_graph_release(g);
	enpu_tensor_release(wa_t);
	enpu_tensor_release(wb_t);
	enpu_buffer_release(wa);
	enpu_buffer_release(wb);
	enpu_tensor_release(alias);
	enpu_buffer_release(shared);
	enpu_tensor_release(cst);
	enpu_buffer_release(cbuf);
	enpu_tensor_release(adj_lo);
	enpu_tensor_release(adj_hi);
	enpu_buffer_release(abuf);
	enpu_tensor_release(big);
	for (int i = 0; i < 5; i++)
		enpu_tensor_release(x[i]);
	t_env_close(&env);
}
