/* SPDX-License-Identifier: MIT */
/* The dispatcher on real devices: dispatched results bit-identical to the
 * reference device, fallback, forced placement, the cost cache, overlap of
 * independent branches (through fences, not timing), priorities. The /gpu and
 * /npu variants add that device (skipped where there is none). */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests.h"
#include "enpu/dispatch.h"

static enpu_dispatcher_t *disp(tctx *t, enpu_context_t *ctx, const char *devices,
			       uint32_t exclude0)
{
	enpu_dispatcher_options_t o = { .devices = devices, .calibration_runs = 1,
					.cpu_threads = 2 };
	enpu_dispatcher_t *d = NULL;
	o.exclude_ops[0] = exclude0;
	CHECK_OK(t, enpu_dispatcher_create(ctx, &o, &d));
out:
	return d;
}

/* The graph's outputs, concatenated (malloc'd). */
static uint8_t *outputs(const enpu_graph_t *g, size_t *len)
{
	size_t n = 0;
	for (size_t i = 0; i < enpu_graph_output_count(g); i++)
		n += enpu_tensor_byte_size(enpu_graph_output(g, i));
	uint8_t *p = malloc(n);
	*len = 0;
	for (size_t i = 0; p && i < enpu_graph_output_count(g); i++) {
		enpu_tensor_t *o = enpu_graph_output(g, i);
		memcpy(p + *len, t_data(o), enpu_tensor_byte_size(o));
		*len += enpu_tensor_byte_size(o);
	}
	return p;
}

static enpu_status_t run_plan(enpu_plan_t *plan)
{
	enpu_run_t *run;
	enpu_status_t st = enpu_plan_execute(plan, &run);
	if (st)
		return st;
	st = enpu_run_wait(run, 120ull * 1000000000ull);
	enpu_run_release(run);
	return st;
}

/* Runs plan (released here) and compares the outputs with want. */
static void check_plan(tctx *t, enpu_plan_t *plan, const enpu_graph_t *g, const uint8_t *want,
		       size_t want_len, const char *what)
{
	uint8_t *got = NULL;
	size_t len;
	CHECK(t, plan, "%s: no plan", what);
	/* Scribble over the outputs so that a skipped op cannot pass. */
	for (size_t i = 0; i < enpu_graph_output_count(g); i++)
		memset(t_data(enpu_graph_output(g, i)), 0x5a,
		       enpu_tensor_byte_size(enpu_graph_output(g, i)));
	CHECK_OK(t, run_plan(plan));
	got = outputs(g, &len);
	CHECK(t, got && len == want_len, "%s: outputs", what);
	for (size_t i = 0; i < len; i++)
		CHECK(t, got[i] == want[i], "%s: output byte %zu is %d, reference %d", what, i,
		      (int8_t)got[i], (int8_t)want[i]);
out:
	free(got);
	enpu_plan_release(plan);
}

/* Sample graph name/size on "cpu0,ref0[,extra]": all on ref0 gives the
 * reference; HEFT's plan and a round-robin placement must match it bit for
 * bit. */
static void identical(tctx *t, enpu_context_t *ctx, enpu_device_t *cpu, const char *devices,
		      const char *name, uint32_t size)
{
	enpu_dispatcher_t *d = disp(t, ctx, devices, 0);
	enpu_graph_t *g = NULL;
	enpu_plan_t *plan = NULL;
	uint32_t *place = NULL;
	uint8_t *want = NULL;
	size_t len, ref = SIZE_MAX, n;
	char what[96];

	CHECK(t, d, "dispatcher");
	for (size_t i = 0; i < enpu_dispatcher_device_count(d); i++) {
		enpu_device_info_t info;
		enpu_device_query(enpu_dispatcher_device(d, i), &info);
		if (info.type == ENPU_DEVICE_REFERENCE)
			ref = i;
	}
	CHECK(t, ref != SIZE_MAX, "no ref0 in %s", devices);
	CHECK_OK(t, enpu_graph_create_sample(cpu, name, size, 7, &g));
	CHECK_OK(t, enpu_dispatcher_calibrate(d, g));
	n = enpu_graph_op_count(g);
	place = calloc(n, sizeof(*place));
	CHECK(t, place, "memory");
	for (size_t i = 0; i < n; i++)
		place[i] = (uint32_t)ref;
	CHECK_OK(t, enpu_dispatcher_plan_fixed(d, g, place, &plan));
	CHECK_OK(t, run_plan(plan));
	enpu_plan_release(plan);
	plan = NULL;
	want = outputs(g, &len);
	CHECK(t, want, "memory");
	snprintf(what, sizeof(what), "%s on %s, HEFT", name, devices);
	CHECK_OK(t, enpu_dispatcher_plan(d, g, &plan));
	check_plan(t, plan, g, want, len, what);
	plan = NULL;
	if (t->result)
		goto out;
	for (size_t i = 0; i < n; i++)
		place[i] = (uint32_t)(i % enpu_dispatcher_device_count(d));
	snprintf(what, sizeof(what), "%s on %s, round robin", name, devices);
	CHECK_OK(t, enpu_dispatcher_plan_fixed(d, g, place, &plan));
	check_plan(t, plan, g, want, len, what);
	plan = NULL;
out:
	enpu_plan_release(plan);
	free(place);
	free(want);
	enpu_graph_release(g);
	enpu_dispatcher_release(d);
}

