// SPDX-License-Identifier: GPL-2.0-only
/*
 * Telemetry: the tracepoints report exactly the cycles and bytes of jobs of
 * known size (DMA_COPY, GEMM_I8), DRM fdinfo's engine time and cycles grow by
 * exactly the jobs' busy time and cycles (an aborted job: the time it ran; the
 * time also while a job runs, never stepping back), and
 * the debugfs per-core counters grow by what the tracepoints reported.
 */
#include "enpu_sysfs.h"

FIXTURE(tele) {
	int fd;
	struct enpu_bo cmd, buf;
};

FIXTURE_SETUP(tele)
{
	self->fd = enpu_test_open(_metadata);
	ASSERT_EQ(0, enpu_bo_new(self->fd, 4096, &self->cmd));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 1 << 20, &self->buf));
	/* a known clock: busy_ns = cycles at 1000 MHz */
	ASSERT_EQ(0, enpu_pin_clock(1000));
	ASSERT_EQ(0, enpu_write_file(ENPU_TRACEFS "/events/enpu/enable", "1"));
	ASSERT_EQ(0, enpu_write_file(ENPU_TRACEFS "/trace", ""));
}

FIXTURE_TEARDOWN(tele)
{
	enpu_inject("none");
	enpu_write_file(ENPU_TRACEFS "/events/enpu/enable", "0");
	enpu_unpin_clock();
	close(self->fd);
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* The cost model of docs/hw-model.md. */
static uint64_t model_cycles(uint64_t ops, uint64_t per_cycle, uint64_t bytes)
{
	uint64_t c = div_up(ops, per_cycle), m = div_up(bytes, 32);

	return (c > m ? c : m) + 16;
}

/* Appends one DMA_COPY of @size bytes from the start of the buffer to @dst_off. */
static void add_copy(FIXTURE_DATA(tele) *self, struct enpu_cs *cs, uint64_t dst_off,
		     uint64_t size)
{
	struct enpu_cmd_dma_copy *d = ENPU_CS_ADD(cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);

	d->src = self->buf.addr;
	d->dst = self->buf.addr + dst_off;
	d->size = size;
}

struct done {
	uint64_t cycles, busy_ns, rd, wr, wait_ns, run_ns;
	int status;
};

/* Looks for enpu_job_done of our pid and @job in the trace buffer, once. */
static int find_done_once(uint64_t job, struct done *d)
{
	static char buf[1 << 20];
	char key[64];
	char *p;

	if (enpu_read_file(ENPU_TRACEFS "/trace", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "pid=%d job=%llu ", getpid(), (unsigned long long)job);
	for (p = strstr(buf, "enpu_job_done:"); p; p = strstr(p + 1, "enpu_job_done:")) {
		char *line_end = strchr(p, '\n'), *k = strstr(p, key);

		if (!k || (line_end && k > line_end))
			continue;
		if (sscanf(strstr(p, "cycles="),
			   "cycles=%llu busy_ns=%llu bytes_read=%llu bytes_written=%llu status=%d "
			   "wait_ns=%llu run_ns=%llu",
			   (unsigned long long *)&d->cycles, (unsigned long long *)&d->busy_ns,
			   (unsigned long long *)&d->rd, (unsigned long long *)&d->wr,
			   &d->status, (unsigned long long *)&d->wait_ns,
			   (unsigned long long *)&d->run_ns) == 7)
			return 0;
	}
	return -1;
}

/*
 * Finds enpu_job_done of @job. The event is recorded before the job's fence
 * signals, but the non-consuming "trace" iterator may show an event written on
 * another CPU a little later: look again for up to 2 s.
 */
static int find_done(uint64_t job, struct done *d)
{
	for (int i = 0; i < 200; i++) {
		if (!find_done_once(job, d))
			return 0;
		usleep(10000);
	}
	return -1;
}

static int64_t run(struct __test_metadata *_metadata, FIXTURE_DATA(tele) *self,
		   struct enpu_cs *cs)
{
	struct drm_enpu_submit_bo sbo = {
		self->buf.handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE,
	};
	int32_t status = 1;
	int64_t id = enpu_submit_cs(self->fd, cs, &sbo, 1, DRM_ENPU_CORE_ANY);

	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
	ASSERT_EQ(0, status);
	return id;
}

TEST_F(tele, dma_copy_fields_exact)
{
	static const uint64_t sizes[] = { 1, 33, 4096, 100000 };

	for (unsigned int i = 0; i < 4; i++) {
		struct enpu_cs cs = { .bo = &self->cmd };
		struct done got;
		int64_t id;

		add_copy(self, &cs, 200000, sizes[i]);
		id = run(_metadata, self, &cs);
		ASSERT_EQ(0, find_done((uint64_t)id, &got));
		EXPECT_EQ(model_cycles(0, 1, 2 * sizes[i]), got.cycles);
		EXPECT_EQ(got.cycles, got.busy_ns);	/* 1000 MHz */
		EXPECT_EQ(sizes[i], got.rd);
		EXPECT_EQ(sizes[i], got.wr);
		EXPECT_EQ(0, got.status);
		/* the sim completes a job at the end of its modelled time */
		EXPECT_LE(got.busy_ns, got.run_ns);
	}
}

/*
 * wait_ns and run_ns are the job's timeline: B, queued right behind A on the
 * same core, starts only when A is done, so B waited at least A's wait and run
 * time less the gap between the two submissions (bounded from user space).
 */
TEST_F(tele, done_reports_wait_and_run_time)
{
	struct drm_enpu_submit_bo sbo = {
		self->buf.handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE,
	};
	struct enpu_cs cs = { .bo = &self->cmd };
	struct done a, b;
	int32_t status = 1;
	int64_t ida, idb;
	uint64_t t0, t1;

	add_copy(self, &cs, 1 << 19, 1 << 19);	/* 32768 cycles: 33 us at 1000 MHz */
	t0 = (uint64_t)enpu_now_ns();
	ida = enpu_submit_cs(self->fd, &cs, &sbo, 1, 0);
	idb = enpu_submit_cs(self->fd, &cs, &sbo, 1, 0);
	t1 = (uint64_t)enpu_now_ns();
	ASSERT_LT(0, ida);
	ASSERT_LT(0, idb);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)idb, 10000, &status));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, find_done((uint64_t)ida, &a));
	ASSERT_EQ(0, find_done((uint64_t)idb, &b));
	TH_LOG("A: wait %llu ns, run %llu ns; B: wait %llu ns, run %llu ns; submits %llu ns",
	       (unsigned long long)a.wait_ns, (unsigned long long)a.run_ns,
	       (unsigned long long)b.wait_ns, (unsigned long long)b.run_ns,
	       (unsigned long long)(t1 - t0));
	EXPECT_LE(a.busy_ns, a.run_ns);
	EXPECT_LE(b.busy_ns, b.run_ns);
	EXPECT_GE(b.wait_ns + (t1 - t0), a.wait_ns + a.run_ns);
}

