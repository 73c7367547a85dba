/* SPDX-License-Identifier: MIT */
/* enpu HAL: IEEE binary16 conversions, round-to-nearest-even. Portable C. */
#ifndef ENPU_FP16_H
#define ENPU_FP16_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint16_t enpu_f16_t;

float enpu_f16_to_f32(enpu_f16_t h);          /* exact */
enpu_f16_t enpu_f32_to_f16(float f);          /* RNE; NaN stays NaN (quiet) */
enpu_f16_t enpu_f64_to_f16(double d);         /* RNE directly from double */

#ifdef __cplusplus
}
#endif
#endif
