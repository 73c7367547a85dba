/* SPDX-License-Identifier: MIT */
/* The host queue (libhal/src/host_queue.c) with a recording exec function:
 * an unbounded wait runs queued work on the waiting thread, in order, only
 * when the worker is idle and the work's wait fences have signalled; bounded
 * waits and unwaited work run on the worker. execute runs inline on an idle
 * queue and behind the queued work otherwise; either way the device timer is
 * taken per run. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "../../libhal/src/fence_impl.h"
#include "../../libhal/src/host_queue.h"
#include "tests.h"

#define U32(...) ((const uint32_t[]){ __VA_ARGS__ })
#define LOG_MAX 8

typedef struct rec {
	pthread_mutex_t mutex;
	int kinds[LOG_MAX];
	pthread_t threads[LOG_MAX];
	size_t count;
	atomic_uint sleep_ms; /* each exec sleeps this long first */
	atomic_uint started;
	atomic_ullong device_ns; /* each exec adds 1000: a fake device timer */
} rec_t;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static enpu_status_t rec_exec(void *ctx, const enpu_op_t *op)
{
	rec_t *r = ctx;

	atomic_fetch_add(&r->started, 1);
	atomic_fetch_add(&r->device_ns, 1000);
	sleep_ms(atomic_load(&r->sleep_ms));
	pthread_mutex_lock(&r->mutex);
	if (r->count < LOG_MAX) {
		r->kinds[r->count] = op->kind;
		r->threads[r->count] = pthread_self();
		r->count++;
	}
	pthread_mutex_unlock(&r->mutex);
	return ENPU_OK;
}

/* enpu_host_timer_fn: the device time since the last take. */
static bool rec_take_time(void *ctx, uint64_t *ns)
{
	*ns = atomic_exchange(&((rec_t *)ctx)->device_ns, 0);
	return true;
}

typedef struct fixture {
	t_env e;
	rec_t rec;
	enpu_host_queue_t *q;
	enpu_tensor_t *i8, *o8, *f16;
	enpu_command_list_t *requant, *cast; /* one op each */
} fixture_t;

static bool fixture_open(tctx *t, fixture_t *f)
{
	enpu_quant_t q1 = t_q(1.0f, 0);

	*f = (fixture_t){ .rec.mutex = PTHREAD_MUTEX_INITIALIZER };
	if (!t_env_open(t, &f->e, ENPU_CPU_ISA_GENERIC, 1))
		return false;
	f->i8 = t_tensor(t, f->e.cpu, ENPU_DTYPE_INT8, 1, U32(4), &q1, NULL);
	f->o8 = t_tensor(t, f->e.cpu, ENPU_DTYPE_INT8, 1, U32(4), &q1, NULL);
	f->f16 = t_tensor(t, f->e.cpu, ENPU_DTYPE_FP16, 1, U32(4), NULL, NULL);
	CHECK(t, f->i8 && f->o8 && f->f16, "tensors");
	CHECK_OK(t, enpu_command_list_create(&f->requant));
	CHECK_OK(t, enpu_cmd_requantize(f->requant, &(enpu_requantize_params_t){
						 .input = f->i8, .output = f->o8 }));
	CHECK_OK(t, enpu_command_list_create(&f->cast));
	CHECK_OK(t, enpu_cmd_cast(f->cast, &(enpu_cast_params_t){ .input = f->i8,
								  .output = f->f16 }));
	CHECK_OK(t, enpu_host_queue_create("test-queue", rec_exec, &f->rec, &f->q));
	return true;
out:
	return false;
}

static void fixture_close(fixture_t *f)
{
	if (f->q)
		enpu_host_queue_destroy(f->q);
	enpu_command_list_release(f->requant);
	enpu_command_list_release(f->cast);
	enpu_tensor_release(f->i8);
	enpu_tensor_release(f->o8);
	enpu_tensor_release(f->f16);
	t_env_close(&f->e);
}

static enpu_status_t submit(fixture_t *f, enpu_command_list_t *l, enpu_fence_t *wait,
			    enpu_fence_t **out)
{
	enpu_status_t st = enpu_fence_create_device(out);

	if (st)
		return st;
	return enpu_host_queue_submit(f->q, f->e.cpu, l, &wait, wait ? 1 : 0, *out);
}

