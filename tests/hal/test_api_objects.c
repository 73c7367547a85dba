/* SPDX-License-Identifier: MIT */
/* API tests: status, enumeration, device open, refcounting, buffers, tensors. */
#define _GNU_SOURCE
#include <math.h>
#include <stdatomic.h>
#include <time.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "tests.h"

#define U32(...) ((const uint32_t[]){ __VA_ARGS__ })

void test_api_status(tctx *t)
{
	enpu_status_t s = enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "index %d of %s", 7, "x");
	enpu_status_t c = enpu_status_clone(s);
	CHECK(t, enpu_status_code(ENPU_OK) == ENPU_STATUS_OK, "OK code");
	CHECK(t, strcmp(enpu_status_message(ENPU_OK), "OK") == 0, "OK message");
	CHECK(t, enpu_status_code(s) == ENPU_STATUS_OUT_OF_RANGE, "code");
	CHECK(t, strcmp(enpu_status_message(s), "index 7 of x") == 0, "message '%s'",
	      enpu_status_message(s));
	CHECK(t, c != s && strcmp(enpu_status_message(c), "index 7 of x") == 0, "clone");
	CHECK(t, strcmp(enpu_status_code_name(ENPU_STATUS_DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED") == 0,
	      "code name");
	CHECK(t, enpu_status_clone(ENPU_OK) == ENPU_OK, "clone of OK");
out:
	enpu_status_free(s);
	enpu_status_free(c);
	enpu_status_free(ENPU_OK);
}

void test_api_enumerate(tctx *t)
{
	enpu_context_t *ctx = NULL;
	enpu_device_t *dev = NULL;
	size_t idx;
	enpu_device_info_t info;
	CHECK_ERR(t, enpu_context_create(NULL), ENPU_STATUS_INVALID_ARGUMENT, "NULL");
	CHECK_OK(t, enpu_context_create(&ctx));
	CHECK(t, enpu_context_device_count(ctx) >= 2, "need cpu and ref devices");
	CHECK_OK(t, enpu_context_find_device(ctx, ENPU_DEVICE_CPU, &idx));
	CHECK_OK(t, enpu_context_device_info(ctx, idx, &info));
	CHECK(t, strcmp(info.name, "cpu0") == 0, "cpu name '%s'", info.name);
	CHECK(t, info.op_mask == (1u << ENPU_OP_KIND_COUNT) - 1u, "cpu ops 0x%x", info.op_mask);
	CHECK(t, info.dtype_mask & (1u << ENPU_DTYPE_INT8) && info.dtype_mask & (1u << ENPU_DTYPE_FP16),
	      "cpu dtypes 0x%x", info.dtype_mask);
	CHECK(t, info.core_count == (uint32_t)sysconf(_SC_NPROCESSORS_ONLN), "cores %u",
	      info.core_count);
	CHECK(t, info.memory_bytes > 0, "memory");
	CHECK_ERR(t, enpu_context_find_device(ctx, ENPU_DEVICE_NPU, &idx), ENPU_STATUS_OUT_OF_RANGE,
		  "no device");
	CHECK_ERR(t, enpu_context_device_info(ctx, 99, &info), ENPU_STATUS_OUT_OF_RANGE,
		  "out of range");
	/* an open device reflects its options */
	CHECK_OK(t, enpu_context_find_device(ctx, ENPU_DEVICE_CPU, &idx));
	CHECK_OK(t, enpu_device_open(ctx, idx, &(enpu_device_options_t){ .num_threads = 3 }, &dev));
	enpu_device_query(dev, &info);
	CHECK(t, info.core_count == 3 && strstr(info.description, "3 threads"), "query: %u '%s'",
	      info.core_count, info.description);
out:
	enpu_device_release(dev);
	enpu_context_release(ctx);
}

void test_api_open_errors(tctx *t)
{
	enpu_context_t *ctx = NULL;
	enpu_device_t *dev = NULL;
	size_t idx;
	CHECK_OK(t, enpu_context_create(&ctx));
	CHECK_ERR(t, enpu_device_open(ctx, 1000, NULL, &dev), ENPU_STATUS_OUT_OF_RANGE,
		  "out of range");
	CHECK_ERR(t, enpu_device_open(NULL, 0, NULL, &dev), ENPU_STATUS_INVALID_ARGUMENT, "context");
	CHECK_OK(t, enpu_context_find_device(ctx, ENPU_DEVICE_CPU, &idx));
	CHECK_ERR(t, enpu_device_open(ctx, idx, &(enpu_device_options_t){ .cpu_isa = 42 }, &dev),
		  ENPU_STATUS_UNSUPPORTED, "not supported");
	CHECK(t, dev == NULL, "no device on failure");
out:
	enpu_device_release(dev);
	enpu_context_release(ctx);
}

/* Every entry point clears its output (NULL, or -1 for an fd) on failure,
 * whichever argument was bad, first ones included. */
#define CLEARED(call, out, value)                                                  \
	do {                                                                    \
		out = poison;                                                   \
		CHECK_ERR(t, call, ENPU_STATUS_INVALID_ARGUMENT, "NULL");       \
		CHECK(t, out == (value), "%s left its output", #call);          \
	} while (0)

void test_api_outputs_cleared(tctx *t)
{
	static char mem[16];
	void *poison = mem;
	enpu_buffer_t *buf;
	enpu_device_t *dev;
	enpu_tensor_t *tensor;
	enpu_fence_t *fence;
	enpu_dispatcher_t *disp;
	enpu_plan_t *plan;
	enpu_run_t *run;
	enpu_graph_t *graph;
	void *ptr;
	int fd;
	size_t off;
	const enpu_tensor_desc_t desc = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { 4 } };

	CLEARED(enpu_buffer_allocate(NULL, 16, &buf), buf, NULL);
	CLEARED(enpu_buffer_wrap(NULL, mem, 16, NULL, NULL, &buf), buf, NULL);
	CLEARED(enpu_buffer_import_fd(NULL, 0, 0, 16, &buf), buf, NULL);
	CLEARED(enpu_buffer_map(NULL, 0, 1, &ptr), ptr, NULL);
	CLEARED(enpu_device_open(NULL, 0, NULL, &dev), dev, NULL);
	CLEARED(enpu_tensor_create(NULL, 0, &desc, &tensor), tensor, NULL);
	CLEARED(enpu_device_submit(NULL, NULL, NULL, 0, &fence), fence, NULL);
	CLEARED(enpu_dispatcher_create(NULL, NULL, &disp), disp, NULL);
	CLEARED(enpu_dispatcher_plan(NULL, NULL, &plan), plan, NULL);
	CLEARED(enpu_dispatcher_plan_fixed(NULL, NULL, NULL, &plan), plan, NULL);
	CLEARED(enpu_plan_execute(NULL, &run), run, NULL);
	CLEARED(enpu_graph_create_sample(NULL, "tiny", 1, 0, &graph), graph, NULL);
	fd = 7;
	CHECK_ERR(t, enpu_buffer_export_fd(NULL, &fd, &off), ENPU_STATUS_INVALID_ARGUMENT, "NULL");
	CHECK(t, fd == -1, "enpu_buffer_export_fd left its fd");
out:;
}

static void count_release(void *user, void *ptr)
{
	(void)ptr;
	atomic_fetch_add((atomic_int *)user, 1);
}

/* Pending work drops its references just after its fence signals, on the
 * queue thread: wait (bounded) for the count to settle. */
static int settled(atomic_int *count, int want)
{
	for (int i = 0; i < 1000 && atomic_load(count) != want; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	return atomic_load(count);
}

void test_api_refcount_wrap(tctx *t)
{
	t_env e;
	atomic_int released = 0;
	int8_t *mem = calloc(64, 1);
	enpu_buffer_t *buf = NULL;
	enpu_tensor_t *tensor = NULL;
	enpu_command_list_t *l = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1)) {
		free(mem);
		return;
	}
	CHECK_OK(t, enpu_buffer_wrap(e.cpu, mem, 64, count_release, &released, &buf));
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { 64 },
				 .quant = t_q(1.0f, 0) };
	CHECK_OK(t, enpu_tensor_create(buf, 0, &d, &tensor));
	enpu_buffer_retain(buf);
	enpu_buffer_release(buf);
	enpu_buffer_release(buf); /* the tensor still holds it */
	buf = NULL;
	CHECK(t, atomic_load(&released) == 0, "released while a tensor holds the buffer");
	CHECK_OK(t, enpu_command_list_create(&l));
	enpu_requantize_params_t p = { .input = tensor, .output = tensor };
	CHECK_OK(t, enpu_cmd_requantize(l, &p)); /* in place, identity scale */
	enpu_tensor_release(tensor);
	tensor = NULL;
	CHECK(t, atomic_load(&released) == 0, "released while a command list holds the tensor");
	/* zero copy: the device sees writes through the user's pointer */
	mem[5] = 42;
	CHECK_OK(t, t_run(e.cpu, l));
	CHECK(t, mem[5] == 42, "identity requant changed %d", mem[5]);
	enpu_command_list_release(l);
	l = NULL;
	CHECK(t, settled(&released, 1) == 1, "release callback ran %d times",
	      atomic_load(&released));