TEST_F(tele, gemm_fields_exact)
{
	struct enpu_cs cs = { .bo = &self->cmd };
	const uint64_t m = 64, n = 48, k = 40;
	uint64_t rd = m * k + n * k + 4 * n + 8 * n, wr = m * n;
	struct done got;
	int64_t id;

	enpu_cs_add_gemm_i8(&cs, &self->buf, m, n, k, true);
	ENPU_CS_ADD(&cs, ENPU_CMD_OP_FENCE, struct enpu_cmd_hdr);
	id = run(_metadata, self, &cs);
	ASSERT_EQ(0, find_done((uint64_t)id, &got));
	/* the GEMM, then a FENCE of 16 cycles and no traffic */
	EXPECT_EQ(model_cycles(m * n * k, 256, rd + wr) + 16, got.cycles);
	EXPECT_EQ(rd, got.rd);
	EXPECT_EQ(wr, got.wr);
	TH_LOG("GEMM %llux%llux%llu: %llu cycles, %llu B read, %llu B written",
	       (unsigned long long)m, (unsigned long long)n, (unsigned long long)k,
	       (unsigned long long)got.cycles, (unsigned long long)got.rd,
	       (unsigned long long)got.wr);
}

/* The value of "key:\t<number>" in fdinfo text @buf, or -1. */
static long long fdinfo_key(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* The values of the device time and cycles keys in one read of our fdinfo for fd. */
static void fdinfo_time_cycles(int fd, long long *ns, long long *cycles)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (enpu_read_file(path, buf, sizeof(buf)) < 0)
		buf[0] = 0;
	*ns = fdinfo_key(buf, "drm-engine-npu:\t");
	*cycles = fdinfo_key(buf, "drm-cycles-npu:\t");
}

