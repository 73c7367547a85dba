/* SPDX-License-Identifier: MIT */
/* Internal: device-side fence operations used by backends. */
#ifndef ENPU_FENCE_IMPL_H
#define ENPU_FENCE_IMPL_H

#include <stdbool.h>

#include "enpu/command.h"
#include "enpu/device.h"

/* A fence completed by a backend (not signalable by the application). */
enpu_status_t enpu_fence_create_device(enpu_fence_t **out_fence);
/* Completes a pending fence; takes ownership of status (ENPU_OK = success).
 * done_ns (CLOCK_MONOTONIC, enpu_fence_now_ns) is when the work finished: the
 * fence's signal time, which may precede the completion itself. */
void enpu_fence_complete(enpu_fence_t *fence, enpu_status_t status, uint64_t done_ns);
uint64_t enpu_fence_now_ns(void);

/* Records the device's own measure of its execution time of the fence's work;
 * call before enpu_fence_complete. */
void enpu_fence_set_device_time(enpu_fence_t *fence, uint64_t ns);

/* Work that a waiting thread may run itself. A backend that queues work on a
 * thread of its own (host queues) names, for a pending fence, the function
 * that runs its queued work on the caller's thread: an infinite
 * enpu_fence_wait calls help(ctx, fence) first, with device retained, which
 * saves the wake-ups of a hand-over to the queue thread and back. help
 * returns when the fence has signalled or when it cannot go on (the queue
 * thread is busy, or the next work still waits on other fences); the wait
 * then blocks as usual. The link is dropped when the fence signals, or by
 * passing NULLs, which the backend must do before it drops the reference to
 * device that its pending work held. */
typedef void (*enpu_fence_help_fn)(void *ctx, enpu_fence_t *fence);
void enpu_fence_set_helper(enpu_fence_t *fence, enpu_device_t *device, enpu_fence_help_fn help,
			   void *ctx);
/* Whether the fence has signalled, without taking its lock. */
bool enpu_fence_done(const enpu_fence_t *fence);

#endif