void test_dispatch_identical(tctx *t)
{
	t_env env = { 0 };

	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 2))
		return;
	identical(t, env.ctx, env.cpu, "cpu0,ref0", "tiny", 16);
	if (!t->result)
		identical(t, env.ctx, env.cpu, "cpu0,ref0", "branches", 8);
	if (!t->result)
		identical(t, env.ctx, env.cpu, "cpu0,ref0", "mobilenetv2", 32);
	t_env_close(&env);
}

/* The same with a GPU or the NPU as third device. */
static void identical_with(tctx *t, enpu_cpu_isa_t dut, const char *devices)
{
	t_env env = { 0 };

	if (!t_env_open(t, &env, dut, 0))
		return;
	enpu_device_release(env.cpu);
	env.cpu = NULL;
	CHECK_OK(t, enpu_device_open(env.ctx, 0, NULL, &env.cpu)); /* the CPU is device 0 */
	identical(t, env.ctx, env.cpu, devices, "tiny", 16);
	if (!t->result)
		identical(t, env.ctx, env.cpu, devices, "branches", 8);
out:
	t_env_close(&env);
}

void test_dispatch_identical_gpu(tctx *t)
{
	identical_with(t, T_DUT_GPU, "cpu0,gpu0,ref0");
}

void test_dispatch_identical_npu(tctx *t)
{
	identical_with(t, T_DUT_NPU, "cpu0,npu0,ref0");
}

/* ref0 without POOL: the pools fall back to the CPU, the rest stays. */
void test_dispatch_fallback(tctx *t)
{
	t_env env = { 0 };
	enpu_dispatcher_t *d = NULL, *plain = NULL;
	enpu_graph_t *g = NULL;
	enpu_plan_t *plan = NULL;
	uint8_t *want = NULL;
	size_t len;
	double c;

	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 2))
		return;
	CHECK(t, (d = disp(t, env.ctx, "ref0", 1u << ENPU_OP_POOL)), "dispatcher");
	CHECK(t, enpu_dispatcher_device_count(d) == 2, "ref0 + fallback cpu: %zu devices",
	      enpu_dispatcher_device_count(d));
	CHECK_OK(t, enpu_graph_create_sample(env.cpu, "branches", 8, 3, &g));
	CHECK(t, (plain = disp(t, env.ctx, "ref0", 0)), "dispatcher");
	CHECK_OK(t, enpu_dispatcher_calibrate(plain, g));
	CHECK_OK(t, enpu_dispatcher_plan(plain, g, &plan));
	CHECK_OK(t, run_plan(plan));
	enpu_plan_release(plan);
	plan = NULL;
	want = outputs(g, &len);
	CHECK_OK(t, enpu_dispatcher_calibrate(d, g));
	CHECK_OK(t, enpu_dispatcher_plan(d, g, &plan));
	int pools = 0;
	for (size_t i = 0; i < enpu_graph_op_count(g); i++) {
		enpu_graph_op_info_t info;
		CHECK_OK(t, enpu_graph_op_info(g, i, &info));
		uint32_t dev = enpu_plan_slot(plan, i).device;
		CHECK_OK(t, enpu_dispatcher_op_cost(d, g, i, 0, &c));
		if (info.kind == ENPU_OP_POOL) {
			pools++;
			CHECK(t, dev == 1 && isinf(c), "pool %s on device %u (cost on ref0 %g)",
			      info.name, dev, c);
		} else {
			CHECK(t, dev == 0, "%s on device %u, want ref0", info.name, dev);
		}
	}
	CHECK(t, pools == 2, "%d pools", pools);
	check_plan(t, plan, g, want, len, "branches, pools on the fallback CPU");
	plan = NULL;
