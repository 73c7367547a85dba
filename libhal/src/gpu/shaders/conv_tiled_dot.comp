// SPDX-License-Identifier: MIT
// CONV2D_I8, tiled implicit GEMM, with packed 4x8-bit integer dot products
// (gemm_tiled.glsl, a_word.glsl; VK_KHR_shader_integer_dot_product).
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_spirv_intrinsics : require
#define INT_DOT
#define CONV
#include "gemm_tiled.glsl"
