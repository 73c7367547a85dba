// SPDX-License-Identifier: GPL-2.0-only
/*
 * enpu-bpf: loads, unloads and reports the enpu BPF counters.
 *
 *   enpu-bpf load [--group GROUP]   attach to the enpu tracepoints; maps and links
 *                                   pinned under /sys/fs/bpf/enpu (loading again
 *                                   is a no-op); --group lets GROUP read the maps
 *   enpu-bpf unload                 detach and remove the pins
 *   enpu-bpf status                 loaded or not, and how
 *
 * Loading needs CAP_BPF and CAP_PERFMON (root). Reading pinned maps needs only
 * read access to the pins.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enpu_stats.h"
#include "enpu_stats.skel.h"

#define LINK_DIR ENPU_BPF_PIN_DIR "/links"
#define BPFFS_DIR "/sys/fs/bpf"	/* the bpffs ENPU_BPF_PIN_DIR is in */

static const char *const map_names[] = {
	"core_stats", "proc_stats", "queue_wait_hist", "run_time_hist", "power",
	"clock_residency",
};

static int usage(FILE *f)
{
	fprintf(f, "usage: enpu-bpf load [--group GROUP] | unload | status\n"
		   "  load    attach the enpu counters (pinned under %s)\n"
		   "  unload  detach them and remove the pins\n"
		   "  status  say whether they are loaded\n", ENPU_BPF_PIN_DIR);
	return f == stderr ? 64 : 0;
}

/* Links are pinned in program order, the clock handler last: it marks a full
 * load. The links are root's alone; a group the maps are shared with (load
 * --group) sees the maps. 1: loaded, 0: not, -1: cannot tell (no access). */
static int loaded(void)
{
	struct stat st;
	char path[256];

	if (!stat(LINK_DIR "/tp_btf_clock", &st) || !stat(LINK_DIR "/raw_tp_clock", &st))
		return 1;
	if (errno != EACCES)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", ENPU_BPF_PIN_DIR, map_names[0]);
	if (!stat(path, &st))
		return 1;
	return errno == EACCES ? -1 : 0;
}

static int remove_dir(const char *dir);

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN && getenv("ENPU_BPF_DEBUG") ? vfprintf(stderr, fmt, ap) : 0;
}

/* Keeps the tp_btf programs (typed, need the module's BTF) or the raw_tp ones. */
static struct enpu_stats_bpf *open_and_load(int use_btf)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = ENPU_BPF_PIN_DIR);
	struct enpu_stats_bpf *skel = enpu_stats_bpf__open_opts(&opts);
	struct bpf_program *prog;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(prog, skel->obj) {
		int is_btf = bpf_program__type(prog) == BPF_PROG_TYPE_TRACING;

		bpf_program__set_autoload(prog, is_btf == use_btf);
	}
	if (enpu_stats_bpf__load(skel)) {
		enpu_stats_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static long read_long(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] >= '0' && buf[0] <= '9' ? strtol(buf, NULL, 10) : -1;
}

/* The counters start from the device's current power state and clock. */
static void seed_power(struct enpu_stats_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.power);
	struct timespec ts;
	struct dirent *de;
	DIR *d = opendir("/sys/class/accel");

	if (!d)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	while ((de = readdir(d))) {
		char path[512], status[32] = "", drv[256];
		struct enpu_power_stat s = { 0 };
		__u32 dev;
		ssize_t n;
		FILE *f;

		if (sscanf(de->d_name, "accel%u", &dev) != 1)
			continue;
		snprintf(path, sizeof(path), "/sys/class/accel/%s/device/driver", de->d_name);
		n = readlink(path, drv, sizeof(drv) - 1);
		if (n < 0 || (drv[n] = '\0', !strstr(drv, "/enpu")))
			continue;
		snprintf(path, sizeof(path), "/sys/class/accel/%s/device/power/runtime_status",
			 de->d_name);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(status, sizeof(status), f))
				status[0] = '\0';
			fclose(f);
		}
		s.on = !strncmp(status, "active", 6);
		s.since_ns = s.clock_since_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		snprintf(path, sizeof(path), "/sys/class/accel/%s/device/devfreq", de->d_name);
		{
			DIR *df = opendir(path);
			struct dirent *e;

			while (df && (e = readdir(df))) {
				char p2[800];
				long hz;

				if (e->d_name[0] == '.')
					continue;
				snprintf(p2, sizeof(p2), "%s/%s/cur_freq", path, e->d_name);
				hz = read_long(p2);
				if (hz > 0)
					s.clock_mhz = hz / 1000000;
			}
			if (df)
				closedir(df);
		}
		bpf_map_update_elem(fd, &dev, &s, BPF_NOEXIST);
	}
	closedir(d);
}

/* Whether members of gid may pass through dir (search permission). */
static int group_may_enter(const char *dir, gid_t gid)
{
	struct stat st;

	if (stat(dir, &st))
		return 0;
	return (st.st_mode & S_IXOTH) || (st.st_gid == gid && (st.st_mode & S_IXGRP));
}

