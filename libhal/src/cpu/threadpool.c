/* SPDX-License-Identifier: MIT */
/* Fixed-size pthread pool with dynamic (atomic counter) task distribution. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
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
	unsigned long generation;
	unsigned busy;
	bool stopping;
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

static void *worker_main(void *arg)
{
	worker_t *w = arg;
	cpu_threadpool_t *p = w->pool;
	unsigned long seen = 0;
	pthread_mutex_lock(&p->mutex);
	for (;;) {
		while (p->generation == seen && !p->stopping)
			pthread_cond_wait(&p->wake, &p->mutex);
		if (p->stopping)
			break;
		seen = p->generation;
		pthread_mutex_unlock(&p->mutex);
		drain(p, w->index);
		pthread_mutex_lock(&p->mutex);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mutex);
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
	p->stopping = true;
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
	p->busy = p->size - 1;
	p->generation++;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mutex);
	drain(p, 0);
	pthread_mutex_lock(&p->mutex);
	while (p->busy)
		pthread_cond_wait(&p->done, &p->mutex);
	pthread_mutex_unlock(&p->mutex);
}
