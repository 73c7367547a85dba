/* SPDX-License-Identifier: MIT */
/* Shared GEMM driver helpers: blocking, weight cache, scratch allocation,
 * dense rows. */
#include <stdlib.h>
#include "cpu_device.h"

/* Rows of A packed per task: ~96 rows keeps the packed block in L2. */
#define MC_TARGET 96u

cpu_grid_t cpu_grid_make(uint32_t m, uint32_t n, uint32_t mr, uint32_t nr, unsigned threads)
{
	cpu_grid_t g;
	/* the fewest blocks of at most ~MC_TARGET rows, of even size (196 rows:
	 * 66 + 66 + 64, not 95 + 95 + 6, whose last block reads all of B for 6
	 * rows; nor 70 + 70 + 56 in multiples of mr, whose unequal tasks left a
	 * thread idle for 10% of a 256^3 GEMM: kernels spread a block's rows
	 * evenly over their tiles) */
	uint32_t mc = MC_TARGET / mr * mr;
	uint32_t blocks = m ? cpu_div_up(m, mc) : 1;
	uint32_t per = cpu_div_up(m, blocks);
	g.mc = per ? per : 1;
	g.mblocks = cpu_div_up(m, g.mc);
	g.panels = cpu_div_up(n, nr);
	/* tasks: a few per thread; one thread takes whole row blocks, as every
	 * chunk of a row block packs its A rows again */
	uint32_t want = threads > 1 ? 4u * threads : 1u;
	uint32_t chunks = g.mblocks >= want ? 1 : cpu_div_up(want, g.mblocks);
	if (chunks > g.panels)
		chunks = g.panels;
	g.pan_per_chunk = cpu_div_up(g.panels, chunks);
	g.nchunks = cpu_div_up(g.panels, g.pan_per_chunk);
	return g;
}

uint32_t cpu_i8_kc(const cpu_i8_gemm_ops_t *o, size_t l1d)
{
	size_t block = (size_t)o->kc * o->nr * o->b_elem;
	return o->kc_big && l1d && block * 3 > l1d * 2 ? o->kc_big : o->kc;
}

enpu_op_cache_t *cpu_cache_get(_Atomic(enpu_op_cache_t *) *slot, const void *key,
			       enpu_op_cache_t *(*make)(void *ctx), void *ctx, bool *owned)
{
	*owned = false;
	enpu_op_cache_t *cached = slot ? atomic_load(slot) : NULL;
	if (cached && cached->key == key)
		return cached;
	enpu_op_cache_t *made = make(ctx);
	enpu_op_cache_t *expected = NULL;
	if (made && slot && !cached && atomic_compare_exchange_strong(slot, &expected, made))
		return made; /* the op owns it now */
	*owned = made != NULL;
	return made;
}

unsigned cpu_threads_for(const cpu_device_t *d, uint64_t macs, unsigned cold_shift,
			 unsigned warm_shift)
{
	unsigned size = cpu_threadpool_size(d->pool);
	uint64_t want = (macs >> warm_shift) + 1;
	unsigned n = want < size ? (unsigned)want : size;
	if (n == 1 || cpu_threadpool_warm(d->pool, n))
		return n;
	/* some of them sleep: work this size runs alone (or on the threads that
	 * 2^cold_shift MACs each are worth) and wakes them for the next, unless
	 * it comes in a burst of such work that outlasts their spin: then it
	 * wakes and uses them now */
	if (cpu_threadpool_prewake(d->pool, n))
		return n;
	want = (macs >> cold_shift) + 1;
	return want < n ? (unsigned)want : n;
}

unsigned cpu_gemm_threads(const cpu_device_t *d, uint32_t m, uint32_t n, uint32_t k)
{
	const cpu_i8_gemm_ops_t *o = d->i8;
	unsigned shift = m == 1 && o->gemv_out && o->gemv_thread_shift ? o->gemv_thread_shift
								       : o->thread_shift;
	return cpu_threads_for(d, (uint64_t)m * n * k, shift, shift - 7);
}

void cpu_run_tasks(const cpu_device_t *d, unsigned threads, size_t tasks, cpu_task_fn fn,
		   void *arg)
{
	if (threads > 1) {
		cpu_threadpool_run_on(d->pool, threads, tasks, fn, arg);
	} else {
		for (size_t t = 0; t < tasks; t++)
			fn(arg, t, 0);
	}
	cpu_threadpool_op_done(d->pool);
}

void *cpu_alloc(size_t size)
{
	return aligned_alloc(64, (size + 63) / 64 * 64);
}

/* On the 2-vCPU test VM, with the threads' tap buffers of a depthwise
 * convolution back to back, the second thread ran its tasks 3x slower than
 * alone while the first was working: the first thread's accesses reached
 * up to 8-16 KiB past the end of its region (the strided reads of its tap
 * buffer train the prefetchers), taking the second's lines away from it.
 * Gaps of 16 KiB or more between the regions removed the slowdown. One
 * thread's scratch has no guard: a small block comes from malloc's bins,
 * where one of 32 KiB or more went back to the top of the heap at each
 * free, and each free consolidated the heap (a fifth of a 1 x 1 x 4 GEMM's
 * time in `perf record -e cpu-clock`). */
#define SCRATCH_GUARD 32768u

cpu_scratch_t cpu_scratch_alloc(unsigned threads, size_t bytes, void *local)
{
	size_t region = (bytes + 63) / 64 * 64;
	cpu_scratch_t s = { .stride = threads > 1 ? region + SCRATCH_GUARD : region };
	size_t total = (threads - 1) * s.stride + region;
	s.heap = total > CPU_SCRATCH_LOCAL;
	s.base = s.heap ? cpu_alloc(total) : local;
	return s;
}

void cpu_scratch_free(const cpu_scratch_t *s)
{
	if (s->heap)
		free(s->base);
}

const void *cpu_dense_row(const void *ctx, uint32_t row, void *scratch)
{
	(void)scratch;
	const cpu_dense_rows_t *r = ctx;
	return r->base + (size_t)row * r->row_bytes;
}
