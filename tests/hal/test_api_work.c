/* SPDX-License-Identifier: MIT */
/* API tests: submission, fences (host and device), timeouts, chaining across
 * devices, error propagation, sealing and in-order execution. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tests.h"

#define U32(...) ((const uint32_t[]){ __VA_ARGS__ })

/* A list holding one in -> out requantize (x1 from scale 1 to 0.5, i.e. x2). */
static enpu_command_list_t *doubler(tctx *t, enpu_tensor_t *in, enpu_tensor_t *out)
{
	enpu_command_list_t *l = NULL;
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = in, .output = out }));
	return l;
out:
	enpu_command_list_release(l);
	return NULL;
}

void test_api_fence_host(tctx *t)
{
	enpu_fence_t *f = NULL;
	enpu_status_t cause = enpu_status_make(ENPU_STATUS_DEVICE_ERROR, "camera unplugged");
	CHECK_ERR(t, enpu_fence_create(NULL), ENPU_STATUS_INVALID_ARGUMENT, "NULL");
	CHECK_OK(t, enpu_fence_create(&f));
	CHECK(t, enpu_fence_poll(f) == 0, "new fence is pending");
	CHECK_ERR(t, enpu_fence_wait(f, 1000000), ENPU_STATUS_DEADLINE_EXCEEDED, "not signalled");
	CHECK_ERR(t, enpu_fence_wait(f, 0), ENPU_STATUS_DEADLINE_EXCEEDED, "not signalled");
	/* a timed wait lasts its timeout: 999999999 ns carries into the seconds
	 * of the deadline unless the clock's nanoseconds are 0 */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(t, enpu_fence_wait(f, 999999999), ENPU_STATUS_DEADLINE_EXCEEDED,
		  "not signalled");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	CHECK(t, waited >= 0.999999999, "a 999999999 ns wait returned after %.9f s", waited);
	CHECK_OK(t, enpu_fence_signal(f, cause));
	CHECK(t, enpu_fence_poll(f) == 1, "signalled");
	CHECK_ERR(t, enpu_fence_wait(f, 0), ENPU_STATUS_DEVICE_ERROR, "camera unplugged");
	CHECK_ERR(t, enpu_fence_signal(f, ENPU_OK), ENPU_STATUS_FAILED_PRECONDITION,
		  "already signalled");
	CHECK_ERR(t, enpu_fence_wait(NULL, 0), ENPU_STATUS_INVALID_ARGUMENT, "NULL");
out:
	enpu_status_free(cause);
	enpu_fence_release(f);
}

void test_api_fence_timeout_chain(tctx *t)
{
	t_env e;
	enpu_fence_t *host = NULL, *done = NULL;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *in = NULL, *out = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 2))
		return;
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 0);
	in = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(3), &q1, (int8_t[]){ 1, -2, 3 });
	out = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(3), &qh, NULL);
	CHECK(t, in && out && (l = doubler(t, in, out)), "setup failed");
	CHECK_OK(t, enpu_fence_create(&host));
	CHECK_OK(t, enpu_device_submit(e.cpu, l, &host, 1, &done));
	/* blocked on the host fence */
	CHECK_ERR(t, enpu_fence_wait(done, 20 * 1000000), ENPU_STATUS_DEADLINE_EXCEEDED,
		  "not signalled within");
	CHECK(t, enpu_fence_poll(done) == 0, "ran before its wait fence");
	CHECK(t, ((int8_t *)t_data(out))[0] == 0, "output written too early");
	CHECK_ERR(t, enpu_fence_signal(done, ENPU_OK), ENPU_STATUS_FAILED_PRECONDITION,
		  "not a host fence");
	CHECK_OK(t, enpu_fence_signal(host, ENPU_OK));
	CHECK_OK(t, enpu_fence_wait(done, ENPU_TIMEOUT_INFINITE));
	int8_t *r = t_data(out);
	CHECK(t, r[0] == 2 && r[1] == -4 && r[2] == 6, "got %d %d %d", r[0], r[1], r[2]);
