// SPDX-License-Identifier: GPL-2.0-only
/*
 * System sleep: suspend to idle with /sys/power/pm_test at "devices" (every
 * device suspends and resumes; the machine itself does not sleep). The jobs on
 * the cores end before the NPU powers down, queued jobs start only after the
 * resume, a hung job is reset first, and a job that will not end fails the
 * suspend with EBUSY and leaves the NPU working.
 *
 * The VM's virtio-9p shares do not survive a device suspend (virtio-9p has no
 * restore), so this program runs from tmpfs, linked statically, and reports
 * through a serial port (ENPU_SLEEP_REPORT: /dev/ttyS1 in tests/sleep/run.sh,
 * /dev/hvc0 in tools/vm/run-arm64 --sleep):
 * its KTAP output, the line "enpu-vm: exit N", then the kernel log; then it
 * powers the guest off. tools/vm/run reads the three from there.
 */
#include <termios.h>

#include "enpu_sysfs.h"

#define INSTANCE ENPU_TRACEFS "/instances/enpu-sleep"
#define MAX_EVENTS 4096

FIXTURE(sleep) {
	int fd;
	struct enpu_bo cmd, buf;
};

static const char *const events[] = {
	"enpu/enpu_power", "enpu/enpu_job_started", "enpu/enpu_job_done", "enpu/enpu_reset",
	"power/suspend_resume",
};

FIXTURE_SETUP(sleep)
{
	char path[PATH_MAX];

	self->fd = enpu_test_open(_metadata);
	ASSERT_EQ(0, enpu_bo_new(self->fd, 4096, &self->cmd));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 2 << 20, &self->buf));
	ASSERT_EQ(0, enpu_pin_clock(1000));
	/* every device suspends, then all resume after a second */
	ASSERT_EQ(0, enpu_write_file("/sys/power/pm_test", "devices"));
	ASSERT_EQ(0, enpu_write_file("/sys/module/suspend/parameters/pm_test_delay", "1"));
	rmdir(INSTANCE);
	ASSERT_EQ(0, mkdir(INSTANCE, 0755));
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), INSTANCE "/events/%s/enable", events[i]);
		ASSERT_EQ(0, enpu_write_file(path, "1"));
	}
}

FIXTURE_TEARDOWN(sleep)
{
	enpu_write_file("/sys/power/pm_test", "none");
	rmdir(INSTANCE);
	enpu_inject("none");
	enpu_unpin_clock();
	close(self->fd);
}

/* One job of @n copies of @bytes on core 0 (so that jobs queue behind each other); its id. */
static int64_t submit_copies(FIXTURE_DATA(sleep) *self, int n, uint32_t bytes)
{
	return enpu_submit_copies(self->fd, &self->cmd, &self->buf, n, bytes, 0, 0);
}

/* Suspends to idle and back; 0 or -errno of the write; its duration in *ms. */
static int suspend_once(int *ms)
{
	int64_t t0 = enpu_now_ns();
	int ret = enpu_write_file("/sys/power/state", "freeze");

	*ms = (int)((enpu_now_ns() - t0) / 1000000);
	return ret;
}

struct event {
	int64_t t;	/* us */
	char name[32];
	char args[192];
};

/* The instance's events, in order; how many (at most @max), or -errno. */
static int read_events(struct event *ev, int max)
{
	static char buf[1 << 20];
	int n = 0, len = enpu_read_file(INSTANCE "/trace", buf, sizeof(buf));

	if (len < 0)
		return len;
	for (char *line = strtok(buf, "\n"); line && n < max; line = strtok(NULL, "\n")) {
		/* "  task-pid  [cpu] flags  12.345678: name: args" */
		char *p = line[0] == '#' ? NULL : strstr(line, "] ");
		long long sec, us;

		if (p && sscanf(p + 2, "%*s %lld.%6lld: %31[^:]: %191[^\n]", &sec, &us, ev[n].name,
				ev[n].args) == 4) {
			ev[n].t = sec * 1000000 + us;
			n++;
		}
	}
	return n;
}

/* Whether @args holds @words as whole words ("job=1" is not in "job=12"). */
static bool has_words(const char *args, const char *words)
{
	size_t len = strlen(words);

	for (const char *p = args; (p = strstr(p, words)); p++)
		if ((p == args || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

/* Time (us) of the first event @name whose arguments hold @args (NULL: any); -1 if none. */
static int64_t when(const struct event *ev, int n, const char *name, const char *args)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ev[i].name, name) && (!args || has_words(ev[i].args, args)))
			return ev[i].t;
	return -1;
}

static int64_t job_event(const struct event *ev, int n, const char *name, int64_t id)
{
	char args[48];

	snprintf(args, sizeof(args), "job=%lld", (long long)id);
	return when(ev, n, name, args);
}

/* The NPU's power-off during the sleep: after the devices began to suspend, before they resumed. */
static int64_t power_off_in_sleep(const struct event *ev, int n, int64_t suspend, int64_t resume)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ev[i].name, "enpu_power") && strstr(ev[i].args, "on=0") &&
		    ev[i].t > suspend && ev[i].t < resume)
			return ev[i].t;
	return -1;
}

/*
 * A job of ~1 s runs on core 0 and another waits behind it when the suspend
 * begins: the first ends, then the NPU powers down; the second starts after
 * the resume. Both succeed.
 */
