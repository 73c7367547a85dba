// SPDX-License-Identifier: MIT
// CONV2D_I8, tiled implicit GEMM, with byte products (gemm_tiled.glsl, a_word.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#define CONV
#include "gemm_tiled.glsl"
