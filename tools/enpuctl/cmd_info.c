// SPDX-License-Identifier: MIT
/* enpuctl info DEV: an NPU's parameters (DRM_IOCTL_ENPU_GET_PARAM), peak
 * throughput at each clock level (cores x MACs/cycle x 2 x clock), power
 * state and memory; or a HAL device's description (cpu0, ref0, ...). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm/enpu_accel.h>

#include "enpuctl.h"

static const char *const cap_names[] = {
	"userptr", "dmabuf-import", "dmabuf-export", "syncobj", "priority", "simulated",
};

static const char *const op_names[] = {
	"NOP", "DMA_COPY", "GEMM_I8", "CONV2D_I8", "POOL_I8", "ELTWISE_I8", "REQUANT",
	"GEMM_F16", "CONV2D_F16", "FENCE",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void print_bits(const char *label, uint64_t bits, const char *const *names, size_t n)
{
	printf("%-18s", label);
	for (size_t i = 0; i < 64; i++)
		if (bits & (1ull << i)) {
			if (i < n)
				printf(" %s", names[i]);
			else
				printf(" bit%zu", i);
		}
	printf("\n");
}

static int hal_info(const char *name)
{
	enpu_context_t *ctx = NULL;
	enpu_device_info_t info;
	enpu_status_t st = enpu_context_create(&ctx);
	size_t idx;
	char mem[32];

	if (st)
		return fail_status("info", st);
	idx = hal_find(ctx, name);
	if (idx == SIZE_MAX) {
		enpu_context_release(ctx);
		return usage_error("info", "no device '%s' (an accel node like accel0, or a HAL "
				   "device from `enpuctl list`)", name);
	}
	st = enpu_context_device_info(ctx, idx, &info);
	enpu_context_release(ctx);
	if (st)
		return fail_status("info", st);
	if (info.memory_bytes)
		human((double)info.memory_bytes, "B", mem, sizeof(mem));
	else
		strcpy(mem, "-");
	printf("%-18s %s\n%-18s %s\n%-18s %s\n%-18s %u\n%-18s %s\n", "device:", info.name,
	       "type:", hal_type_name(info.type), "description:", info.description, "cores:",
	       info.core_count, "memory:", mem);
	printf("%-18s %.1f GOPS int8, %.1f GFLOPS fp16%s\n", "peak:", info.peak_int8_ops / 1e9,
	       info.peak_fp16_ops / 1e9,
	       info.peak_int8_ops == 0 ? " (unknown: 0)" : "");
	return 0;
}

struct npu_params {
	uint64_t api, caps, cores, ops, levels, clock, macs_i8, macs_f16, dma, va_start, va_size,
		max_bo, max_cmd, timeout_ms;
};

static int read_params(int fd, struct npu_params *p)
{
	const struct {
		uint32_t param;
		uint64_t *v;
	} want[] = {
		{ DRM_ENPU_PARAM_API_VERSION, &p->api },
		{ DRM_ENPU_PARAM_CAPABILITIES, &p->caps },
		{ DRM_ENPU_PARAM_NUM_CORES, &p->cores },
		{ DRM_ENPU_PARAM_OPCODES, &p->ops },
		{ DRM_ENPU_PARAM_NUM_CLOCK_LEVELS, &p->levels },
		{ DRM_ENPU_PARAM_CLOCK_MHZ, &p->clock },
		{ DRM_ENPU_PARAM_MACS_PER_CYCLE_I8, &p->macs_i8 },
		{ DRM_ENPU_PARAM_MACS_PER_CYCLE_F16, &p->macs_f16 },
		{ DRM_ENPU_PARAM_DMA_BYTES_PER_CYCLE, &p->dma },
		{ DRM_ENPU_PARAM_VA_START, &p->va_start },
		{ DRM_ENPU_PARAM_VA_SIZE, &p->va_size },
		{ DRM_ENPU_PARAM_MAX_BO_SIZE, &p->max_bo },
		{ DRM_ENPU_PARAM_MAX_CMD_SIZE, &p->max_cmd },
		{ DRM_ENPU_PARAM_JOB_TIMEOUT_MS, &p->timeout_ms },
	};

	for (size_t i = 0; i < COUNT(want); i++) {
		int err = accel_param(fd, want[i].param, 0, want[i].v);

		if (err)
			return fail("info", "GET_PARAM %u: %s (is this an enpu device? `enpuctl "
				    "list` shows each node's driver)", want[i].param,
				    strerror(-err));
	}
	return 0;
}

static void print_levels(int fd, const struct npu_params *p)
{
	printf("clock levels (%llu), peak = cores x MACs/cycle x 2 x clock:\n",
	       (unsigned long long)p->levels);
	printf("  %-5s %6s %12s %12s %10s\n", "LEVEL", "MHZ", "INT8 GOPS", "FP16 GFLOPS",
	       "DMA GB/S");
	for (uint32_t i = 0; i < p->levels; i++) {
		uint64_t mhz;

		if (accel_param(fd, DRM_ENPU_PARAM_CLOCK_LEVEL_MHZ, i, &mhz))
			continue;
		printf("  %-5u %6llu %12.1f %12.1f %10.1f%s\n", i, (unsigned long long)mhz,
		       (double)(p->cores * p->macs_i8 * 2 * mhz) / 1e3,
		       (double)(p->cores * p->macs_f16 * 2 * mhz) / 1e3,
		       (double)(p->cores * p->dma * mhz) / 1e3, mhz == p->clock ? "  (current)" : "");
	}
}

static void print_power(uint32_t index)
{
	enpu_stats_options_t o = { .source = ENPU_STATS_SOURCE_FDINFO };
	enpu_stats_sample_t *s = NULL;
	enpu_status_t st = enpu_stats_read(index, &o, &s);

	if (st) {
		printf("%-18s unknown (%s)\n", "power:", enpu_status_message(st));
		enpu_status_free(st);
		return;
	}
	printf("%-18s %s, autosuspend after %lld ms\n", "power:",
	       s->runtime_status[0] ? s->runtime_status : "unknown",
	       (long long)s->autosuspend_delay_ms);
	printf("%-18s %u MHz (devfreq limits %u..%u MHz)\n", "clock:", s->clock_mhz,
	       s->clock_min_mhz, s->clock_max_mhz);
	printf("%-18s %#x\n", "cores enabled:", s->cores_enabled);
	enpu_stats_free(s);
}

static int npu_info(uint32_t index)
{
	char name[64] = "", desc[128] = "", date[32] = "";
	struct drm_version v = {
		.name = name, .name_len = sizeof(name) - 1, .desc = desc,
		.desc_len = sizeof(desc) - 1, .date = date, .date_len = sizeof(date) - 1,
	};
	struct npu_params p;
	int fd = accel_open("info", index);

	if (fd < 0)
		return 1;
	if (ioctl(fd, DRM_IOCTL_VERSION, &v) || read_params(fd, &p)) {
		if (!name[0])
			fail("info", "DRM_IOCTL_VERSION: %s", strerror(errno));
		close(fd);
		return 1;
	}
	printf("%-18s /dev/accel/accel%u\n", "device:", index);
	printf("%-18s %s %d.%d.%d (%s), uapi %llu.%llu\n", "driver:", name, v.version_major,
	       v.version_minor, v.version_patchlevel, desc, (unsigned long long)(p.api >> 16),
	       (unsigned long long)(p.api & 0xffff));
	print_bits("capabilities:", p.caps, cap_names, COUNT(cap_names));
	print_bits("opcodes:", p.ops, op_names, COUNT(op_names));
	printf("%-18s %llu\n", "cores:", (unsigned long long)p.cores);
	printf("%-18s %llu int8, %llu fp16 MACs/cycle/core; DMA %llu B/cycle/core\n", "compute:",
	       (unsigned long long)p.macs_i8, (unsigned long long)p.macs_f16,
	       (unsigned long long)p.dma);
	printf("%-18s shared system memory; per-context VA %#llx + %llu GiB, BOs up to %llu MiB, "
	       "command streams up to %llu KiB\n", "memory:", (unsigned long long)p.va_start,
	       (unsigned long long)(p.va_size >> 30), (unsigned long long)(p.max_bo >> 20),
	       (unsigned long long)(p.max_cmd >> 10));
	printf("%-18s %llu ms\n", "job timeout:", (unsigned long long)p.timeout_ms);
	print_power(index);
	print_levels(fd, &p);
	close(fd);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	uint32_t index;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: enpuctl info DEV\n\n"
		       "DEV is an accel node (accel0, 0, /dev/accel/accel0) or a HAL device (cpu0,\n"
		       "ref0, cpu, ref, npu). For an NPU: driver, capabilities, opcodes, cores,\n"
		       "memory, power state, and the peak int8/fp16 ops/s and DMA bandwidth at each\n"
		       "clock level (cores x MACs/cycle x 2 x clock).\n");
		return 0;
	}
	if (argc != 2)
		return usage_error("info", "expected one DEV");
	if (parse_accel(argv[1], &index))
		return npu_info(index);
	return hal_info(argv[1]);
}
