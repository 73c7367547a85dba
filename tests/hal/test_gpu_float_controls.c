/* SPDX-License-Identifier: MIT */
/* White-box tests of the shaders' float-controls mode (gpu_float_controls.c):
 * the SPIR-V stripper on a hand-built module (only the mode's capability,
 * extension and execution modes go) and on every embedded shader (each has
 * the mode, once), and the pipelines without it, as a device without
 * VK_KHR_shader_float_controls gets them, computing bit for bit what the
 * device's own pipelines compute on finite inputs. */
#include <stdlib.h>
#include <string.h>
#include "tests.h"

#if __has_include(<vulkan/vulkan.h>)
#include "../../libhal/src/gpu/gpu.h"

#define INSN(words, op) ((uint32_t)(words) << 16 | (op))
#define MAX_WORDS 96

typedef struct module {
	uint32_t in[MAX_WORDS], want[MAX_WORDS];
	size_t n_in, n_want;
} module_t;

/* Appends an instruction to the module; to the expected result too if kept. */
static void put(module_t *m, bool kept, const uint32_t *w, size_t n)
{
	memcpy(m->in + m->n_in, w, n * sizeof(*w));
	m->n_in += n;
	if (kept) {
		memcpy(m->want + m->n_want, w, n * sizeof(*w));
		m->n_want += n;
	}
}

/* OpExtension name (name's bytes nul-padded to whole words). */
static void put_extension(module_t *m, bool kept, const char *name)
{
	uint32_t w[8] = { 0 };
	size_t words = strlen(name) / 4 + 1;

	w[0] = INSN(words + 1, 10);
	memcpy(w + 1, name, strlen(name));
	put(m, kept, w, words + 1);
}

void test_gpu_float_controls_strip(tctx *t)
{
	module_t m = { .n_in = 0 };
	uint32_t out[MAX_WORDS], again[MAX_WORDS];

	put(&m, true, (uint32_t[]){ 0x07230203, 0x00010300, 0, 20, 0 }, 5);
	put(&m, true, (uint32_t[]){ INSN(2, 17), 1 }, 2);		/* Capability Shader */
	put(&m, false, (uint32_t[]){ INSN(2, 17), 4466 }, 2);	/* ...SignedZeroInfNanPreserve */
	put(&m, true, (uint32_t[]){ INSN(2, 17), 4465 }, 2);	/* ...DenormFlushToZero */
	put_extension(&m, false, "SPV_KHR_float_controls");
	put_extension(&m, true, "SPV_KHR_float_controls2");
	put_extension(&m, true, "SPV_KHR_float_control");
	put(&m, true, (uint32_t[]){ INSN(3, 14), 0, 1 }, 3);	/* MemoryModel */
	put(&m, true, (uint32_t[]){ INSN(5, 15), 5, 4, 0x6e69616d, 0 }, 5); /* EntryPoint "main" */
	put(&m, true, (uint32_t[]){ INSN(6, 16), 4, 17, 64, 1, 1 }, 6);	/* LocalSize */
	put(&m, false, (uint32_t[]){ INSN(4, 16), 4, 4461, 32 }, 4);	/* SignedZero...Preserve */
	put(&m, true, (uint32_t[]){ INSN(4, 16), 4, 4459, 32 }, 4);	/* DenormPreserve */
	put(&m, false, (uint32_t[]){ INSN(4, 16), 4, 4461, 16 }, 4);
	put(&m, true, (uint32_t[]){ INSN(2, 17), 4461 }, 2);	/* a capability numbered as the mode */

	size_t n = gpu_float_controls_strip(m.in, m.n_in, out);
	CHECK(t, n == m.n_want && !memcmp(out, m.want, n * sizeof(*out)),
	      "stripped module: %zu words, want %zu (or the words differ)", n, m.n_want);
	n = gpu_float_controls_strip(m.want, m.n_want, again);
	CHECK(t, n == m.n_want && !memcmp(again, m.want, n * sizeof(*out)),
	      "a module without the mode changed");
	/* malformed: no header, a zero word count, an instruction past the end */
	CHECK(t, !gpu_float_controls_strip(m.in, 4, out), "a 4-word module was accepted");
	m.in[5] = INSN(0, 17);
	CHECK(t, !gpu_float_controls_strip(m.in, m.n_in, out), "a zero word count was accepted");
	CHECK(t, !gpu_float_controls_strip(m.want, m.n_want - 1, out),
	      "a truncated last instruction was accepted");

	/* every shader: capability (2 words), extension (7), one mode (4) */
	for (int i = 0; i < GPU_PIPE_COUNT; i++) {
		size_t words, kept;
		const uint32_t *code = gpu_shader_spirv(i, &words);
		uint32_t *plain = malloc(2 * words * sizeof(*plain));

		CHECK(t, plain, "out of memory");
		kept = gpu_float_controls_strip(code, words, plain);
		n = kept ? gpu_float_controls_strip(plain, kept, plain + words) : 0;
		free(plain);
		CHECK(t, kept + 13 == words && n == kept,
		      "shader %d: %zu of %zu words kept, then %zu: not the mode exactly once", i,
		      kept, words, n);
	}
out:;
}

