/* SPDX-License-Identifier: MIT */
/* The stats reader on fake /sys, /proc and debugfs trees: source selection,
 * parsing of debugfs cores/contexts, fdinfo, sysfs power and devfreq, errors. */
#include <stdio.h>
#include <stdlib.h>
#include "enpu/stats.h"
#include "test_stats_fixture.h"
#include "tests.h"

#define DBG "/sys/kernel/debug/accel/enpu-sim.0"

static enpu_stats_sample_t *read_root(const stats_fixture *fx, enpu_stats_source_t src,
				      enpu_status_t *st)
{
	enpu_stats_options_t o = { .source = src, .root = fx->root };
	enpu_stats_sample_t *s = NULL;

	*st = enpu_stats_read(0, &o, &s);
	return s;
}

void test_stats_read_debugfs(tctx *t)
{
	stats_fixture fx = { "" };
	enpu_stats_sample_t *s = NULL;
	enpu_status_t st = ENPU_OK;

	CHECK(t, fx_create(&fx), "fixture");
	CHECK(t, fx_write(&fx, DBG "/cores",
			  "core jobs faults resets busy_cycles busy_ns bytes_read bytes_written\n"
			  "0 12 1 0 12480 15600 107520 49152\n"
			  "1 3 0 2 3000 3750 300 200\n"), "cores");
	CHECK(t, fx_write(&fx, DBG "/contexts",
			  "ctx 1 pid 40 jobs 5 busy_ns 1000 cycles 800\n"
			  "  bo 1 size 4096 addr 0x100000000 shmem\n"
			  "ctx 2 pid 41 jobs 2 busy_ns 70 cycles 56\n"
			  "ctx 3 pid 40 jobs 1 busy_ns 30 cycles 24\n"), "contexts");
	CHECK(t, fx_write(&fx, "/proc/40/comm", "resnet\n") && fx_write(&fx, "/proc/41/comm", "yolo\n"),
	      "comm");
	s = read_root(&fx, ENPU_STATS_SOURCE_AUTO, &st);
	CHECK_OK(t, st);
	CHECK(t, s->source == ENPU_STATS_SOURCE_DEBUGFS, "source %s",
	      enpu_stats_source_name(s->source));
	CHECK(t, s->flags == (ENPU_STATS_HAS_CORES | ENPU_STATS_HAS_BYTES), "flags %#x", s->flags);
	CHECK(t, s->core_count == 2, "cores %u", s->core_count);
	CHECK(t, s->cores[0].jobs == 12 && s->cores[0].faults == 1 && s->cores[0].cycles == 12480 &&
		 s->cores[0].busy_ns == 15600 && s->cores[0].bytes_read == 107520 &&
		 s->cores[0].bytes_written == 49152, "core 0");
	CHECK(t, s->cores[1].resets == 2 && s->cores[1].busy_ns == 3750, "core 1");
	CHECK(t, s->total.jobs == 15 && s->total.busy_ns == 19350 && s->total.bytes_read == 107820 &&
		 s->total.bytes_written == 49352 && s->total.faults == 1 && s->total.resets == 2,
	      "total");
	CHECK(t, s->proc_count == 2, "procs %zu", s->proc_count);
	CHECK(t, s->procs[0].pid == 40 && !strcmp(s->procs[0].comm, "resnet") &&
		 s->procs[0].counters.jobs == 6 && s->procs[0].counters.busy_ns == 1030 &&
		 s->procs[0].counters.cycles == 824, "pid 40 summed over its contexts");
	CHECK(t, s->procs[1].pid == 41 && !strcmp(s->procs[1].comm, "yolo"), "pid 41");
	CHECK(t, !strcmp(s->runtime_status, "active") && s->autosuspend_delay_ms == 100 &&
		 s->cores_enabled == 3, "sysfs '%s' %lld %#x", s->runtime_status,
	      (long long)s->autosuspend_delay_ms, s->cores_enabled);
	CHECK(t, s->clock_mhz == 800 && s->clock_min_mhz == 200 && s->clock_max_mhz == 1000,
	      "clock %u [%u, %u]", s->clock_mhz, s->clock_min_mhz, s->clock_max_mhz);
	CHECK(t, s->clock_level_count == 5 && s->clock_levels_mhz[0] == 200 &&
		 s->clock_levels_mhz[2] == 600 && s->clock_levels_mhz[4] == 1000, "levels");
	CHECK(t, s->note[0] == '\0', "note '%s'", s->note);
	CHECK(t, s->timestamp_ns > 0, "timestamp");
out:
	enpu_status_free(st);
	enpu_stats_free(s);
	fx_destroy(&fx);
}