out:
	enpu_plan_release(plan);
	free(want);
	enpu_graph_release(g);
	enpu_dispatcher_release(d);
	enpu_dispatcher_release(plain);
	t_env_close(&env);
}

void test_dispatch_forced(tctx *t)
{
	t_env env = { 0 };
	enpu_dispatcher_t *d = NULL, *noref = NULL;
	enpu_graph_t *g = NULL;
	enpu_plan_t *plan = NULL;
	enpu_run_t *run = NULL;
	size_t g1, g5;

	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 2))
		return;
	CHECK(t, (d = disp(t, env.ctx, "cpu0,ref0", 0)), "dispatcher");
	CHECK_OK(t, enpu_graph_create_sample(env.cpu, "tiny", 16, 1, &g));
	CHECK_OK(t, enpu_dispatcher_calibrate(d, g));
	/* Every op on the slow reference device except g1. */
	for (size_t i = 0; i < enpu_graph_op_count(g); i++)
		CHECK_OK(t, enpu_graph_force_device(g, i, "ref0"));
	CHECK_OK(t, enpu_graph_find_op(g, "g1", &g1));
	CHECK_OK(t, enpu_graph_force_device(g, g1, "cpu0"));
	CHECK_OK(t, enpu_dispatcher_plan(d, g, &plan));
	for (size_t i = 0; i < enpu_graph_op_count(g); i++)
		CHECK(t, enpu_plan_slot(plan, i).device == (i == g1 ? 0u : 1u),
		      "op %zu placed on %u", i, enpu_plan_slot(plan, i).device);
	CHECK_OK(t, enpu_plan_execute(plan, &run));
	CHECK_OK(t, enpu_run_wait(run, 60ull * 1000000000ull));
	for (size_t i = 0; i < enpu_graph_op_count(g); i++) {
		enpu_run_timing_t tm;
		CHECK_OK(t, enpu_run_op_timing(run, i, &tm));
		CHECK(t, tm.device == (i == g1 ? 0u : 1u) && tm.end >= tm.start,
		      "op %zu ran on %u [%g, %g]", i, tm.device, tm.start, tm.end);
	}
	{
		enpu_run_timing_t past;
		char want[48];
		size_t n = enpu_graph_op_count(g);
		snprintf(want, sizeof(want), "op %zu of %zu", n, n);
		CHECK_ERR(t, enpu_run_op_timing(run, n, &past), ENPU_STATUS_OUT_OF_RANGE, want);
	}
	enpu_run_release(run);
	run = NULL;
	enpu_plan_release(plan);
	plan = NULL;
	/* Bad forced placements fail the plan. */
	CHECK_OK(t, enpu_graph_find_op(g, "g5", &g5));
	CHECK_OK(t, enpu_graph_force_device(g, g5, "npu9"));
	CHECK_ERR(t, enpu_dispatcher_plan(d, g, &plan), ENPU_STATUS_INVALID_ARGUMENT,
		  "op g5 is forced onto npu9, which is not one of the dispatcher's devices");
	CHECK_OK(t, enpu_graph_force_device(g, g5, "ref0"));
	{
		enpu_dispatcher_options_t o = { .devices = "ref0,cpu0", .calibration_runs = 1 };
		o.exclude_ops[0] = 1u << ENPU_OP_GEMM;
		CHECK_OK(t, enpu_dispatcher_create(env.ctx, &o, &noref));
	}
	CHECK_OK(t, enpu_dispatcher_calibrate(noref, g));
	CHECK_ERR(t, enpu_dispatcher_plan(noref, g, &plan), ENPU_STATUS_INVALID_ARGUMENT,
		  "forced onto ref0, which cannot run it");
	CHECK_OK(t, enpu_graph_force_device(g, g5, NULL));
out:
	enpu_run_release(run);
	enpu_plan_release(plan);
	enpu_graph_release(g);
	enpu_dispatcher_release(d);
	enpu_dispatcher_release(noref);
	t_env_close(&env);
}

/* Zero costs (allowed by enpu_dispatcher_set_op_cost) give a producer and
 * its consumer the same slot [0, 0]: the consumer, added first, must still be
 * submitted after its producer (one device: no fence between them). */
