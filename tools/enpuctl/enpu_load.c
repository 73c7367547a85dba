// SPDX-License-Identifier: MIT
/*
 * enpu-load: a small NPU workload generator for tests and demos. Submits
 * DMA_COPY jobs of a known size straight through the uapi (no HAL), keeping a
 * window of jobs in flight, and checks every job's status.
 *
 *   enpu-load [-a DEV] [-n JOBS | -t SECS] [-s BYTES] [-w WINDOW]
 *
 * Each job reads and writes BYTES (default 1 MiB): the counters and the trace
 * must show exactly that. Exit 0 when every job finished with status 0.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/enpu_accel.h>
#include <drm/enpu_cmd.h>

static int die(const char *what)
{
	fprintf(stderr, "enpu-load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t bo_create(int fd, uint64_t size, uint64_t *addr, void **map)
{
	struct drm_enpu_bo_create c = { .size = size };
	struct drm_enpu_bo_info info = { 0 };

	if (ioctl(fd, DRM_IOCTL_ENPU_BO_CREATE, &c))
		die("BO_CREATE");
	info.handle = c.handle;
	if (ioctl(fd, DRM_IOCTL_ENPU_BO_INFO, &info))
		die("BO_INFO");
	*addr = info.dev_addr;
	if (map) {
		*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
		if (*map == MAP_FAILED)
			die("mmap");
	}
	return c.handle;
}

static int wait_job(int fd, uint64_t job)
{
	struct drm_enpu_wait w = {
		.type = DRM_ENPU_WAIT_JOB, .job_id = job, .timeout_ns = INT64_MAX,
	};

	if (ioctl(fd, DRM_IOCTL_ENPU_WAIT, &w))
		die("WAIT");
	return w.status;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: enpu-load [-a DEV] [-n JOBS | -t SECS] [-s BYTES] [-w WINDOW]\n"
		   "  -a DEV     accel index (default 0: /dev/accel/accel0)\n"
		   "  -n JOBS    submit JOBS jobs (default 100)\n"
		   "  -t SECS    submit jobs for SECS seconds instead\n"
		   "  -s BYTES   each job copies BYTES (default 1048576)\n"
		   "  -w WINDOW  jobs in flight (default 4)\n");
}

/* A whole non-negative number in optarg (base 0 where hex is allowed). */
static bool number(const char *arg, int base, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, base);
	return isdigit((unsigned char)arg[0]) && !*end && !errno;
}

int main(int argc, char **argv)
{
	unsigned long dev = 0, jobs = 100, window = 4, failed = 0;
	uint64_t bytes = 1 << 20, cmd_addr, buf_addr, last = 0;
	struct drm_enpu_submit_bo sbo;
	struct drm_enpu_submit s = { 0 };
	struct enpu_cmd_dma_copy *d;
	double secs = 0, end;
	char node[64];
	int fd, c;
	unsigned long n;
	unsigned long long v;
	bool ok = true, got_n = false;
	char *tend;

	while ((c = getopt(argc, argv, "a:n:t:s:w:h")) != -1) {
		switch (c) {
		case 'a': ok &= number(optarg, 10, &v) && v <= UINT32_MAX; dev = (unsigned long)v; break;
		case 'n': ok &= number(optarg, 10, &v) && v <= UINT32_MAX; jobs = (unsigned long)v;
			  got_n = true; break;
		case 't': secs = strtod(optarg, &tend);
			  ok &= tend != optarg && !*tend && secs > 0 && secs < 1e9; break;
		case 's': ok &= number(optarg, 0, &v); bytes = v; break;
		case 'w': ok &= number(optarg, 10, &v) && v <= 1024; window = (unsigned long)v; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	/* -n and -t are alternatives */
	if (!ok || (got_n && secs > 0) || optind != argc || !jobs || !window || !bytes ||
	    bytes > (256u << 20)) {
		usage(stderr);
		return 64;
	}
	snprintf(node, sizeof(node), "/dev/accel/accel%lu", dev);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(node);
	s.cmd_handle = bo_create(fd, 4096, &cmd_addr, (void **)&d);
	sbo.handle = bo_create(fd, 2 * bytes, &buf_addr, NULL);
	sbo.flags = DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE;
	d->hdr.opcode = ENPU_CMD_OP_DMA_COPY;
	d->hdr.size = sizeof(*d);
	d->src = buf_addr;
	d->dst = buf_addr + bytes;
	d->size = bytes;
	s.cmd_size = sizeof(*d);
	s.bos = (uintptr_t)&sbo;
	s.bo_count = 1;
	s.core = DRM_ENPU_CORE_ANY;
	s.priority = DRM_ENPU_PRIORITY_NORMAL;
	printf("enpu-load: pid %d, %s, %llu-byte DMA copies\n", (int)getpid(), node,
	       (unsigned long long)bytes);
	fflush(stdout);
	end = now_s() + secs;
	for (n = 0; secs ? now_s() < end : n < jobs; n++) {
		s.job_id = 0;
		if (ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, &s))
			die("SUBMIT");
		last = s.job_id;
		if (last > window)
			failed += wait_job(fd, last - window) != 0;
	}
	for (uint64_t j = last > window ? last - window + 1 : 1; j <= last; j++)
		failed += wait_job(fd, j) != 0;
	printf("enpu-load: %lu jobs done, %lu failed\n", n, failed);
	close(fd);
	return failed ? 1 : 0;
}