void test_host_queue_waiter_runs(tctx *t)
{
	fixture_t f;
	enpu_fence_t *a = NULL, *b = NULL;

	if (!fixture_open(t, &f))
		goto out;
	/* submit then wait: the waiting thread runs it, unless the worker woke
	 * up first (a race the waiter usually wins natively; under qemu-user,
	 * where the waiter's path is emulated and the wake-up is not, it often
	 * loses; on a loaded host the submitter may be preempted right after
	 * submitting), so over many rounds */
	bool on_waiter = false;
	for (int i = 0; i < 1000 && !on_waiter; i++) {
		enpu_fence_release(a);
		a = NULL;
		f.rec.count = 0; /* the queue is idle: its fence signalled */
		CHECK_OK(t, submit(&f, f.requant, NULL, &a));
		CHECK_OK(t, enpu_fence_wait(a, ENPU_TIMEOUT_INFINITE));
		CHECK(t, f.rec.count == 1, "ran %zu ops", f.rec.count);
		on_waiter = pthread_equal(f.rec.threads[0], pthread_self());
	}
	CHECK(t, on_waiter, "in 1000 rounds of submit then wait, the op never ran on the waiting thread");
	/* nobody waits: the worker runs it */
	f.rec.count = 0;
	CHECK_OK(t, submit(&f, f.cast, NULL, &b));
	for (int i = 0; i < 5000 && !enpu_fence_poll(b); i++)
		sleep_ms(1);
	CHECK(t, enpu_fence_poll(b) == 1, "the worker did not run unwaited work");
	CHECK(t, f.rec.count == 1 && !pthread_equal(f.rec.threads[0], pthread_self()),
	      "unwaited work ran on the submitting thread");
out:
	enpu_fence_release(a);
	enpu_fence_release(b);
	fixture_close(&f);
}

typedef struct waiter {
	enpu_fence_t *fence;
	enpu_status_t st;
} waiter_t;

static void *wait_thread(void *arg)
{
	waiter_t *w = arg;

	w->st = enpu_fence_wait(w->fence, ENPU_TIMEOUT_INFINITE);
	return NULL;
}

/* The head waits on a host fence: a waiter on the work behind it must not run
 * ahead of it (nor block inside it), and both run in order once it signals. */
void test_host_queue_waiter_keeps_order(tctx *t)
{
	fixture_t f;
	enpu_fence_t *host = NULL, *a = NULL, *b = NULL;
	waiter_t w = { 0 };
	pthread_t th;
	bool started = false;

	if (!fixture_open(t, &f))
		goto out;
	CHECK_OK(t, enpu_fence_create(&host));
	CHECK_OK(t, submit(&f, f.requant, host, &a));
	CHECK_OK(t, submit(&f, f.cast, NULL, &b));
	w.fence = b;
	CHECK(t, pthread_create(&th, NULL, wait_thread, &w) == 0, "pthread_create");
	started = true;
	sleep_ms(30);
	CHECK(t, f.rec.count == 0, "%zu ops ran before the head's wait fence", f.rec.count);
	CHECK_OK(t, enpu_fence_signal(host, ENPU_OK));
	pthread_join(th, NULL);
	started = false;
	CHECK_OK(t, w.st);
	w.st = ENPU_OK;
	CHECK(t, f.rec.count == 2, "ran %zu ops", f.rec.count);
	CHECK(t, f.rec.kinds[0] == ENPU_OP_REQUANTIZE && f.rec.kinds[1] == ENPU_OP_CAST,
	      "out of order");
	CHECK(t, enpu_fence_poll(a) == 1, "the head's fence is pending");
out:
	if (started) {
		enpu_fence_signal(host, ENPU_OK);
		pthread_join(th, NULL);
	}
	enpu_status_free(w.st);
	enpu_fence_release(host);
	enpu_fence_release(a);
	enpu_fence_release(b);
	fixture_close(&f);
}

static void *signal_later(void *arg)
{
	sleep_ms(20);
	enpu_status_free(enpu_fence_signal(arg, ENPU_OK));
	return NULL;
}