TEST_F(tele, fdinfo_keys)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	ASSERT_LT(0, enpu_read_file(path, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "drm-driver:\tenpu\n"));
	EXPECT_NE(NULL, strstr(buf, "drm-client-id:\t"));
	EXPECT_NE(NULL, strstr(buf, "drm-engine-npu:\t"));
	EXPECT_NE(NULL, strstr(buf, "drm-engine-capacity-npu:\t2\n"));
	EXPECT_NE(NULL, strstr(buf, "drm-cycles-npu:\t"));
	EXPECT_NE(NULL, strstr(buf, "drm-maxfreq-npu:\t1000 MHz\n"));
	EXPECT_NE(NULL, strstr(buf, "drm-total-memory:\t"));
}

TEST_F(tele, fdinfo_grows_by_job_busy_time)
{
	long long ns0, cy0, dns, dcy;
	uint64_t busy = 0, cycles = 0;

	fdinfo_time_cycles(self->fd, &ns0, &cy0);
	ASSERT_LE(0, ns0);
	for (int i = 0; i < 5; i++) {
		struct enpu_cs cs = { .bo = &self->cmd };
		struct done got;
		int64_t id;

		add_copy(self, &cs, 500000, 50000 * (i + 1));
		id = run(_metadata, self, &cs);
		ASSERT_EQ(0, find_done((uint64_t)id, &got));
		busy += got.busy_ns;
		cycles += got.cycles;
	}
	fdinfo_time_cycles(self->fd, &dns, &dcy);
	dns -= ns0;
	TH_LOG("fdinfo engine time +%lld ns, jobs' busy time %llu ns", dns,
	       (unsigned long long)busy);
	EXPECT_LE(dns * 100, (long long)busy * 105);	/* within 5% (it is exact) */
	EXPECT_GE(dns * 100, (long long)busy * 95);
	EXPECT_EQ((long long)cycles, dcy - cy0);
}

/*
 * A job of ~1 s counts in fdinfo while it runs (tools sample it: a long job
 * read as idle until it ended, then as a burst), and the value never steps
 * back: at the end it is the job's busy time.
 */
TEST_F(tele, fdinfo_counts_a_running_job)
{
	struct enpu_cs cs = { .bo = &self->cmd };
	long long ns0, ns1, ns2, ns3, cy0, cy1, cy2, cy3;
	const int64_t desc_ns = 16392000;	/* one descriptor's modelled time */
	int64_t id, t1a, t1b, t2a, t2b;
	struct done got;
	int32_t status = 1;

	fdinfo_time_cycles(self->fd, &ns0, &cy0);
	ASSERT_LE(0, ns0);
	ASSERT_LE(0, cy0);
	/* 64 copies of 512 KiB (read and written): 64 x 32784 cycles, 33 us at 1 GHz, x500 */
	ASSERT_EQ(0, enpu_inject("slow 500"));
	for (int i = 0; i < 64; i++)
		add_copy(self, &cs, 512 << 10, 512 << 10);
	struct drm_enpu_submit_bo sbo = { self->buf.handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE };

	id = enpu_submit_cs(self->fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY);
	ASSERT_LT(0, id);
	usleep(150 * 1000);
	t1a = enpu_now_ns();
	fdinfo_time_cycles(self->fd, &ns1, &cy1);
	t1b = enpu_now_ns();
	usleep(300 * 1000);
	t2a = enpu_now_ns();
	fdinfo_time_cycles(self->fd, &ns2, &cy2);
	t2b = enpu_now_ns();
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 20000, &status));
	ASSERT_EQ(0, status);
	fdinfo_time_cycles(self->fd, &ns3, &cy3);
	enpu_inject("none");
	ASSERT_EQ(0, find_done((uint64_t)id, &got));
	TH_LOG("running: +%lld ns in %lld..%lld ns, +%lld cycles; at the end +%lld ns, +%lld cycles, the job's %llu ns, %llu cycles",
	       ns2 - ns1, (long long)(t2a - t1b), (long long)(t2b - t1a), cy2 - cy1, ns3 - ns0,
	       cy3 - cy0, (unsigned long long)got.busy_ns, (unsigned long long)got.cycles);
	EXPECT_LT(ns0, ns1);			/* it counted from the start */
	/* the clock's pace, give or take the host's copy of a descriptor: the
	 * value waits at the descriptor's modelled end meanwhile, and catches up
	 * after (a sample taken while it waits is behind by up to that copy) */
	EXPECT_LE(ns2 - ns1, t2b - t1a + 2 * desc_ns);
	EXPECT_GE(ns2 - ns1, t2a - t1b - 2 * desc_ns);
	EXPECT_LE(ns2, ns3);			/* never back */
	EXPECT_EQ((long long)got.busy_ns, ns3 - ns0);
	/* the cycles of that time (same read): 1000 MHz, 500 times slower */
	EXPECT_LT(cy0, cy1);
	EXPECT_GE(cy2 - cy1, (ns2 - ns1) / 500 - 1);
	EXPECT_LE(cy2 - cy1, (ns2 - ns1) / 500 + 1);
	EXPECT_LE(cy2, cy3);
	EXPECT_EQ((long long)got.cycles, cy3 - cy0);
}

