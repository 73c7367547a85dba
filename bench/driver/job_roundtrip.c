// SPDX-License-Identifier: GPL-2.0-only
/*
 * enpu job benchmark (not a test): run inside the VM with the module loaded,
 *   tools/vm/run -- bench/driver/build/job_roundtrip [iterations] [seconds]
 * 1. Round trip of an empty job: SUBMIT (one NOP, out-syncobj) until the
 *    syncobj has signalled (DRM_IOCTL_SYNCOBJ_WAIT), one job at a time.
 *    Peer in the same run: a null ioctl (GET_PARAM) round trip, the floor of
 *    any ioctl-based path on this machine; the ratio is printed.
 * 2. Throughput: jobs/s with 1 and 4 submitting processes, each keeping up to
 *    32 jobs in flight (waiting on job i-32 before submitting job i).
 * With a third argument "throughput", only the 1-process throughput runs (for
 * bench/driver/bpf_overhead).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/enpu_accel.h>
#include <drm/enpu_cmd.h>

#define NODE "/dev/accel/accel0"
#define WINDOW 32

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "job_roundtrip: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A BO holding one NOP descriptor; returns its handle. */
static uint32_t nop_stream(int fd)
{
	struct drm_enpu_bo_create c = { .size = 4096 };
	struct drm_enpu_bo_info info = { 0 };
	struct enpu_cmd_hdr *h;

	if (ioctl(fd, DRM_IOCTL_ENPU_BO_CREATE, &c))
		die("BO_CREATE");
	info.handle = c.handle;
	if (ioctl(fd, DRM_IOCTL_ENPU_BO_INFO, &info))
		die("BO_INFO");
	h = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	if (h == MAP_FAILED)
		die("mmap");
	h->opcode = ENPU_CMD_OP_NOP;
	h->size = sizeof(*h);
	munmap(h, 4096);
	return c.handle;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, int64_t *ns, int n, double *median_us)
{
	qsort(ns, n, sizeof(*ns), cmp_i64);
	*median_us = ns[n / 2] / 1e3;
	printf("%-34s median %8.1f us  p90 %8.1f us  p99 %8.1f us  (n=%d)\n", what,
	       ns[n / 2] / 1e3, ns[n * 9 / 10] / 1e3, ns[n * 99 / 100] / 1e3, n);
}

static void roundtrip(int iters)
{
	int fd = open(NODE, O_RDWR | O_CLOEXEC);
	struct drm_syncobj_create sc = { 0 };
	struct drm_enpu_sync out;
	struct drm_enpu_submit s = { 0 };
	int64_t *ns = calloc(iters, sizeof(*ns));
	double job_us, null_us;

	if (fd < 0 || !ns)
		die(NODE);
	if (ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc))
		die("SYNCOBJ_CREATE");
	out = (struct drm_enpu_sync){ .handle = sc.handle };
	s.cmd_handle = nop_stream(fd);
	s.cmd_size = 8;
	s.core = DRM_ENPU_CORE_ANY;
	s.priority = DRM_ENPU_PRIORITY_NORMAL;
	s.out_syncs = (uintptr_t)&out;
	s.out_sync_count = 1;

	for (int i = -iters / 10; i < iters; i++) {	/* the first 10% warm up */
		struct drm_syncobj_wait w = {
			.handles = (uintptr_t)&sc.handle, .count_handles = 1,
			.timeout_nsec = INT64_MAX,
		};
		int64_t t0 = now_ns();

		s.job_id = 0;
		if (ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, &s))
			die("SUBMIT");
		if (ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w))
			die("SYNCOBJ_WAIT");
		if (i >= 0)
			ns[i] = now_ns() - t0;
	}
	report("empty job (submit -> out-fence)", ns, iters, &job_us);

	for (int i = 0; i < iters; i++) {
		struct drm_enpu_get_param p = { .param = DRM_ENPU_PARAM_NUM_CORES };
		int64_t t0 = now_ns();

		if (ioctl(fd, DRM_IOCTL_ENPU_GET_PARAM, &p))
			die("GET_PARAM");
		ns[i] = now_ns() - t0;
	}
	report("peer: null ioctl (GET_PARAM)", ns, iters, &null_us);
	printf("ratio empty job / null ioctl: %.1fx\n", job_us / null_us);
	free(ns);
	close(fd);
}

/* One submitting process: jobs completed in @secs. */
static long submitter(double secs)
{
	int fd = open(NODE, O_RDWR | O_CLOEXEC);
	struct drm_enpu_submit s = { 0 };
	int64_t end;
	long n = 0;

	if (fd < 0)
		die(NODE);
	s.cmd_handle = nop_stream(fd);
	s.cmd_size = 8;
	s.core = DRM_ENPU_CORE_ANY;
	s.priority = DRM_ENPU_PRIORITY_NORMAL;
	end = now_ns() + (int64_t)(secs * 1e9);
	while (now_ns() < end) {
		s.job_id = 0;
		if (ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, &s))
			die("SUBMIT");
		n++;
		if (s.job_id > WINDOW) {
			struct drm_enpu_wait w = {
				.type = DRM_ENPU_WAIT_JOB, .job_id = s.job_id - WINDOW,
				.timeout_ns = INT64_MAX,
			};

			if (ioctl(fd, DRM_IOCTL_ENPU_WAIT, &w) || w.status)
				die("WAIT");
		}
	}
	{	/* drain: count only completed jobs */
		struct drm_enpu_wait w = {
			.type = DRM_ENPU_WAIT_JOB, .job_id = s.job_id, .timeout_ns = INT64_MAX,
		};

		if (ioctl(fd, DRM_IOCTL_ENPU_WAIT, &w))
			die("WAIT");
	}
	close(fd);
	return n;
}

static void throughput(int procs, double secs)
{
	int pipefd[2];
	long total = 0;
	int64_t t0 = now_ns();

	if (pipe(pipefd))
		die("pipe");
	for (int i = 0; i < procs; i++) {
		if (!fork()) {
			long n = submitter(secs);

			if (write(pipefd[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
	}
	for (int i = 0; i < procs; i++) {
		long n;

		if (read(pipefd[0], &n, sizeof(n)) != sizeof(n))
			die("read");
		total += n;
	}
	while (wait(NULL) > 0)
		;
	printf("throughput, %d submitting process%s:    %8.0f jobs/s (%ld jobs in %.2f s)\n",
	       procs, procs > 1 ? "es" : "  ", total / ((now_ns() - t0) / 1e9), total,
	       (now_ns() - t0) / 1e9);
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 2000;
	double secs = argc > 2 ? atof(argv[2]) : 3.0;

	if (argc > 3 && !strcmp(argv[3], "throughput")) {
		throughput(1, secs);
		return 0;
	}
	printf("command: %s %d %.1f\n", argv[0], iters, secs);
	roundtrip(iters);
	throughput(1, secs);
	throughput(4, secs);
	return 0;
}
