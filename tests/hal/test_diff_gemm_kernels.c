/* SPDX-License-Identifier: MIT */
/* int8 GEMM vs the reference, bit-exact, for every CPU kernel family, aimed
 * at the paths the random tests reach rarely: batch 1..3 (GEMV) with N and K
 * around the 16/64-column panels up to 4096, K around and across the
 * kernels' K blocks (AMX 2048; the others 512, AVX-512 VNNI 4096 where its
 * L1 is small: both run), and requantization whose left shift changes the
 * result without saturating it (kconv_left_requant) in the fused output
 * stages. The weights are constant and each case runs three times: every
 * other call goes through the packed panels backwards
 * (cpu_i8_packed_backwards; on hosts whose kernels do not prefetch B), so
 * both orders are checked, the third run backwards over cached weights
 * (with a warm pool: on the threads' chunks of panels). gemm_i8_a_in_place
 * reads A in place up to an inaccessible page. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../libhal/src/cpu/cpu_device.h"
#include "kblock.h"
#include "kconv.h"
#include "tests.h"

/* guard: A ends where an inaccessible page starts (t_tensor_guarded) */
/* A GEMM's requantization: random per column, with left shifts, or
 * per-tensor (every column's column 0's: the AVX-512 VNNI GEMV's parameters
 * loaded once), without or with left shifts */
typedef enum rq_kind { RQ_COLUMNS, RQ_LEFT, RQ_UNIFORM, RQ_UNIFORM_LEFT } rq_kind_t;

static bool gemm_run(tctx *t, t_env *e, uint32_t m, uint32_t n, uint32_t k, rq_kind_t rqk,
		     bool guard)
{
	int8_t *a_data = malloc((size_t)m * k), *b_data = malloc((size_t)n * k);
	int32_t *bias = malloc(n * sizeof(int32_t)), *mult = malloc(n * sizeof(int32_t));
	int32_t *shift = malloc(n * sizeof(int32_t));
	enpu_tensor_t *a = NULL, *b = NULL, *bt = NULL;
	bool ok = false;
	char what[200];
	CHECK(t, a_data && b_data && bias && mult && shift, "out of memory");
	t_fill_i8(t, a_data, (size_t)m * k);
	t_fill_i8(t, b_data, (size_t)n * k);
	for (uint32_t i = 0; i < n; i++)
		bias[i] = t_range(t, -(1 << 20), 1 << 20);
	int32_t a_zp = diff_random_zp(t), c_zp = diff_random_zp(t);
	enpu_quant_t qa = t_q(0.02f, a_zp), qb = t_q(0.01f, 0);
	a = (guard ? t_tensor_guarded : t_tensor)(t, e->ref, ENPU_DTYPE_INT8, 2,
						  (const uint32_t[]){ m, k }, &qa, a_data);
	b = t_tensor_flags(t, e->ref, ENPU_DTYPE_INT8, 2, (const uint32_t[]){ n, k }, &qb, b_data,
			   ENPU_TENSOR_CONSTANT);
	bt = t_tensor_flags(t, e->ref, ENPU_DTYPE_INT32, 1, &n, NULL, bias, ENPU_TENSOR_CONSTANT);
	CHECK(t, a && b && bt, "tensors");
	enpu_requant_t rq = { 0 };
	if (rqk == RQ_LEFT || rqk == RQ_UNIFORM_LEFT)
		kconv_left_requant(t, mult, shift, n);
	else
		diff_random_requant(t, mult, shift, n);
	for (uint32_t i = 1; rqk >= RQ_UNIFORM && i < n; i++) {
		mult[i] = mult[0];
		shift[i] = shift[0];
	}
	rq = (enpu_requant_t){ mult, shift, n };
	enpu_gemm_params_t p = { .a = a, .b = b, .bias = bt, .requant = rq, .act = diff_random_act(t) };
	enpu_tensor_desc_t d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { m, n },
				 .quant = t_q(0.02f * 0.01f * sqrtf((float)k) * 40.0f, c_zp) };
	snprintf(what, sizeof(what),
		 "gemm M=%u N=%u K=%u a_zp=%d c_zp=%d requant %s act=%d%s, K block %u", m, n, k,
		 a_zp, c_zp,
		 (const char *[]){ "per column", "left", "uniform", "uniform left" }[rqk],
		 (int)p.act.kind, guard ? " (A guarded)" : "", t_kblock(e));
	ok = diff_run_n(t, e, diff_rec_gemm, &p, &p.c, &d, what, 3);
