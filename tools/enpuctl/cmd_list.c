// SPDX-License-Identifier: MIT
/* enpuctl list: the HAL's devices, every /dev/accel node with its driver
 * (whether or not the HAL can use it), and the PCI processing accelerators
 * (class 0x12) and co-processors (0x0b40) found through libpci. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "enpuctl.h"

static int list_hal(enpu_context_t **ctx_out)
{
	enpu_status_t st = enpu_context_create(ctx_out);
	enpu_context_t *ctx = *ctx_out;

	if (st)
		return fail_status("list", st);
	printf("HAL devices:\n  %-5s %-8s %-10s %5s %10s  %s\n", "INDEX", "NAME", "TYPE", "CORES",
	       "MEMORY", "DESCRIPTION");
	for (size_t i = 0; i < enpu_context_device_count(ctx); i++) {
		enpu_device_info_t info;
		char mem[32];

		st = enpu_context_device_info(ctx, i, &info);
		if (st)
			return fail_status("list", st);
		if (info.memory_bytes)
			human((double)info.memory_bytes, "B", mem, sizeof(mem));
		else
			strcpy(mem, "-");
		printf("  %-5zu %-8s %-10s %5u %10s  %s\n", i, info.name, hal_type_name(info.type),
		       info.core_count, mem, info.description);
	}
	return 0;
}

/* Whether text names /dev/accel/accel<index> (not accel<index>0). */
static bool names_node(const char *text, uint32_t index)
{
	char node[32];
	size_t n = (size_t)snprintf(node, sizeof(node), "accel%u", index);

	for (const char *p = text; (p = strstr(p, node)); p += n)
		if (p[n] < '0' || p[n] > '9')
			return true;
	return false;
}

/* The HAL NPU device serving accel<index>, by its description. */
static const char *hal_npu_for(enpu_context_t *ctx, uint32_t index, char *out, size_t len)
{
	for (size_t i = 0; i < enpu_context_device_count(ctx); i++) {
		enpu_device_info_t info;
		enpu_status_t st = enpu_context_device_info(ctx, i, &info);

		enpu_status_free(st);
		if (!st && info.type == ENPU_DEVICE_NPU && names_node(info.description, index)) {
			snprintf(out, len, "%s", info.name);
			return out;
		}
	}
	return "-";
}

static int cmp_str(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static void list_accel(enpu_context_t *ctx)
{
	char *names[256];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir("/dev/accel");

	printf("\naccel nodes (/dev/accel):\n");
	while (d && n < 256 && (de = readdir(d)))
		if (!strncmp(de->d_name, "accel", 5))
			names[n++] = strdup(de->d_name);
	if (d)
		closedir(d);
	if (!n) {
		printf("  none (no accel driver loaded; `modprobe enpu` or `insmod driver/enpu.ko`)\n");
		return;
	}
	qsort(names, n, sizeof(names[0]), cmp_str);
	printf("  %-18s %-10s %-16s %s\n", "NODE", "DRIVER", "DEVICE", "HAL");
	for (size_t i = 0; i < n; i++) {
		char drv[64], path[128], link[256], hal[32], node[64];
		uint32_t index = 0;
		ssize_t len;

		if (names[i] && parse_accel(names[i], &index)) {
			accel_driver(index, drv, sizeof(drv));
			snprintf(path, sizeof(path), "/sys/class/accel/%s/device", names[i]);
			len = readlink(path, link, sizeof(link) - 1);
			link[len < 0 ? 0 : len] = '\0';
			snprintf(node, sizeof(node), "/dev/accel/%s", names[i]);
			printf("  %-18s %-10s %-16s %s\n", node, drv[0] ? drv : "?",
			       strrchr(link, '/') ? strrchr(link, '/') + 1 : "?",
			       hal_npu_for(ctx, index, hal, sizeof(hal)));
		}
		free(names[i]);
	}
}

static void list_pci(void)
{
	struct pci_access *pacc;
	int found = 0;

	printf("\nPCI accelerators (class 0x12xx, 0x0b40):\n");
	if (access("/sys/bus/pci/devices", R_OK)) {
		printf("  none (no PCI bus)\n");
		return;
	}
	pacc = pci_alloc();
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (struct pci_dev *dev = pacc->devices; dev; dev = dev->next) {
		char name[256], path[128], link[256];
		unsigned int cls;
		ssize_t len;

		pci_fill_info(dev, PCI_FILL_IDENT | PCI_FILL_CLASS);
		cls = dev->device_class;
		if ((cls >> 8) != 0x12 && cls != 0x0b40)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%04x:%02x:%02x.%d/driver",
			 dev->domain, dev->bus, dev->dev, dev->func);
		len = readlink(path, link, sizeof(link) - 1);
		link[len < 0 ? 0 : len] = '\0';
		printf("  %04x:%02x:%02x.%d  class %04x  %04x:%04x  %s  driver %s\n", dev->domain,
		       dev->bus, dev->dev, dev->func, cls, dev->vendor_id, dev->device_id,
		       pci_lookup_name(pacc, name, sizeof(name), PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE,
				       dev->vendor_id, dev->device_id),
		       len < 0 ? "none" : strrchr(link, '/') + 1);
		found++;
	}
	pci_cleanup(pacc);
	if (!found)
		printf("  none\n");
}

int cmd_list(int argc, char **argv)
{
	enpu_context_t *ctx = NULL;
	int ret;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("usage: enpuctl list\n\n"
			       "Lists the HAL's devices (CPU, reference, and the NPUs and Vulkan GPUs\n"
			       "it finds), every /dev/accel/accel* node with its driver, and the PCI\n"
			       "processing accelerators (class 0x12) and co-processors (0x0b40).\n");
			return 0;
		}
		return usage_error("list", "unexpected argument '%s'", argv[1]);
	}
	ret = list_hal(&ctx);
	if (!ret) {
		list_accel(ctx);
		list_pci();
	}
	enpu_context_release(ctx);
	return ret;
}
