// SPDX-License-Identifier: MIT
/* enpuctl run graph: parsing, calibration with the cost cache, timed runs,
 * the --explain table and the --trace file (see graph_run.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enpuctl.h"
#include "graph_run.h"

static bool places(const char *s, gr_spec_t *g)
{
	char buf[512], *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(w, ':');
		if (!colon || colon == w || !colon[1] || g->place_count == GR_MAX_PLACES ||
		    (size_t)(colon - w) >= ENPU_GRAPH_NAME_MAX || strlen(colon + 1) >= 32)
			return false;
		*colon = '\0';
		strcpy(g->place_op[g->place_count], w);
		strcpy(g->place_dev[g->place_count++], colon + 1);
	}
	return true;
}

static bool option(const char *tok, gr_spec_t *g)
{
	if (!strncmp(tok, "size=", 5))
		return parse_u32(tok + 5, 4, 1024, &g->size);
	if (!strncmp(tok, "devices=", 8) && tok[8] && strlen(tok + 8) < sizeof(g->devices)) {
		strcpy(g->devices, tok + 8);
		return true;
	}
	if (!strncmp(tok, "place=", 6))
		return places(tok + 6, g);
	if (!strncmp(tok, "cache=", 6) && tok[6] && strlen(tok + 6) < sizeof(g->cache)) {
		strcpy(g->cache, tok + 6);
		return true;
	}
	if (!strncmp(tok, "repeat=", 7))
		return parse_u32(tok + 7, 1, 100000, &g->repeat);
	if (!strncmp(tok, "calib=", 6))
		return parse_u32(tok + 6, 1, 1000, &g->calib);
	if (!strncmp(tok, "threads=", 8))
		return parse_u32(tok + 8, 0, 1024, &g->threads);
	if (!strcmp(tok, "overlap"))
		g->overlap = true;
	else if (!strcmp(tok, "priority=low"))
		g->priority = ENPU_PRIORITY_LOW;
	else if (!strcmp(tok, "priority=normal"))
		g->priority = ENPU_PRIORITY_NORMAL;
	else if (!strcmp(tok, "priority=high"))
		g->priority = ENPU_PRIORITY_HIGH;
	else
		return false;
	return true;
}

bool gr_parse(const char *text, gr_spec_t *g, char *err, size_t err_len)
{
	char buf[1024], *save = NULL, *tok;

	memset(g, 0, sizeof(*g));
	g->repeat = 10;
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, err_len, "spec too long");
		return false;
	}
	strcpy(buf, text);
	tok = strtok_r(buf, " \t", &save);
	if (!tok || strcmp(tok, "graph")) {
		snprintf(err, err_len, "not a graph spec");
		return false;
	}
	tok = strtok_r(NULL, " \t", &save);
	if (!tok || strlen(tok) >= sizeof(g->name)) {
		snprintf(err, err_len, "graph: expected a sample name (mobilenetv2, branches, tiny)");
		return false;
	}
	strcpy(g->name, tok);
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL)
		if (!option(tok, g)) {
			snprintf(err, err_len, "graph: bad option '%s'", tok);
			return false;
		}
	if (!g->size)
		g->size = !strcmp(g->name, "mobilenetv2") ? 224 : !strcmp(g->name, "tiny") ? 64 : 32;
	return true;
}

/* Loads the cache (a missing, stale or corrupt one is reported and
 * replaced), calibrates what is missing, saves. */
static enpu_status_t costs(enpu_dispatcher_t *d, enpu_graph_t *g, const char *cache)
{
	enpu_status_t st;

	if (cache[0]) {
		st = enpu_dispatcher_load_costs(d, cache);
		if (st && enpu_status_code(st) != ENPU_STATUS_OUT_OF_RANGE)
			fprintf(stderr, "enpuctl run: %s; calibrating again\n", enpu_status_message(st));
		enpu_status_free(st);
	}
	st = enpu_dispatcher_calibrate(d, g);
	if (!st && cache[0])
		st = enpu_dispatcher_save_costs(d, cache);
	return st;
}

