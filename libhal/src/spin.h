/* SPDX-License-Identifier: MIT */
/* Internal: bounded polling before blocking. Waking a thread blocked in the
 * kernel costs several microseconds (more in a VM) and device work is often
 * shorter, so waiters first poll for a short while, yielding the core between
 * polls so that runnable compute threads are not delayed. */
#ifndef ENPU_SPIN_H
#define ENPU_SPIN_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#define ENPU_SPIN_NS 20000u /* poll for at most 20 us */

static inline void enpu_cpu_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* Polls *flag until it is true or ENPU_SPIN_NS passed; returns its value. */
static inline bool enpu_spin_until(const atomic_bool *flag)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 1;; i++) {
		if (atomic_load_explicit(flag, memory_order_acquire))
			return true;
		enpu_cpu_relax();
		if (i % 16 == 0) {
			sched_yield();
			clock_gettime(CLOCK_MONOTONIC, &t);
			long long ns = (long long)(t.tv_sec - t0.tv_sec) * 1000000000LL +
				       (t.tv_nsec - t0.tv_nsec);
			if (ns > ENPU_SPIN_NS)
				return false;
		}
	}
}

#endif