/*
 * A job whose modelled time (~17 s at 1000 MHz) is far past the timeout is
 * aborted: fdinfo charges it the time it held the core, not 17 s.
 */
TEST_F(tele, aborted_job_charged_its_time)
{
	struct enpu_cs cs = { .bo = &self->cmd };
	struct drm_enpu_submit_bo sbo;
	long long ns0, cy0, dns, dcy;
	struct enpu_cmd_pool *p;
	struct enpu_bo big;
	int32_t status = 1;
	int64_t id;

	fdinfo_time_cycles(self->fd, &ns0, &cy0);
	ASSERT_LE(0, ns0);
	ASSERT_EQ(0, enpu_bo_new(self->fd, 32 << 20, &big));
	/* 256x256x64 in, 256x256 windows, padding 255: 511x511x64 out */
	p = ENPU_CS_ADD(&cs, ENPU_CMD_OP_POOL_I8, struct enpu_cmd_pool);
	p->in = big.addr;
	p->out = big.addr + (4 << 20);
	p->n = 1, p->h = 256, p->w = 256, p->c = 64, p->kh = 256, p->kw = 256;
	p->stride_h = 1, p->stride_w = 1;
	p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = 255;
	p->out_h = 511, p->out_w = 511;
	p->act_min = -128, p->act_max = 127;
	sbo = (struct drm_enpu_submit_bo){ big.handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE };
	id = enpu_submit_cs(self->fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 60000, &status));
	EXPECT_EQ(-ETIMEDOUT, status);
	fdinfo_time_cycles(self->fd, &dns, &dcy);
	dns -= ns0;
	dcy -= cy0;
	TH_LOG("aborted job: fdinfo engine time +%lld ns, +%lld cycles", dns, dcy);
	EXPECT_LT(0, dns);
	EXPECT_GT(10000000000LL, dns);
	/* that time's cycles, at one of the clock levels (200..1000 MHz) */
	EXPECT_LE(dcy, dns);
	EXPECT_GE(dcy, dns / 5);
	enpu_bo_free(self->fd, &big);
}

/* One job of a DMA_COPY of @size bytes inside @bo (2 x @size): its status, and its done event in *got. */
static int32_t copy_job(struct __test_metadata *_metadata, FIXTURE_DATA(tele) *self,
			const struct enpu_bo *bo, uint32_t size, struct done *got)
{
	struct enpu_cs cs = { .bo = &self->cmd };
	struct drm_enpu_submit_bo sbo = { bo->handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE };
	struct enpu_cmd_dma_copy *d = ENPU_CS_ADD(&cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
	int32_t status = 1;
	int64_t id;

	d->src = bo->addr;
	d->dst = bo->addr + size;
	d->size = size;
	id = enpu_submit_cs(self->fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 20000, &status));
	ASSERT_EQ(0, find_done((uint64_t)id, got));
	return status;
}

