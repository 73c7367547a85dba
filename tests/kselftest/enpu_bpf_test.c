// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF counters (tools/bpf): loading, reloading and unloading; per-core
 * counters equal to the driver's own (debugfs) for a known workload; per-process
 * counters (a reused pid starts afresh, a full map makes room) and histograms; bpftool prints the maps with named fields; a user in
 * the granted group can read the pinned maps, another user cannot.
 */
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "enpu_stats.h"
#include "enpu_sysfs.h"

#define PIN(m) ENPU_BPF_PIN_DIR "/" m

static char loader[PATH_MAX];

/* build/kselftest/<test> -> build/bpf/enpu-bpf */
static const char *enpu_bpf(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return "enpu-bpf";
	exe[n] = '\0';
	snprintf(loader, sizeof(loader), "%s/../bpf/enpu-bpf", dirname(exe));
	return loader;
}

static int run_loader(const char *args)
{
	char cmd[PATH_MAX + 64];
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", enpu_bpf(), args);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

FIXTURE(bpf) {
	int fd;
	struct enpu_bo cmd, buf;
};

FIXTURE_SETUP(bpf)
{
	self->fd = enpu_test_open(_metadata);
	if (access(enpu_bpf(), X_OK))
		SKIP(_exit(KSFT_SKIP), "%s not built (make)", enpu_bpf());
	ASSERT_EQ(0, run_loader("unload"));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 4096, &self->cmd));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 1 << 20, &self->buf));
}

FIXTURE_TEARDOWN(bpf)
{
	run_loader("unload");
	close(self->fd);
}

static int map_id(const char *pin)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(pin), ret;

	if (fd < 0)
		return -1;
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	return ret ? -1 : (int)info.id;
}

TEST_F(bpf, load_reload_unload)
{
	int id;

	EXPECT_EQ(3, run_loader("status"));
	ASSERT_EQ(0, run_loader("load"));
	EXPECT_EQ(0, run_loader("status"));
	id = map_id(PIN("core_stats"));
	ASSERT_LT(0, id);
	ASSERT_EQ(0, run_loader("load"));		/* again: no-op, same maps */
	EXPECT_EQ(id, map_id(PIN("core_stats")));
	ASSERT_EQ(0, run_loader("unload"));
	EXPECT_NE(0, access(ENPU_BPF_PIN_DIR, F_OK));
	EXPECT_EQ(3, run_loader("status"));
	ASSERT_EQ(0, run_loader("unload"));		/* again: fine */
	EXPECT_EQ(64, run_loader("bogus"));
}

/* Debugfs "cores" totals over all cores: jobs, busy_ns, bytes read, written. */
static int driver_totals(uint64_t t[4])
{
	char path[PATH_MAX], buf[4096], *line = buf;
	const char *dir = enpu_debugfs_dir();

	snprintf(path, sizeof(path), "%s/cores", dir ? dir : "");
	if (enpu_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	memset(t, 0, 4 * sizeof(*t));
	while ((line = strchr(line, '\n')) && *++line) {
		unsigned long long c, j, f, r, cy, b, br, bw;

		if (sscanf(line, "%llu %llu %llu %llu %llu %llu %llu %llu", &c, &j, &f, &r, &cy, &b,
			   &br, &bw) != 8)
			return -1;
		t[0] += j;
		t[1] += b;
		t[2] += br;
		t[3] += bw;
	}
	return 0;
}

/* The same totals from the pinned core_stats map. */
static int bpf_totals(uint64_t t[4])
{
	struct enpu_core_key key, next, *prev = NULL;
	struct enpu_core_stat v;
	int fd = bpf_obj_get(PIN("core_stats"));

	if (fd < 0)
		return -1;
	memset(t, 0, 4 * sizeof(*t));
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &v)) {
			t[0] += v.jobs;
			t[1] += v.busy_ns;
			t[2] += v.bytes_read;
			t[3] += v.bytes_written;
		}
		key = next;
		prev = &key;
	}
	close(fd);
	return 0;
}

/* The slots of a histogram map summed over its cores; the total count. */
static uint64_t hist_read(const char *pin, uint64_t slots[ENPU_HIST_SLOTS])
{
	struct enpu_core_key key, next, *prev = NULL;
	struct enpu_hist h;
	uint64_t n = 0;
	int fd = bpf_obj_get(pin);

	memset(slots, 0, ENPU_HIST_SLOTS * sizeof(slots[0]));
	while (fd >= 0 && !bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &h))
			for (int i = 0; i < ENPU_HIST_SLOTS; i++) {
				slots[i] += h.slots[i];
				n += h.slots[i];
			}
		key = next;
		prev = &key;
	}
	if (fd >= 0)
		close(fd);
	return n;
}

