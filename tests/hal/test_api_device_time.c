// SPDX-License-Identifier: MIT
/* enpu_fence_device_time_ns: the GPU reports the time of its dispatches,
 * measured on the device (nonzero, at most the submission's wall time);
 * devices that do not measure their own time, host fences and pending
 * fences say so with distinct statuses. */
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "tests.h"

#define U32(...) ((const uint32_t[]){ __VA_ARGS__ })

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Submits a requantization of n int8 values on e->cpu (the device under test);
 * returns its fence, signalled, and the wall time of submit + wait. */
static enpu_fence_t *run_requant(tctx *t, t_env *e, uint32_t n, uint64_t *wall_ns)
{
	enpu_quant_t q1 = t_q(1.0f, 0), qh = t_q(0.5f, 3);
	enpu_tensor_t *in = t_tensor(t, e->cpu, ENPU_DTYPE_INT8, 1, U32(n), &q1, NULL);
	enpu_tensor_t *out = t_tensor(t, e->cpu, ENPU_DTYPE_INT8, 1, U32(n), &qh, NULL);
	enpu_command_list_t *l = NULL;
	enpu_fence_t *f = NULL;
	uint64_t t0;

	CHECK(t, in && out, "tensors");
	CHECK_OK(t, enpu_command_list_create(&l));
	CHECK_OK(t, enpu_cmd_requantize(l, &(enpu_requantize_params_t){ .input = in,
									.output = out }));
	t0 = now_ns();
	CHECK_OK(t, enpu_device_submit(e->cpu, l, NULL, 0, &f));
	CHECK_OK(t, enpu_fence_wait(f, ENPU_TIMEOUT_INFINITE));
	*wall_ns = now_ns() - t0;
out:
	enpu_command_list_release(l);
	enpu_tensor_release(in);
	enpu_tensor_release(out);
	return f;
}

void test_api_fence_device_time(tctx *t)
{
	enpu_fence_t *host = NULL, *f = NULL;
	uint64_t ns = 0, wall;
	t_env e;

	CHECK_ERR(t, enpu_fence_device_time_ns(NULL, &ns), ENPU_STATUS_INVALID_ARGUMENT, "required");
	CHECK_OK(t, enpu_fence_create(&host));
	CHECK_ERR(t, enpu_fence_device_time_ns(host, NULL), ENPU_STATUS_INVALID_ARGUMENT,
		  "required");
	CHECK_ERR(t, enpu_fence_device_time_ns(host, &ns), ENPU_STATUS_FAILED_PRECONDITION,
		  "has not signalled");
	CHECK_OK(t, enpu_fence_signal(host, ENPU_OK));
	CHECK_ERR(t, enpu_fence_device_time_ns(host, &ns), ENPU_STATUS_UNSUPPORTED,
		  "a host fence has no device time");
	if (!t_env_open(t, &e, ENPU_CPU_ISA_AUTO, 1))
		goto out;
	f = run_requant(t, &e, 1000, &wall);
	t_env_close(&e);
	CHECK(t, f, "CPU submission");
	CHECK_ERR(t, enpu_fence_device_time_ns(f, &ns), ENPU_STATUS_UNSUPPORTED,
		  "does not measure its own time");
out:
	enpu_fence_release(host);
	enpu_fence_release(f);
}

void test_api_gpu_device_time(tctx *t)
{
	enpu_fence_t *f = NULL;
	uint64_t ns = 0, wall = 0;
	t_env e;

	if (!t_env_open(t, &e, T_DUT_GPU, 1))
		return;
	f = run_requant(t, &e, 1u << 20, &wall);
	CHECK(t, f, "GPU submission");
	CHECK_OK(t, enpu_fence_device_time_ns(f, &ns));
	CHECK(t, ns > 0 && ns <= wall, "device time %llu ns, wall %llu ns",
	      (unsigned long long)ns, (unsigned long long)wall);
out:
	enpu_fence_release(f);
	t_env_close(&e);
}