/* An unbounded waiter never takes work whose wait fence is pending (it would
 * block inside it, holding the queue): that work runs on the worker. Rounds
 * where the fence had signalled before the wait began prove nothing. */
void test_host_queue_waiter_skips_pending(tctx *t)
{
	enum { ROUNDS = 150 };
	fixture_t f;
	enpu_fence_t *host = NULL, *a = NULL;
	pthread_t th;
	bool started = false;
	int on_waiter = 0;

	if (!fixture_open(t, &f))
		goto out;
	for (int i = 0; i < ROUNDS; i++) {
		enpu_fence_release(host);
		enpu_fence_release(a);
		host = a = NULL;
		f.rec.count = 0; /* the queue is idle: a signalled */
		CHECK_OK(t, enpu_fence_create(&host));
		CHECK_OK(t, submit(&f, f.requant, host, &a));
		CHECK(t, pthread_create(&th, NULL, signal_later, host) == 0, "pthread_create");
		started = true;
		bool pending = !enpu_fence_poll(host);
		CHECK_OK(t, enpu_fence_wait(a, ENPU_TIMEOUT_INFINITE));
		pthread_join(th, NULL);
		started = false;
		CHECK(t, f.rec.count == 1, "round %d: ran %zu ops", i, f.rec.count);
		on_waiter += pending && pthread_equal(f.rec.threads[0], pthread_self());
	}
	CHECK(t, on_waiter == 0, "in %d of %d rounds the waiter took work whose wait fence was "
	      "pending", on_waiter, ROUNDS);
out:
	if (started)
		pthread_join(th, NULL);
	enpu_fence_release(host);
	enpu_fence_release(a);
	fixture_close(&f);
}

/* A bounded wait never runs the work (it could outlast the timeout); a wait
 * behind a running submission waits for it, then may run the rest. */
void test_host_queue_bounded_and_busy(tctx *t)
{
	fixture_t f;
	enpu_fence_t *a = NULL, *b = NULL;
	struct timespec t0, t1;

	if (!fixture_open(t, &f))
		goto out;
	atomic_store(&f.rec.sleep_ms, 200);
	CHECK_OK(t, submit(&f, f.requant, NULL, &a));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(t, enpu_fence_wait(a, 5 * 1000000), ENPU_STATUS_DEADLINE_EXCEEDED,
		  "not signalled within");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK(t, ms < 150, "a 5 ms wait took %.0f ms: it ran the work itself", ms);
	/* the worker runs a (200 ms); b's waiter must not start b meanwhile */
	for (int i = 0; i < 5000 && !atomic_load(&f.rec.started); i++)
		sleep_ms(1);
	atomic_store(&f.rec.sleep_ms, 0);
	CHECK_OK(t, submit(&f, f.cast, NULL, &b));
	CHECK_OK(t, enpu_fence_wait(b, ENPU_TIMEOUT_INFINITE));
	CHECK(t, enpu_fence_poll(a) == 1, "b finished before a");
	CHECK(t, f.rec.count == 2 && f.rec.kinds[0] == ENPU_OP_REQUANTIZE &&
		 f.rec.kinds[1] == ENPU_OP_CAST, "out of order");
out:
	enpu_fence_release(a);
	enpu_fence_release(b);
	fixture_close(&f);
}

