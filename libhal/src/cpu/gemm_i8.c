/* SPDX-License-Identifier: MIT */
/* int8 GEMM driver: packs B panels (with the per-column correction folded
 * into an effective bias), then runs MC x panel-chunk tasks on the thread
 * pool: pack A rows, micro-kernel, vectorized requantization epilogue (or
 * the family's fused kernel_out, and its gemv_out for one-row blocks). B's
 * packing is shared with conv_implicit.c.
 * Bit-identical to the reference: integer sums modulo 2^32 do not depend on
 * order, and the epilogue implements the same mbqm. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "../quant_inline.h"
#include "cpu_device.h"

typedef struct job {
	const cpu_device_t *d;
	const cpu_gemm_problem_t *p;
	cpu_grid_t g;
	const cpu_i8_packed_t *b;
	size_t a_row_bytes;
	bool backwards; /* the panels' order: cpu_i8_packed_backwards */
	bool a_in_place; /* dense A rows need no packing (gemm_i8_kernels.h) */
	cpu_scratch_t scratch; /* the family's carry, int32 sums of mc x nr, then
				* (unless a_in_place) packed A rows, one A row */
} job_t;

typedef struct pack_job {
	const cpu_device_t *d;
	const cpu_gemm_problem_t *p;
	cpu_i8_packed_t *b;
	atomic_bool any_left; /* some panel's column shifts left */
} pack_job_t;

static void packed_free(enpu_op_cache_t *c)
{
	cpu_i8_packed_t *b = (cpu_i8_packed_t *)c;
	free(b->bpack);
	free(b->beff);
	free(b->mult);
	free(b->shift);
	free(b->rq);
	free(b);
}

static void pack_b_task(void *arg, size_t panel, unsigned thread)
{
	(void)thread;
	pack_job_t *j = arg;
	const cpu_gemm_problem_t *p = j->p;
	const cpu_i8_gemm_ops_t *o = j->d->i8;
	cpu_i8_packed_t *pb = j->b;
	uint32_t n0 = (uint32_t)panel * o->nr;
	uint32_t rows = p->n - n0 < o->nr ? p->n - n0 : o->nr;
	const int8_t *b = (const int8_t *)p->b + (size_t)n0 * p->k;
	o->pack_b(b, p->k, rows, p->k, pb->kp, o->nr, pb->bpack + panel * pb->panel_bytes);
	int32_t comp = o->a_pack == A_PLUS_128 || o->a_pack == A_RAW_PLUS_128 ? 128 + p->a_zp
		       : o->a_pack == A_RAW				   ? p->a_zp
									   : 0;
	const int32_t *bias = p->bias;
	for (uint32_t c = 0; c < o->nr; c++) {
		uint32_t n = n0 + c;
		if (c >= rows) {
			pb->beff[n] = pb->mult[n] = pb->shift[n] = 0;
			continue;
		}
		int32_t colsum = 0;
		for (uint32_t k = 0; k < p->k; k++)
			colsum += b[(size_t)c * p->k + k];
		/* bias - comp * colsum, modulo 2^32 */
		pb->beff[n] = (int32_t)((uint32_t)(bias ? bias[n] : 0) -
					(uint32_t)comp * (uint32_t)colsum);
		pb->mult[n] = p->mult[n];
		pb->shift[n] = p->shift[n];
	}
	bool left = false;
	for (uint32_t v = 0; pb->rq && v < o->nr / 16; v++)
		left |= o->rq_prepare(pb->rq + (n0 / 16 + v) * o->rq_size, pb->mult + n0 + 16 * v,
				      pb->shift + n0 + 16 * v);
	if (left)
		atomic_store_explicit(&j->any_left, true, memory_order_relaxed);
}

