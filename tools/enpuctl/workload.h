/* SPDX-License-Identifier: MIT */
/* Workloads run through the HAL (enpuctl run and bench): parsing the text
 * spec, building the tensors and command list, timing runs. */
#ifndef ENPUCTL_WORKLOAD_H
#define ENPUCTL_WORKLOAD_H

#include "enpuctl.h"

typedef enum { WL_GEMM, WL_CONV } wl_op_t;

/* "gemm MxNxK [i8|f16] [device=D] [repeat=N] [threads=T]"
 * "conv HxWxCINxCOUT [k=K] [stride=S] [pad=P] [i8|f16] [device=D] [repeat=N] [threads=T]" */
typedef struct wl_spec {
	wl_op_t op;
	enpu_dtype_t dtype;       /* INT8 (default) or FP16 */
	uint32_t m, n, k;         /* gemm */
	uint32_t h, w, cin, cout; /* conv (batch 1) */
	uint32_t kernel, stride, pad;
	char device[32];          /* HAL name or type (default "cpu") */
	uint32_t repeat;          /* timed runs (default 10) */
	uint32_t threads;         /* CPU threads, 0 = all */
} wl_spec_t;

/* Parses one spec; false with a message in err. */
bool wl_parse(const char *text, wl_spec_t *spec, char *err, size_t err_len);
/* "gemm 256x256x256 i8", "conv 56x56x64x64 k3 s1 p1 f16" */
void wl_describe(const wl_spec_t *spec, char *out, size_t len);
/* Operations (2 per multiply-accumulate) of one run. */
double wl_ops(const wl_spec_t *spec);

typedef struct wl {
	enpu_device_t *dev;
	enpu_tensor_t *t[3]; /* input, weights, output */
	enpu_command_list_t *list;
} wl_t;

/* Opens the spec's device in ctx and records its op with random data. */
enpu_status_t wl_prepare(enpu_context_t *ctx, const wl_spec_t *spec, wl_t *wl);
/* One submission, waited for; its wall time in *secs. */
enpu_status_t wl_run(wl_t *wl, double *secs);
void wl_release(wl_t *wl);

#endif