static enpu_status_t run_once(enpu_plan_t *plan, enpu_run_t **out)
{
	enpu_status_t st = enpu_plan_execute(plan, out);

	if (!st)
		st = enpu_run_wait(*out, ENPU_TIMEOUT_INFINITE);
	if (st) {
		enpu_run_release(*out);
		*out = NULL;
	}
	return st;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static const char *dev_name(enpu_dispatcher_t *d, size_t i)
{
	static enpu_device_info_t info[ENPU_DISPATCH_MAX_DEVICES + 1];

	enpu_device_query(enpu_dispatcher_device(d, i), &info[i]);
	return info[i].name;
}

/* The predicted makespan with every op on device dev, or INFINITY. */
static double alone(const enpu_plan_t *plan, uint32_t dev)
{
	const enpu_sched_problem_t *p = enpu_plan_problem(plan);
	uint32_t *place = malloc(p->op_count * sizeof(*place));
	enpu_sched_slot_t *slots = malloc(p->op_count * sizeof(*slots));
	double m = INFINITY;
	enpu_status_t st = ENPU_OK;

	for (size_t i = 0; place && i < p->op_count; i++)
		place[i] = dev;
	if (place && slots)
		st = enpu_sched_evaluate(p, place, slots, &m);
	enpu_status_free(st);
	free(place);
	free(slots);
	return st ? INFINITY : m;
}

static void explain(enpu_dispatcher_t *d, const enpu_graph_t *g, const enpu_plan_t *plan,
		    const enpu_run_t *run)
{
	size_t n = enpu_graph_op_count(g);
	double err_sum = 0, pred_sum = 0, meas_sum = 0;

	printf("\n%-4s %-14s %-8s %-5s %-7s %10s %10s %10s %10s %7s\n", "op", "name", "kind",
	       "dtype", "device", "pred@ms", "pred_ms", "meas@ms", "meas_ms", "error");
	for (size_t i = 0; i < n; i++) {
		enpu_graph_op_info_t info;
		enpu_run_timing_t tm;
		enpu_sched_slot_t s = enpu_plan_slot(plan, i);
		enpu_status_free(enpu_graph_op_info(g, i, &info));
		enpu_status_free(enpu_run_op_timing(run, i, &tm));
		double pred = s.finish - s.start, meas = tm.end - tm.start;
		double err = pred > 0 ? (pred - meas) / meas : 0;
		err_sum += fabs(pred - meas);
		pred_sum += pred;
		meas_sum += meas;
		printf("%-4zu %-14s %-8s %-5s %-7s %10.3f %10.3f %10.3f %10.3f %+6.0f%%%s\n", i,
		       info.name, enpu_op_kind_name(info.kind), enpu_dtype_name(info.dtype),
		       dev_name(d, s.device), s.start * 1e3, pred * 1e3, tm.start * 1e3, meas * 1e3,
		       err * 100, info.forced_device[0] ? "  (forced)" : "");
	}
	printf("\nper device:        ops   predicted busy ms   measured busy ms   predicted alone ms\n");
	for (size_t dv = 0; dv < enpu_dispatcher_device_count(d); dv++) {
		double pb = 0, mb = 0;
		int ops = 0;
		for (size_t i = 0; i < n; i++) {
			enpu_run_timing_t tm;
			enpu_sched_slot_t s = enpu_plan_slot(plan, i);
			if (s.device != dv)
				continue;
			enpu_status_free(enpu_run_op_timing(run, i, &tm));
			ops++;
			pb += s.finish - s.start;
			mb += tm.end - tm.start;
		}
		printf("  %-14s %6d %19.3f %18.3f %20.3f\n", dev_name(d, dv), ops, pb * 1e3, mb * 1e3,
		       alone(plan, (uint32_t)dv) * 1e3);
	}
	printf("cost model: sum of |predicted - measured| op times = %.1f%% of measured "
	       "(predicted %.3f ms, measured %.3f ms)\n",
	       meas_sum > 0 ? 100 * err_sum / meas_sum : 0, pred_sum * 1e3, meas_sum * 1e3);
}

void gr_trace_events(FILE *f, const gr_session_t *s, const enpu_run_t *run, bool predicted,
		     int pid, double base_us, bool *first)
{
	fprintf(f, "%s{\"ph\":\"M\",\"pid\":%d,\"name\":\"process_name\",\"args\":{\"name\":"
		"\"dispatcher, %s\"}}", *first ? "\n" : ",\n", pid,
		predicted ? "predicted" : "measured");
	*first = false;
	for (size_t dv = 0; dv < enpu_dispatcher_device_count(s->d); dv++) {
		fprintf(f, ",\n{\"ph\":\"M\",\"pid\":%d,\"tid\":%zu,\"name\":\"thread_name\","
			"\"args\":{\"name\":", pid, dv);
		json_string(f, dev_name(s->d, dv));
		fprintf(f, "}}");
	}
	for (size_t i = 0; i < enpu_graph_op_count(s->g); i++) {
		enpu_graph_op_info_t info;
		enpu_run_timing_t tm;
		enpu_sched_slot_t sl = enpu_plan_slot(s->plan, i);
		enpu_status_free(enpu_graph_op_info(s->g, i, &info));
		enpu_status_free(enpu_run_op_timing(run, i, &tm));
		double start = predicted ? sl.start : tm.start, end = predicted ? sl.finish : tm.end;
		fprintf(f, ",\n{\"ph\":\"X\",\"pid\":%d,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,"
			"\"name\":", pid, sl.device, base_us + start * 1e6, (end - start) * 1e6);
		json_string(f, info.name);
		fprintf(f, ",\"args\":{\"kind\":\"%s\",\"shape\":", enpu_op_kind_name(info.kind));
		json_string(f, info.shape);
		fprintf(f, ",\"op\":%zu}}", i);
	}
}

static int write_trace(const char *path, const gr_session_t *s, const enpu_run_t *run)
{
	FILE *f = fopen(path, "w");
	bool first = true;

	if (!f)
		return fail("run", "cannot write %s: %m", path);
	fprintf(f, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
	gr_trace_events(f, s, run, false, GR_PID_MEASURED, 0, &first);
	gr_trace_events(f, s, run, true, GR_PID_PREDICTED, 0, &first);
	fprintf(f, "\n]}\n");
	if (fclose(f))
		return fail("run", "cannot write %s: %m", path);
	printf("trace: %s (one row per device; measured and predicted timelines)\n", path);
	return 0;
}

static enpu_status_t force(enpu_graph_t *g, const gr_spec_t *spec)
{
	for (size_t i = 0; i < spec->place_count; i++) {
		size_t op;
		enpu_status_t st = enpu_graph_find_op(g, spec->place_op[i], &op);
		if (!st)
			st = enpu_graph_force_device(g, op, spec->place_dev[i]);
		if (st)
			return st;
	}
	return ENPU_OK;
}

int gr_open(enpu_context_t *ctx, const gr_spec_t *spec, gr_session_t *s)
{
	enpu_dispatcher_options_t o = { .devices = spec->devices, .cpu_threads = spec->threads,
					.calibration_runs = spec->calib,
					.host_devices_overlap = spec->overlap };
	enpu_device_t *cpu = NULL;
	enpu_run_t *run = NULL;
	double t0 = now_s();
	enpu_status_t st;

	memset(s, 0, sizeof(*s));
	st = enpu_dispatcher_create(ctx, &o, &s->d);
	for (size_t i = 0; !st && i < enpu_dispatcher_device_count(s->d) && !cpu; i++) {
		enpu_device_info_t info;
		enpu_device_query(enpu_dispatcher_device(s->d, i), &info);
		if (info.type == ENPU_DEVICE_CPU)
			cpu = enpu_dispatcher_device(s->d, i);
	}
	if (!st)
		st = enpu_graph_create_sample(cpu, spec->name, spec->size, 1, &s->g);
	if (!st)
		st = force(s->g, spec);
	if (!st)
		st = enpu_graph_set_priority(s->g, spec->priority);
	if (!st)
		st = costs(s->d, s->g, spec->cache);
	if (!st)
		printf("calibration: %.2f s%s\n", now_s() - t0, spec->cache[0] ? " (with the cache)" : "");
	if (!st)
		st = enpu_dispatcher_plan(s->d, s->g, &s->plan);
	if (!st)
		st = run_once(s->plan, &run); /* warm-up */
	enpu_run_release(run);
	if (st) {
		fail("run", "graph %s: %s", spec->name, enpu_status_message(st));
		enpu_status_free(st);
		gr_close(s);
		return 1;
	}
	return 0;
}

void gr_close(gr_session_t *s)
{
	enpu_plan_release(s->plan);
	enpu_graph_release(s->g);
	enpu_dispatcher_release(s->d);
	memset(s, 0, sizeof(*s));
}

int gr_run(enpu_context_t *ctx, const gr_spec_t *spec, bool want_explain, const char *trace)
{
	gr_session_t s;
	enpu_run_t *run = NULL;
	double *t = calloc(spec->repeat, sizeof(double));
	enpu_status_t st = ENPU_OK;
	int ret;

	if (!t)
		return fail("run", "out of memory");
	ret = gr_open(ctx, spec, &s);
	for (uint32_t i = 0; !ret && !st && i < spec->repeat; i++) {
		enpu_run_release(run);
		st = run_once(s.plan, &run);
		if (!st)
			t[i] = enpu_run_makespan(run);
	}
	if (!ret && st) {
		ret = fail("run", "graph %s: %s", spec->name, enpu_status_message(st));
		enpu_status_free(st);
	}
	if (!ret) {
		qsort(t, spec->repeat, sizeof(double), cmp_double);
		printf("graph %s size %u: %zu ops on", spec->name, spec->size,
		       enpu_graph_op_count(s.g));
		for (size_t i = 0; i < enpu_dispatcher_device_count(s.d); i++)
			printf("%s %s", i ? "," : "", dev_name(s.d, i));
		printf("\n  makespan    predicted %.3f ms  measured min %.3f ms  median %.3f ms "
		       "(%u runs)\n", enpu_plan_makespan(s.plan) * 1e3, t[0] * 1e3,
		       t[spec->repeat / 2] * 1e3, spec->repeat);
		if (want_explain)
			explain(s.d, s.g, s.plan, run); /* the last run */
		if (trace)
			ret = write_trace(trace, &s, run);
	}
	free(t);
	enpu_run_release(run);
	if (s.d)
		gr_close(&s);
	return ret;
}
