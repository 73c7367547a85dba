/* SPDX-License-Identifier: MIT */
/* HEFT list scheduling on abstract costs (enpu_sched_heft) and the same list
 * scheduling for a fixed placement (enpu_sched_evaluate). See
 * docs/dispatch.md for the algorithm. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "enpu/dispatch.h"

typedef struct sched {
	const enpu_sched_problem_t *p;
	size_t n, d;
	double *rank;     /* [n] upward rank */
	double *busy;     /* [group][n][2] busy intervals per group, sorted by start */
	size_t *nbusy;    /* [group] */
	size_t *npred;    /* [n] unscheduled predecessors */
	bool *done;       /* [n] */
} sched_t;

static double xfer(const sched_t *s, const enpu_sched_edge_t *e, size_t a, size_t b)
{
	if (a == b)
		return 0;
	double lat = s->p->xfer_latency ? s->p->xfer_latency[a * s->d + b] : 0;
	double bw = s->p->xfer_bandwidth ? s->p->xfer_bandwidth[a * s->d + b] : 0;
	return lat + (bw > 0 ? e->bytes / bw : 0);
}

static size_t group(const sched_t *s, size_t dev)
{
	return s->p->device_group ? s->p->device_group[dev] : dev;
}

static double cost(const sched_t *s, size_t op, size_t dev)
{
	return s->p->compute[op * s->d + dev];
}

/* Mean transfer time of an edge over ordered pairs of distinct devices. */
static double mean_xfer(const sched_t *s, const enpu_sched_edge_t *e)
{
	double sum = 0;

	if (s->d < 2)
		return 0;
	for (size_t a = 0; a < s->d; a++)
		for (size_t b = 0; b < s->d; b++)
			sum += xfer(s, e, a, b);
	return sum / (double)(s->d * (s->d - 1));
}

static enpu_status_t check(const enpu_sched_problem_t *p, const char *fn)
{
	if (!p || !p->op_count || !p->device_count || !p->compute || (p->edge_count && !p->edges))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"%s: empty or incomplete problem", fn);
	for (size_t i = 0; i < p->edge_count; i++) {
		const enpu_sched_edge_t *e = &p->edges[i];
		if (e->from >= p->op_count || e->to >= p->op_count || e->from == e->to ||
		    !(e->bytes >= 0))
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: bad edge %zu (%zu -> %zu)", fn, i, e->from,
						e->to);
	}
	for (size_t i = 0; p->device_group && i < p->device_count; i++)
		if (p->device_group[i] >= p->device_count)
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: group %u of device %zu is not below %zu", fn,
						p->device_group[i], i, p->device_count);
	for (size_t i = 0; i < p->op_count * p->device_count; i++)
		if (!(p->compute[i] >= 0))
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: compute cost of op %zu on device %zu is %g", fn,
						i / p->device_count, i % p->device_count,
						p->compute[i]);
	return ENPU_OK;
}

/* Upward ranks in reverse topological order; INVALID_ARGUMENT on a cycle,
 * UNSUPPORTED for an op no device can run. */
static enpu_status_t ranks(sched_t *s, const char *fn)
{
	size_t n = s->n, *order = malloc(n * sizeof(*order)), *indeg = calloc(n, sizeof(*indeg));
	size_t tail = 0;
	enpu_status_t st = ENPU_OK;

	if (!order || !indeg) {
		st = enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "%s: out of memory", fn);
		goto out;
	}
	for (size_t e = 0; e < s->p->edge_count; e++)
		indeg[s->p->edges[e].to]++;
	memcpy(s->npred, indeg, n * sizeof(*indeg));
	for (size_t i = 0; i < n; i++)
		if (!indeg[i])
			order[tail++] = i;
	for (size_t head = 0; head < tail; head++)
		for (size_t e = 0; e < s->p->edge_count; e++)
			if (s->p->edges[e].from == order[head] && --indeg[s->p->edges[e].to] == 0)
				order[tail++] = s->p->edges[e].to;
	if (tail < n) {
		st = enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: the edges form a cycle", fn);
		goto out;
	}
	for (size_t k = n; k-- > 0;) {
		size_t i = order[k], m = 0;
		double w = 0, best = 0;
		for (size_t dv = 0; dv < s->d; dv++)
			if (isfinite(cost(s, i, dv))) {
				w += cost(s, i, dv);
				m++;
			}
		if (!m) {
			st = enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					      "%s: op %zu can run on no device", fn, i);
			goto out;
		}
		for (size_t e = 0; e < s->p->edge_count; e++) {
			const enpu_sched_edge_t *ed = &s->p->edges[e];
			if (ed->from == i && mean_xfer(s, ed) + s->rank[ed->to] > best)
				best = mean_xfer(s, ed) + s->rank[ed->to];
		}
		s->rank[i] = w / (double)m + best;
	}
