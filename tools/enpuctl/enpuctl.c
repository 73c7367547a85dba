// SPDX-License-Identifier: MIT
/* enpuctl: inspect, configure, benchmark and trace enpu devices.
 * `enpuctl COMMAND --help` for each command; man page: man/enpuctl.1. */
#include <string.h>

#include "enpuctl.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "list", cmd_list, "devices: the HAL's, PCI accelerators, every /dev/accel node" },
	{ "info", cmd_info, "capabilities, peak ops/s per clock level, power, memory" },
	{ "power", cmd_power, "show or set the clock, enabled cores, autosuspend" },
	{ "bench", cmd_bench, "HAL micro-benchmarks (GEMM, conv) on each device" },
	{ "run", cmd_run, "run a workload spec, e.g. 'gemm 256x256x256 i8 device=cpu'" },
	{ "top", cmd_top, "live utilization, bandwidth, clock, power, processes" },
	{ "trace", cmd_trace, "record enpu tracepoints into a Chrome/Perfetto JSON file" },
	{ "stats", cmd_stats, "counters, utilization and bandwidth (--json for scripts)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *f)
{
	fprintf(f, "usage: enpuctl COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-6s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n`enpuctl COMMAND --help` describes a command; `man enpuctl` all of them.\n");
	return f == stdout ? 0 : EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "enpuctl: unknown command '%s'\n\n", argv[1]);
	return usage(stderr);
}