out:
	enpu_tensor_release(a);
	enpu_tensor_release(b);
	enpu_tensor_release(bt);
	free(a_data);
	free(b_data);
	free(bias);
	free(mult);
	free(shift);
	return ok;
}

void test_gemv_i8_edges(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t ns[] = { 1, 17, 64, 65, 255, 1024, 4096 };
	static const uint32_t ks[] = { 1, 3, 17, 255, 1024 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_GEMM, ENPU_DTYPE_INT8))
		return;
	for (uint32_t m = 1; m <= 3; m++)
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
			for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++)
				if ((uint64_t)ns[i] * ks[j] <= (1u << 20) &&
				    !gemm_run(t, &e, m, ns[i], ks[j], (rq_kind_t)((i + j + m) % 4),
					      false))
					goto out;
out:
	t_env_close(&e);
}

void test_gemm_i8_left_shift(tctx *t, enpu_cpu_isa_t isa)
{
	t_env e;
	if (!t_env_open_ops(t, &e, isa, (uint32_t)t_range(t, 1, 3), 1u << ENPU_OP_GEMM,
			    ENPU_DTYPE_INT8))
		return;
	for (int i = 0; i < 30; i++) {
		/* drawn in order: the order of a call's arguments is unspecified */
		uint32_t m = (uint32_t)t_range(t, 1, 40), n = (uint32_t)t_range(t, 1, 200);
		if (!gemm_run(t, &e, m, n, (uint32_t)t_range(t, 1, 300), RQ_LEFT, false))
			break;
	}
	t_env_close(&e);
}

void test_gemm_i8_kblocks(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t ms[] = { 5, 7, 13, 100 }, ns[] = { 65, 130 };
	static const uint32_t ks[] = { 511, 512, 513, 1100, 2049, 4096, 4097, 4100 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, 1u << ENPU_OP_GEMM, ENPU_DTYPE_INT8))
		return;
	for (unsigned b = 0; b < t_kblocks(&e); b++) {
		t_kblock_use(&e, b);
		for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
			for (size_t j = 0; j < sizeof(ns) / sizeof(ns[0]); j++)
				for (size_t k = 0; k < sizeof(ks) / sizeof(ks[0]); k++)
					if (!gemm_run(t, &e, ms[i], ns[j], ks[k],
						      (i + j + k) % 2 ? RQ_LEFT : RQ_COLUMNS,
						      false))
						goto out;
	}
out:
	t_env_close(&e);
}

/* A read in place (dense rows, K a multiple of the K group: 4, AMX 64) ends
 * at an inaccessible page: no kernel may read past a row's K bytes, for row
 * counts of every tile shape (100: two row blocks), GEMV included, K with
 * the kernels' 4-byte tails (4, 20, 68) and across their K blocks (576 and
 * up: 512; 4096: AMX's 2048; 4100: VNNI's 4096; each block the family has),
 * and a 1x1 convolution, whose input rows are A's. */
void test_gemm_i8_a_in_place(tctx *t, enpu_cpu_isa_t isa)
{
	static const uint32_t ms[] = { 1, 2, 3, 5, 17, 33, 100 };
	static const uint32_t ks[] = { 4, 20, 64, 68, 128, 576, 1024, 4096, 4100 };
	t_env e;
	if (!t_env_open_ops(t, &e, isa, 2, (1u << ENPU_OP_GEMM) | (1u << ENPU_OP_CONV2D),
			    ENPU_DTYPE_INT8))
		return;
	for (unsigned b = 0; b < t_kblocks(&e); b++) {
		t_kblock_use(&e, b);
		for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
			for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++)
				if (!gemm_run(t, &e, ms[i], 70 + (uint32_t)i, ks[j],
					      j % 2 ? RQ_UNIFORM : RQ_COLUMNS, true))
					goto out;
	}
	kconv_t pw = { .n = 2, .h = 3, .w = 7, .cin = 64, .cout = 70, .kh = 1, .kw = 1,
		       .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1, .in_zp = -3,
		       .out_zp = 5, .rq = KCONV_RQ_RANDOM, .guard_in = true };
	kconv_run(t, &e, &pw);
