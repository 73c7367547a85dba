/* SPDX-License-Identifier: MIT */
/* The peer benchmarks' shared start and case (peers.h). */
#include <stdio.h>
#include <stdlib.h>
#include "peers.h"

void bench_start(int argc, char **argv, bench_run_t *r)
{
	bench_args(argc, argv, &r->threads, &r->secs);
	bench_omp_env(argv, r->threads);
	bench_print_command(argv[0], r->threads, r->secs);
	bench_env_open(&r->env, r->threads);
	enpu_device_info_t info;
	enpu_device_query(r->env.cpu, &info);
	printf("device %s: %s\n", info.name, info.description);
	if (xnn_initialize(NULL) != xnn_status_success) {
		fprintf(stderr, "xnn_initialize failed\n");
		exit(1);
	}
	r->pool = r->threads > 1 ? pthreadpool_create(r->threads) : NULL;
}

void bench_finish(bench_run_t *r)
{
	if (r->pool)
		pthreadpool_destroy(r->pool);
	bench_env_close(&r->env);
}

void peer_run_enpu(void *c)
{
	peer_case_t *p = c;
	bench_run_list(p->env, p->list);
}

void peer_run_xnn(void *c)
{
	peer_case_t *p = c;
	xnn_run_operator(p->xnn, p->pool);
}
