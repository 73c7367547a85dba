// SPDX-License-Identifier: MIT
/* Workload specs (see workload.h) and their execution through the HAL. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "enpuctl.h"
#include "workload.h"

static bool dims(const char *s, uint32_t *out, int n)
{
	for (int i = 0; i < n; i++) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		/* digits only, as parse_uint takes them */
		if (!isdigit((unsigned char)*s) || v == 0 || v > 65536 ||
		    *end != (i == n - 1 ? '\0' : 'x'))
			return false;
		out[i] = (uint32_t)v;
		s = end + 1;
	}
	return true;
}

static bool option(const char *tok, wl_spec_t *s)
{
	if (!strcmp(tok, "i8") || !strcmp(tok, "int8"))
		s->dtype = ENPU_DTYPE_INT8;
	else if (!strcmp(tok, "f16") || !strcmp(tok, "fp16"))
		s->dtype = ENPU_DTYPE_FP16;
	else if (!strncmp(tok, "device=", 7) && tok[7] && strlen(tok + 7) < sizeof(s->device))
		strcpy(s->device, tok + 7);
	else if (!strncmp(tok, "repeat=", 7))
		return parse_u32(tok + 7, 1, 1000000, &s->repeat);
	else if (!strncmp(tok, "threads=", 8))
		return parse_u32(tok + 8, 0, 1024, &s->threads);
	else if (s->op == WL_CONV && !strncmp(tok, "k=", 2))
		return parse_u32(tok + 2, 1, 15, &s->kernel);
	else if (s->op == WL_CONV && !strncmp(tok, "stride=", 7))
		return parse_u32(tok + 7, 1, 8, &s->stride);
	else if (s->op == WL_CONV && !strncmp(tok, "pad=", 4))
		return parse_u32(tok + 4, 0, 14, &s->pad);
	else
		return false;
	return true;
}

bool wl_parse(const char *text, wl_spec_t *s, char *err, size_t err_len)
{
	char buf[256], *save = NULL, *tok;
	uint32_t d[4];

	*s = (wl_spec_t){ .dtype = ENPU_DTYPE_INT8, .repeat = 10, .kernel = 3, .stride = 1 };
	strcpy(s->device, "cpu");
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, err_len, "spec too long");
		return false;
	}
	strcpy(buf, text);
	tok = strtok_r(buf, " \t\n", &save);
	if (!tok || (strcmp(tok, "gemm") && strcmp(tok, "conv"))) {
		snprintf(err, err_len, "'%s': a spec starts with gemm or conv", tok ? tok : "");
		return false;
	}
	s->op = strcmp(tok, "gemm") ? WL_CONV : WL_GEMM;
	tok = strtok_r(NULL, " \t\n", &save);
	if (!tok || !dims(tok, d, s->op == WL_GEMM ? 3 : 4)) {
		snprintf(err, err_len, "'%s': expected %s", tok ? tok : "",
			 s->op == WL_GEMM ? "MxNxK, e.g. 256x256x256" : "HxWxCINxCOUT, e.g. 56x56x64x64");
		return false;
	}
	if (s->op == WL_GEMM) {
		s->m = d[0], s->n = d[1], s->k = d[2];
	} else {
		s->h = d[0], s->w = d[1], s->cin = d[2], s->cout = d[3];
		s->pad = 1;
	}
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		if (!option(tok, s)) {
			snprintf(err, err_len, "'%s': expected i8, f16, device=NAME, repeat=N, "
				 "threads=N%s", tok, s->op == WL_CONV ? ", k=K, stride=S, pad=P" : "");
			return false;
		}
	}
	if (s->op == WL_CONV && (s->h + 2 * s->pad < s->kernel || s->w + 2 * s->pad < s->kernel)) {
		snprintf(err, err_len, "the %ux%u kernel is larger than the padded input", s->kernel,
			 s->kernel);
		return false;
	}
	return true;
}

static uint32_t conv_out(uint32_t in, const wl_spec_t *s)
{
	return (in + 2 * s->pad - s->kernel) / s->stride + 1;
}

void wl_describe(const wl_spec_t *s, char *out, size_t len)
{
	const char *dt = s->dtype == ENPU_DTYPE_FP16 ? "f16" : "i8";

	if (s->op == WL_GEMM)
		snprintf(out, len, "gemm %ux%ux%u %s", s->m, s->n, s->k, dt);
	else
		snprintf(out, len, "conv %ux%ux%ux%u k=%u stride=%u pad=%u %s", s->h, s->w, s->cin,
			 s->cout, s->kernel, s->stride, s->pad, dt);
}

double wl_ops(const wl_spec_t *s)
{
	if (s->op == WL_GEMM)
		return 2.0 * s->m * s->n * s->k;
	return 2.0 * conv_out(s->h, s) * conv_out(s->w, s) * s->cout * s->kernel * s->kernel * s->cin;
}

