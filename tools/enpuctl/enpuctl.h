/* SPDX-License-Identifier: MIT */
/* enpuctl: shared declarations of the subcommands (cmd_*.c) and helpers. */
#ifndef ENPUCTL_H
#define ENPUCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <enpu/enpu.h>
#include <enpu/stats.h>

/* Exit statuses: 0 done, 1 failed, 64 bad usage (sysexits EX_USAGE). */
#define EXIT_USAGE 64

int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_power(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_stats(int argc, char **argv);

/* "enpuctl CMD: message\n" on stderr; returns 1. */
int fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a status's message as fail() does, frees it; returns 1. */
int fail_status(const char *cmd, enpu_status_t st);
/* Prints "enpuctl CMD: message; see `enpuctl CMD --help`"; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "accel0", "0" or "/dev/accel/accel0" -> 0; false for anything else. */
bool parse_accel(const char *arg, uint32_t *index);
/* Opens /dev/accel/accel<index>; -1 after printing what to do. */
int accel_open(const char *cmd, uint32_t index);
/* DRM_IOCTL_ENPU_GET_PARAM; 0 or -errno. */
int accel_param(int fd, uint32_t param, uint32_t index, uint64_t *value);
/* The driver's name of /dev/accel/accel<index> (from sysfs), "" when unknown. */
void accel_driver(uint32_t index, char *out, size_t len);
/* /sys/class/accel/accel<index>/device/devfreq/<name> into out; false if none. */
bool accel_devfreq_dir(uint32_t index, char *out, size_t len);
/* Writes text to a sysfs file; 0 or -errno. */
int write_file(const char *path, const char *text);
/* Explains a failed sysfs write of what (e.g. "the clock"): root, or EINVAL. */
int fail_write(const char *cmd, const char *what, const char *path, int err, const char *einval);

/* Samples accel<index> with the options' source, printing what to do on failure. */
enpu_stats_sample_t *stats_sample(const char *cmd, uint32_t index, enpu_stats_source_t src);
/* "auto", "bpf", "debugfs", "fdinfo" -> source; false for anything else. */
bool parse_source(const char *arg, enpu_stats_source_t *out);
/* Seconds > 0 (e.g. "0.5"); false when malformed. */
bool parse_seconds(const char *arg, double *out);
/*
 * A whole number in [min, max] that is all of arg: digits only (no sign, blank
 * or empty string), in base 10, or for base 0 also 0x hex and 0 octal; false when
 * malformed or out of range (overflow included).
 */
bool parse_uint(const char *arg, int base, unsigned long long min, unsigned long long max,
		unsigned long long *out);
/* parse_uint in base 10 into a uint32_t (max <= UINT32_MAX). */
bool parse_u32(const char *arg, uint32_t min, uint32_t max, uint32_t *out);

double now_s(void);
/* "12.3 MB/s"-style: value scaled to k/M/G (decimal) with the unit appended. */
void human(double value, const char *unit, char *out, size_t len);
/* A JSON string literal (quoted, escaped). */
void json_string(FILE *f, const char *s);

/* The HAL device named or typed by name: "cpu0"/"ref0" (a name), "cpu",
 * "ref"/"reference", "npu" (first of the type). SIZE_MAX when absent. */
size_t hal_find(enpu_context_t *ctx, const char *name);
const char *hal_type_name(enpu_device_type_t type);

#endif
