/* SPDX-License-Identifier: MIT */
/* The guest program of the instruction counts: runs one of ab_case.c's
 * cases (gemm, conv, add, mul: see ab_case.c) iters times on the
 * CPU device, one thread, the kernel family $AB_ISA (default: the host's
 * best). Usage: insn_op iters case... */
#include <stdlib.h>

void *ab_setup(int argc, char **argv);
void ab_run(void *c);

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long iters = strtol(argv[1], NULL, 10);
	void *c = ab_setup(argc - 2, argv + 2);
	for (long i = 0; i < iters; i++)
		ab_run(c);
	return 0;
}