/* A tensor with pseudo-random contents (fp16 kept small and finite). */
static enpu_status_t tensor(enpu_device_t *dev, enpu_dtype_t dt, uint32_t rank,
			    const uint32_t *shape, float scale, uint32_t flags, enpu_tensor_t **out)
{
	enpu_tensor_desc_t d = { .dtype = dt, .rank = rank, .flags = flags };
	size_t bytes = enpu_dtype_size(dt);
	enpu_buffer_t *buf = NULL;
	enpu_status_t st;
	uint8_t *p;
	uint32_t x = 12345;

	for (uint32_t i = 0; i < rank; i++)
		bytes *= (d.dims[i] = shape[i]);
	if (dt == ENPU_DTYPE_INT8)
		d.quant = (enpu_quant_t){ .kind = ENPU_QUANT_PER_TENSOR, .scale = scale };
	st = enpu_buffer_allocate(dev, bytes, &buf);
	if (!st)
		st = enpu_tensor_create(buf, 0, &d, out);
	if (!st)
		st = enpu_buffer_map(buf, 0, bytes, (void **)&p);
	if (!st) {
		for (size_t i = 0; i < bytes; i++) {
			x = x * 1664525u + 1013904223u;
			p[i] = (uint8_t)(x >> 24);
		}
		if (dt == ENPU_DTYPE_FP16)
			for (size_t i = 1; i < bytes; i += 2)
				p[i] &= 0xbb;
		st = enpu_buffer_unmap(buf);
	}
	enpu_buffer_release(buf);
	return st;
}

enpu_status_t wl_prepare(enpu_context_t *ctx, const wl_spec_t *s, wl_t *wl)
{
	enpu_device_options_t opts = { .num_threads = s->threads };
	size_t idx = hal_find(ctx, s->device);
	enpu_status_t st;

	*wl = (wl_t){ 0 };
	if (idx == SIZE_MAX)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "no HAL device '%s' (`enpuctl "
					"list` shows them; cpu, ref and npu name the first of a type)",
					s->device);
	st = enpu_device_open(ctx, idx, &opts, &wl->dev);
	if (!st && s->op == WL_GEMM) {
		st = tensor(wl->dev, s->dtype, 2, (uint32_t[]){ s->m, s->k }, 0.02f, 0, &wl->t[0]);
		if (!st)
			st = tensor(wl->dev, s->dtype, 2, (uint32_t[]){ s->n, s->k }, 0.01f,
				    ENPU_TENSOR_CONSTANT, &wl->t[1]);
		if (!st)
			st = tensor(wl->dev, s->dtype, 2, (uint32_t[]){ s->m, s->n }, 0.5f, 0, &wl->t[2]);
	} else if (!st) {
		st = tensor(wl->dev, s->dtype, 4, (uint32_t[]){ 1, s->h, s->w, s->cin }, 0.02f, 0,
			    &wl->t[0]);
		if (!st)
			st = tensor(wl->dev, s->dtype, 4,
				    (uint32_t[]){ s->cout, s->kernel, s->kernel, s->cin }, 0.01f,
				    ENPU_TENSOR_CONSTANT, &wl->t[1]);
		if (!st)
			st = tensor(wl->dev, s->dtype, 4,
				    (uint32_t[]){ 1, conv_out(s->h, s), conv_out(s->w, s), s->cout },
				    0.5f, 0, &wl->t[2]);
	}
	if (!st)
		st = enpu_command_list_create(&wl->list);
	if (!st && s->op == WL_GEMM)
		st = enpu_cmd_gemm(wl->list, &(enpu_gemm_params_t){ .a = wl->t[0], .b = wl->t[1],
								    .c = wl->t[2] });
	else if (!st)
		st = enpu_cmd_conv2d(wl->list, &(enpu_conv2d_params_t){
			.input = wl->t[0], .filter = wl->t[1], .output = wl->t[2],
			.stride_h = s->stride, .stride_w = s->stride, .dilation_h = 1,
			.dilation_w = 1, .pad_top = s->pad, .pad_left = s->pad,
			.pad_bottom = s->pad, .pad_right = s->pad, .groups = 1 });
	if (st)
		wl_release(wl);
	return st;
}

enpu_status_t wl_run(wl_t *wl, double *secs)
{
	enpu_fence_t *f = NULL;
	double t0 = now_s();
	enpu_status_t st = enpu_device_submit(wl->dev, wl->list, NULL, 0, &f);

	if (!st)
		st = enpu_fence_wait(f, ENPU_TIMEOUT_INFINITE);
	*secs = now_s() - t0;
	enpu_fence_release(f);
	return st;
}

void wl_release(wl_t *wl)
{
	enpu_command_list_release(wl->list);
	for (int i = 0; i < 3; i++)
		enpu_tensor_release(wl->t[i]);
	enpu_device_release(wl->dev);
	*wl = (wl_t){ 0 };
}
