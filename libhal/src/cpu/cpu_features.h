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

/* The L1 data cache of a core in bytes (sysconf), 0 where the C library
 * does not say. */
size_t cpu_l1d_bytes(void);

#endif