out:
	enpu_command_list_release(l);
	enpu_tensor_release(tensor);
	enpu_buffer_release(buf);
	t_env_close(&e);
	free(mem);
}

void test_api_buffer_map_sync(tctx *t)
{
	t_env e;
	enpu_buffer_t *buf = NULL;
	void *p = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	CHECK_ERR(t, enpu_buffer_allocate(e.cpu, 0, &buf), ENPU_STATUS_INVALID_ARGUMENT, "size is 0");
	CHECK_ERR(t, enpu_buffer_allocate(NULL, 16, &buf), ENPU_STATUS_INVALID_ARGUMENT,
		  "device is NULL");
	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 100, &buf));
	CHECK(t, enpu_buffer_size(buf) == 100, "size");
	CHECK_OK(t, enpu_buffer_map(buf, 0, 100, &p));
	CHECK(t, ((uintptr_t)p & 63) == 0, "allocation not 64-byte aligned");
	CHECK(t, ((unsigned char *)p)[99] == 0, "allocation not zeroed");
	CHECK_OK(t, enpu_buffer_sync_for_cpu(buf));
	CHECK_OK(t, enpu_buffer_sync_for_device(buf));
	CHECK_OK(t, enpu_buffer_unmap(buf));
	CHECK_ERR(t, enpu_buffer_unmap(buf), ENPU_STATUS_FAILED_PRECONDITION, "not mapped");
	CHECK_ERR(t, enpu_buffer_map(buf, 90, 11, &p), ENPU_STATUS_OUT_OF_RANGE, "exceeds");
	CHECK_ERR(t, enpu_buffer_map(buf, SIZE_MAX, 2, &p), ENPU_STATUS_OUT_OF_RANGE, "exceeds");
	CHECK_ERR(t, enpu_buffer_sync_for_cpu(NULL), ENPU_STATUS_INVALID_ARGUMENT, "NULL");
