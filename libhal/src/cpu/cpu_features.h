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

#endif