/*
 * A reset takes the core back in the middle of a DMA_COPY: the sim copies in
 * 1 MiB pieces and checks for an abort between them (it copied all of it
 * first, and the reset waited for that). The copy's own time on this host is
 * measured first (16 MiB, ~0.5 s under single-threaded TCG; where that is
 * under 0.1 s, a size of about 0.4 s, up to 128 MiB); the injected slowdown
 * then ends the modelled wait 20 ms before the job timeout, so that the
 * timeout fires during the copy. The copy's time varies that much between
 * jobs under TCG (502 or 528 ms to calibrate, then 51-73 ms in the slowed
 * job) that a margin of a quarter of the measured copy let the job end
 * before the timeout.
 */
TEST_F_TIMEOUT(tele, reset_interrupts_a_long_copy, 120)
{
	uint64_t timeout_ns = enpu_param(self->fd, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 0) * 1000000ULL;
	uint32_t size = 16 << 20;
	int64_t copy_ns, slow;
	struct enpu_bo big;
	struct done got;
	char arg[32];

	ASSERT_LT(0, timeout_ns);
	ASSERT_EQ(0, enpu_pin_clock(200));	/* the slowest level: slowdowns below 1000 do */
	ASSERT_EQ(0, enpu_bo_new(self->fd, 2 * size, &big));
	ASSERT_EQ(0, copy_job(_metadata, self, &big, size, &got));
	copy_ns = (int64_t)(got.run_ns - got.busy_ns);
	if (copy_ns < 100000000) {
		/* a larger copy, of about 0.4 s (at most 128 MiB) */
		uint64_t want = (uint64_t)size * 400000000 / (copy_ns > 1000000 ? copy_ns : 1000000);

		size = want > (128u << 20) ? 128u << 20 : (uint32_t)want & ~0xfffffu;
		enpu_bo_free(self->fd, &big);
		ASSERT_EQ(0, enpu_bo_new(self->fd, 2 * size, &big));
		ASSERT_EQ(0, copy_job(_metadata, self, &big, size, &got));
		copy_ns = (int64_t)(got.run_ns - got.busy_ns);
	}
	TH_LOG("a %u MiB copy takes %lld ms here, modelled %llu us", size >> 20,
	       (long long)(copy_ns / 1000000), (unsigned long long)(got.busy_ns / 1000));
	if (copy_ns < 100000000)
		SKIP(goto out, "a %u MiB copy takes %lld ms here: too short to interrupt",
		     size >> 20, (long long)(copy_ns / 1000000));
	slow = ((int64_t)timeout_ns - 20000000) / (int64_t)got.busy_ns;
	ASSERT_LE(1, slow);
	ASSERT_GE(1000, slow);
	snprintf(arg, sizeof(arg), "slow %lld", (long long)slow);
	ASSERT_EQ(0, enpu_inject(arg));
	EXPECT_EQ(-ETIMEDOUT, copy_job(_metadata, self, &big, size, &got));
	enpu_inject("none");
	TH_LOG("at slow %lld the job ran %llu ms against a %llu ms timeout", (long long)slow,
	       (unsigned long long)(got.run_ns / 1000000),
	       (unsigned long long)(timeout_ns / 1000000));
	EXPECT_LT(got.run_ns, timeout_ns + copy_ns / 3);	/* not 3/4 of the copy later */
out:
	enpu_bo_free(self->fd, &big);
}

