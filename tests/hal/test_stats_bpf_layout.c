/* SPDX-License-Identifier: MIT */
/* The BPF stats reader against pinned maps of other layouts, on a bpffs
 * mounted in a fake root, in a private mount namespace (root only; skipped
 * where bpf(2), the namespace or the mount is refused): an older loader's
 * shorter proc_stats values and a newer one's longer values are read,
 * values shorter than the oldest layout and keys of another size are
 * refused with what to do. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "enpu/stats.h"
#include "../../libhal/src/stats_bpf_abi.h"
#include "test_stats_fixture.h"
#include "tests.h"

#define BPFFS "/sys/fs/bpf"

static int bpf_call(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Creates a hash map and pins it as <root>/sys/fs/bpf/enpu/<name>; 0 or -errno. */
static int pin_map(const stats_fixture *fx, const char *name, uint32_t key_size,
		   uint32_t value_size, const void *key, const void *value)
{
	union bpf_attr a;
	char path[512];
	int fd, err = 0;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = 4;
	fd = bpf_call(BPF_MAP_CREATE, &a);
	if (fd < 0)
		return -errno;
	if (key) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		a.key = (uint64_t)(uintptr_t)key;
		a.value = (uint64_t)(uintptr_t)value;
		if (bpf_call(BPF_MAP_UPDATE_ELEM, &a))
			err = -errno;
	}
	snprintf(path, sizeof(path), "%s" BPFFS "/enpu/%s", fx->root, name);
	unlink(path);
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.bpf_fd = (uint32_t)fd;
	if (!err && bpf_call(BPF_OBJ_PIN, &a))
		err = -errno;
	close(fd);
	return err;
}

/* The five maps, proc_stats with values of proc_size bytes holding pid 42's
 * 7 jobs, core_stats with keys of core_key bytes. */
static int pin_all(const stats_fixture *fx, uint32_t proc_size, uint32_t core_key)
{
	unsigned char proc[256] = { 0 };
	struct stats_bpf_proc_stat *p = (struct stats_bpf_proc_stat *)proc;
	struct stats_bpf_proc_key pk = { .dev = 0, .pid = 42 };
	int err;

	p->jobs = 7;
	memcpy(p->comm, "old", 4);
	err = pin_map(fx, "core_stats", core_key, sizeof(struct stats_bpf_core_stat), NULL, NULL);
	if (!err)
		err = pin_map(fx, "proc_stats", sizeof(pk), proc_size, &pk, proc);
	if (!err)
		err = pin_map(fx, "queue_wait_hist", 8, sizeof(struct stats_bpf_hist), NULL, NULL);
	if (!err)
		err = pin_map(fx, "run_time_hist", 8, sizeof(struct stats_bpf_hist), NULL, NULL);
	if (!err)
		err = pin_map(fx, "power", 4, sizeof(struct stats_bpf_power_stat), NULL, NULL);
	return err;
}

void test_stats_bpf_layouts(tctx *t)
{
	const uint32_t old_size = offsetof(struct stats_bpf_proc_stat, start_ns);
	enpu_stats_options_t o = { .source = ENPU_STATS_SOURCE_BPF };
	stats_fixture fx = { "" };
	enpu_stats_sample_t *s = NULL;
	char dir[512], path[600];
	bool mounted = false;
	int err;

	CHECK(t, fx_create(&fx), "fixture");
	o.root = fx.root;
	snprintf(dir, sizeof(dir), "%s" BPFFS, fx.root);
	/* the mount point (fx_write makes the directories) */
	CHECK(t, fx_write(&fx, BPFFS "/.keep", ""), "bpffs mount point");
	snprintf(path, sizeof(path), "%s/.keep", dir);
	unlink(path);
	if (geteuid()) {
		t_skip(t, "mounting a bpffs needs root");
		goto out;
	}
	/* in a mount namespace of this thread's own, without propagation: the
	 * mount goes with the process even if it dies before the umount */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		t_skip(t, "no private mount namespace here: %s", strerror(errno));
		goto out;
	}
	if (mount("bpf", dir, "bpf", 0, NULL)) {
		t_skip(t, "cannot mount a bpffs here: %s", strerror(errno));
		goto out;
	}
	mounted = true;
	snprintf(path, sizeof(path), "%s/enpu", dir);
	CHECK(t, mkdir(path, 0700) == 0, "enpu dir");
	err = pin_all(&fx, old_size, 8);
	if (err == -EPERM || err == -ENOSYS || err == -EINVAL) {
		t_skip(t, "bpf(2) refused here: %s", strerror(-err));
		goto out;
	}
	CHECK(t, !err, "pinning maps: %s", strerror(-err));
	/* an older loader: no start_ns */
	CHECK_OK(t, enpu_stats_read(0, &o, &s));
	CHECK(t, s->proc_count == 1 && s->procs[0].pid == 42 && s->procs[0].counters.jobs == 7 &&
		 !strcmp(s->procs[0].comm, "old"), "older layout: %zu procs", s->proc_count);
	enpu_stats_free(s);
	s = NULL;
	/* a newer loader: a field appended */
	CHECK(t, !pin_all(&fx, sizeof(struct stats_bpf_proc_stat) + 8, 8), "newer maps");
	CHECK_OK(t, enpu_stats_read(0, &o, &s));
	CHECK(t, s->proc_count == 1 && s->procs[0].counters.jobs == 7, "newer layout");
	enpu_stats_free(s);
	s = NULL;
	/* shorter than any layout, and keys of another size: refused, saying what to do */
	CHECK(t, !pin_all(&fx, old_size - 8, 8), "short maps");
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_FAILED_PRECONDITION,
		  "enpu-bpf unload; build/bpf/enpu-bpf load");
	CHECK(t, !pin_all(&fx, old_size, 12), "wide keys");
	CHECK_ERR(t, enpu_stats_read(0, &o, &s), ENPU_STATUS_FAILED_PRECONDITION,
		  "core_stats has 12-byte keys");
out:
	enpu_stats_free(s);
	if (mounted)
		umount(dir);
	fx_destroy(&fx);
}