out:
	enpu_fence_release(host);
	enpu_fence_release(done);
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
	t_env_close(&e);
}

void test_api_fence_error(tctx *t)
{
	t_env e;
	enpu_fence_t *host = NULL, *f1 = NULL, *f2 = NULL;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *in = NULL, *out = NULL;
	enpu_status_t cause = enpu_status_make(ENPU_STATUS_DEVICE_ERROR, "sensor timeout");
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		goto out;
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 0);
	in = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(3), &q1, (int8_t[]){ 1, 1, 1 });
	out = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(3), &qh, NULL);
	CHECK(t, in && out && (l = doubler(t, in, out)), "setup failed");
	CHECK_OK(t, enpu_fence_create(&host));
	CHECK_OK(t, enpu_device_submit(e.cpu, l, &host, 1, &f1));
	/* second-level dependency on another device */
	CHECK_OK(t, enpu_device_submit(e.ref, l, &f1, 1, &f2));
	CHECK_OK(t, enpu_fence_signal(host, cause));
	CHECK_ERR(t, enpu_fence_wait(f1, ENPU_TIMEOUT_INFINITE), ENPU_STATUS_ABORTED,
		  "cpu0: submission skipped: wait fence 0 failed: DEVICE_ERROR: sensor timeout");
	CHECK_ERR(t, enpu_fence_wait(f2, ENPU_TIMEOUT_INFINITE), ENPU_STATUS_ABORTED,
		  "ref0: submission skipped: wait fence 0 failed: ABORTED: cpu0");
	CHECK(t, ((int8_t *)t_data(out))[0] == 0, "skipped work must not run");
out:
	enpu_status_free(cause);
	enpu_fence_release(host);
	enpu_fence_release(f1);
	enpu_fence_release(f2);
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
	t_env_close(&e);
}

void test_api_cross_device_chain(tctx *t)
{
	t_env e;
	enpu_fence_t *f1 = NULL, *f2 = NULL;
	enpu_command_list_t *l1 = NULL, *l2 = NULL;
	enpu_tensor_t *a = NULL, *b = NULL, *c = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 2))
		return;
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 0), qq = t_q(0.25f, 0);
	a = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(2), &q1, (int8_t[]){ 5, -7 });
	b = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(2), &qh, NULL);
	c = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(2), &qq, NULL);
	CHECK(t, a && b && c, "tensor creation failed");
	CHECK(t, (l1 = doubler(t, a, b)) && (l2 = doubler(t, b, c)), "lists");
	CHECK_OK(t, enpu_device_submit(e.ref, l1, NULL, 0, &f1));
	CHECK_OK(t, enpu_device_submit(e.cpu, l2, &f1, 1, &f2));
	CHECK_OK(t, enpu_fence_wait(f2, ENPU_TIMEOUT_INFINITE));
	CHECK(t, enpu_fence_poll(f1) == 1, "dependency not complete");
	int8_t *r = t_data(c);
	CHECK(t, r[0] == 20 && r[1] == -28, "got %d %d", r[0], r[1]);
out:
	enpu_fence_release(f1);
	enpu_fence_release(f2);
	enpu_command_list_release(l1);
	enpu_command_list_release(l2);
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(c);
	t_env_close(&e);
}

