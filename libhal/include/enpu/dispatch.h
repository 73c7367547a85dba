/* SPDX-License-Identifier: MIT */
/* enpu HAL: the heterogeneous dispatcher. Places the ops of a graph (graph.h)
 * onto a set of devices with HEFT list scheduling over calibrated cost models
 * and runs them concurrently, the devices ordered by fences. Docs and
 * algorithms: docs/dispatch.md.
 *
 *   enpu_dispatcher_create(ctx, &opts, &d);     opens the devices
 *   enpu_dispatcher_load_costs(d, path);        optional cost cache
 *   enpu_dispatcher_calibrate(d, graph);        measures what is missing
 *   enpu_dispatcher_plan(d, graph, &plan);      HEFT placement + predicted times
 *   enpu_plan_execute(plan, &run); enpu_run_wait(run, timeout);
 *   enpu_run_op_timing(run, i, &t);             measured times
 *
 * Thread safety: a dispatcher may be used from several threads (its cost
 * table is locked); plans are immutable; a run may be waited for and queried
 * from any thread. Runs of plans of one graph must not overlap each other or
 * its calibration (they share the graph's tensors): enpu_plan_execute and
 * enpu_dispatcher_calibrate fail with FAILED_PRECONDITION while an earlier run
 * of the same graph has not been waited for (or it is being calibrated). */
#ifndef ENPU_DISPATCH_H
#define ENPU_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "command.h"
#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Scheduling on abstract costs (pure functions, no devices) ---- */

typedef struct enpu_sched_edge {
	size_t from, to;  /* op indices: to reads what from writes */
	double bytes;     /* data moved when they run on different devices */
} enpu_sched_edge_t;

typedef struct enpu_sched_problem {
	size_t op_count, device_count;
	/* [op * device_count + device]: seconds; INFINITY = cannot run there. */
	const double *compute;
	size_t edge_count;
	const enpu_sched_edge_t *edges;
	/* [from * device_count + to]: time to hand data from one device to
	 * another = latency + bytes / bandwidth (bandwidth 0 = infinite). The
	 * diagonal is ignored (same device: no transfer). */
	const double *xfer_latency;
	const double *xfer_bandwidth;
	/* [device]: devices of one group share one execution resource (the host
	 * cores under the CPU, reference and software-Vulkan devices) and run one
	 * op at a time between them; values < device_count. NULL: each device is
	 * its own group. */
	const uint32_t *device_group;
} enpu_sched_problem_t;

typedef struct enpu_sched_slot {
	uint32_t device;
	double start, finish; /* seconds from the start of the run */
} enpu_sched_slot_t;

/* HEFT (Topcuoglu et al. 2002): ops by decreasing upward rank (mean compute
 * over the devices that can run them + the largest mean transfer + rank of a
 * successor), each placed on the device giving the earliest finish time, with
 * insertion into idle gaps. Ties: lower op index first, lower device index.
 * Writes op_count slots and the makespan. INVALID_ARGUMENT for a cycle or a
 * bad edge, UNSUPPORTED when an op can run nowhere. */
enpu_status_t enpu_sched_heft(const enpu_sched_problem_t *problem, enpu_sched_slot_t *out_slots,
			      double *out_makespan);
/* The same list scheduling for a fixed placement (placement[op] = device):
 * ops in HEFT rank order, each as early as its inputs and an idle gap on its
 * device allow. Used to evaluate alternative placements (exhaustive search). */
enpu_status_t enpu_sched_evaluate(const enpu_sched_problem_t *problem, const uint32_t *placement,
				  enpu_sched_slot_t *out_slots, double *out_makespan);

/* ---- The dispatcher ---- */

#define ENPU_DISPATCH_MAX_DEVICES 8

typedef struct enpu_dispatcher enpu_dispatcher_t;
typedef struct enpu_plan enpu_plan_t;
typedef struct enpu_run enpu_run_t;

typedef struct enpu_dispatcher_options {
	/* Device names or types ("cpu0,npu0", "cpu,gpu"), comma separated; NULL
	 * or "" = every device except the reference device. The first CPU device
	 * is opened as well, as the fallback for ops no listed device has. */
	const char *devices;
	/* Ops (bits 1u << enpu_op_kind_t) each listed device must not run,
	 * in the order of `devices` (0 = none): for known-bad ops, and tests. */
	uint32_t exclude_ops[ENPU_DISPATCH_MAX_DEVICES];
	uint32_t cpu_threads;        /* CPU device threads; 0 = online cores */
	uint32_t calibration_runs;   /* timed runs per batch; 0 = 5 */
	/* false (default): devices that compute on the host's cores (CPU,
	 * reference, a software Vulkan such as lavapipe, the NPU's software
	 * model) form one scheduling group and are planned one op at a time
	 * between them, since they compete for the same cores. true: plan them
	 * as independent devices (right when the cores suffice, e.g. a 1-thread
	 * CPU device beside a single-threaded other device on a 2-core host). */
	bool host_devices_overlap;
} enpu_dispatcher_options_t;

enpu_status_t enpu_dispatcher_create(enpu_context_t *context,
				     const enpu_dispatcher_options_t *options,
				     enpu_dispatcher_t **out_dispatcher);
