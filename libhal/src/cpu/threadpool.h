/* SPDX-License-Identifier: MIT */
/* Internal: fixed-size pthread pool running parallel-for loops. The calling
 * thread takes part, so a pool of n threads starts n-1 workers. One loop at a
 * time (the device queue serializes callers). */
#ifndef ENPU_THREADPOOL_H
#define ENPU_THREADPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include "enpu/status.h"

typedef struct cpu_threadpool cpu_threadpool_t;
typedef void (*cpu_task_fn)(void *arg, size_t task, unsigned thread);

enpu_status_t cpu_threadpool_create(unsigned threads, cpu_threadpool_t **out);
void cpu_threadpool_destroy(cpu_threadpool_t *pool);
unsigned cpu_threadpool_size(const cpu_threadpool_t *pool);
/* Whether none of the workers a loop of threads threads runs on (the first
 * threads - 1) sleeps: they still spin after their last loop, so that a new
 * loop starts on all of them at once, without a wake-up. */
bool cpu_threadpool_warm(cpu_threadpool_t *pool, unsigned threads);
/* For work worth threads threads that the caller would rather run alone (or
 * on fewer) than wait for sleeping workers: wakes the first threads - 1 with
 * an empty loop, without waiting, so that they are spinning (warm) for the
 * next loop, and returns false. Returns true instead, for a burst: the work
 * of the caller's previous prewake outlasted the workers' spin (they slept
 * again before cpu_threadpool_op_done), and that prewake came less than 2 ms
 * ago. The caller should then run this work on all threads threads (its loop
 * wakes them): each such work run short-handed would let them fall asleep
 * again, and a burst of them would never find the pool warm. */
bool cpu_threadpool_prewake(cpu_threadpool_t *pool, unsigned threads);
/* The caller's work, however it ran, ended (after cpu_threadpool_prewake or
 * not). */
void cpu_threadpool_op_done(cpu_threadpool_t *pool);
/* Runs fn(arg, t, thread) for every t in [0, tasks) on the caller and the
 * first threads - 1 workers (at most the pool's size); thread < threads. */
void cpu_threadpool_run_on(cpu_threadpool_t *pool, unsigned threads, size_t tasks, cpu_task_fn fn,
			   void *arg);
/* cpu_threadpool_run_on() with every thread of the pool. */
void cpu_threadpool_run(cpu_threadpool_t *pool, size_t tasks, cpu_task_fn fn, void *arg);

#endif