void test_dispatch_zero_costs(tctx *t)
{
	t_env env = { 0 };
	enpu_dispatcher_t *d = NULL;
	enpu_graph_t *g = NULL;
	enpu_tensor_t *x = NULL, *y = NULL, *z = NULL;
	enpu_plan_t *plan = NULL;
	const uint32_t dims[] = { 4, 4 };

	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 1))
		return;
	enpu_quant_t q = t_q(1.0f, 0);
	x = t_tensor(t, env.cpu, ENPU_DTYPE_INT8, 2, dims, &q,
		     (int8_t[]){ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 });
	y = t_tensor(t, env.cpu, ENPU_DTYPE_INT8, 2, dims, &q, NULL);
	z = t_tensor(t, env.cpu, ENPU_DTYPE_INT8, 2, dims, &q, NULL);
	CHECK(t, x && y && z, "tensors");
	CHECK_OK(t, enpu_graph_create(&g));
	CHECK_OK(t, enpu_graph_add_add(g, "consumer",
				       &(enpu_eltwise_params_t){ .a = y, .b = y, .out = z }, NULL));
	CHECK_OK(t, enpu_graph_add_add(g, "producer",
				       &(enpu_eltwise_params_t){ .a = x, .b = x, .out = y }, NULL));
	CHECK_OK(t, enpu_graph_add_input(g, x));
	CHECK_OK(t, enpu_graph_add_output(g, z));
	CHECK_OK(t, enpu_graph_finalize(g));
	CHECK(t, (d = disp(t, env.ctx, "cpu0", 0)), "dispatcher");
	for (size_t op = 0; op < 2; op++)
		CHECK_OK(t, enpu_dispatcher_set_op_cost(d, g, op, 0, 0.0));
	CHECK_OK(t, enpu_dispatcher_plan(d, g, &plan));
	CHECK(t, enpu_plan_slot(plan, 0).start == 0 && enpu_plan_slot(plan, 1).finish == 0,
	      "zero-length slots");
	CHECK_OK(t, run_plan(plan));
	for (int i = 0; i < 16; i++)
		CHECK(t, ((int8_t *)t_data(z))[i] == 4, "z[%d] = %d, want (1 + 1) + (1 + 1)", i,
		      ((int8_t *)t_data(z))[i]);
out:
	enpu_plan_release(plan);
	enpu_dispatcher_release(d);
	enpu_graph_release(g);
	enpu_tensor_release(x);
	enpu_tensor_release(y);
	enpu_tensor_release(z);
	t_env_close(&env);
}

/* Two fp16 GEMMs of one shape, one with clamp bounds the NPU refuses (not
 * fp16 values): their cost keys differ, so neither takes the other's
 * measurement (one UNSUPPORTED, INFINITY; the other finite). */
void test_dispatch_clamp_key(tctx *t)
{
	t_env env = { 0 };
	enpu_dispatcher_t *d = NULL;
	enpu_graph_t *g = NULL;
	enpu_tensor_t *a = NULL, *w = NULL, *c1 = NULL, *c2 = NULL;
	const uint32_t dims[] = { 8, 8 };
	size_t o1 = 0, o2 = 0;
	double s = 0;

	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 1))
		return;
	a = t_tensor(t, env.cpu, ENPU_DTYPE_FP16, 2, dims, NULL, NULL);
	w = t_tensor(t, env.cpu, ENPU_DTYPE_FP16, 2, dims, NULL, NULL);
	c1 = t_tensor(t, env.cpu, ENPU_DTYPE_FP16, 2, dims, NULL, NULL);
	c2 = t_tensor(t, env.cpu, ENPU_DTYPE_FP16, 2, dims, NULL, NULL);
	CHECK(t, a && w && c1 && c2, "tensors");
	CHECK_OK(t, enpu_graph_create(&g));
	CHECK_OK(t, enpu_graph_add_gemm(g, "plain", &(enpu_gemm_params_t){ .a = a, .b = w, .c = c1 },
					&o1));
	CHECK_OK(t, enpu_graph_add_gemm(g, "clamped",
					&(enpu_gemm_params_t){ .a = a, .b = w, .c = c2,
							       .act = { .kind = ENPU_ACT_CLAMP,
									.fmin = 0.1f, .fmax = 6.1f } },
					&o2));
	CHECK_OK(t, enpu_graph_add_input(g, a));
	CHECK_OK(t, enpu_graph_add_input(g, w));
	CHECK_OK(t, enpu_graph_add_output(g, c1));
	CHECK_OK(t, enpu_graph_add_output(g, c2));
	CHECK_OK(t, enpu_graph_finalize(g));
	enpu_graph_op_info_t i1, i2;
	CHECK_OK(t, enpu_graph_op_info(g, o1, &i1));
	CHECK_OK(t, enpu_graph_op_info(g, o2, &i2));
	CHECK(t, strcmp(i1.shape, i2.shape) && strstr(i2.shape, " clamp 0.1"),
	      "shapes '%s' and '%s'", i1.shape, i2.shape);
	CHECK(t, (d = disp(t, env.ctx, "cpu0", 0)), "dispatcher");
	CHECK_OK(t, enpu_dispatcher_set_op_cost(d, g, o1, 0, 1e-3));
	CHECK_OK(t, enpu_dispatcher_set_op_cost(d, g, o2, 0, INFINITY));
	CHECK_OK(t, enpu_dispatcher_op_cost(d, g, o1, 0, &s));
	CHECK(t, s == 1e-3, "plain costs %g, not the clamped one's", s);
	CHECK_OK(t, enpu_dispatcher_op_cost(d, g, o2, 0, &s));
	CHECK(t, isinf(s), "clamped costs %g", s);
