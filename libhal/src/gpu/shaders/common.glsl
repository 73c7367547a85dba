// SPDX-License-Identifier: MIT
// Shared by every GPU shader: the op's sections (in0, in1, bias, mult, shift,
// out) as the elements of one array of storage buffers of 32-bit words (int8
// tensors packed 4 per word, little-endian), the push constants (the first
// word of each section in its buffer, then op parameters) and the
// requantization primitives of docs/numerics.md, literally, in 64-bit
// integers.
#extension GL_ARB_gpu_shader_int64 : require
#extension GL_EXT_spirv_intrinsics : require

// IEEE infinities, NaN and signed zeros in fp32 arithmetic (without it a
// compiler may assume finite values); ../gpu_float_controls.c removes it for
// devices that do not offer it.
spirv_execution_mode(extensions = ["SPV_KHR_float_controls"], capabilities = [4466], 4461, 32);

#ifndef LOCAL_SIZE
#define LOCAL_SIZE 64
#endif
layout(local_size_x = LOCAL_SIZE) in;
// Sections: S_IN0 .. S_OUT index the buffer array and p.
#define S_IN0 0
#define S_IN1 1
#define S_BIAS 2
#define S_MULT 3
#define S_SHIFT 4
#define S_OUT 5
#define SECTIONS 6
layout(std430, set = 0, binding = 0) buffer Data { uint w[]; } data[SECTIONS];
// p[0..5]: first word of in0, in1, bias, mult, shift, out in their buffers;
// p[6]: output elements; p[7]: has bias; p[8..]: op parameters.
layout(push_constant, std430) uniform Params { int p[32]; } pc;

// Word i of section s (s: one of the constants above).
#define W(s, i) data[s].w[uint(pc.p[s]) + (i)]
#define OUT_COUNT pc.p[6]
#define HAS_BIAS (pc.p[7] != 0)
#define INT32_MIN (-2147483647 - 1)

// Byte i % 4 of word, sign-extended.
int i8_of(uint word, uint i)
{
	return bitfieldExtract(int(word), int((i & 3u) * 8u), 8);
}

// int8 element i, int32 element i of section s.
#define load_i8(s, i) i8_of(W(s, uint(i) >> 2), uint(i))
#define load_i32(s, i) int(W(s, uint(i)))

int srdhm(int a, int b)
{
	if (a == INT32_MIN && b == INT32_MIN)
		return 2147483647;
	int64_t ab = int64_t(a) * int64_t(b);
	int64_t s = ab + (ab >= 0l ? (1l << 30) : (1l - (1l << 30)));
	// C division by 2^31 (truncating): |s| < 2^63, so negating is safe.
	return int(s >= 0l ? (s >> 31) : -((-s) >> 31));
}

int rdbpot(int x, int e)
{
	int mask = int((1l << e) - 1l);
	int rem = x & mask;
	int thr = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> e) + (rem > thr ? 1 : 0);
}

int mbqm(int x, int mult, int shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	int64_t wide = int64_t(x) << left;
	int xl = int(clamp(wide, int64_t(INT32_MIN), int64_t(2147483647)));
	return rdbpot(srdhm(xl, mult), right);
}

int out_i8(int v, int zp, int lo, int hi)
{
	return int(clamp(int64_t(v) + int64_t(zp), int64_t(lo), int64_t(hi)));
}

// This invocation's output word (the dispatch may be 2D for large outputs).
uint out_word()
{
	return gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
}

// This invocation's output word wi, its first element, and how many of its
// elements (lanes) lie in the output; returns when the word is past it.
#define OUTPUT_WORD(lanes)                                                       \
	uint wi = out_word();                                                    \
	uint first = wi * lanes;                                                 \
	if (first >= uint(OUT_COUNT))                                            \
		return;                                                          \
	uint valid = min(lanes, uint(OUT_COUNT) - first);

// Computes up to 4 outputs with value(i) and stores them as one word.
#define STORE_WORD(value)                                                        \
	OUTPUT_WORD(4u)                                                          \
	ivec4 q = ivec4(0);                                                      \
	for (uint j = 0u; j < valid; j++)                                        \
		q[j] = value(first + j);                                         \
	W(S_OUT, wi) = pack_i8(q, valid);

