/* SPDX-License-Identifier: MIT */
/* enpuctl run graph ...: a sample graph (enpu_graph_create_sample) placed by
 * the dispatcher, with --explain (placement, predicted vs measured times per
 * op, makespan) and --trace FILE (Chrome/Perfetto JSON, one row per device). */
#ifndef ENPUCTL_GRAPH_RUN_H
#define ENPUCTL_GRAPH_RUN_H

#include "enpuctl.h"

#define GR_MAX_PLACES 32
/* Trace processes of the dispatcher's rows (clear of `enpuctl trace`'s
 * accel indices). */
#define GR_PID_MEASURED 1000
#define GR_PID_PREDICTED 1001

/* "graph NAME [size=S] [devices=LIST] [place=OP:DEV[,OP:DEV...]]
 *  [priority=low|normal|high] [cache=PATH] [repeat=N] [calib=N] [threads=T]
 *  [overlap]" */
typedef struct gr_spec {
	char name[32];
	uint32_t size;            /* 0: the sample's default */
	char devices[128];        /* "" = all but ref0 */
	size_t place_count;
	char place_op[GR_MAX_PLACES][ENPU_GRAPH_NAME_MAX];
	char place_dev[GR_MAX_PLACES][32];
	enpu_priority_t priority;
	char cache[256];          /* "" = none */
	uint32_t repeat;          /* timed runs (default 10) */
	uint32_t calib;           /* calibration runs per batch (0 = default) */
	uint32_t threads;         /* CPU threads (0 = all) */
	bool overlap;             /* enpu_dispatcher_options_t.host_devices_overlap */
} gr_spec_t;

/* Parses a spec whose first word is "graph"; false with a message in err. */
bool gr_parse(const char *text, gr_spec_t *spec, char *err, size_t err_len);

/* A graph ready to run: dispatcher, sample graph with the forced placements,
 * costs (calibrated, with the cache), the HEFT plan, after one warm-up run. */
typedef struct gr_session {
	enpu_dispatcher_t *d;
	enpu_graph_t *g;
	enpu_plan_t *plan;
} gr_session_t;

/* Prints the calibration time; returns the exit status (0, or 1 after
 * printing why). */
int gr_open(enpu_context_t *ctx, const gr_spec_t *spec, gr_session_t *s);
void gr_close(gr_session_t *s);
/* Chrome/Perfetto JSON events of run as process pid, one thread row per
 * device: measured times, or the plan's predicted ones. ts = base_us + the
 * time since the run began. Each event starts with "," unless *first. */
void gr_trace_events(FILE *f, const gr_session_t *s, const enpu_run_t *run, bool predicted,
		     int pid, double base_us, bool *first);

/* Runs the spec: repeat timed runs, the makespan line; explain prints the
 * per-op table, trace (may be NULL) is written. Returns the exit status. */
int gr_run(enpu_context_t *ctx, const gr_spec_t *spec, bool explain, const char *trace);

#endif