out:
	enpu_dispatcher_release(d);
	enpu_graph_release(g);
	enpu_tensor_release(a);
	enpu_tensor_release(w);
	enpu_tensor_release(c1);
	enpu_tensor_release(c2);
	t_env_close(&env);
}

static bool rewrite(const char *path, long at, char byte, long truncate_to)
{
	FILE *f = fopen(path, "r+b");
	bool ok = f != NULL;
	if (ok && at >= 0)
		ok = !fseek(f, at, SEEK_SET) && fputc(byte, f) != EOF;
	if (f)
		fclose(f);
	if (ok && truncate_to >= 0)
		ok = !truncate(path, truncate_to);
	return ok;
}

static bool copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	int c;
	bool ok = a && b;
	while (ok && (c = fgetc(a)) != EOF)
		ok = fputc(c, b) != EOF;
	if (a)
		fclose(a);
	if (b)
		ok = !fclose(b) && ok;
	return ok;
}

/* Copies the cache from to to with extra inserted before the checksum line,
 * and a checksum (FNV-1a 64, docs of cost_cache.c) that matches again. */
static bool insert_line(const char *from, const char *to, const char *extra)
{
	char buf[16384];
	FILE *f = fopen(from, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	bool ok = f && n > 0 && n < sizeof(buf) - 1;
	if (f)
		fclose(f);
	if (!ok)
		return false;
	buf[n] = '\0';
	char *sum = strstr(buf, "checksum ");
	if (!sum)
		return false;
	size_t body = (size_t)(sum - buf), len = strlen(extra);
	if (body + len >= sizeof(buf))
		return false;
	memcpy(sum, extra, len);
	body += len;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < body; i++)
		h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
	f = fopen(to, "wb");
	ok = f && fwrite(buf, 1, body, f) == body &&
	     fprintf(f, "checksum %016llx\n", (unsigned long long)h) > 0;
	if (f)
		ok = !fclose(f) && ok;
	return ok;
}

