/* SPDX-License-Identifier: MIT */
/* fp16 GEMM driver: B converted to fp32 panels [k][nr] (cached with the op
 * when constant), A rows converted to fp32 per task, fp32 FMA micro-kernel,
 * fused bias/clamp/RNE store. A GEMM of one or two row tiles (M <= 2 *
 * f16_mr) reads each panel once or twice: where the ISA converts fp16 in hardware its
 * panels stay fp16 (half the bytes) and the kernel converts them as it loads
 * them (exact either way), up to f16_np panels a call (the kernel reads
 * groups of them side by side: vec_kernels.c). */
#include <stdlib.h>
#include "cpu_device.h"

/* fp16 panels up to two row tiles: converting B twice beat reading it as
 * fp32 once (Zen 4, N = K = 1024: M = 7-8 1.10-1.15x, M = 12 0.97-1.02x,
 * 12 x 4096 x 1024 1.04-1.05x, AVX2 1.70x; Emerald Rapids: M = 7-8
 * 1.26-1.38x, M = 12 1.10-1.22x); not where the conversion is slow and B
 * fits the cache as fp32 (cpu_f16_fp32_max()) */
#define F16_HALF_ROWS(v) (2 * (v)->f16_mr)

size_t cpu_f16_fp32_max(bool convert_slow, size_t l3)
{
	return convert_slow ? l3 / 2 : 0;
}

/* Whether B goes to fp16 panels (else fp32) */
static bool half_panels(const cpu_device_t *d, const cpu_gemm_problem_t *p)
{
	const cpu_vec_ops_t *v = d->vec;
	size_t fp32 = (size_t)cpu_div_up(p->n, v->f16_nr) * v->f16_nr * p->k * sizeof(float);
	return v->f16_kernel_half && p->m <= F16_HALF_ROWS(v) && fp32 > d->f16_fp32_max;
}

/* B as panels [k][nr] of fp32, or of fp16 (half), cached with the op when
 * constant. The format follows the op's shape and the device
 * (f16_fp32_max), so the key says which it is: devices of one family share
 * the op's panels where they agree. */
typedef struct packed_f16 {
	enpu_op_cache_t base; /* key: pack_key() */
	void *bpack;
} packed_f16_t;

typedef struct pack_job {
	const cpu_device_t *d;
	const cpu_gemm_problem_t *p;
	bool half;
	void *bpack;
	cpu_scratch_t rows; /* one converted B row per thread */
} pack_job_t;

typedef struct job {
	const cpu_device_t *d;
	const cpu_gemm_problem_t *p;
	cpu_grid_t g;
	bool half;
	/* the vector table's f16_kernel_half, or its narrow one (cpu_f16_narrow()) */
	void (*half_kernel)(const float *a, size_t lda, const uint16_t *b, uint32_t k,
			    uint32_t mr, uint32_t np, float *acc);
	const void *bpack;
	cpu_scratch_t scratch; /* packed A block, sums (acc_floats), one fp16 source row */
} job_t;

/* Cache key of B's panels in one format: the vector table that packed
 * them, or for fp16 panels its f16_kernel_half member */
static const void *pack_key(const cpu_vec_ops_t *v, bool half)
{
	return half ? (const void *)&v->f16_kernel_half : (const void *)v;
}

static void packed_free(enpu_op_cache_t *c)
{
	free(((packed_f16_t *)c)->bpack);
	free(c);
}

static void pack_b_task(void *arg, size_t panel, unsigned thread)
{
	pack_job_t *j = arg;
	const cpu_gemm_problem_t *p = j->p;
	uint32_t nr = j->d->vec->f16_nr;
	uint32_t n0 = (uint32_t)panel * nr;
	uint32_t rows = p->n - n0 < nr ? p->n - n0 : nr;
	size_t at = panel * (size_t)nr * p->k;
	float *dst = (float *)j->bpack + at, *tmp = cpu_scratch_at(&j->rows, thread);
	uint16_t *hdst = (uint16_t *)j->bpack + at;
	for (uint32_t c = 0; c < nr; c++) {
		const uint16_t *src = (const uint16_t *)p->b + (size_t)(n0 + c) * p->k;
		if (j->half) {
			for (uint32_t k = 0; k < p->k; k++)
				hdst[(size_t)k * nr + c] = c < rows ? src[k] : 0;
			continue;
		}
		if (c < rows)
			j->d->vec->f16_to_f32(src, p->k, tmp);
		for (uint32_t k = 0; k < p->k; k++)
			dst[(size_t)k * nr + c] = c < rows ? tmp[k] : 0.0f;
	}
}

/* Converts and packs B (in parallel); NULL when out of memory. */
static enpu_op_cache_t *pack_b(void *ctx)
{
	pack_job_t *j = ctx;
	const cpu_gemm_problem_t *p = j->p;
	uint32_t nr = j->d->vec->f16_nr, panels = cpu_div_up(p->n, nr);
	packed_f16_t *pb = calloc(1, sizeof(*pb));
	_Alignas(64) uint8_t local[CPU_SCRATCH_LOCAL];
	j->rows = cpu_scratch_alloc(cpu_threadpool_size(j->d->pool), (size_t)p->k * sizeof(float),
				    local);
	if (pb)
		pb->bpack = cpu_alloc((size_t)panels * nr * p->k *
				      (j->half ? sizeof(uint16_t) : sizeof(float)));
	if (!pb || !pb->bpack || !j->rows.base) {
		if (pb)
			packed_free(&pb->base);
		cpu_scratch_free(&j->rows);
		return NULL;
	}
	pb->base.key = pack_key(j->d->vec, j->half);
	pb->base.destroy = packed_free;
	j->bpack = pb->bpack;
	cpu_threadpool_run(j->d->pool, panels, pack_b_task, j);
	cpu_scratch_free(&j->rows);
	return &pb->base;
}

