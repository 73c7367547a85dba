// SPDX-License-Identifier: MIT
// GEMM_I8, tiled, with byte products (gemm_tiled.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "gemm_tiled.glsl"