void test_dispatch_cost_cache(tctx *t)
{
	t_env env = { 0 };
	enpu_dispatcher_t *d = NULL, *e = NULL, *other = NULL;
	enpu_graph_t *g = NULL;
	enpu_plan_t *plan = NULL;
	char path[64], bad[72];
	double a, b;

	snprintf(path, sizeof(path), "/tmp/enpu-costs-test-%d", (int)getpid());
	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 2))
		return;
	CHECK(t, (d = disp(t, env.ctx, "cpu0,ref0", 0)), "dispatcher");
	CHECK(t, (e = disp(t, env.ctx, "cpu0,ref0", 0)), "dispatcher");
	CHECK(t, (other = disp(t, env.ctx, "ref0,cpu0", 0)), "dispatcher");
	CHECK_OK(t, enpu_graph_create_sample(env.cpu, "tiny", 16, 1, &g));
	CHECK_ERR(t, enpu_dispatcher_plan(e, g, &plan), ENPU_STATUS_FAILED_PRECONDITION,
		  "calibrate first");
	CHECK_OK(t, enpu_dispatcher_calibrate(d, g));
	CHECK_OK(t, enpu_dispatcher_save_costs(d, path));
	/* Round trip: the same numbers, bit for bit, and enough to plan. */
	CHECK_OK(t, enpu_dispatcher_load_costs(e, path));
	for (size_t i = 0; i < enpu_graph_op_count(g); i++)
		for (size_t dev = 0; dev < 2; dev++) {
			CHECK_OK(t, enpu_dispatcher_op_cost(d, g, i, dev, &a));
			CHECK_OK(t, enpu_dispatcher_op_cost(e, g, i, dev, &b));
			CHECK(t, a == b && a > 0, "op %zu dev %zu: %a vs %a", i, dev, a, b);
		}
	CHECK_OK(t, enpu_dispatcher_plan(e, g, &plan));
	CHECK(t, enpu_plan_makespan(plan) > 0, "makespan");
	{
		/* past the last op: a zero slot, nothing read beyond the plan */
		enpu_sched_slot_t sl = enpu_plan_slot(plan, enpu_graph_op_count(g));
		CHECK(t, sl.device == 0 && sl.start == 0 && sl.finish == 0,
		      "slot of op %zu (of %zu): %u [%g, %g]", enpu_graph_op_count(g),
		      enpu_graph_op_count(g), sl.device, sl.start, sl.finish);
	}
	/* Stale: other devices (here: another order). */
	CHECK_ERR(t, enpu_dispatcher_load_costs(other, path), ENPU_STATUS_FAILED_PRECONDITION, "stale");
	/* Corrupt: one changed digit, a truncated file, no file. */
	CHECK(t, copy_file(path, bad) && rewrite(bad, 60, '7', -1), "cannot write %s", bad);
	CHECK_ERR(t, enpu_dispatcher_load_costs(e, bad), ENPU_STATUS_INVALID_ARGUMENT,
		  "corrupt: checksum mismatch");
	CHECK(t, copy_file(path, bad) && rewrite(bad, -1, 0, 100), "cannot write %s", bad);
	CHECK_ERR(t, enpu_dispatcher_load_costs(e, bad), ENPU_STATUS_INVALID_ARGUMENT, "corrupt");
	/* Well signed but bad lines: a transfer from a device to itself, a
	 * device index past the dispatcher's devices. */
	CHECK(t, insert_line(path, bad, "xfer 1 0 0x1p-20\n"), "cannot write %s", bad);
	CHECK_OK(t, enpu_dispatcher_load_costs(e, bad));
	CHECK(t, insert_line(path, bad, "xfer 1 1 0x1p-20\n"), "cannot write %s", bad);
	CHECK_ERR(t, enpu_dispatcher_load_costs(e, bad), ENPU_STATUS_INVALID_ARGUMENT,
		  "not understood: xfer 1 1");
	CHECK(t, insert_line(path, bad, "cost 2 0x1p-20 add int8 16\n"), "cannot write %s", bad);
	CHECK_ERR(t, enpu_dispatcher_load_costs(e, bad), ENPU_STATUS_INVALID_ARGUMENT,
		  "not understood: cost 2");
	unlink(bad);
	CHECK_ERR(t, enpu_dispatcher_load_costs(e, bad), ENPU_STATUS_OUT_OF_RANGE, "cannot read");
out:
	unlink(path);
	unlink(bad);
	enpu_plan_release(plan);
	enpu_graph_release(g);
	enpu_dispatcher_release(d);
	enpu_dispatcher_release(e);
	enpu_dispatcher_release(other);
	t_env_close(&env);
}

/* Branch g1 -> r1 -> g3 on ref0 is held back by a closed gate on ref0's
 * queue; branch g2 -> m1 -> g4 on cpu0 must still finish. Only then does the
 * gate open. */