out:
	enpu_buffer_release(buf);
	t_env_close(&e);
}

void test_api_buffer_export_import(tctx *t)
{
	t_env e;
	enpu_buffer_t *a = NULL, *b = NULL, *w = NULL, *m = NULL, *bad = NULL;
	int fd = -1, mfd = -1, wfd = -1, bfd = -1;
	size_t off = 1;
	unsigned char *pa, *pb, *pm;
	static unsigned char user[32];
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	/* export a CPU buffer, import it on the reference device: same memory */
	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 8192, &a));
	CHECK_OK(t, enpu_buffer_export_fd(a, &fd, &off));
	CHECK(t, fd >= 0 && off == 0, "fd %d offset %zu", fd, off);
	CHECK_OK(t, enpu_buffer_import_fd(e.ref, fd, 4100, 100, &b));
	CHECK_OK(t, enpu_buffer_map(a, 0, 8192, (void **)&pa));
	CHECK_OK(t, enpu_buffer_map(b, 0, 100, (void **)&pb));
	pa[4100 + 7] = 0x5a;
	CHECK(t, pb[7] == 0x5a, "import does not alias the export (got 0x%x)", pb[7]);
	pb[99] = 0x11;
	CHECK(t, pa[4199] == 0x11, "write through the import not visible");
	CHECK_OK(t, enpu_buffer_unmap(a));
	CHECK_OK(t, enpu_buffer_unmap(b));
	/* re-exporting the import gives its offset in the file */
	CHECK_OK(t, enpu_buffer_export_fd(b, &bfd, &off));
	CHECK(t, bfd >= 0 && off == 4100, "re-export: fd %d offset %zu, want 4100", bfd, off);
	/* a plain memfd, as a stand-in for a dma-buf */
	mfd = memfd_create("test", MFD_CLOEXEC);
	CHECK(t, mfd >= 0 && ftruncate(mfd, 4096) == 0, "memfd");
	CHECK_OK(t, enpu_buffer_import_fd(e.cpu, mfd, 0, 4096, &m));
	CHECK_OK(t, enpu_buffer_map(m, 0, 4096, (void **)&pm));
	CHECK(t, pwrite(mfd, "hi", 2, 10) == 2 && pm[10] == 'h' && pm[11] == 'i',
	      "memfd contents not visible");
	CHECK_OK(t, enpu_buffer_unmap(m));
	CHECK_ERR(t, enpu_buffer_import_fd(e.cpu, mfd, 4000, 200, &bad), ENPU_STATUS_OUT_OF_RANGE,
		  "exceeds");
	/* offset + size wrapping past 2^64 is out of range, not a failed mmap */
	CHECK_ERR(t, enpu_buffer_import_fd(e.cpu, mfd, SIZE_MAX - 100, 4096, &bad),
		  ENPU_STATUS_OUT_OF_RANGE, "exceeds");
	/* the caller's fd shares its file position with the import's duplicate:
	 * importing leaves it where it was */
	CHECK(t, lseek(mfd, 3, SEEK_SET) == 3, "lseek");
	CHECK_OK(t, enpu_buffer_import_fd(e.cpu, mfd, 0, 4096, &bad));
	enpu_buffer_release(bad);
	bad = NULL;
	CHECK(t, lseek(mfd, 0, SEEK_CUR) == 3, "import moved the caller's file position to %lld",
	      (long long)lseek(mfd, 0, SEEK_CUR));
	CHECK_ERR(t, enpu_buffer_import_fd(e.cpu, -1, 0, 10, &bad), ENPU_STATUS_INVALID_ARGUMENT,
		  "invalid");
	CHECK(t, bad == NULL, "buffer returned on failure");
	/* wrapped user memory has no fd */
	CHECK_OK(t, enpu_buffer_wrap(e.cpu, user, sizeof(user), NULL, NULL, &w));
	CHECK_ERR(t, enpu_buffer_export_fd(w, &wfd, &off), ENPU_STATUS_UNSUPPORTED, "wrapped");
	CHECK(t, wfd == -1, "fd set on failure");
