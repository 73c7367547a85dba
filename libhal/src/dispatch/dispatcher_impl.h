/* SPDX-License-Identifier: MIT */
/* Internal: the dispatcher's devices and cost table (dispatch.h). */
#ifndef ENPU_DISPATCHER_IMPL_H
#define ENPU_DISPATCHER_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include "enpu/dispatch.h"
#include "graph_impl.h"

/* Listed devices plus the fallback CPU. */
#define DISP_MAX (ENPU_DISPATCH_MAX_DEVICES + 1)

typedef struct disp_device {
	enpu_device_t *dev;  /* NORMAL priority; == by_priority[ENPU_PRIORITY_NORMAL] */
	/* Handles per priority, opened on first use (guarded by the lock). */
	enpu_device_t *by_priority[ENPU_PRIORITY_HIGH + 1];
	size_t ctx_index;   /* in the context */
	enpu_device_info_t info;
	uint32_t op_mask;   /* info.op_mask without the excluded ops */
	bool fallback_only; /* the CPU opened only for ops no listed device has */
	uint32_t group;     /* scheduling group (enpu_sched_problem_t.device_group) */
} disp_device_t;

/* One measured (or loaded, or set) compute time. */
typedef struct cost_entry {
	uint32_t device;
	double seconds;     /* INFINITY: the device rejected the op (UNSUPPORTED) */
	char key[200];      /* graph_op_key */
} cost_entry_t;

struct enpu_dispatcher {
	enpu_refcount_t ref;
	enpu_context_t *context; /* retained: opens handles of other priorities */
	uint32_t cpu_threads;
	disp_device_t devs[DISP_MAX];
	size_t count;
	uint32_t calibration_runs;
	char fingerprint[17]; /* hex FNV-1a of the devices' identities */
	pthread_mutex_t lock; /* guards everything below */
	cost_entry_t *costs;
	size_t cost_count, cost_cap;
	bool xfer_known;
	double xfer_latency[DISP_MAX * DISP_MAX]; /* [from * count + to] */
};

/* May device d run graph op i (kind, dtype, exclusions)? */
bool disp_supports(const enpu_dispatcher_t *d, size_t dev, const enpu_graph_t *g, size_t i);
/* The handle of device dev at priority (opened on first use); borrowed. */
enpu_status_t disp_device_at(enpu_dispatcher_t *d, size_t dev, enpu_priority_t priority,
			     enpu_device_t **out);
/* Index of the device named name, or SIZE_MAX. */
size_t disp_find(const enpu_dispatcher_t *d, const char *name);

/* Cost table; callers hold d->lock. */
cost_entry_t *costs_find(enpu_dispatcher_t *d, uint32_t dev, const char *key);
enpu_status_t costs_set(enpu_dispatcher_t *d, uint32_t dev, const char *key, double seconds);

/* 64-bit FNV-1a. */
uint64_t disp_hash(const void *data, size_t len, uint64_t h);
#define DISP_HASH_INIT 1469598103934665603ULL

#endif