void test_stats_read_fdinfo(tctx *t)
{
	static const char *const info =
		"pos:\t0\nflags:\t02\ndrm-driver:\tenpu\ndrm-client-id:\t%d\n"
		"drm-engine-npu:\t%d ns\ndrm-engine-capacity-npu:\t4\ndrm-cycles-npu:\t%d\n"
		"drm-maxfreq-npu:\t1000 MHz\ndrm-total-memory:\t8 KiB\n";
	stats_fixture fx = { "" };
	enpu_stats_sample_t *s = NULL;
	enpu_status_t st = ENPU_OK;
	char text[512];

	CHECK(t, fx_create(&fx), "fixture");
	/* pid 7: client 3 on two fds; pid 8: client 4, and a file of accel1 */
	snprintf(text, sizeof(text), info, 3, 5000, 4000);
	CHECK(t, fx_link(&fx, "/proc/7/fd/3", "/dev/accel/accel0") &&
		 fx_link(&fx, "/proc/7/fd/9", "/dev/accel/accel0") &&
		 fx_write(&fx, "/proc/7/fdinfo/3", text) && fx_write(&fx, "/proc/7/fdinfo/9", text) &&
		 fx_write(&fx, "/proc/7/comm", "app\n"), "pid 7");
	snprintf(text, sizeof(text), info, 4, 700, 600);
	CHECK(t, fx_link(&fx, "/proc/8/fd/5", "/dev/accel/accel0") &&
		 fx_write(&fx, "/proc/8/fdinfo/5", text), "pid 8");
	snprintf(text, sizeof(text), info, 5, 99999, 99999);
	CHECK(t, fx_link(&fx, "/proc/8/fd/6", "/dev/accel/accel1") &&
		 fx_write(&fx, "/proc/8/fdinfo/6", text), "pid 8, accel1");
	/* another driver's file on accel0 (not possible, but not counted either) */
	CHECK(t, fx_link(&fx, "/proc/9/fd/4", "/dev/accel/accel0") &&
		 fx_write(&fx, "/proc/9/fdinfo/4",
			  "drm-driver:\tother\ndrm-client-id:\t1\ndrm-engine-npu:\t5 ns\n"),
	      "pid 9");
	CHECK(t, fx_link(&fx, "/proc/10/fd/0", "/dev/null"),
	      "pid 10");
	s = read_root(&fx, ENPU_STATS_SOURCE_AUTO, &st);
	CHECK_OK(t, st);
	CHECK(t, s->source == ENPU_STATS_SOURCE_FDINFO, "source %s",
	      enpu_stats_source_name(s->source));
	CHECK(t, s->flags == 0, "flags %#x", s->flags);
	CHECK(t, s->proc_count == 2, "clients %zu", s->proc_count);
	CHECK(t, s->total.busy_ns == 5700 && s->total.cycles == 4600, "total %llu ns %llu cycles",
	      (unsigned long long)s->total.busy_ns, (unsigned long long)s->total.cycles);
	CHECK(t, s->core_count == 4, "capacity %u", s->core_count);
	for (size_t i = 0; i < s->proc_count; i++) {
		const enpu_stats_proc_t *p = &s->procs[i];

		CHECK(t, (p->pid == 7 && p->client_id == 3 && !strcmp(p->comm, "app")) ||
			 (p->pid == 8 && p->client_id == 4 && !strcmp(p->comm, "?")),
		      "client pid %u id %llu comm %s", p->pid, (unsigned long long)p->client_id,
		      p->comm);
	}
	CHECK(t, strstr(s->note, "enpu-bpf load"), "note '%s'", s->note);
out:
	enpu_status_free(st);
	enpu_stats_free(s);
	fx_destroy(&fx);
}

/* A contexts file past the reader's first 64 KiB (a context lists up to 256
 * BOs) is read whole; sysfs enabling more cores than a sample holds gives
 * ENPU_STATS_MAX_CORES. */
