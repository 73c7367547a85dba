// SPDX-License-Identifier: MIT
// CONV2D_F16, tiled implicit GEMM (gemm_f16_tiled.glsl, a_word.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#define CONV
#include "gemm_f16_tiled.glsl"
