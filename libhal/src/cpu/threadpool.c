/* SPDX-License-Identifier: MIT */
/* Fixed-size pthread pool. A loop runs on the caller and the first n - 1
 * workers (n: the threads the loop is worth; the others keep spinning or
 * sleeping, so a small loop neither waits for nor wakes them). Its tasks are
 * split into one contiguous range per thread; a thread runs its own range
 * and then takes what is left of the others' (work stealing), claiming one
 * task at a time with an atomic counter per range. Each range, with the loop
 * it belongs to, sits on its owner's cache line, so a warm worker learns of
 * a loop and runs its range without touching a line that the caller or the
 * other workers write: on the 2-vCPU test VM moving a line between cores
 * takes ~300 ns, and one shared counter for all tasks cost ~2 us per loop of
 * 8 tasks. A worker that finished a loop, and the caller waiting for the
 * workers, spin for a bounded time (SPIN_NS) before sleeping on a condition
 * variable: waking a sleeping thread took ~18 us per loop on that VM (an IPI
 * to an idle vCPU), more than a small GEMM's share of the second thread.
 * Sleepers announce themselves (asleep, caller_asleep) before checking under
 * the mutex, and the other side checks the announcement after its own
 * update, both sequentially consistent, so no wake-up is lost while the fast
 * path takes no lock. The side that stores then loads (a plain seq_cst store
 * and load, not a read-modify-write) also has a seq_cst fence between them:
 * C11 does not need it, but qemu-aarch64 on x86-64 hosts does not keep an
 * stlr before a later ldar (x86 may move a load above an earlier store, and
 * QEMU's release barrier does not forbid it), and the lost wake-up hung 7 of
 * 60 runs of the pool's tests there; the fence (dmb ish: a full barrier in
 * QEMU) costs one barrier per loop. */
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "../fence_impl.h"
#include "threadpool.h"

#define SPIN_NS 50000
/* A prewake this soon after one whose workers slept again before the work
 * it was for ended is a burst (cpu_threadpool_prewake). */
#define BURST_NS 2000000
#define LINE 64

/* Thread i's share of the current loop, written by the caller before it
 * publishes the loop's generation here (the worker spins on it). */
typedef struct range {
	alignas(LINE) atomic_ulong generation;
	atomic_size_t next; /* next unclaimed task; claimed when < end */
	size_t end;
	cpu_task_fn fn;
	void *arg;
} range_t;

typedef struct worker {
	cpu_threadpool_t *pool;
	unsigned index;
	unsigned long seen; /* the generation it ran last */
	pthread_t thread;
} worker_t;

struct cpu_threadpool {
	unsigned size;
	worker_t *workers; /* size - 1 */
	range_t *ranges;   /* size, one cache line each */
	/* bit i % 64 of word i / 64: worker i waits on wake; lines of their own,
	 * which only sleepers write (one load tells whether a loop's workers
	 * spin, where a flag on each range's line cost a transfer per worker) */
	_Atomic(uint64_t) *sleepers;
	unsigned long generation; /* the caller's count of loops */
	unsigned active;          /* threads in the current loop (ranges 0..active-1) */
	unsigned prewake_n;       /* threads the last prewake woke */
	/* the caller's: its last cpu_threadpool_prewake; whether the work it
	 * was for is still running; whether the workers it woke slept again
	 * before that work ended (cpu_threadpool_op_done) */
	uint64_t prewake_ns;
	bool prewoken, outlasted;
	pthread_mutex_t mutex;
	pthread_cond_t wake, done;
	/* written by the workers once per loop (and by sleepers) */
	alignas(LINE) atomic_uint busy; /* workers still in the current loop */
	atomic_bool caller_asleep;      /* the caller waits on done */
	atomic_bool stopping;
};

static unsigned sleeper_words(unsigned threads)
{
	return (threads + 63) / 64;
}

/* Runs the tasks of range r until none is left unclaimed. A load first:
 * at the end of a loop every thread looks at every other range, and a
 * locked add on each, on lines that the other threads write, is one
 * serialized line transfer after another (at 16 threads a depthwise loop
 * ended ~5 us after its last task); the loads of exhausted ranges overlap. */
