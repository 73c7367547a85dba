/* SPDX-License-Identifier: MIT */
/* enpu HAL: command lists, asynchronous submission and fences.
 * A command list records a sequence of ops; recording validates every op and
 * reports problems immediately. Submitting seals the list (no further
 * recording) and may happen any number of times, to any device whose
 * capabilities cover its ops. Ops of one submission run in order; submissions
 * to one device run in submission order after their wait fences signal.
 * Thread safety: recording into one list is single-threaded; submit, fence
 * wait/poll/signal and all retain/release are thread-safe. */
#ifndef ENPU_COMMAND_H
#define ENPU_COMMAND_H

#include <stddef.h>
#include <stdint.h>
#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct enpu_command_list enpu_command_list_t;
typedef struct enpu_fence enpu_fence_t;

enpu_status_t enpu_command_list_create(enpu_command_list_t **out_list);
void enpu_command_list_retain(enpu_command_list_t *list);
void enpu_command_list_release(enpu_command_list_t *list);
size_t enpu_command_list_size(const enpu_command_list_t *list);

enpu_status_t enpu_cmd_gemm(enpu_command_list_t *list, const enpu_gemm_params_t *p);
enpu_status_t enpu_cmd_conv2d(enpu_command_list_t *list, const enpu_conv2d_params_t *p);
enpu_status_t enpu_cmd_pool(enpu_command_list_t *list, const enpu_pool_params_t *p);
enpu_status_t enpu_cmd_add(enpu_command_list_t *list, const enpu_eltwise_params_t *p);
enpu_status_t enpu_cmd_mul(enpu_command_list_t *list, const enpu_eltwise_params_t *p);
enpu_status_t enpu_cmd_requantize(enpu_command_list_t *list,
				  const enpu_requantize_params_t *p);
enpu_status_t enpu_cmd_cast(enpu_command_list_t *list, const enpu_cast_params_t *p);

/* Queues list on device after all wait fences (from any device, or host
 * fences) have signalled; returns at once with a fence that signals when the
 * work is done. If a wait fence fails, the work is skipped and the returned
 * fence fails with ABORTED quoting the cause. */
enpu_status_t enpu_device_submit(enpu_device_t *device, enpu_command_list_t *list,
				 enpu_fence_t *const *wait_fences, size_t wait_count,
				 enpu_fence_t **out_fence);

/* Runs list on device and returns the work's status: the synchronous form of
 * enpu_device_submit (same checks; seals the list) followed by an unbounded
 * enpu_fence_wait, without the fence. When the device's queue is idle, the
 * host-queue devices (CPU, GPU, reference, and the NPU's encoder) run the
 * list on the calling thread, which saves the cost of waking the queue's
 * thread (about 1.5 us per call on the 2-vCPU VM of docs/perf.md); otherwise
 * the list runs after the queued work, in order. */
enpu_status_t enpu_device_execute(enpu_device_t *device, enpu_command_list_t *list);

/* A host fence, signalled by the application with enpu_fence_signal(). */
enpu_status_t enpu_fence_create(enpu_fence_t **out_fence);
/* Signals a host fence. status ENPU_OK = success; otherwise the fence fails
 * with (a copy of) that status, which stays owned by the caller.
 * FAILED_PRECONDITION if already signalled or not a host fence. */
enpu_status_t enpu_fence_signal(enpu_fence_t *fence, enpu_status_t status);
void enpu_fence_retain(enpu_fence_t *fence);
void enpu_fence_release(enpu_fence_t *fence);

#define ENPU_TIMEOUT_INFINITE UINT64_MAX
/* Waits up to timeout_ns. Returns ENPU_OK when the fence signalled success,
 * DEADLINE_EXCEEDED on timeout, or a copy of the fence's error. With
 * ENPU_TIMEOUT_INFINITE, a device whose work runs on a host thread (CPU, GPU,
 * reference, and the NPU's encoder) may run the queued work up to this fence
 * on the calling thread when its own thread is idle, in the same order, so
 * that submit followed by wait costs no thread hand-over. */
enpu_status_t enpu_fence_wait(enpu_fence_t *fence, uint64_t timeout_ns);
/* Non-blocking: 0 = pending, 1 = signalled (success or failure). */
int enpu_fence_poll(const enpu_fence_t *fence);
/* CLOCK_MONOTONIC nanoseconds at which the fence was signalled (device
 * fences: when the backend finished the work, on whichever thread ran it);
 * FAILED_PRECONDITION while pending. */
enpu_status_t enpu_fence_signal_time(enpu_fence_t *fence, uint64_t *out_ns);

/* The time the device spent executing the work behind a signalled fence, as
 * the device itself measured it (GPU: timestamp queries around its compute
 * dispatches, excluding host copies and queueing), so that a caller can tell
 * kernel time from end-to-end time. UNSUPPORTED for a device that does not
 * measure it (CPU, reference, NPU: see enpu_stats for the NPU's busy time) and
 * for host fences; FAILED_PRECONDITION while the fence is pending. */
enpu_status_t enpu_fence_device_time_ns(const enpu_fence_t *fence, uint64_t *out_ns);

#ifdef __cplusplus
}
#endif
#endif
