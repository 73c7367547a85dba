// SPDX-License-Identifier: MIT
// GEMM_F16, tiled (gemm_f16_tiled.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "gemm_f16_tiled.glsl"