/* Packs B (in parallel); NULL when out of memory. */
static enpu_op_cache_t *pack_b(void *ctx)
{
	pack_job_t *j = ctx;
	const cpu_i8_gemm_ops_t *o = j->d->i8;
	const cpu_gemm_problem_t *p = j->p;
	uint32_t panels = cpu_div_up(p->n, o->nr);
	cpu_i8_packed_t *pb = calloc(1, sizeof(*pb));
	if (!pb)
		return NULL;
	pb->base.key = o;
	pb->base.destroy = packed_free;
	pb->kp = (p->k + o->kgroup - 1) / o->kgroup * o->kgroup;
	pb->panels = panels;
	pb->panel_bytes = (size_t)pb->kp * o->nr * o->b_elem;
	size_t padded = (size_t)panels * o->nr;
	pb->bpack = cpu_alloc(panels * pb->panel_bytes);
	pb->beff = cpu_alloc(padded * sizeof(int32_t));
	pb->mult = malloc(padded * sizeof(int32_t));
	pb->shift = malloc(padded * sizeof(int32_t));
	if (o->kernel_out)
		pb->rq = cpu_alloc(padded / 16 * o->rq_size);
	if (!pb->bpack || !pb->beff || !pb->mult || !pb->shift || (o->kernel_out && !pb->rq)) {
		packed_free(&pb->base);
		return NULL;
	}
	j->b = pb;
	cpu_threadpool_run(j->d->pool, panels, pack_b_task, j);
	pb->any_left = atomic_load(&j->any_left);
	pb->rq_uniform = true;
	for (uint32_t n = 1; pb->rq_uniform && n < p->n; n++)
		pb->rq_uniform = p->mult[n] == p->mult[0] && p->shift[n] == p->shift[0];
	return &pb->base;
}

const cpu_i8_packed_t *cpu_gemm_i8_pack(const cpu_device_t *d, const cpu_gemm_problem_t *p,
					bool *owned)
{
	pack_job_t pj = { .d = d, .p = p };
	return (const cpu_i8_packed_t *)cpu_cache_get(p->cache, d->i8, pack_b, &pj, owned);
}

bool cpu_i8_packed_backwards(const cpu_i8_packed_t *b)
{
	/* the count is the one field written after packing (b is allocated
	 * mutable; callers share it read-only otherwise) */
	atomic_uint *reads = (atomic_uint *)&b->reads;
	return !(atomic_fetch_add_explicit(reads, 1, memory_order_relaxed) & 1);
}

void cpu_i8_packed_release(const cpu_i8_packed_t *b, bool owned)
{
	if (owned)
		packed_free((enpu_op_cache_t *)&b->base);
}

/* The fused output stage of rows from m0 on, columns n0 .. n0 + n - 1 */
static cpu_i8_out_t out_stage(const job_t *j, uint32_t m0, uint32_t n0, uint32_t n,
			      void *carry)
{
	const cpu_gemm_problem_t *p = j->p;
	const cpu_i8_packed_t *pb = j->b;
	return (cpu_i8_out_t){
		.beff = pb->beff + n0, .rq = pb->rq + n0 / 16 * j->d->i8->rq_size,
		.any_left = pb->any_left, .rq_uniform = pb->rq_uniform, .zp = p->c_zp,
		.qmin = p->clamp.qmin, .qmax = p->clamp.qmax, .n = n,
		.c = (int8_t *)p->c + (size_t)m0 * p->ldc + n0, .ldc = p->ldc, .carry = carry,
		.prefetch = j->d->prefetch,
	};
}

