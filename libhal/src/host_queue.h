/* SPDX-License-Identifier: MIT */
/* Internal: in-order submission queue with one worker thread, used by host
 * backends to make submit asynchronous. */
#ifndef ENPU_HOST_QUEUE_H
#define ENPU_HOST_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "op.h"

typedef enpu_status_t (*enpu_host_exec_fn)(void *ctx, const enpu_op_t *op);
typedef struct enpu_host_queue enpu_host_queue_t;

enpu_status_t enpu_host_queue_create(const char *device_name, enpu_host_exec_fn exec,
				     void *ctx, enpu_host_queue_t **out);
/* Optional: after each submission the worker calls take(ctx, &ns); when it
 * returns true, ns (the device's own time for that submission) goes on the
 * fence (enpu_fence_device_time_ns). Set before the first submission. */
typedef bool (*enpu_host_timer_fn)(void *ctx, uint64_t *ns);
void enpu_host_queue_set_timer(enpu_host_queue_t *q, enpu_host_timer_fn take);

/* Retains device, list, waits and fence until the work is done. */
enpu_status_t enpu_host_queue_submit(enpu_host_queue_t *q, enpu_device_t *device,
				     enpu_command_list_t *list,
				     enpu_fence_t *const *waits, size_t wait_count,
				     enpu_fence_t *fence);
/* Runs list and returns its status: on the calling thread when nothing is
 * queued or running (no fence, no hand-over), else queued behind that work
 * and waited for. The device time of an inline run is dropped. */
enpu_status_t enpu_host_queue_execute(enpu_host_queue_t *q, enpu_device_t *device,
				      enpu_command_list_t *list);
/* Finishes all queued work, then stops the worker and frees the queue. When
 * called on the worker thread itself (its last submission dropped the last
 * device reference), the worker frees the queue as it exits instead. */
void enpu_host_queue_destroy(enpu_host_queue_t *q);

#endif
