/* SPDX-License-Identifier: MIT */
/* Fences: one-shot completion objects carrying a status. Host fences are
 * signalled by the application, device fences by a backend. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "fence_impl.h"
#include "refcount.h"
#include "spin.h"

struct enpu_fence {
	enpu_refcount_t ref;
	pthread_mutex_t mutex;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool host;
	bool signalled;
	atomic_bool done; /* == signalled, readable without the mutex */
	enpu_status_t status;
	bool timed;        /* device_ns holds the device's own measurement */
	uint64_t device_ns;
	uint64_t signal_ns; /* CLOCK_MONOTONIC when signalled */
	/* who may run the work behind it on a waiting thread, while pending */
	enpu_fence_help_fn help;
	void *help_ctx;
	enpu_device_t *help_device; /* not retained: its work holds a reference */
};

static enpu_status_t fence_new(bool host, enpu_fence_t **out)
{
	if (!out)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_fence_create: out_fence is NULL");
	*out = NULL;
	enpu_fence_t *f = calloc(1, sizeof(*f));
	if (!f)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "fence: out of memory");
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&f->mutex, NULL);
	pthread_cond_init(&f->cond, &attr);
	pthread_condattr_destroy(&attr);
	enpu_ref_init(&f->ref);
	atomic_init(&f->done, false);
	f->host = host;
	*out = f;
	return ENPU_OK;
}

enpu_status_t enpu_fence_create(enpu_fence_t **out_fence) { return fence_new(true, out_fence); }

enpu_status_t enpu_fence_create_device(enpu_fence_t **out_fence)
{
	return fence_new(false, out_fence);
}

uint64_t enpu_fence_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Returns false (and frees status) when already signalled. */
static bool fence_set(enpu_fence_t *f, enpu_status_t status, uint64_t ns)
{
	pthread_mutex_lock(&f->mutex);
	bool was = f->signalled;
	if (!was) {
		f->signalled = true;
		f->signal_ns = ns;
		f->status = status;
		f->help = NULL;
		atomic_store_explicit(&f->done, true, memory_order_release);
		pthread_cond_broadcast(&f->cond);
	}
	pthread_mutex_unlock(&f->mutex);
	if (was)
		enpu_status_free(status);
	return !was;
}

void enpu_fence_complete(enpu_fence_t *fence, enpu_status_t status, uint64_t done_ns)
{
	fence_set(fence, status, done_ns);
}

enpu_status_t enpu_fence_signal(enpu_fence_t *fence, enpu_status_t status)
{
	if (!fence)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "enpu_fence_signal: fence is NULL");
	if (!fence->host)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_fence_signal: not a host fence (device fences "
					"are signalled by their device)");
	if (!fence_set(fence, enpu_status_clone(status), enpu_fence_now_ns()))
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_fence_signal: fence already signalled");
	return ENPU_OK;
}

enpu_status_t enpu_fence_signal_time(enpu_fence_t *fence, uint64_t *out_ns)
{
	if (!fence || !out_ns)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_fence_signal_time: %s is NULL", !fence ? "fence" : "out_ns");
	pthread_mutex_lock(&fence->mutex);
	bool done = fence->signalled;
	*out_ns = fence->signal_ns;
	pthread_mutex_unlock(&fence->mutex);
	if (!done)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_fence_signal_time: the fence is pending");
	return ENPU_OK;
}

void enpu_fence_retain(enpu_fence_t *fence)
{
	if (fence)
		enpu_ref_inc(&fence->ref);
}

void enpu_fence_release(enpu_fence_t *fence)
{
	if (fence && enpu_ref_dec(&fence->ref)) {
		enpu_status_free(fence->status);
		pthread_cond_destroy(&fence->cond);
		pthread_mutex_destroy(&fence->mutex);
		free(fence);
	}
}

void enpu_fence_set_helper(enpu_fence_t *f, enpu_device_t *device, enpu_fence_help_fn help,
			   void *ctx)
{
	pthread_mutex_lock(&f->mutex);
	if (!f->signalled) {
		f->help = help;
		f->help_ctx = ctx;
		f->help_device = device;
	}
	pthread_mutex_unlock(&f->mutex);
}