static uint64_t hist_total(const char *pin)
{
	uint64_t slots[ENPU_HIST_SLOTS];

	return hist_read(pin, slots);
}

/* One GEMM_I8 of @m x @n x @k in the buffer (data zero, multipliers 2^30). */
static int64_t gemm_job(FIXTURE_DATA(bpf) *self, uint32_t m, uint32_t n, uint32_t k)
{
	struct enpu_cs cs = { .bo = &self->cmd };
	struct drm_enpu_submit_bo sbo = {
		self->buf.handle, DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE,
	};

	enpu_cs_add_gemm_i8(&cs, &self->buf, m, n, k, false);
	return enpu_submit_cs(self->fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY);
}

TEST_F(bpf, counters_match_the_driver)
{
	enum { N = 12 };
	uint64_t d0[4], d1[4], b0[4], b1[4], wait0, run0, r0[ENPU_HIST_SLOTS], r1[ENPU_HIST_SLOTS];
	uint64_t busy_per_job;
	int min_slot = 0;
	int32_t status = 1;
	int64_t id = 0;

	ASSERT_EQ(0, run_loader("load"));
	ASSERT_EQ(0, driver_totals(d0));
	ASSERT_EQ(0, bpf_totals(b0));
	wait0 = hist_total(PIN("queue_wait_hist"));
	run0 = hist_read(PIN("run_time_hist"), r0);
	for (int i = 0; i < N; i++) {
		id = gemm_job(self, 64, 64, 64);
		ASSERT_LT(0, id);
	}
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 20000, &status));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, driver_totals(d1));
	ASSERT_EQ(0, bpf_totals(b1));
	EXPECT_EQ(N, d1[0] - d0[0]);
	EXPECT_EQ(d1[0] - d0[0], b1[0] - b0[0]);		/* jobs */
	TH_LOG("busy ns: driver +%llu, bpf +%llu", (unsigned long long)(d1[1] - d0[1]),
	       (unsigned long long)(b1[1] - b0[1]));
	EXPECT_LE((b1[1] - b0[1]) * 100, (d1[1] - d0[1]) * 101);	/* within 1% */
	EXPECT_GE((b1[1] - b0[1]) * 100, (d1[1] - d0[1]) * 99);
	EXPECT_EQ(d1[2] - d0[2], b1[2] - b0[2]);		/* bytes: exact */
	EXPECT_EQ(d1[3] - d0[3], b1[3] - b0[3]);
	/* 64^3 GEMM: 64*64*2 + 8*64 bytes in, 64*64 out, per job */
	EXPECT_EQ((uint64_t)N * (64 * 64 * 2 + 8 * 64), b1[2] - b0[2]);
	EXPECT_EQ((uint64_t)N * 64 * 64, b1[3] - b0[3]);
	EXPECT_EQ(N, hist_total(PIN("queue_wait_hist")) - wait0);
	EXPECT_EQ(N, hist_read(PIN("run_time_hist"), r1) - run0);
	/* Each job ran at least its busy time: its slot is log2(busy) or above. */
	busy_per_job = (d1[1] - d0[1]) / N;
	while (min_slot < ENPU_HIST_SLOTS - 1 && (2ull << min_slot) <= busy_per_job)
		min_slot++;
	for (int i = 0; i < min_slot; i++)
		EXPECT_EQ(r0[i], r1[i]);
}

TEST_F(bpf, per_process_counters)
{
	struct enpu_proc_key key = { .dev = 0, .pid = (uint32_t)getpid() };
	struct enpu_proc_stat v;
	int32_t status = 1;
	int64_t id = 0;
	char comm[16] = "";
	int fd;

	ASSERT_EQ(0, run_loader("load"));
	for (int i = 0; i < 3; i++)
		id = gemm_job(self, 16, 32, 8);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
	fd = bpf_obj_get(PIN("proc_stats"));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &key, &v));
	EXPECT_EQ(3, v.jobs);
	EXPECT_EQ(3 * (16 * 8 + 32 * 8 + 8 * 32), v.bytes_read);
	EXPECT_EQ(3 * 16 * 32, v.bytes_written);
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	EXPECT_EQ(0, strncmp(comm, v.comm, sizeof(v.comm)));
	close(fd);
}

/* @jobs GEMMs of 16 x 32 x 8 (in order), waiting for the last: all succeeded? */
static bool run_jobs(FIXTURE_DATA(bpf) *self, int jobs)
{
	int32_t status = 1;
	int64_t id = 0;

	for (int i = 0; i < jobs; i++)
		id = gemm_job(self, 16, 32, 8);
	return id > 0 && !enpu_wait_job(self->fd, (uint64_t)id, 10000, &status) && !status;
}

