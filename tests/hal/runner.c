/* SPDX-License-Identifier: MIT */
/* HAL test runner: one line per test (ok / FAIL / skip), then
 * "N passed, N failed, N skipped". Exit status 1 on any failure.
 * Usage: hal_tests [substring]   (ENPU_TEST_SEED=n changes every seed) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests.h"

typedef struct counts {
	int passed, failed, skipped;
} counts_t;

static uint64_t base_seed;

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void report(counts_t *c, const char *name, tctx *t)
{
	if (t->result == T_OK) {
		printf("ok %s\n", name);
		c->passed++;
	} else if (t->result == T_SKIP) {
		printf("skip %s: %s\n", name, t->msg);
		c->skipped++;
	} else {
		printf("FAIL %s: %s (seed %llu)\n", name, t->msg, (unsigned long long)t->seed);
		c->failed++;
	}
	fflush(stdout);
}

static void init(tctx *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->seed = base_seed ^ hash(name);
	t->rng = t->seed ? t->seed : 1;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : "";
	const char *env = getenv("ENPU_TEST_SEED");
	base_seed = env ? strtoull(env, NULL, 0) : 0x656e7075ULL;
	counts_t c = { 0 };
	tctx t;
	char name[128];
#define RUN_PLAIN(n)                                                            \
	if (strstr(#n, filter)) {                                               \
		init(&t, #n);                                                   \
		test_##n(&t);                                                   \
		report(&c, #n, &t);                                             \
	}
	PLAIN_TESTS(RUN_PLAIN)
	const enpu_cpu_isa_t *isas = t_all_isas;
	for (size_t i = 0; i < t_all_isa_count; i++) {
#define RUN_ISA(n)                                                              \
	snprintf(name, sizeof(name), "%s/%s", #n, t_isa_name(isas[i]));         \
	if (strstr(name, filter)) {                                             \
		init(&t, name);                                                 \
		test_##n(&t, isas[i]);                                          \
		report(&c, name, &t);                                           \
	}
		ISA_TESTS(RUN_ISA)
	}
#define RUN_DEVICE(n, dev)                                                      \
	snprintf(name, sizeof(name), "%s/%s", #n, #dev);                        \
	if (strstr(name, filter)) {                                             \
		init(&t, name);                                                 \
		test_##n##_##dev(&t);                                           \
		report(&c, name, &t);                                           \
	}
	DEVICE_TESTS(RUN_DEVICE)
	printf("%d passed, %d failed, %d skipped\n", c.passed, c.failed, c.skipped);
	return c.failed ? 1 : 0;
}
