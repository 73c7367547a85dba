/* SPDX-License-Identifier: MIT */
/* Internal: state of an open CPU device and the op drivers it runs. */
#ifndef ENPU_CPU_DEVICE_H
#define ENPU_CPU_DEVICE_H

#include <stdatomic.h>
#include "../host_queue.h"
#include "conv_kernels.h"
#include "gemm_i8_kernels.h"
#include "threadpool.h"
#include "vec_kernels.h"

typedef struct cpu_device {
	cpu_threadpool_t *pool;
	const cpu_i8_gemm_ops_t *i8;
	const cpu_vec_ops_t *vec;
	/* dedicated int8 conv kernels, tried in order; NULL-terminated */
	const cpu_conv_kernel_t *const *conv;
	enpu_host_queue_t *queue;
	bool prefetch; /* cpu_stream_prefetch(): GEMV kernels prefetch B */
	bool f16_narrow; /* cpu_f16_narrow(): skinny fp16 GEMMs convert 256 bits at a time */
	/* skinny fp16 GEMMs read B as fp32 panels up to this many bytes of them
	 * (cpu_f16_fp32_max()), as fp16 panels beyond */
	size_t f16_fp32_max;
	uint32_t kc;     /* the int8 GEMM's K block on this host: cpu_i8_kc() */
} cpu_device_t;

/* ceil(a / b), b > 0, without the wrap of (a + b - 1) / b near 2^32 */
static inline uint32_t cpu_div_up(uint32_t a, uint32_t b)
{
	return a / b + (a % b != 0);
}

/* The int8 GEMM kernel family of a CPU kernel family (isa), or
 * cpu_i8_gemm_generic where this architecture has none for it. */
const cpu_i8_gemm_ops_t *cpu_i8_gemm_for(enpu_cpu_isa_t isa);

/* Source of GEMM A rows: returns row `row` (k elements), either in place or
 * written to scratch (room for k elements). */
typedef const void *(*cpu_row_fn)(const void *ctx, uint32_t row, void *scratch);

typedef struct cpu_gemm_problem {
	uint32_t m, n, k;
	cpu_row_fn a_row;
	const void *a_ctx;
	const void *b;          /* [n][k], int8 or fp16 */
	const void *bias;       /* [n] int32 / fp32, or NULL */
	const int32_t *mult, *shift; /* [n], int8 only */
	int32_t a_zp, c_zp;
	enpu_clamp_t clamp;
	void *c;                /* row r at c + r * ldc elements */
	size_t ldc;
	/* Where to keep/find packed B (int8), or NULL when B or bias may change. */
	_Atomic(enpu_op_cache_t *) *cache;
} cpu_gemm_problem_t;

enpu_status_t cpu_gemm_i8(const cpu_device_t *d, const cpu_gemm_problem_t *p);
/* B of an int8 GEMM in the family's panels ([kp/g][nr][g] each), with the
 * per-column correction folded into an effective bias and the output
 * stage's multipliers padded to whole panels. */
typedef struct cpu_i8_packed {
	enpu_op_cache_t base; /* key: the cpu_i8_gemm_ops_t that packed it */
	uint32_t kp, panels;
	size_t panel_bytes;
	uint8_t *bpack;
	int32_t *beff, *mult, *shift; /* panels * nr */
	uint8_t *rq;                  /* panels * nr / 16 x rq_size, for kernel_out */
	bool any_left;
	bool rq_uniform; /* every column's mult and shift are column 0's */
	atomic_uint reads; /* GEMM calls that read it: cpu_i8_packed_backwards */
} cpu_i8_packed_t;
/* p's B (n, k, b, bias, mult, shift, a_zp and cache are used) packed, from
 * p->cache when there; NULL when out of memory. *owned: release it with
 * cpu_i8_packed_release after use. */
const cpu_i8_packed_t *cpu_gemm_i8_pack(const cpu_device_t *d, const cpu_gemm_problem_t *p,
					bool *owned);
void cpu_i8_packed_release(const cpu_i8_packed_t *b, bool owned);
/* Whether a GEMM call goes through b's panels backwards: every other call,
 * the first one included (each packing thread wrote its panels in rising
 * order, so the last ones are the most recently written). Where B
 * is about the L2's size and read once per call (few rows), a call in the
 * direction of the previous one finds the lines it needs first evicted by
 * that call's last ones (and each such miss evicts the next line needed);
 * the opposite direction finds the previous call's last lines still cached.
 * 1 x 1024 x 1024 on Zen 4: 9-12% faster; 2 rows 5%; docs/perf.md. The
 * GEMM driver asks only where the kernels do not prefetch B (Zen 3 and 4:
 * cpu_stream_prefetch), since their prefetches run at rising addresses. */
bool cpu_i8_packed_backwards(const cpu_i8_packed_t *b);
enpu_status_t cpu_gemm_f16(const cpu_device_t *d, const cpu_gemm_problem_t *p);
/* The op's cache slot for packed weights, or NULL (weights not constant). */
_Atomic(enpu_op_cache_t *) *cpu_cache_slot(const enpu_op_t *op);
/* Both dtypes; picks depthwise, pointwise, implicit GEMM or im2col + GEMM. */
enpu_status_t cpu_conv(const cpu_device_t *d, const enpu_op_t *op, void *out);
/* int8, groups 1, no dilation, a padded input within 32 bits, output rows
 * the family takes (conv_min_rows, conv_min_tile) or runs wrapping across
 * them (conv_wrap), on a family with kernel_out: convolution as an implicit
 * GEMM (cpu_conv asks only for pads smaller than the kernel). */