void test_stats_read_large(tctx *t)
{
	stats_fixture fx = { "" };
	enpu_stats_sample_t *s = NULL;
	enpu_status_t st = ENPU_OK;
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);

	CHECK(t, text, "out of memory");
	CHECK(t, fx_create(&fx), "fixture");
	CHECK(t, fx_write(&fx, DBG "/cores",
			  "core jobs faults resets busy_cycles busy_ns bytes_read bytes_written\n"
			  "0 1 0 0 1 1 1 1\n"), "cores");
	for (unsigned c = 0; c < 8; c++) {
		len += (size_t)snprintf(text + len, cap - len,
					"ctx %u pid %u jobs %u busy_ns %u cycles 123456789\n", c + 1,
					100 + c, c + 1, 1000 * (c + 1));
		for (unsigned b = 0; b < 256; b++)
			len += (size_t)snprintf(text + len, cap - len,
						"  bo %u size 4096 addr 0x%x shmem\n", b + 1,
						0x100000 + b * 4096);
	}
	CHECK(t, len > (1 << 16), "only %zu bytes", len);
	CHECK(t, fx_write(&fx, DBG "/contexts", text), "contexts");
	CHECK(t, fx_write(&fx, "/sys/devices/platform/enpu-sim.0/cores_enabled", "0xfff\n"),
	      "cores_enabled");
	s = read_root(&fx, ENPU_STATS_SOURCE_DEBUGFS, &st);
	CHECK_OK(t, st);
	CHECK(t, s->proc_count == 8, "%zu of 8 processes", s->proc_count);
	for (size_t i = 0; i < s->proc_count; i++)
		CHECK(t, s->procs[i].pid == 100 + i && s->procs[i].counters.jobs == i + 1 &&
				 s->procs[i].counters.busy_ns == 1000 * (i + 1) &&
				 s->procs[i].counters.cycles == 123456789,
		      "process %zu: pid %u jobs %llu cycles %llu", i, s->procs[i].pid,
		      (unsigned long long)s->procs[i].counters.jobs,
		      (unsigned long long)s->procs[i].counters.cycles);
	CHECK(t, s->core_count == ENPU_STATS_MAX_CORES, "%u cores (a sample holds %d)",
	      s->core_count, ENPU_STATS_MAX_CORES);
out:
	free(text);
	enpu_status_free(st);
	enpu_stats_free(s);
	fx_destroy(&fx);
}

/* The capacity is the device's core count (sysfs num_cores) whatever the
 * source, not the highest enabled core; a driver without num_cores: that. */
void test_stats_read_capacity(tctx *t)
{
	stats_fixture fx = { "" };
	enpu_stats_sample_t *s = NULL;
	enpu_status_t st = ENPU_OK;

	CHECK(t, fx_create(&fx), "fixture");
	/* one client whose fdinfo has no capacity key; core 1 disabled */
	CHECK(t, fx_link(&fx, "/proc/7/fd/3", "/dev/accel/accel0") &&
		 fx_write(&fx, "/proc/7/fdinfo/3", "drm-driver:\tenpu\ndrm-client-id:\t3\n"
			  "drm-engine-npu:\t100 ns\n") &&
		 fx_write(&fx, "/sys/devices/platform/enpu-sim.0/cores_enabled", "0x1\n"),
	      "client");
	s = read_root(&fx, ENPU_STATS_SOURCE_FDINFO, &st);
	CHECK_OK(t, st);
	CHECK(t, s->core_count == 1, "without num_cores: %u", s->core_count);
	enpu_stats_free(s);
	s = NULL;
	CHECK(t, fx_write(&fx, "/sys/devices/platform/enpu-sim.0/num_cores", "2\n"), "num_cores");
	s = read_root(&fx, ENPU_STATS_SOURCE_FDINFO, &st);
	CHECK_OK(t, st);
	CHECK(t, s->core_count == 2, "num_cores 2: %u", s->core_count);
out:
	enpu_status_free(st);
	enpu_stats_free(s);
	fx_destroy(&fx);
}

