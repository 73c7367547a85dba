/* SPDX-License-Identifier: MIT */
/* Parsing the enpu tracepoints' lines from tracefs trace_pipe, e.g.
 *   "  enpu-load-231  [001] .....  52.123456: enpu_job_done: dev=0 core=1 ..." */
#ifndef ENPUCTL_TRACE_PARSE_H
#define ENPUCTL_TRACE_PARSE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct trace_line {
	char task[16];     /* the task that hit the tracepoint, "" when unknown */
	double ts_us;      /* trace clock, microseconds */
	char event[24];    /* "enpu_job_done" ... */
	const char *args;  /* "dev=0 core=1 ..." (points into the parsed line) */
} trace_line_t;

/* Splits one line; false when it is not an enpu event. */
bool trace_parse(const char *line, trace_line_t *out);
/* The value of " key=" in args (or at its start); false when absent. */
bool trace_arg(const char *args, const char *key, long long *out);

#endif
