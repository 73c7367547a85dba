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
/* Whether no worker is asleep: between loops, every worker still spins after
 * its last loop (so that a new loop starts on all of them at once, without a
 * wake-up). */
bool cpu_threadpool_warm(cpu_threadpool_t *pool);
/* For work the caller would rather run alone than wait for sleeping
 * workers: wakes them with an empty loop, without waiting, so that they are
 * spinning (warm) for the next loop, and returns false. Returns true
 * instead, for a burst: the caller's previous lone run after a prewake
 * (cpu_threadpool_alone_done) outlasted the workers' spin, and that prewake
 * came less than 2 ms ago. The caller should then run this work on the
 * workers (its loop wakes them): each such run alone would let them fall
 * asleep again, and a burst of them would never find the pool warm. */
bool cpu_threadpool_prewake(cpu_threadpool_t *pool);
/* The caller ran work alone (no loop on the pool) since its last prewake. */
void cpu_threadpool_alone_done(cpu_threadpool_t *pool);
/* Runs fn(arg, t, thread) for every t in [0, tasks); thread < size. */
void cpu_threadpool_run(cpu_threadpool_t *pool, size_t tasks, cpu_task_fn fn, void *arg);

#endif