out:
	free(order);
	free(indeg);
	return st;
}

/* Earliest start >= ready of a dur-long slot in the idle gaps of dev's group. */
static double fit(const sched_t *s, size_t dev, double ready, double dur)
{
	const double *b = s->busy + group(s, dev) * s->n * 2;
	double t = ready;

	for (size_t k = 0; k < s->nbusy[group(s, dev)]; k++) {
		if (t + dur <= b[2 * k])
			return t;
		if (b[2 * k + 1] > t)
			t = b[2 * k + 1];
	}
	return t;
}

static void occupy(sched_t *s, size_t dev, double start, double finish)
{
	double *b = s->busy + group(s, dev) * s->n * 2;
	size_t k = s->nbusy[group(s, dev)]++;

	while (k > 0 && b[2 * (k - 1)] > start) {
		b[2 * k] = b[2 * (k - 1)];
		b[2 * k + 1] = b[2 * (k - 1) + 1];
		k--;
	}
	b[2 * k] = start;
	b[2 * k + 1] = finish;
}

/* When op's inputs are available on dev. */
static double ready_on(const sched_t *s, size_t op, size_t dev, const enpu_sched_slot_t *slots)
{
	double t = 0;

	for (size_t e = 0; e < s->p->edge_count; e++) {
		const enpu_sched_edge_t *ed = &s->p->edges[e];
		if (ed->to != op)
			continue;
		double a = slots[ed->from].finish + xfer(s, ed, slots[ed->from].device, dev);
		if (a > t)
			t = a;
	}
	return t;
}

static enpu_status_t run(const enpu_sched_problem_t *p, const uint32_t *placement,
			 enpu_sched_slot_t *slots, double *makespan, const char *fn)
{
	enpu_status_t st = check(p, fn);
	sched_t s = { .p = p, .n = p ? p->op_count : 0, .d = p ? p->device_count : 0 };

	if (st)
		return st;
	if (!slots || !makespan)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: an output is NULL", fn);
	for (size_t i = 0; placement && i < s.n; i++)
		if (placement[i] >= s.d || !isfinite(cost(&s, i, placement[i])))
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"%s: op %zu cannot run on device %u", fn, i,
						placement[i]);
	s.rank = calloc(s.n, sizeof(double));
	s.busy = malloc(s.d * s.n * 2 * sizeof(double));
	s.nbusy = calloc(s.d, sizeof(size_t));
	s.npred = calloc(s.n, sizeof(size_t));
	s.done = calloc(s.n, sizeof(bool));
	if (!s.rank || !s.busy || !s.nbusy || !s.npred || !s.done)
		st = enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "%s: out of memory", fn);
	if (!st)
		st = ranks(&s, fn);
	*makespan = 0;
	for (size_t step = 0; !st && step < s.n; step++) {
		/* The ready op of highest rank (ties: lower index). */
		size_t op = SIZE_MAX;
		for (size_t i = 0; i < s.n; i++)
			if (!s.done[i] && !s.npred[i] && (op == SIZE_MAX || s.rank[i] > s.rank[op]))
				op = i;
		size_t best = SIZE_MAX;
		double best_start = 0, best_finish = INFINITY;
		for (size_t dv = 0; dv < s.d; dv++) {
			if (placement ? dv != placement[op] : !isfinite(cost(&s, op, dv)))
				continue;
			double w = cost(&s, op, dv);
			double start = fit(&s, dv, ready_on(&s, op, dv, slots), w);
			if (best == SIZE_MAX || start + w < best_finish) {
				best = dv;
				best_start = start;
				best_finish = start + w;
			}
		}
		slots[op] = (enpu_sched_slot_t){ (uint32_t)best, best_start, best_finish };
		occupy(&s, best, best_start, best_finish);
		s.done[op] = true;
		for (size_t e = 0; e < p->edge_count; e++)
			if (p->edges[e].from == op)
				s.npred[p->edges[e].to]--;
		if (best_finish > *makespan)
			*makespan = best_finish;
	}
	free(s.rank);
	free(s.busy);
	free(s.nbusy);
	free(s.npred);
	free(s.done);
	return st;
}

enpu_status_t enpu_sched_heft(const enpu_sched_problem_t *problem, enpu_sched_slot_t *out_slots,
			      double *out_makespan)
{
	return run(problem, NULL, out_slots, out_makespan, "enpu_sched_heft");
}

enpu_status_t enpu_sched_evaluate(const enpu_sched_problem_t *problem, const uint32_t *placement,
				  enpu_sched_slot_t *out_slots, double *out_makespan)
{
	if (!placement)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_sched_evaluate: placement is NULL");
	return run(problem, placement, out_slots, out_makespan, "enpu_sched_evaluate");
}
