/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tools/vm/build-arm64 only: <asm/fpu/api.h> is x86's; <linux/fpu.h> is the portable
 * kernel_fpu_begin()/kernel_fpu_end() (NEON on arm64). Not used once the driver
 * includes <linux/fpu.h> itself.
 */
#include <linux/fpu.h>