static void run_range(range_t *r, unsigned thread)
{
	if (atomic_load_explicit(&r->next, memory_order_relaxed) >= r->end)
		return;
	for (;;) {
		size_t t = atomic_fetch_add_explicit(&r->next, 1, memory_order_relaxed);
		if (t >= r->end)
			return;
		r->fn(r->arg, t, thread);
	}
}

/* Own range first, then the others' in the loop in turn. */
static void drain(cpu_threadpool_t *p, unsigned thread)
{
	for (unsigned k = 0; k < p->active; k++)
		run_range(&p->ranges[(thread + k) % p->active], thread);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* Spins until done(ctx) or SPIN_NS passed; returns done's last value. */
static bool spin_until(bool (*done)(const void *ctx), const void *ctx)
{
	uint64_t end = 0;
	for (unsigned i = 0;; i++) {
		if (done(ctx))
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

static bool new_loop(const void *ctx)
{
	const worker_t *w = ctx;
	return atomic_load(&w->pool->ranges[w->index].generation) != w->seen ||
	       atomic_load_explicit(&w->pool->stopping, memory_order_relaxed);
}

static bool workers_done(const void *ctx)
{
	const cpu_threadpool_t *p = ctx;
	return atomic_load(&p->busy) == 0;
}

/* Sleeps until a new loop (or stopping). */
static void sleep_for_loop(cpu_threadpool_t *p, const worker_t *w)
{
	_Atomic(uint64_t) *word = &p->sleepers[w->index / 64];
	uint64_t bit = UINT64_C(1) << (w->index % 64);
	pthread_mutex_lock(&p->mutex);
	atomic_fetch_or(word, bit);
	while (!new_loop(w))
		pthread_cond_wait(&p->wake, &p->mutex);
	atomic_fetch_and(word, ~bit);
	pthread_mutex_unlock(&p->mutex);
}

static void *worker_main(void *arg)
{
	worker_t *w = arg;
	cpu_threadpool_t *p = w->pool;
	for (;;) {
		if (!spin_until(new_loop, w))
			sleep_for_loop(p, w);
		if (atomic_load(&p->stopping))
			break;
		w->seen = atomic_load(&p->ranges[w->index].generation);
		drain(p, w->index);
		if (atomic_fetch_sub(&p->busy, 1) == 1 && atomic_load(&p->caller_asleep)) {
			pthread_mutex_lock(&p->mutex);
			pthread_cond_signal(&p->done);
			pthread_mutex_unlock(&p->mutex);
		}
	}
	return NULL;
}

enpu_status_t cpu_threadpool_create(unsigned threads, cpu_threadpool_t **out)
{
	cpu_threadpool_t *p = threads ? aligned_alloc(LINE, sizeof(*p)) : NULL;
	if (!p)
		goto oom;
	*p = (cpu_threadpool_t){ .size = threads };
	p->workers = calloc(threads, sizeof(*p->workers));
	p->ranges = aligned_alloc(LINE, threads * sizeof(*p->ranges));
	p->sleepers = aligned_alloc(LINE, (sleeper_words(threads) * sizeof(uint64_t) + LINE - 1) /
						  LINE * LINE);
	if (!p->workers || !p->ranges || !p->sleepers)
		goto oom;
	for (unsigned i = 0; i < threads; i++) {
		atomic_init(&p->ranges[i].generation, 0);
		atomic_init(&p->ranges[i].next, 0);
		p->ranges[i].end = 0;
	}
	for (unsigned i = 0; i < sleeper_words(threads); i++)
		atomic_init(&p->sleepers[i], 0);
	pthread_mutex_init(&p->mutex, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->done, NULL);
	atomic_init(&p->busy, 0);
	atomic_init(&p->caller_asleep, false);
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
	if (p) {
		free(p->workers);
		free(p->ranges);
		free(p->sleepers);
	}
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
	free(p->ranges);
	free(p->sleepers);
	free(p);
}

unsigned cpu_threadpool_size(const cpu_threadpool_t *p)
{
	return p->size;
}

/* Whether one of workers 1..n-1 sleeps (bit 0, the caller's, is never set). */
static bool any_asleep(cpu_threadpool_t *p, unsigned n)
{
	for (unsigned i = 0; i * 64 < n; i++) {
		unsigned left = n - i * 64;
		uint64_t mask = left >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << left) - 1;
		if (atomic_load(&p->sleepers[i]) & mask)
			return true;
	}
	return false;
}

/* threads, at most the pool's size */
static unsigned clamp_threads(const cpu_threadpool_t *p, unsigned threads)
{
	return threads < p->size ? threads : p->size;
}

bool cpu_threadpool_warm(cpu_threadpool_t *p, unsigned threads)
{
	unsigned n = clamp_threads(p, threads);
	return n > 1 && !any_asleep(p, n);
}

/* Splits tasks (fn, arg) into the ranges of n threads, publishes them and
 * wakes sleepers among them. */
static void start_loop(cpu_threadpool_t *p, unsigned n, size_t tasks, cpu_task_fn fn, void *arg)
{
	p->generation++;
	p->active = n;
	atomic_store_explicit(&p->busy, n - 1, memory_order_relaxed);
	for (unsigned i = 0; i < n; i++) {
		range_t *r = &p->ranges[i];
		r->fn = fn;
		r->arg = arg;
		r->end = tasks * (i + 1) / n;
		atomic_store_explicit(&r->next, tasks * i / n, memory_order_relaxed);
	}
	/* every range is complete before any worker can see the loop: a worker
	 * that sees its own goes on to steal from the others' */
	for (unsigned i = 1; i < n; i++)
		atomic_store(&p->ranges[i].generation, p->generation);
	atomic_thread_fence(memory_order_seq_cst);
	if (any_asleep(p, n)) {
		pthread_mutex_lock(&p->mutex);
		pthread_cond_broadcast(&p->wake);
		pthread_mutex_unlock(&p->mutex);
	}
}

/* An empty loop: the workers wake, find no task and spin. In a burst the
 * caller's loop wakes them instead (it need not wait for the empty loop's
 * stragglers). */
bool cpu_threadpool_prewake(cpu_threadpool_t *p, unsigned threads)
{
	unsigned n = clamp_threads(p, threads);
	if (n <= 1)
		return false;
	uint64_t now = enpu_fence_now_ns();
	bool burst = p->outlasted && now - p->prewake_ns < BURST_NS;
	p->outlasted = false;
	if (burst)
		return true;
	p->prewake_ns = now;
	p->prewake_n = n;
	p->prewoken = true;
	if (atomic_load(&p->busy) == 0 && !cpu_threadpool_warm(p, n))
		start_loop(p, n, 0, NULL, NULL);
	return false;
}

void cpu_threadpool_op_done(cpu_threadpool_t *p)
{
	/* awake again (busy 0: every worker finished the empty loop), then asleep */
	if (p->prewoken)
		p->outlasted = atomic_load(&p->busy) == 0 && !cpu_threadpool_warm(p, p->prewake_n);
	p->prewoken = false;
}

/* Until the workers finished the last loop (or empty loop). */
static void wait_workers(cpu_threadpool_t *p)
{
	if (spin_until(workers_done, p))
		return;
	pthread_mutex_lock(&p->mutex);
	atomic_store(&p->caller_asleep, true);
	atomic_thread_fence(memory_order_seq_cst);
	while (atomic_load(&p->busy))
		pthread_cond_wait(&p->done, &p->mutex);
	atomic_store(&p->caller_asleep, false);
	pthread_mutex_unlock(&p->mutex);
}

void cpu_threadpool_run_on(cpu_threadpool_t *p, unsigned threads, size_t tasks, cpu_task_fn fn,
			   void *arg)
{
	unsigned n = clamp_threads(p, threads);
	if (n <= 1 || tasks <= 1) {
		for (size_t t = 0; t < tasks; t++)
			fn(arg, t, 0);
		return;
	}
	wait_workers(p); /* an empty loop of cpu_threadpool_prewake may be running */
	start_loop(p, n, tasks, fn, arg);
	drain(p, 0);
	wait_workers(p);
}

void cpu_threadpool_run(cpu_threadpool_t *p, size_t tasks, cpu_task_fn fn, void *arg)
{
	cpu_threadpool_run_on(p, p->size, tasks, fn, arg);
}
