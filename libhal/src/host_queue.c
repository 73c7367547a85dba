/* SPDX-License-Identifier: MIT */
/* In-order submission queue with one worker thread (host backends). A thread
 * that waits without a timeout on one of the queue's fences runs queued
 * submissions itself while the worker is idle (enpu_fence_set_helper): the
 * submit-then-wait pattern then costs no thread hand-over. Whoever runs a
 * submission holds busy, so submissions still run one at a time, in order. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "command_list_impl.h"
#include "fence_impl.h"
#include "host_queue.h"

typedef struct submission {
	struct submission *next;
	enpu_command_list_t *list;
	enpu_fence_t **waits;
	size_t wait_count;
	enpu_fence_t *fence;
	enpu_device_t *device;
} submission_t;

struct enpu_host_queue {
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	submission_t *head, *tail;
	bool stopping;
	bool busy; /* a submission is running (on the worker or a helper) */
	bool self_destroy; /* destroyed from the worker: it frees the queue */
	pthread_t thread;
	enpu_host_exec_fn exec;
	enpu_host_timer_fn take_time;
	void *ctx;
	char name[32];
};

static enpu_status_t run(enpu_host_queue_t *q, const submission_t *s)
{
	for (size_t i = 0; i < s->wait_count; i++) {
		enpu_status_t st = enpu_fence_wait(s->waits[i], ENPU_TIMEOUT_INFINITE);
		if (st) {
			enpu_status_t ab = enpu_status_make(
				ENPU_STATUS_ABORTED, "%s: submission skipped: wait fence %zu failed: %s: %s",
				q->name, i, enpu_status_code_name(enpu_status_code(st)),
				enpu_status_message(st));
			enpu_status_free(st);
			return ab;
		}
	}
	for (size_t i = 0; i < s->list->count; i++) {
		const enpu_op_t *op = &s->list->ops[i];
		enpu_status_t st = q->exec(q->ctx, op);
		if (st) {
			enpu_status_t wrapped = enpu_status_make(
				enpu_status_code(st), "%s: op %zu (%s) failed: %s", q->name, i,
				enpu_op_kind_name(op->kind), enpu_status_message(st));
			enpu_status_free(st);
			return wrapped;
		}
	}
	return ENPU_OK;
}

/* Frees s but its fence, which it returns. */
static enpu_fence_t *submission_free(submission_t *s)
{
	enpu_fence_t *fence = s->fence;

	enpu_command_list_release(s->list);
	for (size_t i = 0; i < s->wait_count; i++)
		enpu_fence_release(s->waits[i]);
	free(s->waits);
	enpu_device_t *device = s->device;
	free(s);
	enpu_device_release(device); /* may close the device (and this queue) */
	return fence;
}

static void queue_free(enpu_host_queue_t *q)
{
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->mutex);
	free(q);
}

/* Takes the head submission when nothing runs (mutex held). */
static submission_t *take(enpu_host_queue_t *q)
{
	submission_t *s = q->head;

	if (!s || q->busy)
		return NULL;
	q->head = s->next;
	if (!q->head)
		q->tail = NULL;
	q->busy = true;
	return s;
}

/* Ends a run that held busy and lets the next submission start. */
static void release_busy(enpu_host_queue_t *q)
{
	pthread_mutex_lock(&q->mutex);
	q->busy = false;
	if (q->head || q->stopping)
		pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->mutex);
}

/* Runs a taken submission, drops its references, signals its fence and only
 * then lets the next submission start: a later fence of the queue (or an
 * execute) never completes while an earlier one is pending, however long
 * the references take to go (a wrapped buffer's release_fn). When the last
 * reference to the device went with the submission, the device is closed
 * before its waiter wakes (and, say, the process exits under a closing
 * driver); q stays valid (a close on this queue's worker leaves the worker
 * to free it; a helper holds a device reference). The fence's signal time
 * is when the work finished. */
static void finish(enpu_host_queue_t *q, submission_t *s)
{
	enpu_status_t st = run(q, s);
	uint64_t done_ns = enpu_fence_now_ns(), ns;
	enpu_fence_t *fence;

	if (q->take_time && q->take_time(q->ctx, &ns))
		enpu_fence_set_device_time(s->fence, ns);
	/* no waiter may retain the device (fence.c) once its reference is gone */
	enpu_fence_set_helper(s->fence, NULL, NULL, NULL);
	fence = submission_free(s);
	enpu_fence_complete(fence, st, done_ns);
	enpu_fence_release(fence);
	release_busy(q);
}