bool cpu_conv_implicit_accepts(const cpu_device_t *d, const enpu_conv_op_t *c);
enpu_status_t cpu_conv_implicit(const cpu_device_t *d, const enpu_op_t *op, void *out);
/* Output pixels per kernel call of the implicit GEMM (o's kernels): up to 96,
 * the span (an output row, or an image's rows wrapped) split evenly; where
 * lines (spans: images, or images x output rows) x calls per span x panels
 * of o->nr channels give fewer than want tasks, fewer, in whole row tiles
 * (o->mr) or o->conv_min_rows, and at least o->conv_min_rows. */
uint32_t cpu_conv_implicit_rows(const cpu_i8_gemm_ops_t *o, uint32_t span, size_t lines,
				uint32_t panels, uint32_t want);
enpu_status_t cpu_pool(const cpu_device_t *d, const enpu_op_t *op, void *out);
enpu_status_t cpu_pointwise(const cpu_device_t *d, const enpu_op_t *op, void *out);

/* Task grid of the GEMM drivers: MC-row blocks x chunks of NR-column panels,
 * enough tasks to keep every thread busy. */
typedef struct cpu_grid {
	uint32_t mc, mblocks, panels, pan_per_chunk, nchunks;
} cpu_grid_t;
cpu_grid_t cpu_grid_make(uint32_t m, uint32_t n, uint32_t mr, uint32_t nr, unsigned threads);
/* The K block of family o's kernel calls on a host with l1d bytes of L1
 * data cache: o->kc where B's block fits in two thirds of it or l1d is 0
 * (unknown), else o->kc_big where set. */
uint32_t cpu_i8_kc(const cpu_i8_gemm_ops_t *o, size_t l1d);
/* The most bytes of fp32 B panels that a skinny fp16 GEMM reads as such on a
 * host whose fp16 conversion is slow (cpu_f16_convert_slow()) with l3
 * bytes of L3: half of it (1 x 1536 x 1024, 6 of 8 MiB, gained 1.05x;
 * 1 x 2048 x 1024 lost 0.64x), and 0 (always fp16 panels) where the
 * conversion keeps up or the L3 is unknown. */
size_t cpu_f16_fp32_max(bool convert_slow, size_t l3);
/* Threads to run macs MACs on (the op's loops run on exactly these, the
 * caller and the pool's first workers), at most the pool's size: one more
 * per 2^warm_shift MACs where those workers still spin after their last
 * loop, per 2^cold_shift where one of them sleeps (waking one took ~18 us
 * on the 2-vCPU test VM). A cold call from 2^warm_shift MACs also wakes
 * them (without waiting), so that the next op finds them spinning; but if
 * they slept again before the previous such op ended (cpu_run_tasks tells
 * the pool), and it began less than 2 ms ago (a burst,
 * cpu_threadpool_prewake), this one counts as warm and wakes them for
 * itself. */
unsigned cpu_threads_for(const cpu_device_t *d, uint64_t macs, unsigned cold_shift,
			 unsigned warm_shift);
/* cpu_threads_for() of m*n*k MACs with the int8 family's thread_shift (its
 * gemv_thread_shift for M = 1, where set):
 * cold, one more thread per 2^thread_shift MACs (AVX-512 VNNI: 2^25, about
 * 80 us; a sleeping second thread slowed 8 x 1024 x 1024 and 256^3 down);
 * warm, per 2^(thread_shift - 7) (VNNI: ~0.6 us of one core's work: 2
 * threads made GEMMs of 2^18-2^24 MACs 1.2-1.9x faster than one). */
unsigned cpu_gemm_threads(const cpu_device_t *d, uint32_t m, uint32_t n, uint32_t k);
/* Runs fn over tasks on threads threads (inline on this thread when 1), then
 * tells the pool the op's work ended (cpu_threadpool_op_done). */
void cpu_run_tasks(const cpu_device_t *d, unsigned threads, size_t tasks, cpu_task_fn fn,
		   void *arg);

/* Rows of a dense row-major matrix, used in place (ctx: cpu_dense_rows_t). */
typedef struct cpu_dense_rows {
	const uint8_t *base;
	size_t row_bytes;
} cpu_dense_rows_t;
const void *cpu_dense_row(const void *ctx, uint32_t row, void *scratch);

/* Data derived from an op's constant operands: the entry in *slot when it was
 * made under key; otherwise make(ctx) (NULL = out of memory), offered to the
 * slot when slot is non-NULL and empty. *owned tells the caller to destroy the
 * result after use (it was not cached). */
enpu_op_cache_t *cpu_cache_get(_Atomic(enpu_op_cache_t *) *slot, const void *key,
			       enpu_op_cache_t *(*make)(void *ctx), void *ctx, bool *owned);

/* 64-byte aligned allocation of size bytes (rounded up); free with free(). */
void *cpu_alloc(size_t size);

/* Per-thread scratch: a region of bytes for each of threads threads (task
 * functions' thread < threads), stride apart (bytes rounded up to a cache
 * line, plus, between regions, a guard that keeps one thread's hardware
 * prefetches out of the next thread's region); base is NULL when out of
 * memory. Where all of it fits local (CPU_SCRATCH_LOCAL bytes, 64-byte
 * aligned, in the caller's frame), it is local and nothing is allocated.
 * Release with cpu_scratch_free(). */
#define CPU_SCRATCH_LOCAL 4096u
typedef struct cpu_scratch {
	uint8_t *base;
	size_t stride;
	bool heap; /* base from cpu_alloc */
} cpu_scratch_t;
cpu_scratch_t cpu_scratch_alloc(unsigned threads, size_t bytes, void *local);
void cpu_scratch_free(const cpu_scratch_t *s);

static inline void *cpu_scratch_at(const cpu_scratch_t *s, unsigned thread)
{
	return s->base + (size_t)thread * s->stride;
}

#endif