void test_stats_read_errors(tctx *t)
{
	stats_fixture fx = { "" };
	enpu_stats_options_t o = { .source = ENPU_STATS_SOURCE_AUTO };
	enpu_stats_sample_t *s = NULL;

	CHECK(t, fx_create(&fx), "fixture");
	o.root = fx.root;
	CHECK_ERR(t, enpu_stats_read(0, &o, NULL), ENPU_STATUS_INVALID_ARGUMENT, "NULL");
	CHECK_ERR(t, enpu_stats_read(3, &o, &s), ENPU_STATUS_OUT_OF_RANGE, "is enpu.ko loaded?");
	CHECK(t, s == NULL, "no sample on error");
	o.source = ENPU_STATS_SOURCE_BPF;
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_FAILED_PRECONDITION,
		  "load them with `build/bpf/enpu-bpf load`");
	o.source = ENPU_STATS_SOURCE_DEBUGFS;
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_FAILED_PRECONDITION,
		  "/sys/kernel/debug/accel/enpu-sim.0/cores");
	CHECK(t, fx_write(&fx, DBG "/cores", "core jobs faults\n0 1 2\n"), "bad cores");
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_DEVICE_ERROR, "expected format");
	/* a short line (its missing fields are not taken from the next line), a
	 * blank line, a core twice, a word glued to the last number, a number
	 * past 64 bits, a negative one */
	static const char *const bad[] = {
		"0 10 0 0 100 1000 5 6\n1 20 0 0 200\n2 30 0 0 300 3000 7 8\n",
		"0 10 0 0 100 1000 5 6\n\n1 20 0 0 200 2000 7 8\n",
		"0 10 0 0 100 1000 5 6\n0 20 0 0 200 2000 7 8\n",
		"0 10 0 0 100 1000 5 6x\n",
		"0 18446744073709551616 0 0 100 1000 5 6\n",
		"0 10 0 0 100 -1000 5 6\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "%s%s",
			 "core jobs faults resets busy_cycles busy_ns bytes_read bytes_written\n",
			 bad[i]);
		CHECK(t, fx_write(&fx, DBG "/cores", text), "bad cores %zu", i);
		CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_DEVICE_ERROR,
			  "expected format");
	}
	/* a column a later driver appends, header and lines: read, ignored */
	CHECK(t, fx_write(&fx, DBG "/cores", "core jobs faults resets busy_cycles busy_ns "
			  "bytes_read bytes_written stalls\n0 1 0 0 1 1 1 1 9\n1 4 0 0 1 1 1 1\t9\n"),
	      "cores with a column appended");
	CHECK(t, fx_write(&fx, DBG "/contexts", ""), "no contexts");
	CHECK_OK(t, enpu_stats_read(0, &o, &s));
	CHECK(t, s->core_count == 2 && s->cores[1].jobs == 4 && s->total.jobs == 5,
	      "appended column: %u cores, %llu jobs", s->core_count,
	      (unsigned long long)s->total.jobs);
	enpu_stats_free(s);
	s = NULL;
	/* a header with a column renamed */
	CHECK(t, fx_write(&fx, DBG "/cores", "core jobs faults resets busy_cycles busy_ns "
			  "bytes_read bytes_writtenX\n0 1 0 0 1 1 1 1\n"), "renamed column");
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_DEVICE_ERROR, "expected format");
	/* a context line out of range or with a word missing */
	CHECK(t, fx_write(&fx, DBG "/cores", "core jobs faults resets busy_cycles busy_ns "
			  "bytes_read bytes_written\n0 1 0 0 1 1 1 1\n"), "cores");
	static const char *const bad_ctx[] = {
		"ctx 1 pid 4294967296 jobs 1 busy_ns 2 cycles 3\n",
		"ctx 1 pid 7 jobs 1 busy_ns 2\n",
		"ctx 1 pid 7 jobs 1 busy_ns 2 cycles 3x\n",
		"ctx 1 pid 7 jobs 1 busy_ns 99999999999999999999 cycles 3\n",
	};
	for (size_t i = 0; i < sizeof(bad_ctx) / sizeof(bad_ctx[0]); i++) {
		CHECK(t, fx_write(&fx, DBG "/contexts", bad_ctx[i]), "bad contexts %zu", i);
		CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_DEVICE_ERROR,
			  "contexts is not in the expected format");
	}
	/* a field a later driver appends is ignored */
	CHECK(t, fx_write(&fx, DBG "/contexts", "ctx 1 pid 7 jobs 1 busy_ns 2 cycles 3 faults 0\n"
			  "  bo 1 size 4096\n"), "contexts");
	CHECK_OK(t, enpu_stats_read(0, &o, &s));
	CHECK(t, s->proc_count == 1 && s->procs[0].pid == 7 && s->procs[0].counters.cycles == 3,
	      "%zu procs", s->proc_count);
	enpu_stats_free(s);
	s = NULL;
	CHECK(t, fx_write(&fx, DBG "/cores", "core jobs faults\n0 1 2\n"), "bad cores");
	o.source = ENPU_STATS_SOURCE_AUTO;
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_DEVICE_ERROR, "expected format");
	o.source = (enpu_stats_source_t)9;
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_INVALID_ARGUMENT, "unknown source");
	/* no fake /proc either: nothing readable, and the message says what to do */
	o.source = ENPU_STATS_SOURCE_FDINFO;
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_FAILED_PRECONDITION,
		  "or run as root for debugfs");
	CHECK(t, fx_link(&fx, "/sys/class/accel/accel2/device", "../../../devices/pci0/0000:03:00.0") &&
		 fx_link(&fx, "/sys/devices/pci0/0000:03:00.0/driver", "../../../bus/pci/drivers/ivpu"),
	      "accel2");
	CHECK_ERR(t, enpu_stats_read(2, &o, &s), ENPU_STATUS_UNSUPPORTED, "driven by");
out:
	enpu_stats_free(s);
	fx_destroy(&fx);
}