void test_api_command_list(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_fence_t *f = NULL;
	enpu_tensor_t *a = NULL, *h = NULL, *b = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 0);
	a = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(2), &q1, (int8_t[]){ 3, -60 });
	h = t_tensor(t, e.cpu, ENPU_DTYPE_FP16, 1, U32(2), NULL, NULL);
	b = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(2), &qh, NULL);
	CHECK(t, a && h && b, "tensor creation failed");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = a, .output = h }));
	CHECK_OK(t, enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = h, .output = b }));
	CHECK(t, enpu_command_list_size(l) == 2, "size %zu", enpu_command_list_size(l));
	CHECK_ERR(t, enpu_device_submit(e.cpu, NULL, NULL, 0, &f), ENPU_STATUS_INVALID_ARGUMENT,
		  "list is NULL");
	CHECK_ERR(t, enpu_device_submit(e.cpu, l, NULL, 1, &f), ENPU_STATUS_INVALID_ARGUMENT,
		  "wait_fences is NULL");
	CHECK_OK(t, t_run(e.cpu, l));
	int8_t *r = t_data(b);
	CHECK(t, r[0] == 6 && r[1] == -120, "ops did not run in order: %d %d", r[0], r[1]);
	CHECK_ERR(t, enpu_cmd_cast(l, &(enpu_cast_params_t){ .input = a, .output = h }),
		  ENPU_STATUS_FAILED_PRECONDITION, "sealed");
	/* a sealed list can be resubmitted, to another device too */
	r[0] = r[1] = 0;
	CHECK_OK(t, t_run(e.ref, l));
	CHECK(t, r[0] == 6 && r[1] == -120, "resubmission: %d %d", r[0], r[1]);
out:
	enpu_fence_release(f);
	enpu_command_list_release(l);
	enpu_tensor_release(a);
	enpu_tensor_release(h);
	enpu_tensor_release(b);
	t_env_close(&e);
}

void test_api_in_order(tctx *t)
{
	enum { N = 24 };
	t_env e;
	enpu_command_list_t *l[N] = { 0 };
	enpu_fence_t *f[N] = { 0 };
	enpu_tensor_t *x[N + 1] = { 0 };
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 2))
		return;
	/* x[i] has zero point i; requantizing x[i] -> x[i+1] at scale 1 keeps
	 * the real value (0), so the stored value becomes i+1 only when step i
	 * ran after step i-1: dependent submissions without fences rely on
	 * in-order execution. An early step would read 0 and store 1. */
	for (int i = 0; i <= N; i++) {
		enpu_quant_t q = t_q(1.0f, i);
		x[i] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(1000), &q, NULL);
		CHECK(t, x[i], "tensor");
	}
	memset(t_data(x[0]), 0, 1000);
	for (int i = 0; i < N; i++) {
		enpu_tensor_t *src = x[i];
		CHECK_OK(t, enpu_command_list_create(&l[i]));
		enpu_requantize_params_t p = {
			.input = src, .output = x[i + 1],
			.requant = { (int32_t[]){ 1 << 30 }, (int32_t[]){ 1 }, 1 } };
		CHECK_OK(t, enpu_cmd_requantize(l[i], &p));
	}
	for (int i = 0; i < N; i++)
		CHECK_OK(t, enpu_device_submit(e.cpu, l[i], NULL, 0, &f[i]));
	CHECK_OK(t, enpu_fence_wait(f[N - 1], ENPU_TIMEOUT_INFINITE));
	for (int i = 0; i < N; i++)
		CHECK(t, enpu_fence_poll(f[i]) == 1, "fence %d pending after the last", i);
	int8_t *r = t_data(x[N]);
	for (int j = 0; j < 1000; j++)
		CHECK(t, r[j] == N, "element %d = %d, expected %d", j, r[j], N);
out:
	for (int i = 0; i < N; i++) {
		enpu_fence_release(f[i]);
		enpu_command_list_release(l[i]);
	}
	for (int i = 0; i <= N; i++)
		enpu_tensor_release(x[i]);
	t_env_close(&e);
}

/* A wrapped buffer's release_fn that takes 50 ms (a slow free), run by the
 * queue when the last submission holding the buffer ends. */
static atomic_int slow_release_entered;
static void slow_release(void *user_data, void *host_ptr)
{
	(void)user_data;
	atomic_store(&slow_release_entered, 1);
	nanosleep(&(struct timespec){ 0, 50 * 1000000 }, NULL);
	free(host_ptr);
}

/* A submission's fence signals before the next submission of the queue can
 * start, even while its references take long to go: a later fence (or an
 * execute) that completes leaves no earlier fence pending. */