static void compute_task(void *arg, size_t task, unsigned thread)
{
	job_t *j = arg;
	const cpu_gemm_problem_t *p = j->p;
	const cpu_i8_gemm_ops_t *o = j->d->i8;
	const cpu_i8_packed_t *pb = j->b;
	uint32_t mb = (uint32_t)(task / j->g.nchunks), nc = (uint32_t)(task % j->g.nchunks);
	uint32_t m0 = mb * j->g.mc, m1 = m0 + j->g.mc < p->m ? m0 + j->g.mc : p->m;
	uint8_t *carry = cpu_scratch_at(&j->scratch, thread);
	int32_t *acc = (int32_t *)(carry + o->carry_bytes);
	const uint8_t *apack; /* rows m0 .. m1 - 1 of A, lda bytes apart */
	size_t lda;
	if (j->a_in_place) {
		const cpu_dense_rows_t *rows = p->a_ctx;
		apack = rows->base + (size_t)m0 * rows->row_bytes;
		lda = rows->row_bytes;
	} else {
		uint8_t *dst = (uint8_t *)(acc + (size_t)j->g.mc * o->nr);
		int8_t *rowbuf = (int8_t *)(dst + (size_t)j->g.mc * j->a_row_bytes);
		for (uint32_t r = m0; r < m1; r++)
			o->pack_a(p->a_row(p->a_ctx, r, rowbuf), p->k, pb->kp, p->a_zp,
				  dst + (size_t)(r - m0) * j->a_row_bytes);
		apack = dst;
		lda = j->a_row_bytes;
	}
	uint32_t pan0 = nc * j->g.pan_per_chunk;
	uint32_t pan1 = pan0 + j->g.pan_per_chunk < j->g.panels ? pan0 + j->g.pan_per_chunk
								 : j->g.panels;
	if (o->gemv_out && m1 - m0 == 1) {
		/* n: every column from the chunk's first on (gemv_out's contract) */
		cpu_i8_out_t out = out_stage(j, m0, pan0 * o->nr, p->n - pan0 * o->nr, NULL);
		o->gemv_out(apack, pb->bpack + pan0 * pb->panel_bytes, pb->panel_bytes, pb->kp,
			    pan1 - pan0, j->backwards, &out);
		return;
	}
	if (o->task_begin)
		o->task_begin(carry);
	for (uint32_t step = pan0; step < pan1; step++) {
		uint32_t pan = j->backwards ? pan1 - 1 - (step - pan0) : step;
		uint32_t n0 = pan * o->nr;
		uint32_t nr = p->n - n0 < o->nr ? p->n - n0 : o->nr;
		const uint8_t *bp = pb->bpack + pan * pb->panel_bytes;
		/* K blocks outermost: the block of B stays in L1 across the row tiles
		 * where the host's L1 holds it (cpu_i8_kc; one tile reads B once: no
		 * blocks) */
		uint32_t kc = m1 - m0 > o->mr ? j->d->kc : pb->kp;
		for (uint32_t k0 = 0; o->kernel_out && k0 < pb->kp; k0 += kc) {
			uint32_t klen = pb->kp - k0 < kc ? pb->kp - k0 : kc;
			cpu_i8_out_t out = out_stage(j, m0, n0, nr, carry);
			o->kernel_out(apack + k0 * o->a_elem, lda,
				      bp + (size_t)k0 * o->nr * o->b_elem, klen, m1 - m0,
				      acc, k0 == 0, k0 + klen == pb->kp, &out);
		}
		for (uint32_t mt = m0; !o->kernel_out && mt < m1; mt += o->mr) {
			uint32_t mr = m1 - mt < o->mr ? m1 - mt : o->mr;
			o->kernel(apack + (size_t)(mt - m0) * lda, bp, pb->kp, mr, acc);
			for (uint32_t i = 0; i < mr; i++)
				j->d->vec->requant_row(acc + i * o->nr, pb->beff + n0, pb->mult + n0,
						       pb->shift + n0, nr, p->c_zp, p->clamp.qmin,
						       p->clamp.qmax,
						       (int8_t *)p->c + (size_t)(mt + i) * p->ldc + n0);
		}
	}
	if (o->task_end)
		o->task_end(carry);
}

enpu_status_t cpu_gemm_i8(const cpu_device_t *d, const cpu_gemm_problem_t *p)
{
	const cpu_i8_gemm_ops_t *o = d->i8;
	unsigned use = cpu_gemm_threads(d, p->m, p->n, p->k);
	job_t j = { .d = d, .p = p };
	j.g = cpu_grid_make(p->m, p->n, o->mr, o->nr, use);
	bool owned;
	j.b = cpu_gemm_i8_pack(d, p, &owned);
	j.a_row_bytes = j.b ? (size_t)j.b->kp * o->a_elem : 0;
	/* not where the kernels prefetch B: their prefetches run ahead at
	 * rising addresses, across the end of each panel into the next one */
	j.backwards = j.b && !d->prefetch && cpu_i8_packed_backwards(j.b);
	j.a_in_place = j.b && o->kernel_out && (o->a_pack == A_RAW || o->a_pack == A_RAW_PLUS_128) &&
		       p->k == j.b->kp && p->a_row == cpu_dense_row &&
		       ((const cpu_dense_rows_t *)p->a_ctx)->row_bytes == p->k;
	_Alignas(64) uint8_t local[CPU_SCRATCH_LOCAL];
	if (j.b)
		j.scratch = cpu_scratch_alloc(use, o->carry_bytes + (size_t)j.g.mc * o->nr * 4 +
						   (j.a_in_place ? 0 : (size_t)j.g.mc * j.a_row_bytes + p->k),
					      local);
	enpu_status_t st = ENPU_OK;
	if (!j.scratch.base)
		st = enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
				      "cpu gemm: out of memory for packing (M=%u N=%u K=%u)", p->m,
				      p->n, p->k);
	else
		cpu_run_tasks(d, use, (size_t)j.g.mblocks * j.g.nchunks, compute_task, &j);
	cpu_scratch_free(&j.scratch);
	cpu_i8_packed_release(j.b, owned);
	return st;
}
