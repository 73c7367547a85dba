/* SPDX-License-Identifier: MIT */
/* HEFT on synthetic cost tables with known answers (no devices, no timing):
 * the example of Topcuoglu, Hariri and Wu (IEEE TPDS 2002, fig. 2 / table 1,
 * HEFT makespan 80), small graphs whose optimum is obvious, errors, and HEFT
 * against exhaustive search of every placement. */
#include <math.h>
#include <stdlib.h>
#include "tests.h"
#include "enpu/dispatch.h"

void test_dispatch_heft_paper(tctx *t)
{
	/* Computation costs of tasks n1..n10 on P1..P3. */
	static const double w[10 * 3] = {
		14, 16, 9,  13, 19, 18, 11, 13, 19, 13, 8,  17, 12, 13, 10,
		13, 16, 9,  7,  15, 11, 5,  11, 14, 18, 12, 20, 21, 7,  16,
	};
	/* Communication costs (bandwidth 1: bytes = time). */
	static const enpu_sched_edge_t e[] = {
		{ 0, 1, 18 }, { 0, 2, 12 }, { 0, 3, 9 },  { 0, 4, 11 }, { 0, 5, 14 },
		{ 1, 7, 19 }, { 1, 8, 16 }, { 2, 6, 23 }, { 3, 7, 27 }, { 3, 8, 23 },
		{ 4, 8, 13 }, { 5, 7, 15 }, { 6, 9, 17 }, { 7, 9, 11 }, { 8, 9, 13 },
	};
	double lat[9] = { 0 }, bw[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 }, makespan;
	enpu_sched_problem_t p = { 10, 3, w, 15, e, lat, bw, NULL };
	enpu_sched_slot_t s[10];
	/* The paper's schedule (fig. 4a): processor, start, finish of n1..n10. */
	static const double want[10][3] = {
		{ 2, 0, 9 },   { 0, 27, 40 }, { 2, 9, 28 },  { 1, 18, 26 }, { 2, 28, 38 },
		{ 1, 26, 42 }, { 2, 38, 49 }, { 0, 57, 62 }, { 1, 56, 68 }, { 1, 73, 80 },
	};

	CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
	CHECK(t, makespan == 80, "makespan %g, want 80", makespan);
	for (int i = 0; i < 10; i++)
		CHECK(t, s[i].device == want[i][0] && s[i].start == want[i][1] &&
			 s[i].finish == want[i][2],
		      "n%d on P%u [%g, %g], want P%g [%g, %g]", i + 1, s[i].device + 1, s[i].start,
		      s[i].finish, want[i][0] + 1, want[i][1], want[i][2]);
out:;
}