void test_api_in_order_slow_release(tctx *t)
{
	t_env e;
	enpu_fence_t *f1 = NULL, *f2 = NULL;
	enpu_command_list_t *l1 = NULL, *l2 = NULL;
	enpu_buffer_t *w = NULL;
	enpu_tensor_t *x = NULL, *y = NULL, *in = NULL, *out = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 0);
	in = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(3), &q1, (int8_t[]){ 1, 2, 3 });
	out = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(3), &qh, NULL);
	CHECK(t, in && out && (l2 = doubler(t, in, out)), "setup failed");
	for (int round = 0; round < 2; round++) {
		void *mem = calloc(1, 64);
		CHECK(t, mem, "out of memory");
		CHECK_OK(t, enpu_buffer_wrap(e.cpu, mem, 64, slow_release, NULL, &w));
		enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { 8 }, .quant = q1 };
		enpu_tensor_desc_t dh = d;
		dh.quant = qh;
		CHECK_OK(t, enpu_tensor_create(w, 0, &d, &x));
		CHECK_OK(t, enpu_tensor_create(w, 32, &dh, &y));
		enpu_buffer_release(w); /* the tensors, then the list, hold it */
		w = NULL;
		CHECK(t, (l1 = doubler(t, x, y)), "list");
		enpu_tensor_release(x);
		enpu_tensor_release(y);
		x = y = NULL;
		atomic_store(&slow_release_entered, 0);
		CHECK_OK(t, enpu_device_submit(e.cpu, l1, NULL, 0, &f1));
		enpu_command_list_release(l1); /* the submission holds the last reference */
		l1 = NULL;
		for (int i = 0; i < 5000 && !atomic_load(&slow_release_entered); i++)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		CHECK(t, atomic_load(&slow_release_entered), "the release_fn never ran");
		if (round == 0) {
			CHECK_OK(t, enpu_device_submit(e.cpu, l2, NULL, 0, &f2));
			CHECK_OK(t, enpu_fence_wait(f2, ENPU_TIMEOUT_INFINITE));
			CHECK(t, enpu_fence_poll(f1) == 1,
			      "the second submission's fence signalled before the first's");
		} else {
			CHECK_OK(t, enpu_device_execute(e.cpu, l2));
			CHECK(t, enpu_fence_poll(f1) == 1,
			      "execute returned while an earlier submission's fence was pending");
		}
		CHECK_OK(t, enpu_fence_wait(f1, ENPU_TIMEOUT_INFINITE));
		enpu_fence_release(f1);
		enpu_fence_release(f2);
		f1 = f2 = NULL;
	}
	int8_t *r = t_data(out);
	CHECK(t, r[0] == 2 && r[1] == 4 && r[2] == 6, "got %d %d %d", r[0], r[1], r[2]);
out:
	if (f1) /* the list and buffer go with it */
		enpu_status_free(enpu_fence_wait(f1, ENPU_TIMEOUT_INFINITE));
	enpu_fence_release(f1);
	enpu_fence_release(f2);
	enpu_command_list_release(l1);
	enpu_command_list_release(l2);
	enpu_tensor_release(x);
	enpu_tensor_release(y);
	enpu_buffer_release(w);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
	t_env_close(&e);
}

/* Releasing every handle while work is still pending is safe: the work keeps
 * its device alive, and when it completes the queue thread drops the last
 * reference and closes the device (from that thread). */
void test_api_release_while_pending(tctx *t)
{
	t_env e;
	enpu_fence_t *host = NULL, *done = NULL;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *in = NULL, *out = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 2))
		return;
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 0);
	/* buffers from the reference device, so they do not hold the CPU device */
	in = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(3), &q1, (int8_t[]){ 7, -8, 9 });
	out = t_tensor(t, e.ref, ENPU_DTYPE_INT8, 1, U32(3), &qh, NULL);
	CHECK(t, in && out && (l = doubler(t, in, out)), "setup failed");
	CHECK_OK(t, enpu_fence_create(&host));
	CHECK_OK(t, enpu_device_submit(e.cpu, l, &host, 1, &done));
	enpu_command_list_release(l);
	l = NULL;
	enpu_tensor_release(in);
	in = NULL;
	enpu_device_release(e.cpu);
	e.cpu = NULL;
	CHECK(t, enpu_fence_poll(done) == 0, "ran before its wait fence");
	CHECK_OK(t, enpu_fence_signal(host, ENPU_OK));
	CHECK_OK(t, enpu_fence_wait(done, ENPU_TIMEOUT_INFINITE));
	int8_t *r = t_data(out);
	CHECK(t, r[0] == 14 && r[1] == -16 && r[2] == 18, "got %d %d %d", r[0], r[1], r[2]);