/* A child named @name that runs @jobs GEMMs and exits: its pid, or -1. */
static pid_t child_jobs(FIXTURE_DATA(bpf) *self, const char *name, int jobs)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_NAME, name);
		_exit(run_jobs(self, jobs) ? 0 : 1);
	}
	return pid;
}

static int child_ok(pid_t pid)
{
	int st;

	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st);
}

/* A later process with an earlier one's pid starts a fresh entry. */
TEST_F(bpf, reused_pid_starts_a_fresh_entry)
{
	struct enpu_proc_key key = { .dev = 0 };
	struct enpu_proc_stat v;
	__u64 first_start;
	char last[32];
	pid_t a, b;
	int fd;

	ASSERT_EQ(0, run_loader("load"));
	fd = bpf_obj_get(PIN("proc_stats"));
	ASSERT_LE(0, fd);
	a = child_jobs(self, "enpu-first", 2);
	ASSERT_TRUE(child_ok(a));
	key.pid = (uint32_t)a;
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &key, &v));
	EXPECT_EQ(2, v.jobs);
	EXPECT_STREQ("enpu-first", v.comm);
	EXPECT_NE(0, v.start_ns);
	first_start = v.start_ns;
	/* the next fork gets pid a again */
	snprintf(last, sizeof(last), "%d", (int)a - 1);
	if (enpu_write_file("/proc/sys/kernel/ns_last_pid", last)) {
		close(fd);
		SKIP(return, "cannot set ns_last_pid");
	}
	b = child_jobs(self, "enpu-second", 3);
	ASSERT_TRUE(child_ok(b));
	if (b != a) {
		close(fd);
		SKIP(return, "pid %d not reused (got %d)", (int)a, (int)b);
	}
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &key, &v));
	EXPECT_EQ(3, v.jobs);
	EXPECT_EQ(3 * (16 * 8 + 32 * 8 + 8 * 32), v.bytes_read);
	EXPECT_STREQ("enpu-second", v.comm);
	EXPECT_LT(first_start, v.start_ns);
	close(fd);
}

/* The main thread's state letter in /proc (Z once it has exited alone). */
static char main_thread_state(void)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)getpid());
	if (enpu_read_file(path, buf, sizeof(buf)) < 0)
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static void *late_jobs(void *arg)
{
	FIXTURE_DATA(bpf) *self = arg;	/* a copy: the main thread's stack goes */

	for (int i = 0; i < 200 && main_thread_state() != 'Z'; i++)
		usleep(10000);
	if (main_thread_state() != 'Z')
		_exit(2);
	_exit(run_jobs(self, 3) ? 0 : 1);
}

/* A process whose main thread exits while another thread still submits is
 * one process throughout: its counts add up. */
TEST_F(bpf, main_thread_exit_keeps_the_entry)
{
	struct enpu_proc_key key = { .dev = 0 };
	struct enpu_proc_stat v;
	pid_t pid;
	int fd;

	ASSERT_EQ(0, run_loader("load"));
	pid = fork();
	if (pid == 0) {
		static FIXTURE_DATA(bpf) copy;
		pthread_t th;

		copy = *self;
		if (!run_jobs(&copy, 2) || pthread_create(&th, NULL, late_jobs, &copy))
			_exit(1);
		pthread_exit(NULL);
	}
	ASSERT_TRUE(child_ok(pid));
	fd = bpf_obj_get(PIN("proc_stats"));
	ASSERT_LE(0, fd);
	key.pid = (uint32_t)pid;
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &key, &v));
	EXPECT_EQ(5, v.jobs);
	close(fd);
}

/*
 * An entry that goes (as the LRU may evict it) while the process keeps
 * submitting is made again by enpu_job_done and named and stamped at the
 * process's next job, though its CPU still caches the process as named.
 */
TEST_F(bpf, evicted_entry_is_named_again)
{
	struct enpu_proc_key key = { .dev = 0, .pid = (uint32_t)getpid() };
	struct enpu_proc_stat v;
	char comm[16] = "";
	int32_t status = 1;
	cpu_set_t one;
	int64_t id;
	int fd;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));	/* one per-CPU cache */
	ASSERT_EQ(0, run_loader("load"));
	fd = bpf_obj_get(PIN("proc_stats"));
	ASSERT_LE(0, fd);
	for (int round = 0; round < 3; round++) {
		id = gemm_job(self, 8, 8, 8);
		ASSERT_LT(0, id);
		ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
		if (round == 0)	/* as an eviction would */
			ASSERT_EQ(0, bpf_map_delete_elem(fd, &key));
	}
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &key, &v));
	EXPECT_EQ(2, v.jobs);
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	EXPECT_EQ(0, strncmp(comm, v.comm, sizeof(v.comm)));
	EXPECT_NE(0, v.start_ns);
	close(fd);
}

/* A full proc_stats makes room for a new process (before: its jobs were not
 * counted once 4096 processes had been). */
