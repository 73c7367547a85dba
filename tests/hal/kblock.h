/* SPDX-License-Identifier: MIT */
/* The int8 GEMM's K blocks under test: a CPU device runs with the block its
 * host's L1 gives (cpu_i8_kc); the tests make it run with each block its
 * kernel family has, so that both paths run on every host. */
#ifndef ENPU_TEST_KBLOCK_H
#define ENPU_TEST_KBLOCK_H

#include "harness.h"

/* How many K blocks e's device under test has: 2 for a CPU family with
 * kc_big, else 1 (the NPU, the GPU, the other CPU families) */
unsigned t_kblocks(const t_env *e);
/* Makes e's CPU device use its family's kc (i = 0) or kc_big (i = 1); does
 * nothing to the NPU and the GPU */
void t_kblock_use(t_env *e, unsigned i);
/* The K block e's CPU device uses (0 for the NPU and the GPU) */
uint32_t t_kblock(const t_env *e);

#endif
