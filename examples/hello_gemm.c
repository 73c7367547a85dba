/* SPDX-License-Identifier: MIT */
/* hello_gemm [npu]: an int8 GEMM C = A * B^T on the CPU (device 0) or the NPU. */
#include <stdio.h>
#include <string.h>
#include <enpu/enpu.h>
#define TRY(expr)                                                                        \
	do {                                                                             \
		enpu_status_t s_ = (expr);                                               \
		if (s_)                                                                  \
			return fprintf(stderr, "%s: %s\n", #expr, enpu_status_message(s_)), 1; \
	} while (0)
/* A rows x cols int8 tensor (real value = scale * q) in a new buffer. */
static enpu_status_t tensor(enpu_device_t *dev, uint32_t rows, uint32_t cols, float scale,
			    enpu_tensor_t **out)
{
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { rows, cols },
				 .quant = { .kind = ENPU_QUANT_PER_TENSOR, .scale = scale } };
	enpu_buffer_t *buf;
	enpu_status_t s = enpu_buffer_allocate(dev, (size_t)rows * cols, &buf);
	if (!s)
		s = enpu_tensor_create(buf, 0, &d, out);
	enpu_buffer_release(buf); /* the tensor holds its own reference */
	return s;
}

int main(int argc, char **argv)
{
	const int8_t a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { 1, 0, -1, 2, 2, 2 };
	enpu_context_t *ctx;
	enpu_device_t *dev;
	enpu_tensor_t *ta, *tb, *tc;
	enpu_command_list_t *list;
	enpu_fence_t *done;
	int8_t *pa, *pb, *c;
	size_t i = 0; /* device 0 is always the CPU */
	TRY(enpu_context_create(&ctx));
	if (argc > 1 && !strcmp(argv[1], "npu"))
		TRY(enpu_context_find_device(ctx, ENPU_DEVICE_NPU, &i));
	TRY(enpu_device_open(ctx, i, NULL, &dev));
	TRY(tensor(dev, 2, 3, 0.5f, &ta));  /* A [M=2][K=3] */
	TRY(tensor(dev, 2, 3, 0.5f, &tb));  /* B [N=2][K=3], weights */
	TRY(tensor(dev, 2, 2, 0.25f, &tc)); /* C [M][N]: multiplier 0.5*0.5/0.25 = 1 */
	TRY(enpu_buffer_map(enpu_tensor_buffer(ta), 0, 6, (void **)&pa));
	TRY(enpu_buffer_map(enpu_tensor_buffer(tb), 0, 6, (void **)&pb));
	memcpy(pa, a, 6);
	memcpy(pb, b, 6);
	TRY(enpu_command_list_create(&list));
	TRY(enpu_cmd_gemm(list, &(enpu_gemm_params_t){ .a = ta, .b = tb, .c = tc }));
	TRY(enpu_device_submit(dev, list, NULL, 0, &done)); /* asynchronous */
	TRY(enpu_fence_wait(done, ENPU_TIMEOUT_INFINITE));
	TRY(enpu_buffer_map(enpu_tensor_buffer(tc), 0, 4, (void **)&c));
	printf("C = [[%d %d] [%d %d]] (expected [[-2 12] [-2 30]])\n", c[0], c[1], c[2], c[3]);
	enpu_fence_release(done);
	enpu_command_list_release(list);
	enpu_tensor_release(ta), enpu_tensor_release(tb), enpu_tensor_release(tc);
	enpu_device_release(dev);
	enpu_context_release(ctx);
	return 0;
}