void test_host_queue_execute(tctx *t)
{
	fixture_t f;
	enpu_fence_t *a = NULL;

	if (!fixture_open(t, &f))
		goto out;
	/* idle: on this thread */
	CHECK_OK(t, enpu_host_queue_execute(f.q, f.e.cpu, f.requant));
	CHECK(t, f.rec.count == 1 && pthread_equal(f.rec.threads[0], pthread_self()),
	      "an idle queue's execute did not run on the calling thread");
	/* busy (the worker sleeps 200 ms in a): after a, in order */
	atomic_store(&f.rec.sleep_ms, 200);
	CHECK_OK(t, submit(&f, f.cast, NULL, &a));
	for (int i = 0; i < 5000 && atomic_load(&f.rec.started) < 2; i++)
		sleep_ms(1);
	atomic_store(&f.rec.sleep_ms, 0);
	CHECK_OK(t, enpu_host_queue_execute(f.q, f.e.cpu, f.requant));
	CHECK(t, enpu_fence_poll(a) == 1, "execute returned before the queued work ran");
	CHECK(t, f.rec.count == 3 && f.rec.kinds[1] == ENPU_OP_CAST &&
		 f.rec.kinds[2] == ENPU_OP_REQUANTIZE, "out of order (%zu ops)", f.rec.count);
	/* queued but not yet taken (the worker has yet to wake up: the usual
	 * case right after submit): not idle either, execute goes behind it */
	for (int i = 0; i < 200; i++) {
		enpu_fence_release(a);
		a = NULL;
		f.rec.count = 0; /* the queue is idle: the last execute returned */
		CHECK_OK(t, submit(&f, f.cast, NULL, &a));
		CHECK_OK(t, enpu_host_queue_execute(f.q, f.e.cpu, f.requant));
		CHECK(t, enpu_fence_poll(a) == 1, "round %d: execute overtook the queued work", i);
		CHECK(t, f.rec.count == 2 && f.rec.kinds[0] == ENPU_OP_CAST &&
			 f.rec.kinds[1] == ENPU_OP_REQUANTIZE, "round %d: out of order", i);
	}
out:
	enpu_fence_release(a);
	fixture_close(&f);
}

/* Device time: an inline execute takes the timer too, so that its time is
 * not counted in the next submission's fence. */
void test_host_queue_device_time(tctx *t)
{
	fixture_t f;
	enpu_fence_t *a = NULL;
	uint64_t ns = 0;

	if (!fixture_open(t, &f))
		goto out;
	enpu_host_queue_set_timer(f.q, rec_take_time);
	CHECK_OK(t, enpu_host_queue_execute(f.q, f.e.cpu, f.requant));
	CHECK_OK(t, submit(&f, f.cast, NULL, &a));
	CHECK_OK(t, enpu_fence_wait(a, ENPU_TIMEOUT_INFINITE));
	CHECK_OK(t, enpu_fence_device_time_ns(a, &ns));
	CHECK(t, ns == 1000, "device time %llu ns, want 1000 (one op)", (unsigned long long)ns);
out:
	enpu_fence_release(a);
	fixture_close(&f);
}

/* An op that fails on the queue: execute and the fence return its status
 * code (not INTERNAL) and message, naming the queue, op index and kind. */
static enpu_status_t fail_exec(void *ctx, const enpu_op_t *op)
{
	(void)ctx;
	(void)op;
	return enpu_status_make(ENPU_STATUS_DEVICE_ERROR, "injected");
}

void test_host_queue_exec_error(tctx *t)
{
	t_env e;
	enpu_host_queue_t *q = NULL;
	enpu_fence_t *f = NULL;
	enpu_command_list_t *l = NULL;
	enpu_tensor_t *i8 = NULL, *o8 = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	enpu_quant_t q1 = t_q(1.0f, 0);
	i8 = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(4), &q1, NULL);
	o8 = t_tensor(t, e.cpu, ENPU_DTYPE_INT8, 1, U32(4), &q1, NULL);
	CHECK(t, i8 && o8, "tensors");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = i8, .output = o8 }));
	CHECK_OK(t, enpu_host_queue_create("testq", fail_exec, NULL, &q));
	CHECK_ERR(t, enpu_host_queue_execute(q, e.cpu, l), ENPU_STATUS_DEVICE_ERROR,
		  "testq: op 0 (requantize) failed: injected");
	CHECK_OK(t, enpu_fence_create_device(&f));
	CHECK_OK(t, enpu_host_queue_submit(q, e.cpu, l, NULL, 0, f));
	CHECK_ERR(t, enpu_fence_wait(f, ENPU_TIMEOUT_INFINITE), ENPU_STATUS_DEVICE_ERROR,
		  "op 0 (requantize) failed: injected");
out:
	enpu_fence_release(f);
	if (q)
		enpu_host_queue_destroy(q);
	enpu_command_list_release(l);
	enpu_tensor_release(i8);
	enpu_tensor_release(o8);
	t_env_close(&e);
}
