/* SPDX-License-Identifier: MIT */
/* The GPU's tiled implicit-GEMM convolution (int8, one group, Cin and Cout
 * multiples of 4: conv_tiled.comp, and conv_tiled_dot.comp where the device
 * has packed dot products; shaders/a_word.glsl) vs the reference, bit for
 * bit, with each shader: strides, dilations, padding as wide as the kernel
 * (windows reaching one input column), batch 2, several 64-pixel and
 * 64-channel tiles with partial last ones, a long K, extreme zero points,
 * every requantization mode; and shapes just outside its conditions (Cin 6,
 * Cout 6, 2 groups), which the plain shader takes. */
#include "kconv.h"
#include "tests.h"
#if __has_include(<vulkan/vulkan.h>)
#include "../../libhal/src/gpu/gpu.h"

static const uint32_t shapes[][16] = {
	/* n h w cin cout kh kw sh sw dh dw pt pl pb pr groups */
	{ 1, 9, 9, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
	{ 2, 10, 13, 8, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1 },
	{ 1, 12, 12, 16, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1 },
	{ 1, 9, 70, 4, 68, 1, 5, 1, 3, 1, 1, 0, 4, 0, 4, 1 },
	{ 1, 9, 9, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
	{ 1, 5, 7, 132, 4, 2, 3, 1, 2, 1, 1, 0, 2, 1, 0, 1 },
	{ 2, 20, 20, 4, 132, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
	{ 1, 6, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
	{ 1, 6, 6, 8, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
	{ 1, 6, 6, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2 },
};

void test_gpu_conv_tiled(tctx *t)
{
	static const int32_t zps[] = { -128, 127, 0, 5 };
	t_env e;
	if (!t_env_open(t, &e, T_DUT_GPU, 1))
		return;
	gpu_device_t *d = e.cpu->state;
	bool has_dot = d->int_dot;
	for (int dot = has_dot; dot >= 0; dot--) {
		d->int_dot = dot;
		for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
			for (int rq = 0; rq < KCONV_RQ_COUNT; rq++) {
				const uint32_t *s = shapes[i];
				kconv_t k = { .n = s[0], .h = s[1], .w = s[2], .cin = s[3], .cout = s[4],
					      .kh = s[5], .kw = s[6], .sh = s[7], .sw = s[8], .dh = s[9],
					      .dw = s[10], .pt = s[11], .pl = s[12], .pb = s[13],
					      .pr = s[14], .groups = s[15] };
				k.rq = (kconv_rq_t)rq;
				k.in_zp = zps[(i + (size_t)rq) % 4];
				k.out_zp = zps[(i + (size_t)rq + 1) % 4];
				if (!kconv_run(t, &e, &k))
					goto out;
			}
	}
	if (!has_dot)
		t_skip(t, "the GPU has no shaderIntegerDotProduct: only the byte-product shader ran");
out:
	d->int_dot = has_dot;
	t_env_close(&e);
}
#else
void test_gpu_conv_tiled(tctx *t)
{
	t_skip(t, "built without the Vulkan headers: no GPU backend");
}
#endif