void enpu_dispatcher_retain(enpu_dispatcher_t *dispatcher);
void enpu_dispatcher_release(enpu_dispatcher_t *dispatcher);

/* Devices in placement order (the listed ones, then the fallback CPU if it
 * was not listed); borrowed. These are the NORMAL-priority handles, used for
 * calibration; runs of a graph of another priority (enpu_graph_set_priority)
 * go through handles the dispatcher opens with it on first use. */
size_t enpu_dispatcher_device_count(const enpu_dispatcher_t *dispatcher);
enpu_device_t *enpu_dispatcher_device(const enpu_dispatcher_t *dispatcher, size_t index);

/* Measures, for every op shape of graph and every device that may run it,
 * the device's time per op with its queue full (the median gap between the
 * completions of 3 batches of calibration_runs back-to-back submissions,
 * after a warm-up batch), and, if not known yet, the handoff latency through a
 * fence between every pair of devices. Only missing entries are measured.
 * The graph's intermediate and output tensors are overwritten. */
enpu_status_t enpu_dispatcher_calibrate(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph);
/* Cost cache: a text file with a checksum and a fingerprint of the device set
 * (names, descriptions, cores, threads). Load merges it into the table;
 * INVALID_ARGUMENT ("corrupt") if it does not parse or its checksum is wrong,
 * FAILED_PRECONDITION ("stale") if it was made for other devices; the table is
 * unchanged then. Save writes atomically (temporary file + rename). */
enpu_status_t enpu_dispatcher_load_costs(enpu_dispatcher_t *dispatcher, const char *path);
enpu_status_t enpu_dispatcher_save_costs(enpu_dispatcher_t *dispatcher, const char *path);
/* The predicted compute seconds of graph op on device index (INFINITY when the
 * device may not run it); FAILED_PRECONDITION when not calibrated. */
enpu_status_t enpu_dispatcher_op_cost(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph,
				      size_t op, size_t device, double *out_seconds);
/* Sets a cost (seconds >= 0, or INFINITY): what-if studies and tests. */
enpu_status_t enpu_dispatcher_set_op_cost(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph,
					  size_t op, size_t device, double seconds);

/* Places the finalized graph with HEFT (forced placements honoured, ops no
 * device may run go to the fallback CPU). FAILED_PRECONDITION if a needed cost
 * is missing (calibrate first), INVALID_ARGUMENT for a bad forced placement. */
enpu_status_t enpu_dispatcher_plan(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph,
				   enpu_plan_t **out_plan);
/* A plan for an explicit placement (placement[op] = device index), scheduled
 * like enpu_sched_evaluate: single-device baselines and exhaustive search. */
enpu_status_t enpu_dispatcher_plan_fixed(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph,
					 const uint32_t *placement, enpu_plan_t **out_plan);
/* The plan's scheduling problem (valid while the plan lives). */
const enpu_sched_problem_t *enpu_plan_problem(const enpu_plan_t *plan);
void enpu_plan_retain(enpu_plan_t *plan);
void enpu_plan_release(enpu_plan_t *plan);
/* Predicted placement and times of op. */
enpu_sched_slot_t enpu_plan_slot(const enpu_plan_t *plan, size_t op);
double enpu_plan_makespan(const enpu_plan_t *plan);

/* Submits every op (one submission per op, in predicted start order; an op
 * waits for the fences of its producers on other devices) through device
 * handles of the graph's priority. Returns at once. A handle that cannot be
 * opened at that priority fails the call (NPU, HIGH without CAP_SYS_NICE:
 * FAILED_PRECONDITION). */
enpu_status_t enpu_plan_execute(enpu_plan_t *plan, enpu_run_t **out_run);
/* Waits for every op; ENPU_OK, DEADLINE_EXCEEDED, or the first failed op's
 * error prefixed with its name. Ends the run's hold on the graph. */
enpu_status_t enpu_run_wait(enpu_run_t *run, uint64_t timeout_ns);
/* The fence of op (borrowed), for polling or as a wait fence elsewhere. */
enpu_fence_t *enpu_run_op_fence(const enpu_run_t *run, size_t op);

typedef struct enpu_run_timing {
	uint32_t device;
	/* Seconds since submission began. end: when the op's fence signalled
	 * (enpu_fence_signal_time: stamped by the backend as it finished the
	 * work); start: the latest of the ends of what it waited for (its
	 * producers, the previous op on its device) and its submission. */
	double start, end;
} enpu_run_timing_t;

/* Measured times of op (after a successful enpu_run_wait). */
enpu_status_t enpu_run_op_timing(const enpu_run_t *run, size_t op, enpu_run_timing_t *out);
double enpu_run_makespan(const enpu_run_t *run);
/* CLOCK_MONOTONIC nanoseconds at which submission began (the zero of the
 * run's timings), to line them up with other traces (the driver's
 * tracepoints with the "mono" trace clock). */
uint64_t enpu_run_start_ns(const enpu_run_t *run);
/* Waits for the run if needed (errors ignored), then frees it. */
void enpu_run_release(enpu_run_t *run);

#ifdef __cplusplus
}
#endif
#endif