// The shaders that compute a word's elements together (one reduction loop
// for all of them, window.glsl): OUTPUT_WORD, and the lanes' element indices
// e (lanes past the output repeat its last element, so every load stays in
// bounds).
#define WORD_LANES(lanes, ivecn, ids)                                            \
	OUTPUT_WORD(lanes)                                                       \
	ivecn e = min(ivecn(first) + ids, ivecn(OUT_COUNT - 1));
#define WORD_LANES4 WORD_LANES(4u, ivec4, ivec4(0, 1, 2, 3))
#define WORD_LANES2 WORD_LANES(2u, ivec2, ivec2(0, 1))

// int8 elements i of section s, one a lane.
ivec4 load4_i8(int s, ivec4 i)
{
	return ivec4(load_i8(s, i.x), load_i8(s, i.y), load_i8(s, i.z), load_i8(s, i.w));
}

// The first n lanes of q as int8 bytes of a word (the others 0).
uint pack_i8(ivec4 q, uint n)
{
	uint packed = 0u;
	for (uint j = 0u; j < n; j++)
		packed |= (uint(q[j]) & 0xffu) << (8u * j);
	return packed;
}

// 1 where 0 <= v < n, else 0, per lane.
ivec4 inside(ivec4 v, int n)
{
	return ivec4(greaterThanEqual(v, ivec4(0))) * ivec4(lessThan(v, ivec4(n)));
}
ivec2 inside(ivec2 v, int n)
{
	return ivec2(greaterThanEqual(v, ivec2(0))) * ivec2(lessThan(v, ivec2(n)));
}

// fp16 (IEEE binary16) bits h, exactly as fp32.
float f16_to_f32(uint h)
{
	uint s = (h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
	if (e == 0u)	// zero or subnormal: m * 2^-24, exact
		return uintBitsToFloat(s | floatBitsToUint(float(m) * (1.0 / 16777216.0)));
	if (e == 31u)
		return uintBitsToFloat(s | 0x7f800000u | (m << 13));
	return uintBitsToFloat(s | ((e + 112u) << 23) | (m << 13));
}

// fp16 element i of section s, exactly as fp32.
float f16_of(uint word, uint i)
{
	return f16_to_f32((word >> ((i & 1u) * 16u)) & 0xffffu);
}
#define load_f16(s, i) f16_of(W(s, uint(i) >> 1), uint(i))

// fp32 -> fp16 bits, round to nearest even (enpu_f32_to_f16, in integers).
uint f32_to_f16(float f)
{
	uint x = floatBitsToUint(f);
	uint sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
	if (a > 0x7f800000u)	// NaN, made quiet
		return sign | 0x7e00u | ((a >> 13) & 0x3ffu);
	if (a >= 0x477ff000u)	// >= 65520: infinity
		return sign | 0x7c00u;
	if (a >= 0x38800000u) {	// normal fp16
		uint m = a - 0x38000000u;
		return sign | ((m + 0xfffu + ((m >> 13) & 1u)) >> 13);
	}
	uint e = a >> 23;
	if (e < 102u)		// below 2^-25: zero
		return sign;
	uint mant = (a & 0x7fffffu) | 0x800000u, sh = 126u - e;
	uint q = mant >> sh, rem = mant & ((1u << sh) - 1u), tie = 1u << (sh - 1u);
	return sign | (q + ((rem > tie || (rem == tie && (q & 1u) != 0u)) ? 1u : 0u));
}

// fp16 elements i of section s, exactly as fp32, one a lane.
vec2 load2_f16(int s, ivec2 i)
{
	return vec2(load_f16(s, i.x), load_f16(s, i.y));
}

// The first n (1 or 2) lanes of h (fp16 bits) as the halves of a word.
uint pack_f16(uvec2 h, uint n)
{
	return n > 1u ? h.x | h.y << 16 : h.x;
}

// Computes up to 2 fp16 outputs (bits) with value(i) and stores them as one word.
#define STORE_HALVES(value)                                                      \
	OUTPUT_WORD(2u)                                                          \
	uvec2 h = uvec2(value(first), valid > 1u ? value(first + 1u) : 0u);      \
	W(S_OUT, wi) = pack_f16(h, valid);

// The fp16 output stage: clamp in fp32 (NaN passes), round once. NaN is
// found in the bits: a shader compiler may assume no NaN and turn the clamp
// into min/max, which drop it (NVIDIA's gave -inf for NONE's clamp).
uint out_f16(float v, float lo, float hi)
{
	if ((floatBitsToUint(v) & 0x7fffffffu) > 0x7f800000u)
		return f32_to_f16(v);
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return f32_to_f16(v);
}