static int share_with_group(const char *group)
{
	struct group *g = getgrnam(group);
	char path[256];

	if (!g) {
		fprintf(stderr, "enpu-bpf: no group %s\n", group);
		return -1;
	}
	/* systemd mounts /sys/fs/bpf with mode 0700: nobody else gets through */
	if (!group_may_enter(BPFFS_DIR, g->gr_gid)) {
		fprintf(stderr, "enpu-bpf: group %s cannot reach %s: %s is not searchable by it "
				"(systemd mounts it 0700); allow it with `chmod o+x %s` or "
				"`chgrp %s %s && chmod g+x %s`\n", group, ENPU_BPF_PIN_DIR,
			BPFFS_DIR, BPFFS_DIR, group, BPFFS_DIR, BPFFS_DIR);
		return -1;
	}
	snprintf(path, sizeof(path), "%s", ENPU_BPF_PIN_DIR);
	if (chown(path, 0, g->gr_gid) || chmod(path, 0750))
		goto fail;
	for (size_t i = 0; i < sizeof(map_names) / sizeof(map_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", ENPU_BPF_PIN_DIR, map_names[i]);
		if (chown(path, 0, g->gr_gid) || chmod(path, 0640))
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "enpu-bpf: cannot share %s with group %s: %s\n", path, group,
		strerror(errno));
	return -1;
}

/*
 * Serialises loads and unloads (a second load waits, then finds the first's
 * pins): an exclusive flock on the bpffs directory; the fd, or -1 (said why).
 */
static int lock_pins(void)
{
	int fd = open(BPFFS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || flock(fd, LOCK_EX)) {
		fprintf(stderr, "enpu-bpf: cannot lock %s: %s (is bpffs mounted there?)\n",
			BPFFS_DIR, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * Whether the loaded enpu.ko's enpu_job_queued event has the start_ns field
 * these programs read (tracefs's format of the event): 1, 0 (an older
 * enpu.ko), or -1 when that cannot be told (no tracefs, enpu.ko not loaded).
 */
static int driver_has_start_ns(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128], line[256];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		FILE *f;
		int found = 0;

		snprintf(path, sizeof(path), "%s/events/enpu/enpu_job_queued/format", dirs[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f))
			found = strstr(line, " start_ns;") != NULL;
		fclose(f);
		return found;
	}
	return -1;
}

static int do_load(const char *group)
{
	struct enpu_stats_bpf *skel;
	struct bpf_program *prog;
	const char *how = "tp_btf";
	char path[256];

	if (loaded() > 0) {
		printf("enpu-bpf: already loaded (maps in %s)\n", ENPU_BPF_PIN_DIR);
		return group && share_with_group(group) ? 1 : 0;
	}
	if (!driver_has_start_ns()) {
		fprintf(stderr, "enpu-bpf: the loaded enpu.ko is older than these BPF programs: its "
				"enpu_job_queued event has no start_ns field (load the enpu.ko built "
				"with this enpu-bpf)\n");
		return 1;
	}
	if (mkdir(ENPU_BPF_PIN_DIR, 0700) && errno != EEXIST) {
		fprintf(stderr, "enpu-bpf: cannot create %s: %s (is bpffs mounted on %s?)\n",
			ENPU_BPF_PIN_DIR, strerror(errno), BPFFS_DIR);
		return 1;
	}
	libbpf_set_print(libbpf_quiet);
	skel = access("/sys/kernel/btf/enpu", R_OK) ? NULL : open_and_load(1);
	if (!skel) {
		how = "raw_tp";
		skel = open_and_load(0);
	}
	if (!skel) {
		fprintf(stderr, "enpu-bpf: cannot load the BPF programs: %s "
				"(root? enpu.ko loaded? ENPU_BPF_DEBUG=1 for details)\n",
			strerror(errno));
		return 1;
	}
	if (mkdir(LINK_DIR, 0700) && errno != EEXIST)
		goto err;
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link)
			goto err;
		snprintf(path, sizeof(path), "%s/%s", LINK_DIR, bpf_program__name(prog));
		if (bpf_link__pin(link, path))
			goto err;
		bpf_link__destroy(link);	/* the pin keeps it attached */
	}
	seed_power(skel);
	if (group && share_with_group(group))
		goto undo; /* it said why */
	printf("enpu-bpf: loaded (%s), maps pinned in %s\n", how, ENPU_BPF_PIN_DIR);
	enpu_stats_bpf__destroy(skel);
	return 0;
err:
	fprintf(stderr, "enpu-bpf: load failed: %s\n", strerror(errno));
undo:
	enpu_stats_bpf__destroy(skel);
	remove_dir(LINK_DIR);
	remove_dir(ENPU_BPF_PIN_DIR);
	return 1;
}

static int remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && errno == EISDIR)
			remove_dir(path);
	}
	closedir(d);
	return rmdir(dir);
}

static int do_unload(void)
{
	int was = loaded() > 0;

	if (remove_dir(LINK_DIR) || remove_dir(ENPU_BPF_PIN_DIR)) {
		fprintf(stderr, "enpu-bpf: cannot remove %s: %s\n", ENPU_BPF_PIN_DIR,
			strerror(errno));
		return 1;
	}
	printf("enpu-bpf: %s\n", was ? "unloaded" : "was not loaded");
	return 0;
}

int main(int argc, char **argv)
{
	int load = argc == 2 && !strcmp(argv[1], "load");
	int load_group = argc == 4 && !strcmp(argv[1], "load") && !strcmp(argv[2], "--group");

	if (load || load_group || (argc == 2 && !strcmp(argv[1], "unload"))) {
		int lock = lock_pins(), ret;

		if (lock < 0)
			return 1;
		ret = load || load_group ? do_load(load_group ? argv[3] : NULL) : do_unload();
		close(lock);
		return ret;
	}
	if (argc == 2 && !strcmp(argv[1], "status")) {
		int l = loaded();

		if (l < 0) {
			fprintf(stderr, "enpu-bpf: cannot tell: %s is not readable (root, or a group "
					"given to `enpu-bpf load --group`)\n", ENPU_BPF_PIN_DIR);
			return 1;
		}
		printf("enpu-bpf: %s\n", l ? "loaded, maps in " ENPU_BPF_PIN_DIR : "not loaded");
		return l ? 0 : 3;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout);
	return usage(stderr);
}
