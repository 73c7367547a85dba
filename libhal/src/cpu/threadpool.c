/* SPDX-License-Identifier: MIT */
/* Fixed-size pthread pool with dynamic (atomic counter) task distribution.
 * Waking a thread blocked in the kernel costs several microseconds (more in
 * a VM), as long as a small GEMM, so idle workers and the waiting caller
 * first poll for ENPU_SPIN_NS (yielding the core between polls, see
 * spin.h) and only then block on the condition variables. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include "../spin.h"
#include "threadpool.h"

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
	/* written under the mutex, polled without it */
	atomic_ulong generation;
	atomic_uint busy;
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

/* Polls until a new loop starts (or stopping) for at most ENPU_SPIN_NS. */
static void poll_new_loop(cpu_threadpool_t *p, unsigned long seen)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 1; atomic_load(&p->generation) == seen && !atomic_load(&p->stopping); i++) {
		enpu_cpu_relax();
		if (i % 16 == 0) {
			sched_yield();
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000LL + (t.tv_nsec - t0.tv_nsec) > ENPU_SPIN_NS)
				return;
		}
	}
}

/* Polls until every worker finished the loop, for at most ENPU_SPIN_NS. */
static void poll_done(cpu_threadpool_t *p)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 1; atomic_load(&p->busy); i++) {
		enpu_cpu_relax();
		if (i % 16 == 0) {
			sched_yield();
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000LL + (t.tv_nsec - t0.tv_nsec) > ENPU_SPIN_NS)
				return;
		}
	}
}

static void *worker_main(void *arg)
{
	worker_t *w = arg;
	cpu_threadpool_t *p = w->pool;
	unsigned long seen = 0;
	for (;;) {
		poll_new_loop(p, seen);
		pthread_mutex_lock(&p->mutex);
		while (atomic_load(&p->generation) == seen && !atomic_load(&p->stopping))
			pthread_cond_wait(&p->wake, &p->mutex);
		seen = atomic_load(&p->generation);
		pthread_mutex_unlock(&p->mutex);
		if (atomic_load(&p->stopping))
			return NULL;
		drain(p, w->index);
		/* the last one wakes a caller that stopped polling (it checks busy
		 * under the mutex before waiting, so the signal cannot be lost) */
		if (atomic_fetch_sub(&p->busy, 1) == 1) {
			pthread_mutex_lock(&p->mutex);
			pthread_cond_signal(&p->done);
			pthread_mutex_unlock(&p->mutex);
		}
	}
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

void cpu_threadpool_run(cpu_threadpool_t *p, size_t tasks, cpu_task_fn fn, void *arg)
{
	if (p->size == 1 || tasks <= 1) {
		for (size_t t = 0; t < tasks; t++)
			fn(arg, t, 0);
		return;
	}
	pthread_mutex_lock(&p->mutex);
	p->fn = fn;
	p->arg = arg;
	p->tasks = tasks;
	atomic_store(&p->next, 0);
	atomic_store(&p->busy, p->size - 1);
	atomic_fetch_add(&p->generation, 1);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mutex);
	drain(p, 0);
	poll_done(p);
	pthread_mutex_lock(&p->mutex);
	while (atomic_load(&p->busy))
		pthread_cond_wait(&p->done, &p->mutex);
	pthread_mutex_unlock(&p->mutex);
}
