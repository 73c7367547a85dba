/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the enpu driver tests. */
#ifndef ENPU_TEST_H
#define ENPU_TEST_H

#include <fcntl.h>
#include <sys/stat.h>

#include "harness.h"

#define ENPU_TEST_NODE "/dev/accel/accel0"

/* Opens the first enpu node, or skips the test where the module is not loaded. */
#define enpu_test_open(meta) __enpu_test_open(meta)
static inline int __enpu_test_open(struct __test_metadata *_metadata)
{
	int fd = open(ENPU_TEST_NODE, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		SKIP(_exit(KSFT_SKIP), "%s missing: is enpu.ko loaded? (run through tools/vm/run)",
		     ENPU_TEST_NODE);
	}
	ASSERT_LE(0, fd);
	return fd;
}

#endif /* ENPU_TEST_H */
