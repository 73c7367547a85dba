// SPDX-License-Identifier: MIT
/* Lines of trace_pipe: "TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: ARGS". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_parse.h"

bool trace_parse(const char *line, trace_line_t *out)
{
	const char *ev = strstr(line, ": enpu_"), *p, *colon, *dash;
	size_t n;

	if (!ev)
		return false;
	colon = strchr(ev + 2, ':');
	n = colon ? (size_t)(colon - (ev + 2)) : 0;
	if (!n || n >= sizeof(out->event))
		return false;
	memcpy(out->event, ev + 2, n);
	out->event[n] = '\0';
	out->args = colon + 1 + strspn(colon + 1, " ");
	/* the timestamp ends where the event starts */
	for (p = ev; p > line && (p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9')); p--)
		;
	if (p == ev)
		return false;
	out->ts_us = strtod(p, NULL) * 1e6;
	/* the task: up to the last '-' of the first word */
	line += strspn(line, " ");
	dash = NULL;
	for (p = line; *p && *p != ' ' && *p != '['; p++)
		if (*p == '-')
			dash = p;
	n = dash ? (size_t)(dash - line) : 0;
	if (n >= sizeof(out->task))
		n = sizeof(out->task) - 1;
	memcpy(out->task, line, n);
	out->task[n] = '\0';
	return true;
}

bool trace_arg(const char *args, const char *key, long long *out)
{
	size_t k = strlen(key);

	for (const char *p = args; (p = strstr(p, key)); p += k) {
		if ((p == args || p[-1] == ' ') && p[k] == '=') {
			*out = strtoll(p + k + 1, NULL, 10);
			return true;
		}
	}
	return false;
}