TEST_F_TIMEOUT(sleep, running_job_ends_before_power_off, 60)
{
	static struct event ev[MAX_EVENTS];
	int32_t sa = 1, sb = 1;
	int64_t a, b;
	int ms, n;

	/* 64 copies of 256 KiB: 64 x 16 Ki cycles, 1 ms at 1 GHz, x1000 */
	ASSERT_EQ(0, enpu_inject("slow 1000"));
	a = submit_copies(self, 64, 256 << 10);
	ASSERT_LT(0, a);
	b = submit_copies(self, 1, 4096);
	ASSERT_LT(0, b);
	usleep(100 * 1000);
	ASSERT_EQ(0, suspend_once(&ms));
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)a, 10000, &sa));
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)b, 10000, &sb));
	EXPECT_EQ(0, sa);
	EXPECT_EQ(0, sb);
	n = read_events(ev, MAX_EVENTS);
	ASSERT_LT(0, n);

	int64_t sus = when(ev, n, "suspend_resume", "dpm_suspend[2] begin");
	int64_t res = when(ev, n, "suspend_resume", "dpm_resume[16] begin");
	int64_t thaw = when(ev, n, "suspend_resume", "thaw_processes[0] begin");
	int64_t a_done = job_event(ev, n, "enpu_job_done", a);
	int64_t b_start = job_event(ev, n, "enpu_job_started", b);
	int64_t off = power_off_in_sleep(ev, n, sus, res);

	TH_LOG("suspend took %d ms; in us: devices suspend at %lld, job %lld done at %lld, NPU off at %lld, devices resume at %lld, thaw at %lld, job %lld starts at %lld",
	       ms, (long long)sus, (long long)a, (long long)a_done, (long long)off,
	       (long long)res, (long long)thaw, (long long)b, (long long)b_start);
	ASSERT_LT(0, sus);
	ASSERT_LT(sus, res);
	EXPECT_LT(sus, a_done);		/* the job was running when the devices suspended */
	EXPECT_LT(a_done, off);		/* and ended before the NPU powered down */
	/* its timer, cancelled only after the thaw, did not reset the core */
	EXPECT_EQ(-1, job_event(ev, n, "enpu_reset", a));
	EXPECT_LT(0, off);
	EXPECT_LT(thaw, b_start);	/* the queued job waited for the thaw */
	EXPECT_LT(0, thaw);
}

/* A hung job: the timeout resets its core during the suspend, which then goes on. */
TEST_F_TIMEOUT(sleep, hung_job_is_reset_first, 60)
{
	static struct event ev[MAX_EVENTS];
	int32_t status = 0;
	int64_t id;
	int ms, n;

	ASSERT_EQ(0, enpu_inject("hang"));
	id = submit_copies(self, 1, 4096);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_inject_wait_hang_taken());
	ASSERT_EQ(0, suspend_once(&ms));
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
	EXPECT_EQ(-ETIMEDOUT, status);
	n = read_events(ev, MAX_EVENTS);
	ASSERT_LT(0, n);

	int64_t sus = when(ev, n, "suspend_resume", "dpm_suspend[2] begin");
	int64_t res = when(ev, n, "suspend_resume", "dpm_resume[16] begin");
	int64_t reset = when(ev, n, "enpu_reset", NULL);
	int64_t off = power_off_in_sleep(ev, n, sus, res);

	TH_LOG("suspend took %d ms; in us: devices suspend at %lld, reset at %lld, NPU off at %lld",
	       ms, (long long)sus, (long long)reset, (long long)off);
	EXPECT_LT(sus, reset);
	EXPECT_LT(reset, off);
}

/*
 * A job not over within the job timeout plus a second (hung, and its
 * completion interrupt after the reset 6 s late): the suspend fails with
 * EBUSY, and once the job ends the NPU runs jobs again.
 */
TEST_F_TIMEOUT(sleep, job_that_will_not_end_fails_the_suspend, 60)
{
	int32_t status = 0;
	int64_t id;
	int ms;

	ASSERT_EQ(0, enpu_inject("late 6000"));
	ASSERT_EQ(0, enpu_inject("hang"));
	id = submit_copies(self, 1, 4096);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_inject_wait_hang_taken());
	EXPECT_EQ(-EBUSY, suspend_once(&ms));
	TH_LOG("suspend failed after %d ms", ms);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 20000, &status));
	EXPECT_EQ(-ETIMEDOUT, status);
	id = submit_copies(self, 1, 4096);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, (uint64_t)id, 10000, &status));
	EXPECT_EQ(0, status);
}

/* Copies the kernel log (what is buffered now) to stdout, as dmesg prints the text. */
static void print_kmsg(void)
{
	char rec[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;

	if (fd < 0) {
		printf("enpu-vm: /dev/kmsg: %s\n", strerror(errno));
		return;
	}
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *text;

		if (n <= 0)
			continue;	/* EPIPE: overwritten records, go on */
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (text)
			fputs(text + 1, stdout);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	const char *port = getenv("ENPU_SLEEP_REPORT");
	struct termios raw;
	int fd, rc;

	if (!getenv("ENPU_IN_VM") || !port) {
		fprintf(stderr, "enpu_sleep_test suspends the machine and powers it off: it runs in the VM only (tools/vm/run -- tests/sleep/run.sh, tools/vm/run-arm64 --sleep)\n");
		return KSFT_SKIP;
	}
	fd = open(port, O_WRONLY | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "enpu_sleep_test: %s: %s\n", port, strerror(errno));
		return KSFT_FAIL;
	}
	if (!tcgetattr(fd, &raw)) {
		cfmakeraw(&raw);	/* no \r added to each \n */
		tcsetattr(fd, TCSANOW, &raw);
	}
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	rc = test_harness_run(argc, argv);
	printf("enpu-vm: exit %d\n", rc);
	print_kmsg();
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	/* nothing on the 9p shares may be touched now: power off from here */
	enpu_write_file("/proc/sysrq-trigger", "o");
	sleep(30);
	return rc;
}