out:
	enpu_fence_release(host);
	enpu_fence_release(done);
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
	t_env_close(&e);
}

typedef struct submitter {
	enpu_device_t *dev;
	enpu_command_list_t *list;
	enpu_tensor_t *out;
	int8_t want;
	int ok;
} submitter_t;

static void *submit_loop(void *arg)
{
	submitter_t *s = arg;
	s->ok = 1;
	for (int i = 0; i < 20 && s->ok; i++) {
		enpu_fence_t *f = NULL;
		enpu_status_t st = enpu_device_submit(s->dev, s->list, NULL, 0, &f);
		if (!st)
			st = enpu_fence_wait(f, ENPU_TIMEOUT_INFINITE);
		s->ok = !st && ((int8_t *)t_data(s->out))[0] == s->want;
		enpu_status_free(st);
		enpu_fence_release(f);
	}
	return NULL;
}

/* Several threads submitting to one device at once (submit is thread-safe). */
void test_api_concurrent_submit(tctx *t)
{
	enum { T = 4 };
	t_env e;
	submitter_t s[T] = { 0 };
	pthread_t th[T];
	enpu_tensor_t *in[T] = { 0 };
	int started = 0;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 2))
		return;
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 0);
	for (int i = 0; i < T; i++) {
		in[i] = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(64), &q1, NULL);
		s[i].out = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(64), &qh, NULL);
		CHECK(t, in[i] && s[i].out, "tensors");
		memset(t_data(in[i]), i + 1, 64);
		CHECK(t, (s[i].list = doubler(t, in[i], s[i].out)), "list");
		s[i].dev = e.cpu;
		s[i].want = (int8_t)(2 * (i + 1));
	}
	for (; started < T; started++)
		CHECK(t, pthread_create(&th[started], NULL, submit_loop, &s[started]) == 0, "thread");
out:
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		if (t->result == T_OK && !s[i].ok)
			t_fail(t, __FILE__, __LINE__, "submitter %d got a wrong result or error", i);
	}
	for (int i = 0; i < T; i++) {
		enpu_command_list_release(s[i].list);
		enpu_tensor_release(s[i].out);
		enpu_tensor_release(in[i]);
	}
	t_env_close(&e);
}

/* enpu_device_execute: the synchronous form of submit + wait. */
void test_api_execute(tctx *t)
{
	t_env e;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *in = NULL, *out = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 0);
	in = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(3), &q1, (int8_t[]){ 1, -2, 3 });
	out = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(3), &qh, NULL);
	CHECK(t, in && out && (l = doubler(t, in, out)), "setup failed");
	CHECK_ERR(t, enpu_device_execute(NULL, l), ENPU_STATUS_INVALID_ARGUMENT, "device is NULL");
	CHECK_ERR(t, enpu_device_execute(e.cpu, NULL), ENPU_STATUS_INVALID_ARGUMENT,
		  "list is NULL");
	for (int dev = 0; dev < 2; dev++) {
		memset(t_data(out), 0, 3);
		CHECK_OK(t, enpu_device_execute(dev ? e.ref : e.cpu, l));
		int8_t *r = t_data(out);
		CHECK(t, r[0] == 2 && r[1] == -4 && r[2] == 6, "%s: got %d %d %d",
		      dev ? "ref" : "cpu", r[0], r[1], r[2]);
	}
	CHECK_ERR(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = in,
									 .output = out }),
		  ENPU_STATUS_FAILED_PRECONDITION, "sealed");
out:
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
	t_env_close(&e);
}
