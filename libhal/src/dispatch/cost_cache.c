/* SPDX-License-Identifier: MIT */
/* The cost cache file (enpu_dispatcher_save_costs / _load_costs):
 *
 *   enpu-dispatch-costs 1
 *   fingerprint <16 hex digits: the device set>
 *   xfer <from> <to> <latency seconds, C99 hex float>     (one per ordered pair)
 *   cost <device> <seconds, hex float or inf> <op key>     (one per entry)
 *   checksum <16 hex digits: FNV-1a of every byte above this line>
 *
 * Hex floats make the round trip exact. */
#define _GNU_SOURCE /* mkstemp */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dispatcher_impl.h"

#define MAGIC "enpu-dispatch-costs 1\n"

/* Appends printf output to a growing string; false when out of memory. */
static bool put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;

	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return false;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return true;
		}
		size_t ncap = 2 * *cap + (size_t)n;
		char *nb = realloc(*buf, ncap);
		if (!nb)
			return false;
		*buf = nb;
		*cap = ncap;
	}
}

enpu_status_t enpu_dispatcher_save_costs(enpu_dispatcher_t *d, const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf, tmp[4096];
	bool ok;
	int fd;

	if (!d || !path)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_dispatcher_save_costs: %s is NULL",
					!d ? "dispatcher" : "path");
	buf = malloc(cap);
	ok = buf != NULL;
	pthread_mutex_lock(&d->lock);
	ok = ok && put(&buf, &len, &cap, MAGIC "fingerprint %s\n", d->fingerprint);
	for (size_t a = 0; ok && d->xfer_known && a < d->count; a++)
		for (size_t b = 0; ok && b < d->count; b++)
			if (a != b)
				ok = put(&buf, &len, &cap, "xfer %zu %zu %a\n", a, b,
					 d->xfer_latency[a * d->count + b]);
	for (size_t i = 0; ok && i < d->cost_count; i++)
		ok = put(&buf, &len, &cap, "cost %u %a %s\n", d->costs[i].device,
			 d->costs[i].seconds, d->costs[i].key);
	pthread_mutex_unlock(&d->lock);
	ok = ok && put(&buf, &len, &cap, "checksum %016llx\n",
		       (unsigned long long)disp_hash(buf, len, DISP_HASH_INIT));
	if (!ok) {
		free(buf);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "cost cache: out of memory");
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		free(buf);
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "cost cache: path too long");
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		free(buf);
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"cost cache: cannot create %s: %s", tmp, strerror(errno));
	}
	ok = write(fd, buf, len) == (ssize_t)len;
	ok = !close(fd) && ok;
	free(buf);
	if (!ok || rename(tmp, path)) {
		int err = errno;
		unlink(tmp);
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"cost cache: cannot write %s: %s", path, strerror(err));
	}
	return ENPU_OK;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	*len = 0;
	while (buf && (n = fread(buf + *len, 1, cap - *len, f)) > 0) {
		*len += n;
		if (*len == cap) {
			char *nb = realloc(buf, 2 * cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
			} else {
				buf = nb;
				cap *= 2;
			}
		}
	}
	fclose(f);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

#define CORRUPT(path, ...) \
	enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "cost cache %s is corrupt: " __VA_ARGS__)

/* Parses the body (after the checksum was verified) into fresh arrays. */
static enpu_status_t parse(enpu_dispatcher_t *d, const char *path, char *text, double *lat,
			   bool *have_lat, cost_entry_t **costs, size_t *count)
{
	char *save = NULL, fp[32];
	size_t line_no = 2, cap = 0;
	char *line = strtok_r(text + strlen(MAGIC), "\n", &save);

	if (!line || sscanf(line, "fingerprint %16s", fp) != 1)
		return CORRUPT(path, "no fingerprint line", path);
	if (strcmp(fp, d->fingerprint))
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"cost cache %s is stale: made for other devices "
					"(fingerprint %s, these devices %s)", path, fp, d->fingerprint);
	*have_lat = false;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		size_t a, b;
		unsigned dev;
		double v;
		int off = 0;
		line_no++;
		if (!strncmp(line, "checksum ", 9))
			break;
		if (sscanf(line, "xfer %zu %zu %la%n", &a, &b, &v, &off) == 3 && !line[off] &&
		    a < d->count && b < d->count && a != b && v >= 0) {
			lat[a * d->count + b] = v;
			*have_lat = true;
			continue;
		}
		if (sscanf(line, "cost %u %la %n", &dev, &v, &off) == 2 && off && line[off] &&
		    dev < d->count && v >= 0 && strlen(line + off) < sizeof((*costs)->key)) {
			if (*count == cap) {
				cap = cap ? 2 * cap : 64;
				cost_entry_t *n = realloc(*costs, cap * sizeof(*n));
				if (!n)
					return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
								"cost cache: out of memory");
				*costs = n;
			}
			cost_entry_t *e = &(*costs)[(*count)++];
			e->device = dev;
			e->seconds = v;
			strcpy(e->key, line + off);
			continue;
		}
		return CORRUPT(path, "line %zu not understood: %.60s", path, line_no, line);
	}
	return ENPU_OK;
}

enpu_status_t enpu_dispatcher_load_costs(enpu_dispatcher_t *d, const char *path)
{
	size_t len, count = 0;
	cost_entry_t *costs = NULL;
	double lat[DISP_MAX * DISP_MAX] = { 0 };
	bool have_lat = false;
	enpu_status_t st;

	if (!d || !path)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_dispatcher_load_costs: %s is NULL",
					!d ? "dispatcher" : "path");
	char *text = read_all(path, &len);
	if (!text)
		return enpu_status_make(errno == ENOENT ? ENPU_STATUS_OUT_OF_RANGE :
					ENPU_STATUS_FAILED_PRECONDITION,
					"cost cache %s: cannot read: %s", path, strerror(errno));
	/* The checksum line is the last one and covers everything before it. */
	char *sum = len > 1 ? text + len - 1 : text;
	while (sum > text && sum[-1] != '\n')
		sum--;
	unsigned long long want;
	if (strncmp(text, MAGIC, strlen(MAGIC)) || sum <= text ||
	    sscanf(sum, "checksum %16llx", &want) != 1)
		st = CORRUPT(path, "no header or checksum line", path);
	else if (want != disp_hash(text, (size_t)(sum - text), DISP_HASH_INIT))
		st = CORRUPT(path, "checksum mismatch", path);
	else
		st = parse(d, path, text, lat, &have_lat, &costs, &count);
	free(text);
	if (!st) {
		pthread_mutex_lock(&d->lock);
		for (size_t i = 0; !st && i < count; i++)
			st = costs_set(d, costs[i].device, costs[i].key, costs[i].seconds);
		if (have_lat) {
			memcpy(d->xfer_latency, lat, sizeof(lat));
			d->xfer_known = true;
		}
		pthread_mutex_unlock(&d->lock);
	}
	free(costs);
	return st;
}