/* Sum over cores of debugfs "cores" columns busy_ns, bytes_read, bytes_written. */
static int core_totals(uint64_t *busy, uint64_t *rd, uint64_t *wr)
{
	char path[PATH_MAX], buf[4096], *line;
	const char *dir = enpu_debugfs_dir();

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/cores", dir);
	if (enpu_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	*busy = *rd = *wr = 0;
	line = strchr(buf, '\n');	/* skip the header */
	while (line && *++line) {
		unsigned long long c, j, f, r, cyc, b, br, bw;

		if (sscanf(line, "%llu %llu %llu %llu %llu %llu %llu %llu", &c, &j, &f, &r, &cyc,
			   &b, &br, &bw) != 8)
			return -1;
		*busy += b;
		*rd += br;
		*wr += bw;
		line = strchr(line, '\n');
	}
	return 0;
}

TEST_F(tele, debugfs_counters_match_tracepoints)
{
	uint64_t b0, r0, w0, b1, r1, w1, tb = 0, tr = 0, tw = 0;

	ASSERT_EQ(0, core_totals(&b0, &r0, &w0));
	for (int i = 0; i < 6; i++) {
		struct enpu_cs cs = { .bo = &self->cmd };
		struct done got;
		int64_t id;

		add_copy(self, &cs, 300000, 7777 * (i + 1));
		id = run(_metadata, self, &cs);
		ASSERT_EQ(0, find_done((uint64_t)id, &got));
		tb += got.busy_ns;
		tr += got.rd;
		tw += got.wr;
	}
	ASSERT_EQ(0, core_totals(&b1, &r1, &w1));
	EXPECT_EQ(tb, b1 - b0);
	EXPECT_EQ(tr, r1 - r0);
	EXPECT_EQ(tw, w1 - w0);
}

TEST_F(tele, fault_and_reset_are_traced)
{
	static char buf[1 << 20];
	struct enpu_cs cs = { .bo = &self->cmd };
	struct enpu_cmd_dma_copy *d = ENPU_CS_ADD(&cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
	struct drm_enpu_submit_bo sbo = { self->buf.handle, DRM_ENPU_BO_READ };
	int32_t status = 1;
	int64_t id;

	d->src = 0;			/* faults */
	d->dst = self->buf.addr;
	d->size = 8;
	id = enpu_submit_cs(self->fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 5000, &status));
	EXPECT_EQ(-EFAULT, status);
	if (enpu_inject("hang"))
		SKIP(return, "no debugfs fault injection");
	d->src = self->buf.addr;
	id = enpu_submit_cs(self->fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
	EXPECT_EQ(-ETIMEDOUT, status);
	ASSERT_LT(0, enpu_read_file(ENPU_TRACEFS "/trace", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "enpu_fault:"));
	EXPECT_NE(NULL, strstr(buf, "status=-14"));
	EXPECT_NE(NULL, strstr(buf, "enpu_reset:"));
	EXPECT_NE(NULL, strstr(buf, "status=-110"));
}

/* Whether @trace has an enpu_reset line of @job. */
static bool reset_traced(const char *trace, uint64_t job)
{
	char key[64];

	snprintf(key, sizeof(key), " job=%llu\n", (unsigned long long)job);
	for (const char *r = strstr(trace, "enpu_reset:"); r; r = strstr(r + 1, "enpu_reset:")) {
		const char *k = strstr(r, key);

		if (k && k < strchr(r, '\n'))
			return true;
	}
	return false;
}

/*
 * A job that has ended but whose completion interrupt comes after the timeout:
 * the reset waits for that interrupt, and the job keeps its status and results
 * (a reset that returned first would let the scheduler cancel a job the hardware
 * still reports, and the report would then touch a freed job).
 */
TEST_F(tele, reset_waits_for_a_late_completion)
{
	static char buf[1 << 20];
	struct enpu_cs cs = { .bo = &self->cmd };
	uint8_t *p = self->buf.map;
	struct done got;
	int64_t id, start;

	for (int i = 0; i < 4096; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	memset(p + 65536, 0, 4096);
	if (enpu_inject("late 3000"))
		SKIP(return, "no debugfs fault injection");
	add_copy(self, &cs, 65536, 4096);
	start = enpu_now_ns();
	id = run(_metadata, self, &cs);
	EXPECT_GE(enpu_now_ns() - start, 2900000000LL);	/* past the 2 s timeout */
	EXPECT_EQ(0, memcmp(p, p + 65536, 4096));
	ASSERT_EQ(0, find_done((uint64_t)id, &got));
	EXPECT_EQ(0, got.status);
	ASSERT_LT(0, enpu_read_file(ENPU_TRACEFS "/trace", buf, sizeof(buf)));
	EXPECT_TRUE(reset_traced(buf, (uint64_t)id));	/* the timeout did fire */
	cs.used = 0;
	add_copy(self, &cs, 131072, 4096);
	run(_metadata, self, &cs);	/* the core works on */
	EXPECT_EQ(0, memcmp(p, p + 131072, 4096));
}

TEST_HARNESS_MAIN
