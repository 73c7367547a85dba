/* SPDX-License-Identifier: MIT */
/* The CPU backend's thread pool (libhal/src/cpu/threadpool.c): every task of
 * every loop runs exactly once, on a thread index below the loop's thread
 * count (all of the pool's, or its first n),
 * whether the workers are spinning after the previous loop (warm), asleep,
 * or still in an empty wake-up loop (cpu_threadpool_prewake) when the next
 * loop starts; a pool is destroyed cleanly in each of those states; prewakes
 * tell a burst of work from a first call; warm counts only a loop's workers. */
#include <stdatomic.h>
#include <time.h>
#include "../../libhal/src/cpu/threadpool.h"
#include "tests.h"

#define TASKS_MAX 64

typedef struct loop {
	atomic_uint runs[TASKS_MAX];
	atomic_uint bad_thread;
	unsigned size;
} loop_t;

static void count_task(void *arg, size_t task, unsigned thread)
{
	loop_t *l = arg;

	atomic_fetch_add(&l->runs[task], 1);
	if (thread >= l->size)
		atomic_fetch_add(&l->bad_thread, 1);
}

static void sleep_us(unsigned us)
{
	struct timespec ts = { 0, (long)us * 1000L };

	nanosleep(&ts, NULL);
}

/* Runs a loop of tasks tasks on l->size threads and checks that each ran once. */
static bool run_once(tctx *t, cpu_threadpool_t *p, loop_t *l, size_t tasks, int iter)
{
	for (size_t i = 0; i < TASKS_MAX; i++)
		atomic_store(&l->runs[i], 0);
	cpu_threadpool_run_on(p, l->size, tasks, count_task, l);
	for (size_t i = 0; i < TASKS_MAX; i++) {
		unsigned want = i < tasks ? 1 : 0, got = atomic_load(&l->runs[i]);
		CHECK(t, got == want, "loop %d of %zu tasks: task %zu ran %u times", iter, tasks, i,
		      got);
	}
	return true;
out:
	return false;
}

/* One pool of size threads: 3000 loops back to back (warm), after pauses
 * longer than the spin (asleep) and right after an empty wake-up loop. */
static void every_task_once(tctx *t, unsigned size)
{
	cpu_threadpool_t *p = NULL;
	loop_t l = { .size = size };
	CHECK_OK(t, cpu_threadpool_create(size, &p));
	for (int i = 0; i < 3000; i++) {
		if (i % 100 == 99)
			sleep_us(200);
		if (i % 7 == 3)
			cpu_threadpool_prewake(p, size);
		if (!run_once(t, p, &l, (size_t)(i * 13) % (TASKS_MAX + 1), i))
			goto out;
	}
	CHECK(t, atomic_load(&l.bad_thread) == 0, "size %u: %u tasks ran on thread >= size", size,
	      atomic_load(&l.bad_thread));
	if (size == 1) {
		CHECK(t, !cpu_threadpool_warm(p, 1), "a pool of 1 has no workers to be warm");
		goto out;
	}
	/* warm is a hint: a worker may not be back in its spin the instant the
	 * loop returns (descheduled), so one of many tries must see it; with
	 * more workers than free vCPUs (3 threads here, under TSan) all of them
	 * may never spin at once, so only the pool of 2 is held to it */
	if (size > 2)
		goto out;
	bool warm = false;
	for (int i = 0; i < 1000 && !warm; i++) {
		if (!run_once(t, p, &l, 8, -1))
			goto out;
		warm = cpu_threadpool_warm(p, size);
	}
	CHECK(t, warm, "size %u: never warm right after a loop", size);
	sleep_us(200000);
	CHECK(t, !cpu_threadpool_warm(p, size), "size %u: still warm after 200 ms", size);
out:
	if (p)
		cpu_threadpool_destroy(p);
}

void test_threadpool_every_task_once(tctx *t)
{
	for (unsigned size = 1; size <= 3 && !t->result; size++)
		every_task_once(t, size);
}

