/* SPDX-License-Identifier: MIT */
/* Fixed-size pthread pool with dynamic (atomic counter) task distribution.
 * A worker that finished a loop, and the caller waiting for the workers,
 * spin for a bounded time (SPIN_NS) before sleeping on the condition
 * variable: waking a sleeping thread took ~18 us per loop on the 2-vCPU
 * test VM (an IPI to an idle vCPU), which is more than a small GEMM's
 * share of the second thread. A new loop bumps the atomic generation (seen
 * by spinners) and then broadcasts under the mutex (for sleepers, who check
 * the generation under it), so no wake-up is lost. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "../fence_impl.h"
#include "threadpool.h"

#define SPIN_NS 50000

typedef struct worker {
	cpu_threadpool_t *pool;
	unsigned index;
	pthread_t thread;
} worker_t;

struct cpu_threadpool {
	unsigned size;
	worker_t *workers; /* size - 1 */
	pthread_mutex_t mutex;
	pthread_cond_t wake, done;
	atomic_ulong generation;
	atomic_uint busy;
	atomic_uint spinning; /* workers in their spin phase */
	atomic_bool stopping;
	/* The current loop. */
	cpu_task_fn fn;
	void *arg;
	size_t tasks;
	atomic_size_t next;
};

static void drain(cpu_threadpool_t *p, unsigned thread)
{
	for (;;) {
		size_t t = atomic_fetch_add(&p->next, 1);
		if (t >= p->tasks)
			return;
		p->fn(p->arg, t, thread);
	}
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* Spins until done(p, ctx) or SPIN_NS passed; returns done's last value. */
static bool spin_until(cpu_threadpool_t *p, bool (*done)(cpu_threadpool_t *, unsigned long),
		       unsigned long ctx)
{
	uint64_t end = 0;
	for (unsigned i = 0;; i++) {
		if (done(p, ctx))
			return true;
		if (i % 64 == 0) {
			uint64_t t = enpu_fence_now_ns();
			if (!end)
				end = t + SPIN_NS;
			else if (t >= end)
				return false;
		}
		cpu_relax();
	}
}

static bool new_loop(cpu_threadpool_t *p, unsigned long seen)
{
	return atomic_load(&p->generation) != seen || atomic_load(&p->stopping);
}

static bool workers_done(cpu_threadpool_t *p, unsigned long unused)
{
	(void)unused;
	return atomic_load(&p->busy) == 0;
}

static void *worker_main(void *arg)
{
	worker_t *w = arg;
	cpu_threadpool_t *p = w->pool;
	unsigned long seen = 0;
	for (;;) {
		atomic_fetch_add(&p->spinning, 1);
		bool woke = spin_until(p, new_loop, seen);
		atomic_fetch_sub(&p->spinning, 1);
		if (!woke) {
			pthread_mutex_lock(&p->mutex);
			while (!new_loop(p, seen))
				pthread_cond_wait(&p->wake, &p->mutex);
			pthread_mutex_unlock(&p->mutex);
		}
		if (atomic_load(&p->stopping))
			break;
		seen = atomic_load(&p->generation);
		drain(p, w->index);
		if (atomic_fetch_sub(&p->busy, 1) == 1) {
			pthread_mutex_lock(&p->mutex);
			pthread_cond_signal(&p->done);
			pthread_mutex_unlock(&p->mutex);
		}
	}
	return NULL;
}

enpu_status_t cpu_threadpool_create(unsigned threads, cpu_threadpool_t **out)
{
	cpu_threadpool_t *p = calloc(1, sizeof(*p));
	if (!p || threads == 0)
		goto oom;
	p->size = threads;
	p->workers = calloc(threads, sizeof(*p->workers));
	if (!p->workers)
		goto oom;
	pthread_mutex_init(&p->mutex, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->done, NULL);
	atomic_init(&p->next, 0);
	atomic_init(&p->generation, 0);
	atomic_init(&p->busy, 0);
	atomic_init(&p->spinning, 0);
	atomic_init(&p->stopping, false);
	for (unsigned i = 1; i < threads; i++) {
		p->workers[i - 1] = (worker_t){ .pool = p, .index = i };
		if (pthread_create(&p->workers[i - 1].thread, NULL, worker_main,
				   &p->workers[i - 1]) != 0) {
			p->size = i; /* destroy joins the ones started */
			cpu_threadpool_destroy(p);
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
						"cpu: cannot start thread %u of %u", i, threads);
		}
	}
	*out = p;
	return ENPU_OK;
oom:
	if (p)
		free(p->workers);
	free(p);
	return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cpu: thread pool: out of memory");
}

void cpu_threadpool_destroy(cpu_threadpool_t *p)
{
	pthread_mutex_lock(&p->mutex);
	atomic_store(&p->stopping, true);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mutex);
	for (unsigned i = 1; i < p->size; i++)
		pthread_join(p->workers[i - 1].thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mutex);
	free(p->workers);
	free(p);
}

unsigned cpu_threadpool_size(const cpu_threadpool_t *p) { return p->size; }

bool cpu_threadpool_warm(cpu_threadpool_t *p)
{
	return p->size > 1 && atomic_load(&p->spinning) == p->size - 1;
}

/* Publishes a loop of tasks (fn, arg) to the workers and wakes sleepers. */
static void start_loop(cpu_threadpool_t *p, size_t tasks, cpu_task_fn fn, void *arg)
{
	p->fn = fn;
	p->arg = arg;
	p->tasks = tasks;
	atomic_store(&p->next, 0);
	atomic_store(&p->busy, p->size - 1);
	atomic_fetch_add(&p->generation, 1);
	pthread_mutex_lock(&p->mutex);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mutex);
}

/* An empty loop: the workers wake, find no task and spin. */
void cpu_threadpool_prewake(cpu_threadpool_t *p)
{
	if (p->size == 1 || atomic_load(&p->busy) != 0 || cpu_threadpool_warm(p))
		return;
	start_loop(p, 0, NULL, NULL);
}

/* Until the workers finished the last loop (or empty loop). */
static void wait_workers(cpu_threadpool_t *p)
{
	if (spin_until(p, workers_done, 0))
		return;
	pthread_mutex_lock(&p->mutex);
	while (atomic_load(&p->busy))
		pthread_cond_wait(&p->done, &p->mutex);
	pthread_mutex_unlock(&p->mutex);
}

void cpu_threadpool_run(cpu_threadpool_t *p, size_t tasks, cpu_task_fn fn, void *arg)
{
	if (p->size == 1 || tasks <= 1) {
		for (size_t t = 0; t < tasks; t++)
			fn(arg, t, 0);
		return;
	}
	wait_workers(p); /* an empty loop of cpu_threadpool_prewake may be running */
	start_loop(p, tasks, fn, arg);
	drain(p, 0);
	wait_workers(p);
}
