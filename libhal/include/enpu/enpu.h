/* SPDX-License-Identifier: MIT */
/* enpu HAL: umbrella header. See docs/hal.md. */
#ifndef ENPU_ENPU_H
#define ENPU_ENPU_H

#include "status.h"
#include "device.h"
#include "buffer.h"
#include "tensor.h"
#include "stats.h"
#include "ops.h"
#include "command.h"
#include "quant.h"
#include "fp16.h"
#include "graph.h"
#include "dispatch.h"

#endif
