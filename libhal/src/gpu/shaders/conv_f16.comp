// SPDX-License-Identifier: MIT
// CONV2D_F16 (conv.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#define F16
#include "conv.glsl"