typedef struct fc_case {
	const char *what;
	bool conv, f16;
	uint32_t m, n, k; /* GEMM: C[m][n] = A[m][k] B[n][k]^T */
	uint32_t hw, cin, cout, groups; /* conv: hw x hw x cin, 3x3, pad 1 */
} fc_case_t;

/* Random finite inputs, fp16 or int8 (zero point zp). */
static enpu_tensor_t *input(tctx *t, t_env *e, bool f16, int32_t zp, uint32_t rank,
			    const uint32_t *dims)
{
	size_t n = 1;
	for (uint32_t i = 0; i < rank; i++)
		n *= dims[i];
	uint16_t *v = malloc(n * sizeof(*v));
	enpu_quant_t q = t_q(0.5f, zp);
	enpu_tensor_t *x = NULL;

	if (!v)
		return NULL;
	if (f16)
		for (size_t i = 0; i < n; i++)
			v[i] = enpu_f32_to_f16((float)t_range(t, -30000, 30000) / 15000.0f);
	else
		t_fill_i8(t, (int8_t *)v, n);
	x = t_tensor(t, e->ref, f16 ? ENPU_DTYPE_FP16 : ENPU_DTYPE_INT8, rank, dims,
		     f16 ? NULL : &q, v);
	free(v);
	return x;
}

/* Runs c on the GPU with its pipelines, then with the ones in other; the
 * outputs must agree. */