TEST_F(bpf, full_proc_stats_makes_room)
{
	struct enpu_proc_key key = { .dev = 200 };
	struct enpu_proc_stat v = { .jobs = 1 };
	int32_t status = 1;
	int64_t id;
	int fd;

	ASSERT_EQ(0, run_loader("load"));
	fd = bpf_obj_get(PIN("proc_stats"));
	ASSERT_LE(0, fd);
	for (key.pid = 1; key.pid <= ENPU_PROC_ENTRIES; key.pid++)
		ASSERT_EQ(0, bpf_map_update_elem(fd, &key, &v, BPF_ANY));
	id = gemm_job(self, 8, 8, 8);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
	key.dev = 0;
	key.pid = (uint32_t)getpid();
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &key, &v));
	EXPECT_EQ(1, v.jobs);
	EXPECT_NE(0, v.start_ns);
	close(fd);
}

static int cmd_output_has(const char *cmd, const char *const *words, int n)
{
	static char out[65536];
	size_t len = 0;
	FILE *p = popen(cmd, "r");

	if (!p)
		return -1;
	len = fread(out, 1, sizeof(out) - 1, p);
	out[len] = '\0';
	if (pclose(p))
		return -1;
	for (int i = 0; i < n; i++)
		if (!strstr(out, words[i]))
			return i + 1;
	return 0;
}

TEST_F(bpf, bpftool_prints_named_fields)
{
	static const char *const core[] = {
		"\"dev\": 0", "\"core\":", "\"jobs\":", "\"busy_ns\":", "\"bytes_read\":",
		"\"bytes_written\":", "\"faults\":", "\"resets\":",
	};
	static const char *const proc[] = { "\"pid\":", "\"comm\":", "\"busy_ns\":" };
	static const char *const pwr[] = { "\"on\":", "\"clock_mhz\":", "\"on_ns\":", "\"off_ns\":" };
	static const char *const hist[] = { "\"slots\": [" };
	int32_t status;
	int64_t id;

	ASSERT_EQ(0, run_loader("load"));
	id = gemm_job(self, 8, 8, 8);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
	EXPECT_EQ(0, cmd_output_has("bpftool map dump pinned " PIN("core_stats"), core, 8));
	EXPECT_EQ(0, cmd_output_has("bpftool map dump pinned " PIN("proc_stats"), proc, 3));
	EXPECT_EQ(0, cmd_output_has("bpftool map dump pinned " PIN("power"), pwr, 4));
	EXPECT_EQ(0, cmd_output_has("bpftool map dump pinned " PIN("run_time_hist"), hist, 1));
}

TEST_F(bpf, power_residency_and_wakeups)
{
	struct enpu_power_stat a, b;
	__u32 dev = 0;
	int32_t status;
	int64_t id;
	int fd;

	ASSERT_EQ(0, run_loader("load"));
	fd = bpf_obj_get(PIN("power"));
	ASSERT_LE(0, fd);
	usleep(300000);				/* idle: the NPU suspends */
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &dev, &a));
	id = gemm_job(self, 8, 8, 8);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
	usleep(300000);
	ASSERT_EQ(0, bpf_map_lookup_elem(fd, &dev, &b));
	EXPECT_EQ(0, b.on);
	EXPECT_EQ(a.power_ups + 1, b.power_ups);
	EXPECT_GT(b.on_ns, a.on_ns);
	EXPECT_GT(b.off_ns + b.on_ns, a.off_ns + a.on_ns);
	close(fd);
}

/* Opens a pinned map read-only, all a reader needs (read access to the pin). */
static int obj_get_rdonly(const char *path)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uintptr_t)path;
	attr.file_flags = BPF_F_RDONLY;
	return syscall(__NR_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
}

/* A user of the granted group reads the maps; anyone else is refused. */
TEST_F(bpf, group_can_read_pins)
{
	struct group *g = getgrnam("nogroup");
	int status;

	if (!g)
		SKIP(return, "no group nogroup on this system");
	ASSERT_EQ(0, run_loader("load --group nogroup"));
	for (int granted = 1; granted >= 0; granted--) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			gid_t gid = granted ? g->gr_gid : 65533;
			struct enpu_core_key k = { 0, 0 };
			struct enpu_core_stat v;
			int fd;

			if (setgroups(1, &gid) || setgid(gid) || setuid(65534))
				_exit(10);
			fd = obj_get_rdonly(PIN("core_stats"));
			if (fd < 0)
				_exit(errno == EACCES ? 20 : 21);
			if (bpf_map_lookup_elem(fd, &k, &v) && errno != ENOENT)
				_exit(22);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(granted ? 0 : 20, WEXITSTATUS(status));
	}
}

TEST_HARNESS_MAIN
