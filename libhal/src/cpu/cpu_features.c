/* SPDX-License-Identifier: MIT */
/* Host ISA detection: cpuid + xgetbv on x86-64, GENERIC elsewhere. */
#define _DEFAULT_SOURCE /* syscall(), _SC_LEVEL1_DCACHE_SIZE */
#include "cpu_features.h"
#include <stdio.h>
#include <unistd.h>

size_t cpu_l1d_bytes(void)
{
#ifdef _SC_LEVEL1_DCACHE_SIZE
	long v = sysconf(_SC_LEVEL1_DCACHE_SIZE);
	if (v > 0)
		return (size_t)v;
#endif
	return 0;
}

size_t cpu_cache_size_parse(const char *s)
{
	size_t v = 0, digits = 0;
	for (; *s >= '0' && *s <= '9' && digits < 10; s++, digits++)
		v = v * 10 + (size_t)(*s - '0');
	size_t unit = *s == 'K' ? 1024 : *s == 'M' ? 1024 * 1024 : 1;
	s += unit > 1;
	if (*s == '\n')
		s++;
	return digits && digits < 10 && !*s ? v * unit : 0;
}

/* One line of a sysfs file into buf; false where it cannot be read */
static bool read_line(const char *path, char *buf, int size)
{
	FILE *f = fopen(path, "r");
	bool ok = f && fgets(buf, size, f);
	if (f)
		fclose(f);
	return ok;
}

size_t cpu_l3_bytes(void)
{
	char path[64], line[32];
	for (int i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
		if (!read_line(path, line, sizeof(line)))
			return 0;
		if (line[0] != '3' || line[1] != '\n')
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		return read_line(path, line, sizeof(line)) ? cpu_cache_size_parse(line) : 0;
	}
	return 0;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Linux: a process asks once for the AMX tile data state (arch_prctl,
 * Documentation/arch/x86/xstate.rst); until then tile instructions fault. */
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static bool os_saves(unsigned mask)
{
	unsigned eax, edx;
	__asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
	return (eax & mask) == mask;
}

bool cpu_isa_supported(enpu_cpu_isa_t isa)
{
	unsigned a, b, c, d;
	if (isa == ENPU_CPU_ISA_GENERIC)
		return true;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	bool fma = c & (1u << 12), osxsave = c & (1u << 27), f16c = c & (1u << 29);
	if (!osxsave || !fma || !f16c || !os_saves(0x6)) /* XMM + YMM state */
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	bool avx2 = b & (1u << 5);
	if (isa == ENPU_CPU_ISA_AVX2)
		return avx2;
	bool vnni = avx2 && (b & (1u << 16)) /* F */ && (b & (1u << 17)) /* DQ */ &&
		    (b & (1u << 30)) /* BW */ && (b & (1u << 31)) /* VL */ &&
		    (c & (1u << 11)) /* VNNI */ && os_saves(0xe6); /* + opmask, ZMM */
	if (isa == ENPU_CPU_ISA_AVX512VNNI)
		return vnni;
#ifdef ENPU_AMX_EMULATE
	if (isa == ENPU_CPU_ISA_AMX_INT8) /* tiles in C (amx_emulate.h), the rest AVX-512 */
		return vnni;
#endif
	if (isa == ENPU_CPU_ISA_AMX_INT8)
		return vnni && (d & (1u << 24)) /* AMX-TILE */ && (d & (1u << 25)) /* AMX-INT8 */ &&
		       os_saves(0x60000) /* XTILECFG, XTILEDATA */ &&
		       syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
	return false;
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif

bool cpu_isa_supported(enpu_cpu_isa_t isa)
{
	if (isa == ENPU_CPU_ISA_GENERIC)
		return true;
	return isa == ENPU_CPU_ISA_NEON_DOTPROD && (getauxval(AT_HWCAP) & HWCAP_ASIMDDP);
}
#else
bool cpu_isa_supported(enpu_cpu_isa_t isa) { return isa == ENPU_CPU_ISA_GENERIC; }
#endif

#if defined(__x86_64__)
/* An AMD CPU's family and model (cpuid 1, extended fields added); false
 * on other vendors */
static bool amd_family_model(unsigned *family, unsigned *model)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(0, &a, &b, &c, &d))
		return false;
	bool amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163; /* AuthenticAMD */
	if (!amd || !__get_cpuid(1, &a, &b, &c, &d))
		return false;
	*family = ((a >> 8) & 0xf) + ((a >> 20) & 0xff);
	*model = ((a >> 4) & 0xf) | ((a >> 12) & 0xf0);
	return true;
}

/* An AMD CPU of family 19h (Zen 3, Zen 4) */
static bool amd_family_19h(void)
{
	unsigned family, model;
	return amd_family_model(&family, &model) && family == 0x19;
}

bool cpu_stream_prefetch(void) { return !amd_family_19h(); }
bool cpu_f16_narrow(void) { return amd_family_19h(); }

bool cpu_f16_convert_slow(void)
{
	unsigned family, model;
	return amd_family_model(&family, &model) && family == 0x17 && model < 0x30;
}
#else
bool cpu_stream_prefetch(void) { return true; }
bool cpu_f16_narrow(void) { return false; }
bool cpu_f16_convert_slow(void) { return false; }
#endif

enpu_cpu_isa_t cpu_isa_best(void)
{
	if (cpu_isa_supported(ENPU_CPU_ISA_AMX_INT8))
		return ENPU_CPU_ISA_AMX_INT8;
	if (cpu_isa_supported(ENPU_CPU_ISA_AVX512VNNI))
		return ENPU_CPU_ISA_AVX512VNNI;
	if (cpu_isa_supported(ENPU_CPU_ISA_AVX2))
		return ENPU_CPU_ISA_AVX2;
	if (cpu_isa_supported(ENPU_CPU_ISA_NEON_DOTPROD))
		return ENPU_CPU_ISA_NEON_DOTPROD;
	return ENPU_CPU_ISA_GENERIC;
}

const char *cpu_isa_name(enpu_cpu_isa_t isa)
{
	switch (isa) {
	case ENPU_CPU_ISA_AUTO: return "auto";
	case ENPU_CPU_ISA_GENERIC: return "generic";
	case ENPU_CPU_ISA_AVX2: return "avx2";
	case ENPU_CPU_ISA_AVX512VNNI: return "avx512vnni";
	case ENPU_CPU_ISA_NEON_DOTPROD: return "neon-dotprod";
	case ENPU_CPU_ISA_AMX_INT8: return "amx-int8";
	}
	return "unknown";
}