bool enpu_fence_done(const enpu_fence_t *f)
{
	return atomic_load_explicit(&f->done, memory_order_acquire);
}

/* Runs the fence's queued work on this thread where its device allows. The
 * device is retained under the fence's lock: while the link is set, the
 * pending work holds a reference, so the device (and its queue) is alive. */
static void help(enpu_fence_t *f)
{
	pthread_mutex_lock(&f->mutex);
	enpu_fence_help_fn fn = f->help;
	void *ctx = f->help_ctx;
	enpu_device_t *device = f->help_device;

	if (fn)
		enpu_device_retain(device);
	pthread_mutex_unlock(&f->mutex);
	if (!fn)
		return;
	fn(ctx, f);
	enpu_device_release(device);
}

enpu_status_t enpu_fence_wait(enpu_fence_t *fence, uint64_t timeout_ns)
{
	if (!fence)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "enpu_fence_wait: fence is NULL");
	/* only an unbounded wait runs work itself: the work may outlast a timeout */
	if (timeout_ns == ENPU_TIMEOUT_INFINITE && !enpu_fence_done(fence))
		help(fence);
	struct timespec deadline; /* taken before polling: the timeout includes it */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ns >= ENPU_SPIN_NS)
		enpu_spin_until(&fence->done);
	bool infinite = timeout_ns == ENPU_TIMEOUT_INFINITE ||
			timeout_ns / 1000000000u > (uint64_t)(INT32_MAX);
	if (!infinite) {
		uint64_t ns = (uint64_t)deadline.tv_nsec + timeout_ns % 1000000000u;
		deadline.tv_sec += (time_t)(timeout_ns / 1000000000u + ns / 1000000000u);
		deadline.tv_nsec = (long)(ns % 1000000000u);
	}
	pthread_mutex_lock(&fence->mutex);
	int rc = 0;
	while (!fence->signalled && rc != ETIMEDOUT) {
		if (infinite)
			pthread_cond_wait(&fence->cond, &fence->mutex);
		else
			rc = pthread_cond_timedwait(&fence->cond, &fence->mutex, &deadline);
	}
	enpu_status_t result;
	if (fence->signalled)
		result = enpu_status_clone(fence->status);
	else
		result = enpu_status_make(ENPU_STATUS_DEADLINE_EXCEEDED,
					  "fence not signalled within %llu ns",
					  (unsigned long long)timeout_ns);
	pthread_mutex_unlock(&fence->mutex);
	return result;
}

void enpu_fence_set_device_time(enpu_fence_t *f, uint64_t ns)
{
	pthread_mutex_lock(&f->mutex);
	f->timed = true;
	f->device_ns = ns;
	pthread_mutex_unlock(&f->mutex);
}

enpu_status_t enpu_fence_device_time_ns(const enpu_fence_t *fence, uint64_t *out_ns)
{
	enpu_fence_t *f = (enpu_fence_t *)fence;
	enpu_status_t st = ENPU_OK;

	if (!f || !out_ns)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_fence_device_time_ns: fence and out_ns are required");
	pthread_mutex_lock(&f->mutex);
	if (!f->signalled)
		st = enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
				      "enpu_fence_device_time_ns: the fence has not signalled; "
				      "wait for it first");
	else if (!f->timed)
		st = enpu_status_make(ENPU_STATUS_UNSUPPORTED,
				      "enpu_fence_device_time_ns: %s",
				      f->host ? "a host fence has no device time"
					      : "this device does not measure its own time");
	else
		*out_ns = f->device_ns;
	pthread_mutex_unlock(&f->mutex);
	return st;
}

int enpu_fence_poll(const enpu_fence_t *fence)
{
	if (!fence)
		return 0;
	enpu_fence_t *f = (enpu_fence_t *)fence;
	pthread_mutex_lock(&f->mutex);
	int s = f->signalled ? 1 : 0;
	pthread_mutex_unlock(&f->mutex);
	return s;
}
