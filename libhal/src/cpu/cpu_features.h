/* SPDX-License-Identifier: MIT */
/* Internal: host ISA detection for the CPU backend's runtime dispatch. */
#ifndef ENPU_CPU_FEATURES_H
#define ENPU_CPU_FEATURES_H

#include <stdbool.h>
#include "enpu/device.h"

/* True when the host can run kernels of isa (GENERIC always). */
bool cpu_isa_supported(enpu_cpu_isa_t isa);
/* Best supported kernel family. */
enpu_cpu_isa_t cpu_isa_best(void);
const char *cpu_isa_name(enpu_cpu_isa_t isa);
/* Whether kernels that read B once (GEMV) should prefetch it in software:
 * not on AMD family 19h (Zen 3/4), whose hardware prefetchers stream it
 * from L3 at the core's full rate and where software prefetches of each
 * line cost 20-30% (M = 1 GEMV 1.11-1.30x faster without, Zen 4); yes
 * elsewhere (8 KiB ahead: 1.02-1.09x on Zen 5; on Sapphire Rapids mixed,
 * 0.96-1.03x: docs/perf.md, fifteenth session). */
bool cpu_stream_prefetch(void);

/* Whether the skinny fp16 GEMMs (fp16 B panels) should convert 256 bits at a
 * time in the AVX-512 family: on AMD family 19h (Zen 4), whose 512-bit
 * conversions run at half the 256-bit rate per element (M = 1-6 1.20-1.79x
 * faster); not on Intel, whose 256-bit ones run at half the 512-bit rate
 * (0.64-0.78x on Emerald Rapids: docs/perf.md, seventeenth session). */
bool cpu_f16_narrow(void);

/* Whether F16C's fp16 -> fp32 conversion runs at half the rate of the FMAs
 * it feeds, so that skinny fp16 GEMMs whose B fits the L3 as fp32 run
 * faster reading it as fp32: on AMD family 17h before Zen 2 (models below
 * 30h: Zen, Zen+), where converting was the GEMV's bound (M = 1-12
 * 1.29-1.84x faster with fp32 B in the L3; docs/perf.md, thirtieth
 * session). */
bool cpu_f16_convert_slow(void);

/* The L1 data cache of a core in bytes (sysconf), 0 where the C library
 * does not say. */
size_t cpu_l1d_bytes(void);
/* The L3 cache that core 0 shares, in bytes, from sysfs
 * (/sys/devices/system/cpu/cpu0/cache/index*: glibc's sysconf read 64 MiB
 * for the 8 MiB that Linux reported on a Zen VM); 0 where none is listed. */
size_t cpu_l3_bytes(void);
/* A sysfs cache size ("8192K", "32M", "512"; one trailing newline) in
 * bytes; 0 for anything else. */
size_t cpu_cache_size_parse(const char *s);

#endif
