/* SPDX-License-Identifier: MIT */
/* Internal: device-side fence operations used by backends. */
#ifndef ENPU_FENCE_IMPL_H
#define ENPU_FENCE_IMPL_H

#include "enpu/command.h"

/* A fence completed by a backend (not signalable by the application). */
enpu_status_t enpu_fence_create_device(enpu_fence_t **out_fence);
/* Completes a pending fence; takes ownership of status (ENPU_OK = success). */
void enpu_fence_complete(enpu_fence_t *fence, enpu_status_t status);

/* Records the device's own measure of its execution time of the fence's work;
 * call before enpu_fence_complete. */
void enpu_fence_set_device_time(enpu_fence_t *fence, uint64_t ns);

#endif