void test_threadpool_destroy_states(tctx *t)
{
	for (int state = 0; state < 3; state++) {
		cpu_threadpool_t *p;
		loop_t l = { .size = 2 };
		CHECK_OK(t, cpu_threadpool_create(2, &p));
		if (state == 1 && !run_once(t, p, &l, 16, state)) { /* destroyed while spinning */
			cpu_threadpool_destroy(p);
			goto out;
		}
		if (state == 2)
			cpu_threadpool_prewake(p, 2); /* destroyed in the empty loop */
		cpu_threadpool_destroy(p);
	}
out:
	return;
}

typedef struct steal_loop {
	atomic_uint runs[16];
	atomic_uint thread_of[16];
} steal_loop_t;

/* The first half of the tasks (thread 0's range) sleeps. */
static void slow_first_half(void *arg, size_t task, unsigned thread)
{
	steal_loop_t *l = arg;

	if (task < 8)
		sleep_us(500);
	atomic_fetch_add(&l->runs[task], 1);
	atomic_store(&l->thread_of[task], thread);
}

/* Each thread starts on its own range and then takes what is left of the
 * others': with the caller's range slow, the worker runs some of it. Every
 * task still runs exactly once. */
void test_threadpool_steals(tctx *t)
{
	cpu_threadpool_t *p = NULL;
	bool stolen = false;
	CHECK_OK(t, cpu_threadpool_create(2, &p));
	for (int iter = 0; iter < 10 && !stolen; iter++) {
		steal_loop_t l;
		for (int i = 0; i < 16; i++) {
			atomic_init(&l.runs[i], 0);
			atomic_init(&l.thread_of[i], 0);
		}
		cpu_threadpool_run(p, 16, slow_first_half, &l);
		for (int i = 0; i < 16; i++) {
			unsigned got = atomic_load(&l.runs[i]);
			CHECK(t, got == 1, "loop %d: task %d ran %u times", iter, i, got);
			stolen |= i < 8 && atomic_load(&l.thread_of[i]) == 1;
		}
	}
	CHECK(t, stolen, "in 10 loops the worker never ran a task of the caller's slow range");
out:
	if (p)
		cpu_threadpool_destroy(p);
}

/* cpu_threadpool_prewake tells a burst: true when the caller's previous lone
 * run after a prewake outlasted the workers' spin (they woke, spun and slept
 * again before cpu_threadpool_op_done) and that prewake came less than
 * 2 ms before; false for a first call, after a pause, after a lone run that
 * ended while they still spun, and in a pool of one. Loops right after either
 * answer still run every task once. */
void test_threadpool_burst(tctx *t)
{
	cpu_threadpool_t *p = NULL;
	loop_t l = { .size = 2 };
	bool burst = false, calm = false;
	CHECK_OK(t, cpu_threadpool_create(1, &p));
	CHECK(t, !cpu_threadpool_prewake(p, 1), "a pool of 1 had a burst");
	cpu_threadpool_op_done(p);
	CHECK(t, !cpu_threadpool_prewake(p, 1), "a pool of 1 had a burst");
	cpu_threadpool_destroy(p);
	CHECK_OK(t, cpu_threadpool_create(2, &p));
	CHECK(t, !cpu_threadpool_prewake(p, 2), "the first prewake was a burst");
	/* 1 ms alone outlasts the 50 us spin; one of many tries comes within 2 ms
	 * however loaded the machine */
	for (int i = 0; i < 100 && !burst; i++) {
		cpu_threadpool_prewake(p, 2);
		sleep_us(1000);
		cpu_threadpool_op_done(p);
		burst = cpu_threadpool_prewake(p, 2);
	}
	CHECK(t, burst, "100 lone runs of 1 ms never made a burst");
	if (!run_once(t, p, &l, 16, 0))
		goto out;
	cpu_threadpool_prewake(p, 2);
	sleep_us(1000);
	cpu_threadpool_op_done(p);
	sleep_us(5000);
	CHECK(t, !cpu_threadpool_prewake(p, 2), "a prewake 5 ms after the last was a burst");
	if (!run_once(t, p, &l, 16, 1))
		goto out;
	/* a lone run that ends while the workers spin (warm); one of many tries,
	 * as a descheduled caller may see them fall asleep first */
	for (int i = 0; i < 100 && !calm; i++) {
		sleep_us(5000);
		cpu_threadpool_prewake(p, 2);
		for (int w = 0; w < 100000 && !cpu_threadpool_warm(p, 2); w++)
			sleep_us(10);
		cpu_threadpool_op_done(p);
		calm = !cpu_threadpool_prewake(p, 2);
	}
	CHECK(t, calm, "100 lone runs that ended among spinning workers each made a burst");
	if (!run_once(t, p, &l, 16, 2))
		goto out;
	CHECK(t, atomic_load(&l.bad_thread) == 0, "a task ran on a thread >= 2");
out:
	if (p)
		cpu_threadpool_destroy(p);
}