static bool run_case(tctx *t, t_env *e, gpu_device_t *d, VkPipeline *other, const fc_case_t *c)
{
	uint32_t hw = c->hw, cg = c->cin / (c->groups ? c->groups : 1);
	enpu_tensor_t *x = NULL, *w = NULL, *y[2] = { 0 };
	enpu_command_list_t *l = NULL;
	enpu_quant_t qo = t_q(2.0f, -1);
	bool ok = false;

	if (c->conv) {
		x = input(t, e, c->f16, 3, 4, (uint32_t[]){ 1, hw, hw, c->cin });
		w = input(t, e, c->f16, 0, 4, (uint32_t[]){ c->cout, 3, 3, cg });
	} else {
		x = input(t, e, c->f16, 3, 2, (uint32_t[]){ c->m, c->k });
		w = input(t, e, c->f16, 0, 2, (uint32_t[]){ c->n, c->k });
	}
	CHECK(t, x && w, "%s: inputs", c->what);
	for (int i = 0; i < 2; i++) {
		y[i] = c->conv ? t_tensor(t, e->ref, c->f16 ? ENPU_DTYPE_FP16 : ENPU_DTYPE_INT8, 4,
					  (uint32_t[]){ 1, hw, hw, c->cout }, c->f16 ? NULL : &qo,
					  NULL)
			       : t_tensor(t, e->ref, c->f16 ? ENPU_DTYPE_FP16 : ENPU_DTYPE_INT8, 2,
					  (uint32_t[]){ c->m, c->n }, c->f16 ? NULL : &qo, NULL);
		CHECK(t, y[i], "%s: output", c->what);
		CHECK_OK(t, enpu_command_list_create(&l));
		if (c->conv)
			CHECK_OK(t, enpu_cmd_conv2d(l, &(enpu_conv2d_params_t){
				.input = x, .filter = w, .output = y[i], .stride_h = 1,
				.stride_w = 1, .dilation_h = 1, .dilation_w = 1, .pad_top = 1,
				.pad_left = 1, .pad_bottom = 1, .pad_right = 1,
				.groups = c->groups }));
		else
			CHECK_OK(t, enpu_cmd_gemm(l, &(enpu_gemm_params_t){ .a = x, .b = w,
									   .c = y[i] }));
		for (int p = 0; p < GPU_PIPE_COUNT; p++) {	/* the other set */
			VkPipeline keep = d->pipes[p];

			d->pipes[p] = other[p];
			other[p] = keep;
		}
		enpu_status_t st = t_run(e->cpu, l);

		enpu_command_list_release(l);
		l = NULL;
		CHECK_OK(t, st);
	}
	size_t bytes = enpu_tensor_element_count(y[0]) * (c->f16 ? 2 : 1);
	CHECK(t, !memcmp(t_data(y[0]), t_data(y[1]), bytes),
	      "%s: the pipelines without the mode computed another result", c->what);
	ok = true;
out:
	enpu_command_list_release(l);
	enpu_tensor_t *all[] = { x, w, y[0], y[1] };
	for (size_t i = 0; i < 4; i++)
		enpu_tensor_release(all[i]);
	return ok;
}

void test_gpu_float_controls_off(tctx *t)
{
	static const fc_case_t cases[] = {
		{ "gemm f16 5x3x7", false, true, .m = 5, .n = 3, .k = 7 },
		{ "gemm f16 64x64x64", false, true, .m = 64, .n = 64, .k = 64 },
		{ "gemm i8 5x3x7", false, false, .m = 5, .n = 3, .k = 7 },
		{ "gemm i8 37x20x64", false, false, .m = 37, .n = 20, .k = 64 },
		{ "conv f16 6x6x6->6 g3", true, true, .hw = 6, .cin = 6, .cout = 6, .groups = 3 },
		{ "conv f16 8x8x8->8", true, true, .hw = 8, .cin = 8, .cout = 8, .groups = 1 },
		{ "conv i8 8x8x8->8", true, false, .hw = 8, .cin = 8, .cout = 8, .groups = 1 },
	};
	VkPipeline plain[GPU_PIPE_COUNT] = { 0 };
	gpu_device_t *d = NULL;
	t_env e;

	if (!t_env_open(t, &e, T_DUT_GPU, 1))
		return;
	d = e.cpu->state;
	for (int p = 0; p < GPU_PIPE_COUNT; p++)
		if (d->pipes[p])
			CHECK_OK(t, gpu_pipeline_create(d, p, false, &plain[p]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!run_case(t, &e, d, plain, &cases[i]))
			break;
	if (!d->float_controls)
		t_skip(t, "the GPU has no shaderSignedZeroInfNanPreserveFloat32: both sets lack the mode");
out:
	for (int p = 0; d && p < GPU_PIPE_COUNT; p++)
		d->vk.vkDestroyPipeline(d->dev, plain[p], NULL);
	t_env_close(&e);
}
#else
void test_gpu_float_controls_strip(tctx *t)
{
	t_skip(t, "built without the Vulkan headers: no GPU backend");
}

void test_gpu_float_controls_off(tctx *t)
{
	t_skip(t, "built without the Vulkan headers: no GPU backend");
}
#endif