void test_dispatch_heft_small(tctx *t)
{
	enpu_sched_slot_t s[4];
	double makespan;

	/* A chain a -> b -> c, device 1 slightly faster but each handoff costs
	 * more than it saves: everything stays on one device. */
	{
		static const double w[] = { 10, 9, 10, 9, 10, 9 };
		static const enpu_sched_edge_t e[] = { { 0, 1, 0 }, { 1, 2, 0 } };
		static const double lat[] = { 0, 5, 5, 0 };
		enpu_sched_problem_t p = { 3, 2, w, 2, e, lat, NULL, NULL };
		CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
		CHECK(t, makespan == 27 && s[0].device == 1 && s[1].device == 1 && s[2].device == 1,
		      "chain: makespan %g on %u %u %u, want 27 all on 1", makespan, s[0].device,
		      s[1].device, s[2].device);
	}
	/* Fork-join on two identical devices with free transfers: the two
	 * branches run side by side; optimum 1 + 10 + 1 = 12. */
	{
		static const double w[] = { 1, 1, 10, 10, 10, 10, 1, 1 };
		static const enpu_sched_edge_t e[] = { { 0, 1, 0 }, { 0, 2, 0 }, { 1, 3, 0 }, { 2, 3, 0 } };
		enpu_sched_problem_t p = { 4, 2, w, 4, e, NULL, NULL, NULL };
		CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
		CHECK(t, makespan == 12 && s[1].device != s[2].device,
		      "fork-join: makespan %g, branches on %u and %u", makespan, s[1].device,
		      s[2].device);
		/* The same two devices sharing one resource (group): serialized. */
		static const uint32_t one_group[] = { 0, 0 };
		p.device_group = one_group;
		CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
		CHECK(t, makespan == 22 && (s[1].finish <= s[2].start || s[2].finish <= s[1].start),
		      "fork-join, one group: makespan %g, branches [%g, %g] and [%g, %g]", makespan,
		      s[1].start, s[1].finish, s[2].start, s[2].finish);
	}
	/* An op one device cannot run (INFINITY) goes to the other even when
	 * the first is faster for everything else: fallback. */
	{
		const double w[] = { 1, 5, INFINITY, 5, 1, 5 };
		static const enpu_sched_edge_t e[] = { { 0, 1, 0 }, { 1, 2, 0 } };
		static const double lat[] = { 0, 1, 1, 0 };
		enpu_sched_problem_t p = { 3, 2, w, 2, e, lat, NULL, NULL };
		CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
		CHECK(t, s[0].device == 0 && s[1].device == 1 && s[2].device == 0 && makespan == 9,
		      "fallback: on %u %u %u, makespan %g; want 0 1 0, 9", s[0].device, s[1].device,
		      s[2].device, makespan);
	}
	/* Insertion: op 2 (lowest rank, scheduled last) fits into the idle gap
	 * that device 0 has while op 1 waits for op 0 on device 1. */
	{
		const double w[] = { INFINITY, 10, 3, INFINITY, 2, INFINITY };
		static const enpu_sched_edge_t e[] = { { 0, 1, 0 } };
		enpu_sched_problem_t p = { 3, 2, w, 1, e, NULL, NULL, NULL };
		CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
		CHECK(t, makespan == 13 && s[1].start == 10 && s[2].start == 0 && s[2].finish == 2,
		      "insertion: makespan %g, op 1 at %g, op 2 at [%g, %g]; want 13, 10, [0, 2]",
		      makespan, s[1].start, s[2].start, s[2].finish);
	}
	/* Insertion into a gap that the op fills exactly: op 2 ([0, 2] on
	 * device 0) ends when op 1 starts there. */
	{
		const double w[] = { INFINITY, 2, 3, INFINITY, 2, INFINITY };
		static const enpu_sched_edge_t e[] = { { 0, 1, 0 } };
		enpu_sched_problem_t p = { 3, 2, w, 1, e, NULL, NULL, NULL };
		CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
		CHECK(t, makespan == 5 && s[1].start == 2 && s[2].start == 0 && s[2].finish == 2,
		      "exact gap: makespan %g, op 1 at %g, op 2 at [%g, %g]; want 5, 2, [0, 2]",
		      makespan, s[1].start, s[2].start, s[2].finish);
	}
	/* Equal ranks: the lower index is scheduled first. */
	{
		static const double w[] = { 1, 1 };
		enpu_sched_problem_t p = { 2, 1, w, 0, NULL, NULL, NULL, NULL };
		CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
		CHECK(t, s[0].start == 0 && s[1].start == 1, "tie: op 0 at %g, op 1 at %g",
		      s[0].start, s[1].start);
	}
	/* Errors: a cycle, an op nobody can run, a bad edge, a bad placement. */
	{
		const double w[] = { 1, 1, 1, 1 };
		const double none[] = { 1, 1, INFINITY, INFINITY };
		static const enpu_sched_edge_t cyc[] = { { 0, 1, 0 }, { 1, 0, 0 } };
		static const enpu_sched_edge_t bad[] = { { 0, 2, 0 } };
		static const uint32_t place[] = { 0, 2 };
		enpu_sched_problem_t p = { 2, 2, w, 2, cyc, NULL, NULL, NULL };
		CHECK_ERR(t, enpu_sched_heft(&p, s, &makespan), ENPU_STATUS_INVALID_ARGUMENT, "cycle");
		p = (enpu_sched_problem_t){ 2, 2, none, 0, NULL, NULL, NULL, NULL };
		CHECK_ERR(t, enpu_sched_heft(&p, s, &makespan), ENPU_STATUS_UNSUPPORTED,
			  "op 1 can run on no device");
		p = (enpu_sched_problem_t){ 2, 2, w, 1, bad, NULL, NULL, NULL };
		CHECK_ERR(t, enpu_sched_heft(&p, s, &makespan), ENPU_STATUS_INVALID_ARGUMENT, "bad edge");
		static const enpu_sched_edge_t self[] = { { 1, 1, 0 } };
		p = (enpu_sched_problem_t){ 2, 2, w, 1, self, NULL, NULL, NULL };
		CHECK_ERR(t, enpu_sched_heft(&p, s, &makespan), ENPU_STATUS_INVALID_ARGUMENT,
			  "bad edge 0 (1 -> 1)");
		p = (enpu_sched_problem_t){ 2, 2, w, 0, NULL, NULL, NULL, NULL };
		CHECK_ERR(t, enpu_sched_evaluate(&p, place, s, &makespan),
			  ENPU_STATUS_INVALID_ARGUMENT, "op 1 cannot run on device 2");
		static const uint32_t bad_group[] = { 0, 2 };
		p.device_group = bad_group;
		CHECK_ERR(t, enpu_sched_heft(&p, s, &makespan), ENPU_STATUS_INVALID_ARGUMENT,
			  "group 2 of device 1 is not below 2");
	}
out:;
}