out:
	t_env_close(&e);
}

/* The K block by the host's L1 (cpu_i8_kc): AVX-512 VNNI's 64 x 512 block
 * of B (32 KiB) where it fits in two thirds of L1 (48 KiB: 512) or the L1
 * is unknown (0), up to 4096 of K per call where it does not (32 KiB, Zen
 * 4); AVX2's and NEON's 16 x 512 (8 KiB) fit 16 KiB; AMX keeps its own. */
void test_gemm_i8_kc(tctx *t)
{
	static const struct {
		enpu_cpu_isa_t isa;
		size_t l1d;
		uint32_t kc;
	} cases[] = {
		{ ENPU_CPU_ISA_AVX512VNNI, 49152, 512 },  { ENPU_CPU_ISA_AVX512VNNI, 65536, 512 },
		{ ENPU_CPU_ISA_AVX512VNNI, 32768, 4096 }, { ENPU_CPU_ISA_AVX512VNNI, 49151, 4096 },
		{ ENPU_CPU_ISA_AVX512VNNI, 0, 512 },
		{ ENPU_CPU_ISA_AVX2, 16384, 512 },        { ENPU_CPU_ISA_NEON_DOTPROD, 16384, 512 },
		{ ENPU_CPU_ISA_AMX_INT8, 32768, 2048 },
	};
	unsigned checked = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const cpu_i8_gemm_ops_t *o = cpu_i8_gemm_for(cases[i].isa);
		if (o == &cpu_i8_gemm_generic)
			continue; /* another architecture's family */
		uint32_t kc = cpu_i8_kc(o, cases[i].l1d);
		CHECK(t, kc == cases[i].kc, "isa %d, L1 %zu: K block %u, expected %u",
		      cases[i].isa, cases[i].l1d, kc, cases[i].kc);
		checked++;
	}
	CHECK(t, checked > 0, "no kernel family with K blocks on this architecture");
out:;
}

/* The direction of a GEMM call over packed weights alternates, starting
 * backwards (the packing wrote each thread's last panels last) */
void test_gemm_i8_panel_order(tctx *t)
{
	cpu_i8_packed_t pb = { 0 };
	for (int call = 0; call < 5; call++) {
		bool back = cpu_i8_packed_backwards(&pb);
		CHECK(t, back == !(call % 2), "call %d went %s", call, back ? "backwards" : "forwards");
	}
out:;
}

/* Per-thread scratch (cpu_scratch_alloc): one thread's region of up to
 * CPU_SCRATCH_LOCAL bytes is the caller's buffer and allocates nothing;
 * larger, or with a second thread (each region then has a guard after it),
 * it comes from the heap, 64-byte aligned, regions a guard apart. */
void test_cpu_scratch_local(tctx *t)
{
	_Alignas(64) uint8_t local[CPU_SCRATCH_LOCAL];
	static const struct {
		unsigned threads;
		size_t bytes, stride;
		bool heap;
	} cases[] = {
		{ 1, 0, 0, false },	      { 1, 1, 64, false },
		{ 1, CPU_SCRATCH_LOCAL, CPU_SCRATCH_LOCAL, false },
		{ 1, CPU_SCRATCH_LOCAL + 1, CPU_SCRATCH_LOCAL + 64, true },
		{ 2, 64, 64 + 32768, true }, { 3, 100, 128 + 32768, true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cpu_scratch_t s = cpu_scratch_alloc(cases[i].threads, cases[i].bytes, local);
		CHECK(t, s.base, "case %zu: out of memory", i);
		bool ok = s.heap == cases[i].heap && s.stride == cases[i].stride &&
			  (s.base == local) == !cases[i].heap && (uintptr_t)s.base % 64 == 0;
		if (ok && s.heap) /* every byte of every region writable (ASan checks) */
			memset(s.base, 0x5a, (cases[i].threads - 1) * s.stride + cases[i].bytes);
		cpu_scratch_free(&s);
		CHECK(t, ok, "case %zu (%u threads, %zu bytes): heap %d stride %zu base %p (local %p)",
		      i, cases[i].threads, cases[i].bytes, s.heap, s.stride, (void *)s.base,
		      (void *)local);
	}
out:;
}