static bool waits_done(const submission_t *s)
{
	for (size_t i = 0; i < s->wait_count; i++)
		if (!enpu_fence_done(s->waits[i]))
			return false;
	return true;
}

/* enpu_fence_help_fn: runs submissions up to fence's on the waiting thread
 * while the worker is idle and each one's wait fences have signalled (so
 * that it cannot block on them). */
static void help(void *ctx, enpu_fence_t *fence)
{
	enpu_host_queue_t *q = ctx;

	while (!enpu_fence_done(fence)) {
		pthread_mutex_lock(&q->mutex);
		submission_t *s = q->head && waits_done(q->head) ? take(q) : NULL;
		pthread_mutex_unlock(&q->mutex);
		if (!s)
			return;
		finish(q, s);
	}
}

static void *worker(void *arg)
{
	enpu_host_queue_t *q = arg;
	for (;;) {
		pthread_mutex_lock(&q->mutex);
		submission_t *s;

		while (!(s = take(q)) && !(q->stopping && !q->head && !q->busy))
			pthread_cond_wait(&q->cond, &q->mutex);
		bool self_destroy = q->self_destroy;
		pthread_mutex_unlock(&q->mutex);
		if (!s) { /* stopping and drained */
			if (self_destroy)
				queue_free(q);
			return NULL;
		}
		finish(q, s);
	}
}

void enpu_host_queue_set_timer(enpu_host_queue_t *q, enpu_host_timer_fn take)
{
	q->take_time = take;
}

enpu_status_t enpu_host_queue_create(const char *device_name, enpu_host_exec_fn exec,
				     void *ctx, enpu_host_queue_t **out)
{
	enpu_host_queue_t *q = calloc(1, sizeof(*q));
	if (!q)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "queue: out of memory");
	pthread_mutex_init(&q->mutex, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->exec = exec;
	q->ctx = ctx;
	snprintf(q->name, sizeof(q->name), "%s", device_name);
	if (pthread_create(&q->thread, NULL, worker, q) != 0) {
		queue_free(q);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"queue: cannot start worker thread");
	}
	*out = q;
	return ENPU_OK;
}

enpu_status_t enpu_host_queue_submit(enpu_host_queue_t *q, enpu_device_t *device,
				     enpu_command_list_t *list,
				     enpu_fence_t *const *waits, size_t wait_count,
				     enpu_fence_t *fence)
{
	submission_t *s = calloc(1, sizeof(*s));
	enpu_fence_t **w = wait_count ? calloc(wait_count, sizeof(*w)) : NULL;
	if (!s || (wait_count && !w)) {
		free(s);
		free(w);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "submit: out of memory");
	}
	for (size_t i = 0; i < wait_count; i++) {
		w[i] = waits[i];
		enpu_fence_retain(w[i]);
	}
	s->waits = w;
	s->wait_count = wait_count;
	s->list = list;
	s->fence = fence;
	s->device = device;
	enpu_device_retain(device);
	enpu_command_list_retain(list);
	enpu_fence_retain(fence);
	enpu_fence_set_helper(fence, device, help, q);
	pthread_mutex_lock(&q->mutex);
	if (q->tail)
		q->tail->next = s;
	else
		q->head = s;
	q->tail = s;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->mutex);
	return ENPU_OK;
}

enpu_status_t enpu_host_queue_execute(enpu_host_queue_t *q, enpu_device_t *device,
				      enpu_command_list_t *list)
{
	submission_t s = { .list = list };
	enpu_fence_t *fence;
	enpu_status_t st;
	uint64_t ns;

	pthread_mutex_lock(&q->mutex);
	bool idle = !q->busy && !q->head;

	q->busy = q->busy || idle;
	pthread_mutex_unlock(&q->mutex);
	if (idle) {
		st = run(q, &s);
		if (q->take_time)
			q->take_time(q->ctx, &ns);
		release_busy(q);
		return st;
	}
	st = enpu_fence_create_device(&fence);
	if (st)
		return st;
	st = enpu_host_queue_submit(q, device, list, NULL, 0, fence);
	if (!st)
		st = enpu_fence_wait(fence, ENPU_TIMEOUT_INFINITE);
	enpu_fence_release(fence);
	return st;
}

void enpu_host_queue_destroy(enpu_host_queue_t *q)
{
	bool self = pthread_equal(pthread_self(), q->thread);
	pthread_mutex_lock(&q->mutex);
	q->stopping = true;
	q->self_destroy = self;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->mutex);
	if (self) {
		pthread_detach(q->thread);
		return;
	}
	pthread_join(q->thread, NULL);
	queue_free(q);
}