/* Floats of a task's accumulator tile: [f16_mr][f16_nr], or for fp16
 * panels [f16_np][f16_mr][f16_nr] */
static size_t acc_floats(const cpu_vec_ops_t *v)
{
	return (size_t)(v->f16_kernel_half ? v->f16_np : 1) * v->f16_mr * v->f16_nr;
}

/* Rows mt .. mt + mr - 1 of panel pan from acc ([mr][f16_nr]) to C */
static void store_rows(const cpu_gemm_problem_t *p, const cpu_vec_ops_t *v, const float *acc,
		       uint32_t mt, uint32_t mr, uint32_t pan)
{
	const float *bias = p->bias;
	uint32_t n0 = pan * v->f16_nr;
	uint32_t nr = p->n - n0 < v->f16_nr ? p->n - n0 : v->f16_nr;
	for (uint32_t i = 0; i < mr; i++)
		v->f16_store_row(acc + i * v->f16_nr, bias ? bias + n0 : NULL, nr,
				 p->clamp.fmin, p->clamp.fmax,
				 (uint16_t *)p->c + (size_t)(mt + i) * p->ldc + n0);
}

static void compute_task(void *arg, size_t task, unsigned thread)
{
	job_t *j = arg;
	const cpu_gemm_problem_t *p = j->p;
	const cpu_vec_ops_t *v = j->d->vec;
	uint32_t mb = (uint32_t)(task / j->g.nchunks), nc = (uint32_t)(task % j->g.nchunks);
	uint32_t m0 = mb * j->g.mc, m1 = m0 + j->g.mc < p->m ? m0 + j->g.mc : p->m;
	float *apack = cpu_scratch_at(&j->scratch, thread);
	float *acc = apack + (size_t)j->g.mc * p->k;
	uint16_t *rowbuf = (uint16_t *)(acc + acc_floats(v));
	for (uint32_t r = m0; r < m1; r++)
		v->f16_to_f32(p->a_row(p->a_ctx, r, rowbuf), p->k, apack + (size_t)(r - m0) * p->k);
	uint32_t pan0 = nc * j->g.pan_per_chunk;
	uint32_t pan1 = pan0 + j->g.pan_per_chunk < j->g.panels ? pan0 + j->g.pan_per_chunk
								 : j->g.panels;
	/* fp16 panels: one or two row tiles, up to f16_np panels a call */
	uint32_t step = j->half ? v->f16_np : 1;
	for (uint32_t pan = pan0; pan < pan1; pan += step) {
		uint32_t np = pan1 - pan < step ? pan1 - pan : step;
		size_t at = (size_t)pan * v->f16_nr * p->k;
		for (uint32_t mt = m0; mt < m1; mt += v->f16_mr) {
			uint32_t mr = m1 - mt < v->f16_mr ? m1 - mt : v->f16_mr;
			const float *ap = apack + (size_t)(mt - m0) * p->k;
			if (j->half)
				j->half_kernel(ap, p->k, (const uint16_t *)j->bpack + at, p->k, mr,
					       np, acc);
			else
				v->f16_kernel(ap, p->k, (const float *)j->bpack + at, p->k, mr, acc);
			for (uint32_t q = 0; q < np; q++)
				store_rows(p, v, acc + (size_t)q * mr * v->f16_nr, mt, mr, pan + q);
		}
	}
}

enpu_status_t cpu_gemm_f16(const cpu_device_t *d, const cpu_gemm_problem_t *p)
{
	const cpu_vec_ops_t *v = d->vec;
	unsigned shift = v->f16_thread_shift;
	unsigned use = cpu_threads_for(d, (uint64_t)p->m * p->n * p->k, shift, shift - 7);
	job_t j = { .d = d, .p = p, .half = half_panels(d, p),
		    .half_kernel = d->f16_narrow && v->f16_kernel_half_narrow
					   ? v->f16_kernel_half_narrow
					   : v->f16_kernel_half };
	j.g = cpu_grid_make(p->m, p->n, v->f16_mr, v->f16_nr, use);
	bool owned;
	pack_job_t pj = { .d = d, .p = p, .half = j.half };
	const void *key = pack_key(v, j.half);
	const packed_f16_t *pb = (const packed_f16_t *)cpu_cache_get(p->cache, key, pack_b, &pj, &owned);
	_Alignas(64) uint8_t local[CPU_SCRATCH_LOCAL];
	if (pb)
		j.scratch = cpu_scratch_alloc(use,
					      ((size_t)j.g.mc * p->k + acc_floats(v) + p->k) *
						      sizeof(float),
					      local);
	enpu_status_t st = ENPU_OK;
	if (!j.scratch.base) {
		st = enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
				      "cpu gemm fp16: out of memory (M=%u N=%u K=%u)", p->m, p->n,
				      p->k);
	} else {
		j.bpack = pb->bpack;
		cpu_run_tasks(d, use, (size_t)j.g.mblocks * j.g.nchunks, compute_task, &j);
	}
	cpu_scratch_free(&j.scratch);
	if (owned)
		packed_free((enpu_op_cache_t *)&pb->base);
	return st;
}