void test_dispatch_overlap(tctx *t)
{
	t_env env = { 0 };
	enpu_dispatcher_t *d = NULL;
	enpu_graph_t *g = NULL;
	enpu_plan_t *plan = NULL;
	enpu_run_t *run = NULL;
	enpu_fence_t *gate = NULL, *gated = NULL;
	enpu_command_list_t *list = NULL;
	enpu_tensor_t *x = NULL, *y = NULL;
	size_t op[8];
	static const char *const names[8] = { "g1", "r1", "g3", "g2", "m1", "g4", "join", "g5" };

	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 2))
		return;
	CHECK(t, (d = disp(t, env.ctx, "cpu0,ref0", 0)), "dispatcher");
	CHECK_OK(t, enpu_graph_create_sample(env.cpu, "tiny", 16, 1, &g));
	CHECK_OK(t, enpu_dispatcher_calibrate(d, g));
	for (int i = 0; i < 8; i++) {
		CHECK_OK(t, enpu_graph_find_op(g, names[i], &op[i]));
		CHECK_OK(t, enpu_graph_force_device(g, op[i], i < 3 ? "ref0" : "cpu0"));
	}
	CHECK_OK(t, enpu_dispatcher_plan(d, g, &plan));
	/* The gate: a tiny op on ref0 that waits for a host fence. */
	{
		const uint32_t dims[1] = { 16 };
		enpu_quant_t q = t_q(1.0f, 0);
		CHECK(t, (x = t_tensor(t, env.cpu, ENPU_DTYPE_INT8, 1, dims, &q, NULL)), "tensor");
		CHECK(t, (y = t_tensor(t, env.cpu, ENPU_DTYPE_INT8, 1, dims, &q, NULL)), "tensor");
		CHECK_OK(t, enpu_command_list_create(&list));
		CHECK_OK(t, enpu_cmd_add(list, &(enpu_eltwise_params_t){ .a = x, .b = x, .out = y }));
		CHECK_OK(t, enpu_fence_create(&gate));
		CHECK_OK(t, enpu_device_submit(enpu_dispatcher_device(d, 1), list, &gate, 1, &gated));
	}
	CHECK_OK(t, enpu_plan_execute(plan, &run));
	CHECK_ERR(t, enpu_plan_execute(plan, &(enpu_run_t *){ NULL }), ENPU_STATUS_FAILED_PRECONDITION,
		  "in flight");
	CHECK_ERR(t, enpu_dispatcher_calibrate(d, g), ENPU_STATUS_FAILED_PRECONDITION, "in flight");
	CHECK_OK(t, enpu_fence_wait(enpu_run_op_fence(run, op[5]), 60ull * 1000000000ull));
	for (int i = 0; i < 3; i++)
		CHECK(t, !enpu_fence_poll(enpu_run_op_fence(run, op[i])),
		      "%s (ref0) finished while the gate was closed", names[i]);
	CHECK(t, !enpu_fence_poll(enpu_run_op_fence(run, op[6])), "join finished before its inputs");
	uint64_t when;
	CHECK_ERR(t, enpu_fence_signal_time(gate, &when), ENPU_STATUS_FAILED_PRECONDITION, "pending");
	CHECK_OK(t, enpu_fence_signal(gate, ENPU_OK));
	CHECK_OK(t, enpu_fence_signal_time(gate, &when));
	CHECK(t, when > 0, "signal time %llu", (unsigned long long)when);
	CHECK_OK(t, enpu_run_wait(run, 60ull * 1000000000ull));
	enpu_run_timing_t g4, g1, join;
	CHECK_OK(t, enpu_run_op_timing(run, op[5], &g4));
	CHECK_OK(t, enpu_run_op_timing(run, op[0], &g1));
	CHECK_OK(t, enpu_run_op_timing(run, op[6], &join));
	CHECK(t, g1.end > g4.end && join.start >= g1.end && join.start >= g4.end,
	      "timestamps: g4 ends %g, g1 ends %g, join starts %g", g4.end, g1.end, join.start);
	CHECK(t, enpu_run_makespan(run) >= join.end, "makespan %g < join end %g",
	      enpu_run_makespan(run), join.end);
out:
	if (gate && !enpu_fence_poll(gate))
		enpu_status_free(enpu_fence_signal(gate, ENPU_OK));
	enpu_run_release(run);
	if (gated)
		enpu_status_free(enpu_fence_wait(gated, ENPU_TIMEOUT_INFINITE));
	enpu_fence_release(gated);
	enpu_fence_release(gate);
	enpu_command_list_release(list);
	enpu_tensor_release(x);
	enpu_tensor_release(y);
	enpu_plan_release(plan);
	enpu_graph_release(g);
	enpu_dispatcher_release(d);
	t_env_close(&env);
}

/* Two graphs of one dispatcher, low and high priority, run at once; both
 * correct. */