static void nap_task(void *arg, size_t task, unsigned thread)
{
	(void)arg, (void)task, (void)thread;
	sleep_us(1000);
}

/* Loops on the first n threads of a pool of 3 (n = 1, 2, 3 in turn, with
 * pauses and prewakes between): every task runs once, on a thread below n.
 * Workers outside the loops do not count for warm: loops on 2 threads keep
 * worker 1 spinning while worker 2 sleeps. Work that a prewake woke 3
 * threads for but that ran on 2 counts for bursts as a lone run does. */
void test_threadpool_subsets(tctx *t)
{
	cpu_threadpool_t *p = NULL;
	loop_t l = { .size = 1 };
	bool warm = false;
	CHECK_OK(t, cpu_threadpool_create(3, &p));
	for (int i = 0; i < 3000; i++) {
		l.size = 1 + (unsigned)i % 3;
		if (i % 100 == 99)
			sleep_us(200);
		if (i % 7 == 3)
			cpu_threadpool_prewake(p, 1 + (unsigned)i % 2 + 1);
		if (!run_once(t, p, &l, (size_t)(i * 13) % (TASKS_MAX + 1), i))
			goto out;
	}
	CHECK(t, atomic_load(&l.bad_thread) == 0, "%u tasks ran on a thread outside their loop",
	      atomic_load(&l.bad_thread));
	sleep_us(200000); /* every worker asleep */
	l.size = 2;
	for (int i = 0; i < 1000 && !warm; i++) {
		if (!run_once(t, p, &l, 8, -1))
			goto out;
		warm = cpu_threadpool_warm(p, 2);
	}
	CHECK(t, warm, "loops on 2 threads never left worker 1 spinning");
	CHECK(t, !cpu_threadpool_warm(p, 3), "worker 2, in no loop for 200 ms, counts as warm");
	CHECK(t, atomic_load(&l.bad_thread) == 0, "a task of a 2-thread loop ran on thread 2");
	/* work worth 3 threads that ran on 2 for 1 ms, while worker 2 (woken for
	 * it) slept again, makes the next such work a burst */
	warm = false;
	for (int i = 0; i < 100 && !warm; i++) {
		sleep_us(5000);
		cpu_threadpool_prewake(p, 3);
		cpu_threadpool_run_on(p, 2, 2, nap_task, NULL);
		cpu_threadpool_op_done(p);
		warm = cpu_threadpool_prewake(p, 3);
	}
	CHECK(t, warm, "work of 1 ms on 2 of 3 threads never made a burst");
	cpu_threadpool_destroy(p);
	p = NULL;
	/* past 64 threads the sleepers take a second word */
	CHECK_OK(t, cpu_threadpool_create(70, &p));
	sleep_us(200000);
	CHECK(t, !cpu_threadpool_warm(p, 70), "70 threads asleep for 200 ms count as warm");
	/* loops on 66 threads for 1 ms, while workers 66-69 spin out and
	 * sleep, then one on all 70, which wakes them (where workers 1-65 all
	 * still spin, only the second word says so) */
	for (int round = 0; round < 5; round++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		l.size = 66;
		do {
			if (!run_once(t, p, &l, TASKS_MAX, round))
				goto out;
			clock_gettime(CLOCK_MONOTONIC, &t1);
		} while ((t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec < 1000000L);
		l.size = 70;
		if (!run_once(t, p, &l, TASKS_MAX, round))
			goto out;
	}
	CHECK(t, atomic_load(&l.bad_thread) == 0, "a task ran on a thread outside its loop");
out:
	if (p)
		cpu_threadpool_destroy(p);
}