/* Random DAGs of 7 ops on 3 devices: evaluating HEFT's own placement gives
 * HEFT's makespan, and no placement beats the exhaustive optimum, which is
 * never worse than HEFT (sanity of both functions). */
void test_dispatch_heft_exhaustive(tctx *t)
{
	enum { N = 7, D = 3 };
	double w[N * D], lat[D * D], makespan, again;
	enpu_sched_edge_t e[N * N];
	enpu_sched_slot_t s[N];
	uint32_t place[N], heft[N];

	for (int round = 0; round < 20; round++) {
		size_t ne = 0;
		for (int i = 0; i < N * D; i++)
			w[i] = t_range(t, 1, 20);
		for (int i = 0; i < D * D; i++)
			lat[i] = t_range(t, 0, 6);
		for (int j = 1; j < N; j++)
			for (int i = 0; i < j; i++)
				if (t_range(t, 0, 2) == 0)
					e[ne++] = (enpu_sched_edge_t){ (size_t)i, (size_t)j, 0 };
		enpu_sched_problem_t p = { N, D, w, ne, e, lat, NULL, NULL };
		CHECK_OK(t, enpu_sched_heft(&p, s, &makespan));
		for (int i = 0; i < N; i++)
			heft[i] = s[i].device;
		CHECK_OK(t, enpu_sched_evaluate(&p, heft, s, &again));
		CHECK(t, again == makespan, "round %d: evaluate(HEFT placement) %g != HEFT %g", round,
		      again, makespan);
		double best = INFINITY;
		for (int code = 0; code < 3 * 3 * 3 * 3 * 3 * 3 * 3; code++) {
			for (int i = 0, c = code; i < N; i++, c /= D)
				place[i] = (uint32_t)(c % D);
			CHECK_OK(t, enpu_sched_evaluate(&p, place, s, &again));
			for (size_t k = 0; k < ne; k++)
				CHECK(t, s[e[k].to].start >= s[e[k].from].finish,
				      "round %d: op %zu starts before its input op %zu ends", round,
				      e[k].to, e[k].from);
			if (again < best)
				best = again;
		}
		CHECK(t, best <= makespan, "round %d: optimum %g > HEFT %g", round, best, makespan);
	}
out:;
}
