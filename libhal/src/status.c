/* SPDX-License-Identifier: MIT */
/* Status objects: code + heap-allocated formatted message. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enpu/status.h"

struct enpu_status {
	enpu_status_code_t code;
	char *message; /* points just past the struct, or to static text */
};

/* Returned when a status cannot be allocated; never freed. */
static char oom_text[] = "out of memory creating a status";
static struct enpu_status oom_status = { ENPU_STATUS_RESOURCE_EXHAUSTED, oom_text };

static enpu_status_t oom(void) { return &oom_status; }

enpu_status_code_t enpu_status_code(enpu_status_t status)
{
	return status ? status->code : ENPU_STATUS_OK;
}

const char *enpu_status_message(enpu_status_t status)
{
	return status ? status->message : "OK";
}

const char *enpu_status_code_name(enpu_status_code_t code)
{
	switch (code) {
	case ENPU_STATUS_OK: return "OK";
	case ENPU_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
	case ENPU_STATUS_OUT_OF_RANGE: return "OUT_OF_RANGE";
	case ENPU_STATUS_UNSUPPORTED: return "UNSUPPORTED";
	case ENPU_STATUS_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
	case ENPU_STATUS_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
	case ENPU_STATUS_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
	case ENPU_STATUS_ABORTED: return "ABORTED";
	case ENPU_STATUS_DEVICE_ERROR: return "DEVICE_ERROR";
	case ENPU_STATUS_INTERNAL: return "INTERNAL";
	}
	return "UNKNOWN";
}

void enpu_status_free(enpu_status_t status)
{
	if (status && status != oom())
		free(status);
}

static enpu_status_t make_v(enpu_status_code_t code, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	struct enpu_status *s = malloc(sizeof(*s) + (size_t)n + 1);
	if (!s)
		return oom();
	s->message = (char *)(s + 1);
	s->code = code == ENPU_STATUS_OK ? ENPU_STATUS_INTERNAL : code;
	vsnprintf(s->message, (size_t)n + 1, fmt, ap);
	return s;
}

enpu_status_t enpu_status_make(enpu_status_code_t code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enpu_status_t s = make_v(code, fmt, ap);
	va_end(ap);
	return s;
}

enpu_status_t enpu_status_clone(enpu_status_t status)
{
	if (!status)
		return ENPU_OK;
	return enpu_status_make(status->code, "%s", status->message);
}
