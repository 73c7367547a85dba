/* SPDX-License-Identifier: MIT */
/* enpu HAL: status values. NULL (ENPU_OK) means success; any other value is an
 * owned error object carrying a code and a formatted message that the caller
 * must release with enpu_status_free(). */
#ifndef ENPU_STATUS_H
#define ENPU_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum enpu_status_code {
	ENPU_STATUS_OK = 0,
	ENPU_STATUS_INVALID_ARGUMENT,    /* caller passed something malformed */
	ENPU_STATUS_OUT_OF_RANGE,        /* index/offset/size beyond a bound */
	ENPU_STATUS_UNSUPPORTED,         /* valid request this device cannot do */
	ENPU_STATUS_RESOURCE_EXHAUSTED,  /* out of memory or other resource */
	ENPU_STATUS_DEADLINE_EXCEEDED,   /* a wait timed out */
	ENPU_STATUS_FAILED_PRECONDITION, /* object in the wrong state */
	ENPU_STATUS_ABORTED,             /* work skipped because a dependency failed */
	ENPU_STATUS_DEVICE_ERROR,        /* the device reported a failure */
	ENPU_STATUS_INTERNAL,            /* bug in the HAL */
} enpu_status_code_t;

typedef struct enpu_status *enpu_status_t;
#define ENPU_OK ((enpu_status_t)0)

/* Code of a status; ENPU_STATUS_OK for ENPU_OK. */
enpu_status_code_t enpu_status_code(enpu_status_t status);
/* Message of a status ("OK" for ENPU_OK); valid until the status is freed. */
const char *enpu_status_message(enpu_status_t status);
/* Short name of a code ("INVALID_ARGUMENT", ...). */
const char *enpu_status_code_name(enpu_status_code_t code);
/* Frees an error status; no-op for ENPU_OK. */
void enpu_status_free(enpu_status_t status);
/* Creates an error status with a printf-formatted message (used by backends and
 * by applications that signal host fences with an error). code must not be OK. */
enpu_status_t enpu_status_make(enpu_status_code_t code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An independent copy of status (ENPU_OK for ENPU_OK). */
enpu_status_t enpu_status_clone(enpu_status_t status);

#ifdef __cplusplus
}
#endif
#endif
