/* SPDX-License-Identifier: MIT */
/* The BPF counters pinned under /sys/fs/bpf/enpu, read with the bpf(2) syscall
 * (no libbpf): maps opened read-only, walked with GET_NEXT_KEY + LOOKUP_ELEM.
 * Layouts: stats_bpf_abi.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "stats_bpf_abi.h"
#include "stats_impl.h"

/* A walk ends after this many keys even if the map keeps changing under it. */
#define MAX_KEYS 16384

static int bpf_call(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_open(const char *root, const char *name)
{
	union bpf_attr attr;
	char path[512];

	if (!stats_path(path, sizeof(path), root, STATS_BPF_PIN_DIR "/%s", name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uint64_t)(uintptr_t)path;
	attr.file_flags = BPF_F_RDONLY;
	return bpf_call(BPF_OBJ_GET, &attr);
}

static int map_next_key(int fd, const void *key, void *next)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.next_key = (uint64_t)(uintptr_t)next;
	return bpf_call(BPF_MAP_GET_NEXT_KEY, &attr);
}

static int map_lookup(int fd, const void *key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	return bpf_call(BPF_MAP_LOOKUP_ELEM, &attr);
}

/* The map's key and value sizes; 0, or -1 with errno. */
static int map_sizes(int fd, uint32_t *key_size, uint32_t *value_size)
{
	struct bpf_map_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(uintptr_t)&info;
	if (bpf_call(BPF_OBJ_GET_INFO_BY_FD, &attr))
		return -1;
	*key_size = info.key_size;
	*value_size = info.value_size;
	return 0;
}

/* Keys are {dev, core} or {dev, pid}: both two u32s. */
typedef void (*entry_fn)(enpu_stats_sample_t *s, uint32_t id, const void *value, int *err);

static int walk(int fd, enpu_stats_sample_t *s, void *value, entry_fn fn)
{
	struct stats_bpf_core_key key, next;
	int err = 0, n = 0;

	for (const void *prev = NULL; n < MAX_KEYS && !err; prev = &key, n++) {
		if (map_next_key(fd, prev, &next))
			return errno == ENOENT ? 0 : -errno;
		key = next;
		if (key.dev == s->dev && !map_lookup(fd, &key, value))
			fn(s, key.core, value, &err);
	}
	return err;
}

static void core_entry(enpu_stats_sample_t *s, uint32_t core, const void *value, int *err)
{
	const struct stats_bpf_core_stat *v = value;
	enpu_stats_counters_t c = {
		.jobs = v->jobs, .busy_ns = v->busy_ns, .cycles = v->cycles,
		.bytes_read = v->bytes_read, .bytes_written = v->bytes_written,
		.faults = v->faults, .resets = v->resets,
	};

	(void)err;
	if (core < ENPU_STATS_MAX_CORES) {
		s->cores[core] = c;
		if (core >= s->core_count)
			s->core_count = core + 1;
	}
	stats_counters_add(&s->total, &c);
}

static void proc_entry(enpu_stats_sample_t *s, uint32_t pid, const void *value, int *err)
{
	const struct stats_bpf_proc_stat *v = value;
	enpu_stats_proc_t *p = stats_proc_get(s, pid, 0);

	if (!p) {
		*err = -ENOMEM;
		return;
	}
	p->counters.jobs = v->jobs;
	p->counters.busy_ns = v->busy_ns;
	p->counters.bytes_read = v->bytes_read;
	p->counters.bytes_written = v->bytes_written;
	p->counters.faults = v->faults;
	memcpy(p->comm, v->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
}

static void hist_add(uint64_t *sum, const void *value)
{
	const struct stats_bpf_hist *h = value;

	for (int i = 0; i < STATS_BPF_HIST_SLOTS; i++)
		sum[i] += h->slots[i];
}

static void wait_entry(enpu_stats_sample_t *s, uint32_t core, const void *value, int *err)
{
	(void)core, (void)err;
	hist_add(s->queue_wait_hist, value);
}

static void run_entry(enpu_stats_sample_t *s, uint32_t core, const void *value, int *err)
{
	(void)core, (void)err;
	hist_add(s->run_time_hist, value);
}

/* Residency up to the last change, plus the open interval until now. */
static void read_power(int fd, enpu_stats_sample_t *s, struct stats_bpf_power_stat *value)
{
	const struct stats_bpf_power_stat *p = value;

	if (map_lookup(fd, &s->dev, value))
		return;
	s->on_ns = p->on_ns;
	s->off_ns = p->off_ns;
	if (p->since_ns && s->timestamp_ns > p->since_ns)
		*(p->on ? &s->on_ns : &s->off_ns) += s->timestamp_ns - p->since_ns;
	s->power_ups = p->power_ups;
	s->flags |= ENPU_STATS_HAS_POWER_RESIDENCY;
}

/*
 * The maps, with the key and the least value size read here: a loader newer
 * than this library may append fields (the lookup copies the whole value, so
 * it goes to a buffer of the map's size), an older one lacks those appended
 * since the minimum (they read as 0).
 */
static const struct {
	const char *name;
	entry_fn fn;
	uint32_t key_size, min_value;
} maps[] = {
	{ "core_stats", core_entry, sizeof(struct stats_bpf_core_key),
	  sizeof(struct stats_bpf_core_stat) },
	{ "proc_stats", proc_entry, sizeof(struct stats_bpf_proc_key),
	  offsetof(struct stats_bpf_proc_stat, start_ns) },
	{ "queue_wait_hist", wait_entry, sizeof(struct stats_bpf_core_key),
	  sizeof(struct stats_bpf_hist) },
	{ "run_time_hist", run_entry, sizeof(struct stats_bpf_core_key),
	  sizeof(struct stats_bpf_hist) },
	{ "power", NULL, sizeof(uint32_t), sizeof(struct stats_bpf_power_stat) },
};

#define N_MAPS (sizeof(maps) / sizeof(maps[0]))
#define MAX_VALUE 4096

/* 0, or -EPROTO (said in msg) when map i's layout is not one this library reads. */
static int check_layout(int fd, size_t i, char *msg, size_t len)
{
	uint32_t key_size, value_size;

	if (map_sizes(fd, &key_size, &value_size))
		return -errno;
	if (key_size == maps[i].key_size && value_size >= maps[i].min_value &&
	    value_size <= MAX_VALUE)
		return 0;
	snprintf(msg, len, "the pinned map %s has %u-byte keys and %u-byte values, where this "
		 "libenpu reads %u and %u or more (up to %u): load the counters of this build "
		 "(`build/bpf/enpu-bpf unload; build/bpf/enpu-bpf load`)", maps[i].name,
		 key_size, value_size, maps[i].key_size, maps[i].min_value, MAX_VALUE);
	return -EPROTO;
}

enpu_status_t stats_read_bpf(const char *root, enpu_stats_sample_t *s)
{
	/* one value of any map, as large as a later loader may make it */
	union {
		struct stats_bpf_core_stat core;
		struct stats_bpf_proc_stat proc;
		struct stats_bpf_hist hist;
		struct stats_bpf_power_stat power;
		unsigned char bytes[MAX_VALUE];
	} value;
	char dir[512], msg[512] = "";
	struct stat st;
	int fds[N_MAPS], err = 0;

	stats_path(dir, sizeof(dir), root, STATS_BPF_PIN_DIR);
	if (stat(dir, &st) && errno == ENOENT)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"stats: the BPF counters are not loaded (no %s); load "
					"them with `build/bpf/enpu-bpf load` (root)", dir);
	for (size_t i = 0; i < N_MAPS; i++) {
		fds[i] = map_open(root, maps[i].name);
		if (fds[i] < 0) {
			const char *name = maps[i].name;
			int e = errno;

			while (i--)
				close(fds[i]);
			return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
						"stats: cannot open the pinned map %s/%s: %s; %s",
						dir, name, strerror(e),
						e == EACCES || e == EPERM ?
						"run as root, or load with `enpu-bpf load --group "
						"GROUP` and join GROUP" :
						"reload with `build/bpf/enpu-bpf unload; "
						"build/bpf/enpu-bpf load`");
		}
	}
	for (size_t i = 0; i < N_MAPS && !err; i++)
		err = check_layout(fds[i], i, msg, sizeof(msg));
	for (size_t i = 0; i < N_MAPS && !err; i++) {
		memset(&value, 0, sizeof(value));
		if (maps[i].fn)
			err = walk(fds[i], s, &value, maps[i].fn);
	}
	s->timestamp_ns = stats_now_ns();
	if (!err) {
		memset(&value, 0, sizeof(value));
		read_power(fds[N_MAPS - 1], s, &value.power);
	}
	for (size_t i = 0; i < N_MAPS; i++)
		close(fds[i]);
	if (err == -EPROTO)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION, "stats: %s", msg);
	if (err)
		return enpu_status_make(err == -ENOMEM ? ENPU_STATUS_RESOURCE_EXHAUSTED :
					ENPU_STATUS_DEVICE_ERROR,
					"stats: reading the BPF maps in %s: %s", dir, strerror(-err));
	s->flags |= ENPU_STATS_HAS_CORES | ENPU_STATS_HAS_BYTES | ENPU_STATS_HAS_HIST |
		    ENPU_STATS_HAS_PROC_BYTES;
	return ENPU_OK;
}
