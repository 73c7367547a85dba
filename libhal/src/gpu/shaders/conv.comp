// SPDX-License-Identifier: MIT
// CONV2D_I8 (conv.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "conv.glsl"