out:
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
	if (bfd >= 0)
		close(bfd);
	enpu_buffer_release(a);
	enpu_buffer_release(b);
	enpu_buffer_release(w);
	enpu_buffer_release(m);
	t_env_close(&e);
}

void test_api_tensor_errors(tctx *t)
{
	t_env e;
	enpu_buffer_t *buf = NULL;
	enpu_tensor_t *x = NULL;
	if (!t_env_open(t, &e, ENPU_CPU_ISA_GENERIC, 1))
		return;
	CHECK_OK(t, enpu_buffer_allocate(e.cpu, 64, &buf));
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { 4, 4 } };
	CHECK_ERR(t, enpu_tensor_create(NULL, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "buffer is NULL");
	d.rank = 0;
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "rank");
	d.rank = 5;
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "rank");
	d.rank = 2;
	d.dims[1] = 0;
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "dimension is 0");
	d.dims[1] = 17;
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_OUT_OF_RANGE, "exceed buffer");
	/* an offset past the end (the bytes left would wrap) */
	const enpu_tensor_desc_t one = { .dtype = ENPU_DTYPE_INT8, .rank = 1, .dims = { 4 } };
	CHECK_ERR(t, enpu_tensor_create(buf, 68, &one, &x), ENPU_STATUS_OUT_OF_RANGE,
		  "exceed buffer");
	/* 2^63 elements fit a size_t, their 2^65 bytes do not */
	const enpu_tensor_desc_t huge = { .dtype = ENPU_DTYPE_INT32, .rank = 3,
					  .dims = { 1u << 31, 1u << 31, 2 } };
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &huge, &x), ENPU_STATUS_INVALID_ARGUMENT,
		  "too large");
	d.dims[1] = 4;
	d.dtype = 77;
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "unknown dtype");
	d.dtype = ENPU_DTYPE_FP16;
	CHECK_ERR(t, enpu_tensor_create(buf, 1, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "not aligned");
	d.quant = t_q(0.5f, 0);
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT,
		  "cannot be quantized");
	d.dtype = ENPU_DTYPE_INT8;
	d.quant = t_q(0.0f, 0);
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "scale");
	d.quant = t_q(NAN, 0);
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "scale");
	d.quant = t_q(INFINITY, 0);
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "finite");
	d.quant = t_q(1.0f, 0);
	d.flags = ENPU_TENSOR_CONSTANT << 1;
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT,
		  "unknown flags");
	d.flags = 0;
	d.quant = t_q(1.0f, 128);
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT,
		  "zero point 128 outside int8");
	float scales[4] = { 1, 1, 1, 1 };
	d.quant = (enpu_quant_t){ .kind = ENPU_QUANT_PER_CHANNEL, .axis = 0, .count = 3,
				  .scales = scales };
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT,
		  "per-channel count 3 != dims[0] = 4");
	d.quant.axis = 2;
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT, "axis");
	int32_t zps[4] = { 0, 0, 200, 0 };
	d.quant.axis = 0;
	d.quant.count = 4;
	d.quant.zero_points = zps;
	CHECK_ERR(t, enpu_tensor_create(buf, 0, &d, &x), ENPU_STATUS_INVALID_ARGUMENT,
		  "zero point 200 outside int8");
	d.quant.zero_points = NULL;
	d.quant.axis = 1;
	d.quant.count = 4;
	CHECK_OK(t, enpu_tensor_create(buf, 0, &d, &x));
	scales[0] = 9; /* copied at creation */
	CHECK(t, enpu_tensor_desc(x)->quant.scales[0] == 1.0f, "quant arrays not copied");
	CHECK(t, enpu_tensor_element_count(x) == 16 && enpu_tensor_byte_size(x) == 16, "sizes");
out:
	enpu_tensor_release(x);
	enpu_buffer_release(buf);
	t_env_close(&e);
}
