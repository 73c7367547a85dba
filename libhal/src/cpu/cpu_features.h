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

#endif