static void two_priorities(tctx *t, enpu_context_t *ctx, enpu_device_t *cpu, const char *devices)
{
	enpu_dispatcher_t *d = disp(t, ctx, devices, 0);
	enpu_graph_t *g[2] = { 0 };
	enpu_plan_t *p[2] = { 0 };
	enpu_run_t *r[2] = { 0 };
	uint8_t *out[2] = { 0 };
	size_t len[2];
	static const enpu_priority_t prio[2] = { ENPU_PRIORITY_LOW, ENPU_PRIORITY_HIGH };

	CHECK(t, d, "dispatcher");
	for (int i = 0; i < 2; i++) {
		CHECK_OK(t, enpu_graph_create_sample(cpu, "tiny", 16, 5, &g[i]));
		CHECK_OK(t, enpu_graph_set_priority(g[i], prio[i]));
		CHECK(t, enpu_graph_priority(g[i]) == prio[i], "priority %d", enpu_graph_priority(g[i]));
		CHECK_OK(t, enpu_dispatcher_calibrate(d, g[i]));
		CHECK_OK(t, enpu_dispatcher_plan(d, g[i], &p[i]));
	}
	for (int i = 0; i < 2; i++)
		CHECK_OK(t, enpu_plan_execute(p[i], &r[i]));
	for (int i = 0; i < 2; i++) {
		CHECK_OK(t, enpu_run_wait(r[i], 120ull * 1000000000ull));
		out[i] = outputs(g[i], &len[i]);
	}
	CHECK(t, len[0] == len[1] && !memcmp(out[0], out[1], len[0]),
	      "the two priorities computed different results");
out:
	for (int i = 0; i < 2; i++) {
		enpu_run_release(r[i]);
		enpu_plan_release(p[i]);
		enpu_graph_release(g[i]);
		free(out[i]);
	}
	enpu_dispatcher_release(d);
}

void test_dispatch_priority(tctx *t)
{
	t_env env = { 0 };
	enpu_graph_t *g = NULL;

	if (!t_env_open(t, &env, ENPU_CPU_ISA_AUTO, 2))
		return;
	CHECK_OK(t, enpu_graph_create(&g));
	CHECK(t, enpu_graph_priority(g) == ENPU_PRIORITY_NORMAL, "default priority");
	CHECK_ERR(t, enpu_graph_set_priority(g, (enpu_priority_t)7), ENPU_STATUS_INVALID_ARGUMENT,
		  "priority 7");
	two_priorities(t, env.ctx, env.cpu, "cpu0");
out:
	enpu_graph_release(g);
	t_env_close(&env);
}

/* Drops CAP_SYS_NICE from this process's effective set. */
static bool drop_sys_nice(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct c[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, c))
		return false;
	c[CAP_TO_INDEX(CAP_SYS_NICE)].effective &= ~CAP_TO_MASK(CAP_SYS_NICE);
	return !syscall(SYS_capset, &h, c);
}

/* In a child without CAP_SYS_NICE: a high-priority graph on the NPU is
 * refused when it runs; 0 when so. */
static int refused_without_sys_nice(enpu_context_t *ctx, enpu_device_t *cpu)
{
	enpu_dispatcher_t *d = NULL;
	enpu_graph_t *g = NULL;
	enpu_plan_t *p = NULL;
	enpu_run_t *r = NULL;
	enpu_status_t st;

	if (!drop_sys_nice())
		return 2;
	st = enpu_dispatcher_create(ctx, &(enpu_dispatcher_options_t){ .devices = "npu0",
		.calibration_runs = 1 }, &d);
	if (!st)
		st = enpu_graph_create_sample(cpu, "tiny", 16, 5, &g);
	if (!st)
		st = enpu_graph_set_priority(g, ENPU_PRIORITY_HIGH);
	if (!st)
		st = enpu_dispatcher_calibrate(d, g);
	if (!st)
		st = enpu_dispatcher_plan(d, g, &p);
	if (st)
		return 3;
	st = enpu_plan_execute(p, &r);
	return enpu_status_code(st) == ENPU_STATUS_FAILED_PRECONDITION &&
	       strstr(enpu_status_message(st), "CAP_SYS_NICE") ? 0 : 1;
}

/* On the NPU the priority becomes the driver's job priority: two graphs at
 * LOW and HIGH run at once; HIGH needs CAP_SYS_NICE, which a child without it
 * is refused. */
void test_dispatch_priority_npu(tctx *t)
{
	t_env env = { 0 };
	int status = -1;

	if (!t_env_open(t, &env, T_DUT_NPU, 0))
		return;
	enpu_device_release(env.cpu);
	env.cpu = NULL;
	CHECK_OK(t, enpu_device_open(env.ctx, 0, NULL, &env.cpu));
	pid_t pid = fork();
	CHECK(t, pid >= 0, "fork");
	if (pid == 0)
		_exit(refused_without_sys_nice(env.ctx, env.cpu));
	CHECK(t, waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "without CAP_SYS_NICE a high-priority NPU graph was not refused (status %d)",
	      status);
	two_priorities(t, env.ctx, env.cpu, "npu0");
out:
	t_env_close(&env);
}
